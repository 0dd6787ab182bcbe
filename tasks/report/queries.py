"""The run report's queries (DuckDB SQL), and the relations they read.

The corpus-wide figures are sums over the report's aggregates (`tasks/report/aggregates.py`):
`report_documents` (a row per document) and `report_people` (per name partition, outlet and gender),
plus `people` (for the most quoted) and `rejects`. What the run added comes from small relations
looked up by key: `new_documents` (the documents whose `report_documents.run_id` is the run's, with
their metadata and counts), `new_person_entities` (their PERSON entities, with the person, outlet
and quotes) and `new_rejects` (`source`). No query joins `quotes` or `entities`: a report costs
about the same at a million documents as at ten thousand (docs/performance.md).

An output published before the aggregates (an older newsflow) is read through their definitions
instead, as views over the whole tables (`register_report`): the same queries, the same figures,
at the old cost, until its next run builds the aggregates. Without the people tables (older
still), people are counted by entity, as the documents name them, and have no gender.

docs/analytics.md quotes these queries; tests/test_report.py runs them on outputs of each kind.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from newsflow.tasks.report.aggregates import DOCUMENTS_SQL, PEOPLE_DEFINITION_SQL, has_aggregates
from newsflow.tasks.storage import read_manifest, read_published
from newsflow.tasks.storage.views import register_tables

REPORT_QUERIES = {
    "totals": """\
SELECT count(*) AS documents, (SELECT count(*) FROM new_documents) AS new_documents,
       CAST(coalesce(sum(n_quotes), 0) AS BIGINT) AS quotes, count(DISTINCT outlet) AS outlets,
       (SELECT count(*) FROM rejects) AS rejects, (SELECT count(*) FROM new_rejects) AS new_rejects
FROM report_documents;""",
    "quotes_per_outlet_week": """\
SELECT coalesce(r.outlet, '(no outlet)') AS outlet, coalesce(strftime(r.week, '%Y-%m-%d'), 'undated') AS week,
       CAST(sum(r.n_quotes) AS BIGINT) AS quotes, CAST(coalesce(sum(n.n_quotes), 0) AS BIGINT) AS new_quotes
FROM report_documents r LEFT JOIN new_documents n USING (doc_id)
GROUP BY ALL
HAVING sum(r.n_quotes) > 0
ORDER BY week, outlet;""",
    "people_quoted_most": """\
SELECT p.person_id AS person, p.name, CAST(p.n_quotes AS BIGINT) AS quotes,
       CAST(coalesce(n.quotes, 0) AS BIGINT) AS new_quotes, CAST(p.n_documents AS BIGINT) AS documents
FROM (SELECT person_id, name, n_quotes, n_documents FROM people WHERE n_quotes > 0
      ORDER BY n_quotes DESC, name LIMIT 15) p
LEFT JOIN (SELECT person_id, sum(n_quotes) AS quotes FROM new_person_entities GROUP BY ALL) n USING (person_id)
ORDER BY quotes DESC, name;""",
    "people_named_most": """\
SELECT person_id AS person, name, CAST(n_documents AS BIGINT) AS documents, CAST(n_quotes AS BIGINT) AS quotes
FROM people
ORDER BY documents DESC, name
LIMIT 10;""",
    "unknown_speaker_share_new": """\
SELECT coalesce(outlet, '(no outlet)') AS outlet, documents, CAST(sum(n_quotes) AS BIGINT) AS quotes,
       CAST(sum(n_unknown_speaker) AS BIGINT) AS unknown,
       round(sum(n_unknown_speaker) / sum(n_quotes), 3) AS unknown_share
FROM (SELECT outlet, n_quotes, n_unknown_speaker, 'all documents' AS documents FROM report_documents
      UNION ALL
      SELECT outlet, n_quotes, n_unknown_speaker, 'new in this run' AS documents FROM new_documents)
GROUP BY ALL
HAVING sum(n_quotes) > 0
ORDER BY outlet, documents;""",
    "people_named_quoted": """\
SELECT coalesce(a.outlet, '(no outlet)') AS outlet, a.named, a.quoted, coalesce(n.named_new, 0) AS named_new
FROM (SELECT outlet, CAST(sum(named) AS BIGINT) AS named, CAST(sum(quoted) AS BIGINT) AS quoted
      FROM report_people GROUP BY ALL) a
LEFT JOIN (SELECT outlet, count(DISTINCT person_id) AS named_new FROM new_person_entities GROUP BY ALL) n
       ON n.outlet IS NOT DISTINCT FROM a.outlet
ORDER BY outlet;""",
    "people_quoted_by_gender": """\
SELECT coalesce(outlet, '(no outlet)') AS outlet, gender, CAST(sum(quoted) AS BIGINT) AS people
FROM report_people
WHERE gender IS NOT NULL
GROUP BY ALL
HAVING sum(quoted) > 0
ORDER BY outlet, gender;""",
    "rejects_by_reason": """\
SELECT r.stage, left(split_part(regexp_replace(r.reason, '[0-9]+([.][0-9]+)?', 'N', 'g'), ':', 1), 80) AS reason,
       count(*) AS files, count(n.source) AS new_files
FROM rejects r LEFT JOIN new_rejects n USING (source)
GROUP BY ALL
ORDER BY files DESC, r.stage, reason;""",
    "new_documents": """\
