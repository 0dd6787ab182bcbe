"""The one source of truth for the shape of every published table.

`storage` writes with these schemas, `validate` checks against them and the tests import them.
A column is added here and nowhere else.
"""

from __future__ import annotations

import dataclasses

import pyarrow as pa

# Bump when a change to cleaning or extraction changes what a document's rows would be:
# documents published under an older version are processed again and their rows replaced.
PIPELINE_VERSION = "2026.12.13"

QUOTE_TYPES = ("direct", "indirect", "mixed")
ENTITY_LABELS = (
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
)
REJECT_STAGES = ("discover", "ingest", "clean", "nlp")
# documents.url, when known: an absolute http(s) URL (ingest keeps no other; GX checks it).
URL_PATTERN = r"^https?://[^\s/?#]+[^\s]*$"
# documents.published_at: a date later than the run plus this is taken for a mistake.
FUTURE_SLACK_DAYS = 1
SOURCE_STATUSES = ("document", "duplicate", "rejected")
GENDERS = ("female", "male", "unknown")
# What decided a person's gender (people.gender_evidence), strongest first; entities.gender_cues
# holds the article evidence as "<kind>:<gender>", one item per occurrence.
GENDER_EVIDENCE = ("honorific", "pronoun", "role_noun", "coreference", "first_name")
ARTICLE_EVIDENCE = ("honorific", "pronoun", "role_noun", "coreference")

DOCUMENTS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("text", pa.string(), nullable=False),
        pa.field("n_words", pa.int32(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("outlet", pa.string()),
        pa.field("published_at", pa.timestamp("us", tz="UTC")),
        pa.field("authors", pa.list_(pa.string()), nullable=False),
        pa.field("dateline", pa.string()),
        pa.field("language", pa.string()),
        pa.field("pipeline_version", pa.string(), nullable=False),
    ]
)

MENTIONS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("start_char", pa.int32(), nullable=False),
        pa.field("end_char", pa.int32(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
    ]
)

ENTITIES = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
        pa.field("n_mentions", pa.int32(), nullable=False),
        # What in this document says the person's gender (PERSON only): "honorific:female" for
        # "Mrs Doe", "role_noun:male" for "spokesman John Doe", "pronoun:female" for a quote whose
        # speaker is "she" resolved to the entity; one item per occurrence, empty when none.
        pa.field("gender_cues", pa.list_(pa.string()), nullable=False),
    ]
)

QUOTES = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("quote_id", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("start_char", pa.int32(), nullable=False),
        pa.field("end_char", pa.int32(), nullable=False),
        pa.field("speaker", pa.string()),
        pa.field("speaker_name", pa.string()),
        pa.field("speaker_entity_id", pa.string()),
        pa.field("cue", pa.string()),
        pa.field("method", pa.string()),
        pa.field("speaker_title", pa.string()),
        # The statement the quote is part of (issue 30): the quote_id of its first piece, shared by
        # the pieces of one utterance of one speaker; the quote's own quote_id otherwise. Never null
        # in a row newsflow writes (the GX suite checks it), but nullable here: an older output's
        # table gains the column null in its rows (storage's `_upgrade`), and must still read.
        pa.field("statement_id", pa.string()),
    ]
)

# The rejects table's `doc_id` column holds `Reject.reject_id` (a hash of the file's path and raw
# bytes), not a document's id: the column keeps the name it was published under.
REJECT_ID_COLUMN = "doc_id"

REJECTS = pa.schema(
    [
        pa.field(REJECT_ID_COLUMN, pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
    ]
)

# One row per input file ever seen, with its latest state: what became of it (`status`) and the
# document it stands for (its content now, or its last good content when it no longer reads).
SOURCES = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("doc_id", pa.string()),
        pa.field("sha256", pa.string()),  # null when the file was never read (too large, not a file)
        pa.field("bytes", pa.int64()),  # null when its size is unknown (not a file, unreadable)
        pa.field("first_seen", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("last_seen", pa.timestamp("us", tz="UTC"), nullable=False),
        # The file's stat when last read (a record's: its .jsonl/.json file's), null when unknown: a
        # file whose size, mtime and id match is unchanged and not read again (tasks/unchanged.py).
        pa.field("modified", pa.timestamp("us", tz="UTC")),
        pa.field("file_id", pa.string()),  # "<st_dev>:<st_ino>"
    ]
)

