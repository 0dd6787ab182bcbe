"""Entity clustering: spaCy's named entities grouped into one entity per real-world referent.

`extract_entities(doc, lexicon)` (cluster.py) does the work on a parsed `Doc`; the spaCy
component `newsflow_entities` (component.py) writes its result onto the Doc.

Handled:
- surnames and first names joined to the full name used elsewhere in the document
  ("Zakharova" -> "Maria Zakharova"); a surname shared by two people ("Bob Jones", "Tom Jones")
  goes to the nearest full name written before it (after it, when none is before);
- surname mentions the model missed altogether are added when a full name makes them certain;
- known aliases of countries and bodies ("U.S.", "United States", "America");
- leading "the", trailing possessive "'s" and titles ("President", "Sen.") trimmed from names;
- the label repaired from the cluster: a cluster whose fullest name is a PERSON is a PERSON,
  otherwise the majority label wins (the small model calls "Zakharova" an ORG);
- photo credit and caption-credit lines ("(Yuri Cortez / AFP/Getty Images)") are ignored;
- a gender guess per PERSON (titles, role nouns, common first names) for pronoun resolution;
- a short list of surnames that in the news mean one person (`well_known`: "Trump" -> "Donald
  Trump") names a person whose full name the document never writes; "Mr."/"Mrs." before a
  surname keeps it off a full name whose first name is of the other gender.
The word lists are data files (newsflow.tasks.lexicon), extended through the component config.

Not handled: nominal coreference ("the spokeswoman" -> Maria Zakharova; the quotes component
does some of it for speakers), world knowledge beyond `well_known`, cross-document
disambiguation (the same name is the same entity id everywhere), and entities the model does not
find at all.
"""

from newsflow.tasks.entities.cluster import DocEntities, Entity, Mention, entity_id, extract_entities
from newsflow.tasks.entities.component import EntityClusterer, read_entities, write_entities

__all__ = [
    "DocEntities",
    "Entity",
    "EntityClusterer",
    "Mention",
    "entity_id",
    "extract_entities",
    "read_entities",
    "write_entities",
]
