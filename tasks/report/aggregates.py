"""The run report's aggregates: the tables its corpus-wide figures are summed from, so that a report
costs about the same at a million documents as at ten thousand (issue 29).

- `report_documents`: one row per document (its outlet, week, quotes, quotes with no known speaker,
  the run that published it). Keyed by `doc_id` like the document's other rows: a run stages the
  rows of the documents it analyses, and the publish drops those of the documents it replaces or
  removes, as it does in every table.
- `report_people`: per name partition (`person_entities.person_key`), outlet and gender, the distinct
  people the outlet names and quotes. People never span partitions, so these counts add up over
  them; a run restages the partitions its register step restages (`tasks/register.py`).

Both are plain functions of Arrow tables here (DuckDB SQL, so that the weeks are DuckDB's, as in
the report's queries), defined over the contract's columns by `DOCUMENTS_SQL` / `PEOPLE_SQL`: the
report reads an output published before the aggregates through those definitions as views
(`tasks/report/queries.py`), and tests/test_report_aggregates.py checks that the kept aggregates
equal them after runs that add, edit and remove documents.
"""

from __future__ import annotations

import pyarrow as pa

from newsflow.schemas.tables import REPORT_DOCUMENTS, REPORT_PEOPLE, REPORT_TABLES
from newsflow.tasks.storage import is_published

# Bumped when what the aggregates hold changes: the next run rebuilds them (`needs_rebuild`).
AGGREGATES_VERSION = 1

# report_documents, by definition: over `documents` (doc_id, outlet, published_at) and `quotes`
# (doc_id, speaker_name); `$run_id`, the run the documents are published by.
DOCUMENTS_SQL = """\
SELECT d.doc_id, d.outlet, CAST(date_trunc('week', d.published_at) AS DATE) AS week,
       CAST(count(q.doc_id) AS INTEGER) AS n_quotes,
       CAST(count(q.doc_id) FILTER (WHERE q.speaker_name IS NULL) AS INTEGER) AS n_unknown_speaker,
       CAST($run_id AS VARCHAR) AS run_id
FROM documents d LEFT JOIN quotes q USING (doc_id)
GROUP BY d.doc_id, d.outlet, d.published_at"""

# report_people from the registry's state: `person_entities` (person_key, person_id, outlet,
# n_quotes) and `people` (person_id, gender).
PEOPLE_SQL = """\
SELECT pe.person_key, pe.outlet, p.gender,
       CAST(count(DISTINCT pe.person_id) AS INTEGER) AS named,
       CAST(count(DISTINCT pe.person_id) FILTER (WHERE pe.n_quotes > 0) AS INTEGER) AS quoted
FROM person_entities pe JOIN people p USING (person_id)
GROUP BY ALL"""

# report_people by definition, over the contract's columns alone (an output whose person_entities
# has no state columns): each person their own partition, which sums to the same figures.
PEOPLE_DEFINITION_SQL = """\
SELECT pe.person_id AS person_key, d.outlet, p.gender,
       CAST(count(DISTINCT pe.person_id) AS INTEGER) AS named,
       CAST(count(DISTINCT pe.person_id) FILTER (WHERE s.doc_id IS NOT NULL) AS INTEGER) AS quoted
FROM person_entities pe JOIN documents d USING (doc_id) JOIN people p USING (person_id)
LEFT JOIN (SELECT DISTINCT doc_id, speaker_entity_id FROM quotes) s
       ON s.doc_id = pe.doc_id AND s.speaker_entity_id = pe.entity_id
GROUP BY ALL"""


def _query(sql: str, relations: dict[str, pa.Table], schema: pa.Schema, **parameters: object) -> pa.Table:
    import duckdb

    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC';")
        for name, table in relations.items():
            connection.register(name, table)
        found = connection.sql(sql, params=parameters or None).to_arrow_table()
    return found.select(schema.names).cast(schema)


def document_rows(documents: pa.Table, quotes: pa.Table, run_id: str | None) -> pa.Table:
    """`report_documents` rows of `documents` (doc_id, outlet, published_at) with their `quotes`
    (doc_id, speaker_name), published by the run `run_id`."""
    documents = documents.select(["doc_id", "outlet", "published_at"])
    quotes = quotes.select(["doc_id", "speaker_name"])
    return _query(DOCUMENTS_SQL, {"documents": documents, "quotes": quotes}, REPORT_DOCUMENTS, run_id=run_id)


def people_rows(people: pa.Table, person_entities: pa.Table) -> pa.Table:
    """`report_people` rows of the partitions `person_entities` (person_key, person_id, outlet,
    n_quotes: the registry's state) holds whole, with their `people` (person_id, gender)."""
    people = people.select(["person_id", "gender"])
    person_entities = person_entities.select(["person_key", "person_id", "outlet", "n_quotes"])
    return _query(PEOPLE_SQL, {"people": people, "person_entities": person_entities}, REPORT_PEOPLE)


def has_aggregates(output, manifest: dict | None) -> bool:
    """Whether the version `manifest` names holds the report's aggregates, of this version."""
    return (
        manifest is not None
        and (manifest.get("registry") or {}).get("aggregates") == AGGREGATES_VERSION
        and all(is_published(output, name, manifest) for name in REPORT_TABLES)
    )