# Across documents: one row per person (tasks/people), rebuilt from the published documents by every
# run that publishes.
PEOPLE = pa.schema(
    [
        pa.field("person_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("aliases", pa.list_(pa.string()), nullable=False),
        pa.field("gender", pa.string(), nullable=False),
        pa.field("gender_evidence", pa.string()),
        pa.field("n_documents", pa.int32(), nullable=False),
        pa.field("n_quotes", pa.int32(), nullable=False),
        pa.field("first_published", pa.timestamp("us", tz="UTC")),
        pa.field("last_published", pa.timestamp("us", tz="UTC")),
    ]
)

# One row per PERSON entity of a document, with the person it is. The columns after `person_id`
# are the registry's persisted state (issue 29): what a run needs to re-cluster the people of a
# surname without reading `entities`, `quotes` or `documents` again. `person_key` is the registry's
# partition: the last word of the name's surname; people are only ever joined within one key.
PERSON_ENTITIES = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("entity_id", pa.string(), nullable=False),
        pa.field("person_id", pa.string(), nullable=False),
        pa.field("person_key", pa.string()),  # nullable: columns added to an older table are null there
        pa.field("name", pa.string()),  # the entity's canonical name in its document (entities.name)
        pa.field("gender_cues", pa.list_(pa.string())),  # entities.gender_cues
        pa.field("n_quotes", pa.int32()),  # quotes of the document attributed to the entity
        pa.field("outlet", pa.string()),  # documents.outlet
        pa.field("published_at", pa.timestamp("us", tz="UTC")),  # documents.published_at
    ]
)

# The run report's aggregates (tasks/report/aggregates.py): what its corpus-wide figures are summed
# from, kept up to date by every run from the rows it adds and drops, so that a report costs the same
# at a million documents as at ten thousand. Not part of the contract: the report's own state.
# One row per published document: its quotes, and the run that published it.
REPORT_DOCUMENTS = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("outlet", pa.string()),
        pa.field("week", pa.date32()),  # the Monday (UTC) of published_at's week; null when undated
        pa.field("n_quotes", pa.int32(), nullable=False),
        pa.field("n_unknown_speaker", pa.int32(), nullable=False),  # of them, with no speaker_name
        pa.field("run_id", pa.string()),  # the run that published it; null when published before the aggregates
    ]
)

# Per name partition (`person_entities.person_key`), outlet and gender: how many distinct people the
# outlet's documents name, and quote. People never span partitions, so the counts add up over them.
REPORT_PEOPLE = pa.schema(
    [
        pa.field("person_key", pa.string(), nullable=False),
        pa.field("outlet", pa.string()),
        pa.field("gender", pa.string()),
        pa.field("named", pa.int32(), nullable=False),
        pa.field("quoted", pa.int32(), nullable=False),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "mentions": MENTIONS,
    "entities": ENTITIES,
    "quotes": QUOTES,
    "rejects": REJECTS,
    "sources": SOURCES,
    "people": PEOPLE,
    "person_entities": PERSON_ENTITIES,
    "report_documents": REPORT_DOCUMENTS,
    "report_people": REPORT_PEOPLE,
}

# The report's aggregates: not in the contract, published with the tables they sum.
REPORT_TABLES = ("report_documents", "report_people")
AGGREGATES_PART = "report"  # the staged part of both report tables (`newsflow.tasks.report.aggregates`)
# The tables the spaCy components give rows for, per document (`newsflow.tasks.nlp.rows`).
ROW_TABLES = ("mentions", "entities", "quotes")

# Tables that are a function of all the published documents (tasks/people): a run restages the
# rows of the surnames (`person_entities.person_key`) its documents add or remove.
REGISTRY_TABLES = ("people", "person_entities")

# The column a run replaces each table's rows by: publishing drops the published rows whose key
# the run names (a document replaced, an input file's reject fixed) and adds the staged ones.
KEYS: dict[str, str] = {
    "documents": "doc_id",
    "mentions": "doc_id",
    "entities": "doc_id",
    "quotes": "doc_id",
    "rejects": "source",
    "sources": "source",
    "people": "person_id",
    "person_entities": "person_key",
    "report_documents": "doc_id",
    "report_people": "person_key",
}


def from_rows(name: str, rows: list[dict]) -> pa.Table:
    """Build a table with its fixed schema (an empty list still has the right column types)."""
    return pa.Table.from_pylist(rows, schema=TABLES[name])


def record_row(name: str, record: object, **values: object) -> dict:
    """A row of table `name` from a frozen record: each column is the record's field of the same
    name, unless `values` gives it."""
    fields = dataclasses.asdict(record) | values
    return {column: fields[column] for column in TABLES[name].names}