SELECT source, title, outlet, strftime(published_at, '%Y-%m-%d') AS published, CAST(n_quotes AS BIGINT) AS quotes
FROM new_documents
ORDER BY source;""",
}

# The relations of a run's new documents, over `new_ids` (doc_id) and the report's other relations:
# one definition for both kinds of output (for one with aggregates, the looked-up rows stand in for
# the whole tables).
NEW_DOCUMENTS_SQL = """\
SELECT d.doc_id, d.source, d.title, d.outlet, d.published_at, r.n_quotes, r.n_unknown_speaker
FROM new_ids JOIN documents d USING (doc_id) JOIN report_documents r USING (doc_id)"""

NEW_PERSON_ENTITIES_SQL = """\
SELECT pe.doc_id, pe.person_id, d.outlet, CAST(count(q.doc_id) AS INTEGER) AS n_quotes
FROM new_ids JOIN person_entities pe USING (doc_id) JOIN documents d USING (doc_id)
LEFT JOIN quotes q ON q.doc_id = pe.doc_id AND q.speaker_entity_id = pe.entity_id
GROUP BY ALL"""

# Older outputs without the people tables: each PERSON entity its own person, with no gender.
PEOPLE_BY_ENTITY = {
    "person_entities": "SELECT doc_id, entity_id, entity_id AS person_id FROM entities WHERE label = 'PERSON'",
    "people": """\
SELECT e.entity_id AS person_id, min(e.name) AS name, CAST(NULL AS VARCHAR) AS gender,
       count(DISTINCT e.doc_id) AS n_documents, count(q.doc_id) AS n_quotes
FROM entities e LEFT JOIN quotes q ON q.doc_id = e.doc_id AND q.speaker_entity_id = e.entity_id
WHERE e.label = 'PERSON'
GROUP BY e.entity_id""",
}


def _new_keys(output: str | Path, name: str, key: str, manifest: dict | None) -> pa.Table:
    """The `key`s of the rows of table `name` that the run of `manifest` published: rows whose id
    (`doc_id`: a document's, or a reject's, both content hashes) the version before it had not.
    Reads the id columns whole: for `rejects`, and for outputs without the aggregates."""
    columns = sorted({"doc_id", key})
    now = read_published(output, name, columns, manifest=manifest) if manifest else None
    if now is None or now.num_rows == 0:
        return pa.table({key: pa.array([], pa.string())})
    previous = read_manifest(output, manifest["previous"]) if manifest.get("previous") else None
    before = read_published(output, name, ["doc_id"], manifest=previous) if previous else now.slice(0, 0)
    new = now.filter(pc.invert(pc.is_in(now.column("doc_id"), value_set=before.column("doc_id"))))
    return pa.table({key: pc.unique(new.column(key))})


def _register_new(connection: duckdb.DuckDBPyConnection, output: str | Path, manifest: dict | None) -> None:
    """`new_documents` and `new_person_entities` of an output with the aggregates: looked up by key."""

    def lookup(name: str, columns: list[str], where: tuple[str, list]) -> pa.Table:
        return read_published(output, name, columns, manifest=manifest, where=where)

    counts = lookup("report_documents", ["doc_id", "n_quotes", "n_unknown_speaker"], ("run_id", [manifest["run_id"]]))
    ids = counts.column("doc_id").to_pylist()
    documents = lookup("documents", ["doc_id", "source", "title", "outlet", "published_at"], ("doc_id", ids))
    links = lookup("person_entities", ["doc_id", "person_id", "outlet", "n_quotes"], ("doc_id", ids))
    connection.register("new_counts", counts)
    connection.register("new_documents_found", documents)
    connection.execute(
        "CREATE OR REPLACE VIEW new_documents AS SELECT d.*, c.n_quotes, c.n_unknown_speaker "
        "FROM new_documents_found d JOIN new_counts c USING (doc_id)"
    )
    connection.register("new_person_entities", links)


def register_report(
    connection: duckdb.DuckDBPyConnection, output: str | Path, run_id: str, has_people: bool, aggregates: bool = True
) -> None:
    """The relations the report's queries read, for the published version `run_id` of `output`:
    the aggregates and `people` (or their definitions over the whole tables, for an output published
    before them, or when not `aggregates`; by entity without the people tables), `rejects`, and
    what the run added."""
    manifest = read_manifest(output, run_id)
    register_tables(connection, output, ("rejects",), run_id)
    connection.register("new_rejects", _new_keys(output, "rejects", "source", manifest))
    if aggregates and has_aggregates(output, manifest):
        register_tables(connection, output, ("report_documents", "report_people", "people"), run_id)
        _register_new(connection, output, manifest)
        return
    whole = ("documents", "entities", "quotes", "people", "person_entities")
    found = register_tables(connection, output, whole, run_id)
    if not has_people or not {"people", "person_entities"} <= set(found):
        for name, sql in PEOPLE_BY_ENTITY.items():
            connection.execute(f"CREATE OR REPLACE VIEW {name} AS {sql};")
    connection.register("report_documents", connection.sql(DOCUMENTS_SQL, params={"run_id": None}).to_arrow_table())
    connection.register("report_people", connection.sql(PEOPLE_DEFINITION_SQL).to_arrow_table())
    connection.register("new_ids", _new_keys(output, "documents", "doc_id", manifest))
    connection.execute(f"CREATE OR REPLACE VIEW new_documents AS {NEW_DOCUMENTS_SQL};")
    connection.execute(f"CREATE OR REPLACE VIEW new_person_entities AS {NEW_PERSON_ENTITIES_SQL};")


def run_report_query(connection: duckdb.DuckDBPyConnection, name: str) -> list[dict]:
    relation = connection.sql(REPORT_QUERIES[name])
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
