"""Table rows from the spaCy components' results: the one place where spans become rows.

`doc.ents` with `._.entity_id` → `mentions`; `doc._.entity_index` → `entities`;
`doc.spans["quotes"]` → `quotes`. Rows carry every column of their table but `doc_id`, which the
caller adds (a spaCy worker process does not know it). Columns come from `newsflow.schemas`.
"""

from __future__ import annotations

from spacy.tokens import Doc

from newsflow.schemas.tables import ENTITIES, MENTIONS, QUOTES, ROW_TABLES  # noqa: F401  (ROW_TABLES: this module's tables)
from newsflow.tasks.nlp.entities.gender import pronoun_cues
from newsflow.tasks.nlp.quotes import cue_lemma
from newsflow.tasks.nlp.quotes.component import SPANS_KEY
from newsflow.tasks.nlp.quotes.statements import quote_id


def _columns(schema) -> list[str]:
    return [name for name in schema.names if name != "doc_id"]


# Computed once: the rows are built per document, inside spaCy's worker processes.
MENTION_COLUMNS, ENTITY_COLUMNS, QUOTE_COLUMNS = _columns(MENTIONS), _columns(ENTITIES), _columns(QUOTES)


def mention_rows(doc: Doc) -> list[dict]:
    columns = MENTION_COLUMNS
    rows = []
    for ent in doc.ents:
        if ent._.entity_id is None:
            continue
        row = {
            "start_char": ent.start_char,
            "end_char": ent.end_char,
            "text": ent.text,
            "label": ent.label_,
            "entity_id": ent._.entity_id,
        }
        rows.append({c: row[c] for c in columns})
    return rows


def entity_rows(doc: Doc, pronouns: dict[str, list[str]] | None = None) -> list[dict]:
    """`pronouns`: entity_id → its pronoun evidence (`gender.pronoun_cues`), added to its gender_cues."""
    columns = ENTITY_COLUMNS
    rows = []
    for eid, entity in (doc._.entity_index or {}).items():
        row = {"entity_id": eid, **entity}
        cues = list(entity.get("gender_cues") or ())
        if entity["label"] == "PERSON" and pronouns and eid in pronouns:
            cues += pronouns[eid]
        row["gender_cues"] = cues if entity["label"] == "PERSON" else []
        rows.append({c: row[c] for c in columns})
    return rows


def quote_rows(doc: Doc, spans_key: str = SPANS_KEY) -> list[dict]:
    columns = QUOTE_COLUMNS
    rows = []
    for span in doc.spans.get(spans_key, []):
        speaker = span._.speaker
        own = quote_id(span.start_char, span.end_char, span.text)
        row = {
            "quote_id": own,
            "text": span.text,
            "type": span.label_,
            "start_char": span.start_char,
            "end_char": span.end_char,
            "speaker": speaker.text if speaker is not None else None,
            "speaker_name": span._.speaker_name,
            "speaker_entity_id": span._.speaker_entity_id,
            "cue": cue_lemma(span._.cue),
            "method": span._.method,
            "speaker_title": span._.speaker_title,
            "statement_id": span._.statement_id or own,  # spans the component did not make: their own
        }
        rows.append({c: row[c] for c in columns})
    return rows


def doc_rows(doc: Doc) -> dict[str, list[dict]]:
    """Rows of every table the analysis fills, for one document."""
    quotes = quote_rows(doc)
    return {"mentions": mention_rows(doc), "entities": entity_rows(doc, pronoun_cues(quotes)), "quotes": quotes}
