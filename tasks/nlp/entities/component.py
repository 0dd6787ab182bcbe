"""The `newsflow_entities` spaCy component: clustered entities written onto the `Doc`.

After it, `doc.ents` holds the mentions as newsflow counts them (names trimmed of titles and
possessives, labels repaired from the whole document, surnames the model missed added), each
with `._.entity_id` and `._.entity_name`; the model's other entities stay in `doc.ents`
with `._.entity_id` None. `doc._.entity_index` maps each entity id to its name, label, number
of mentions and gender guess: plain data, so it crosses spaCy's worker processes as it is.

The extension names stay as the shared contract reads them (`._.entity_id`, `._.entity_name`);
creating the component raises `ExtensionConflict` when another package registered one of them
first (see `newsflow.tasks.nlp.quotes.component` for why, and `newsflow.tasks.nlp.lexicon.pipe.claim`). The
component saves its word lists with the pipeline and takes them from `nlp.initialize` too
(`newsflow.tasks.nlp.lexicon.LexiconPipe`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from newsflow.tasks.nlp.entities.cluster import DocEntities, Entity, Mention, extract_entities
from newsflow.tasks.nlp.entities.gender import gender_cues
from newsflow.tasks.nlp.lexicon.pipe import LexiconPipe, claim, computed, stored


def _entity_field(span: Span, field: str) -> str | None:
    index = span.doc._.entity_index or {}
    entity = index.get(span._.entity_id)
    return entity[field] if entity else None


def _entity_name(span: Span) -> str | None:
    return _entity_field(span, "name")


# (class, name, getter and setter): what the component writes, registered at import when free.
EXTENSIONS = [
    (Doc, "entity_index", stored("entity_index")),
    (Span, "entity_id", stored("entity_id")),
    (Span, "entity_name", computed("entity_name", _entity_name)),
]
claim(EXTENSIONS, component=None)


class EntityClusterer(LexiconPipe):
    """Clusters `doc.ents` into entities (see `newsflow.tasks.nlp.entities`)."""

    def __init__(self, nlp: Language, name: str = "newsflow_entities", *, lexicon: str | None = None) -> None:
        claim(EXTENSIONS, component=name)
        self.name = name
        self.lexicon_folder = lexicon

    def __call__(self, doc: Doc) -> Doc:
        # No catch-all here: spaCy hands an exception to the component's error handler
        # (`set_error_handler`), which raises by default; `run` names the component in it.
        return self.run(doc, self._annotate)

    def _annotate(self, doc: Doc) -> Doc:
        result = extract_entities(doc, self.lexicon)
        write_entities(doc, result, gender_cues(doc, result.mentions, self.lexicon))
        return doc


def write_entities(doc: Doc, result: DocEntities, cues: dict[str, list[str]] | None = None) -> None:
    """Put the clustering on the Doc: mentions into `doc.ents`, entities into `doc._.entity_index`
    (with `cues`, each entity's gender evidence: `newsflow.tasks.nlp.entities.gender`)."""
    mention_spans = []
    covered: set[int] = set()
    for m in result.mentions:
        span = doc.char_span(m.start_char, m.end_char, label=m.label)
        mention_spans.append((span, m.entity_id))
        covered.update(range(span.start, span.end))
    others = [e for e in doc.ents if not covered.intersection(range(e.start, e.end))]
    doc.ents = sorted([s for s, _ in mention_spans] + others, key=lambda s: s.start)
    for span, eid in mention_spans:
        span._.entity_id = eid
    doc._.entity_index = {
        e.entity_id: {
            "name": e.name,
            "label": e.label,
            "n_mentions": e.n_mentions,
            "gender": e.gender,
            "gender_cues": (cues or {}).get(e.entity_id, []),
        }
        for e in result.entities
    }


def read_entities(doc: Doc) -> DocEntities:
    """The clustering the component wrote, read back from the Doc."""
    if doc._.entity_index is None:
        raise ValueError("the Doc has no newsflow entities: add the `newsflow_entities` component before this one")
    mentions = tuple(
        Mention(e.start_char, e.end_char, e.text, e.label_, e._.entity_id) for e in doc.ents if e._.entity_id
    )
    entities = tuple(
        Entity(eid, e["name"], e["label"], e["n_mentions"], e["gender"]) for eid, e in doc._.entity_index.items()
    )
    return DocEntities(mentions, entities)


@Language.factory(
    "newsflow_entities",
    assigns=[
        "doc.ents",
        "token.ent_iob",
        "token.ent_type",
        "span._.entity_id",
        "span._.entity_name",
        "doc._.entity_index",
    ],
    requires=[
        "doc.ents",
        "token.ent_iob",
        "token.ent_type",
        "token.is_sent_start",
        "token.tag",
        "token.pos",
        "token.lemma",
        "token.dep",
        "token.head",
    ],
    default_config={"lexicon": None},
)
def make_entity_clusterer(nlp: Language, name: str, lexicon: str | None) -> EntityClusterer:
    """`lexicon`: a folder of word lists that extend the packaged ones (see newsflow.tasks.nlp.lexicon)."""
    return EntityClusterer(nlp, name, lexicon=lexicon)
