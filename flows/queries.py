"""The analytics queries of docs/analytics.md, over the published tables (DuckDB SQL).

One copy of each: docs/analytics.md quotes them verbatim, the run's Prefect artifacts use three of them,
and tests/test_analytics.py checks that the guide still quotes them and that they run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

VIEWS = ("documents", "entities", "quotes", "people", "person_entities")

QUERIES = {
    "quoted_most": """\
SELECT speaker_name, count(*) AS quotes, count(DISTINCT doc_id) AS documents
FROM quotes
WHERE speaker_name IS NOT NULL
GROUP BY speaker_name
ORDER BY quotes DESC, speaker_name
LIMIT 10;""",
    "quotes_per_document": """\
SELECT d.source, d.title, count(q.quote_id) AS quotes, count(DISTINCT q.speaker_name) AS speakers
FROM documents d LEFT JOIN quotes q USING (doc_id)
GROUP BY d.doc_id, d.source, d.title
ORDER BY quotes DESC, d.source;""",
    "co_mentioned": """\
SELECT q.speaker_name, e.name AS entity, e.label, count(DISTINCT q.doc_id) AS documents,
       sum(e.n_mentions) AS mentions
FROM (SELECT DISTINCT doc_id, speaker_entity_id, speaker_name FROM quotes
      WHERE speaker_entity_id IS NOT NULL) q
JOIN entities e ON e.doc_id = q.doc_id AND e.entity_id <> q.speaker_entity_id
WHERE e.label IN ('PERSON', 'ORG', 'GPE', 'NORP', 'LOC', 'FAC', 'EVENT')
GROUP BY q.speaker_name, e.name, e.label
QUALIFY row_number() OVER (PARTITION BY q.speaker_name ORDER BY documents DESC, mentions DESC, entity) <= 5
ORDER BY q.speaker_name, documents DESC, mentions DESC, entity;""",
    "quotes_per_outlet_month": """\
SELECT d.outlet, strftime(d.published_at, '%Y-%m') AS month, count(*) AS quotes,
       count(DISTINCT d.doc_id) AS documents
FROM quotes q JOIN documents d USING (doc_id)
GROUP BY d.outlet, month
ORDER BY d.outlet NULLS LAST, month NULLS LAST;""",
    "top_speakers_per_outlet": """\
SELECT d.outlet, q.speaker_name, count(*) AS quotes
FROM quotes q JOIN documents d USING (doc_id)
WHERE q.speaker_name IS NOT NULL
GROUP BY d.outlet, q.speaker_name
QUALIFY row_number() OVER (PARTITION BY d.outlet ORDER BY quotes DESC, q.speaker_name) <= 5
ORDER BY d.outlet NULLS LAST, quotes DESC, q.speaker_name;""",
    "people_quoted_per_author": """\
SELECT a.author, count(DISTINCT q.speaker_name) FILTER (WHERE e.label = 'PERSON') AS people_quoted,
       count(q.quote_id) AS quotes, count(DISTINCT a.doc_id) AS documents
FROM (SELECT doc_id, unnest(authors) AS author FROM documents) a
LEFT JOIN quotes q USING (doc_id)
LEFT JOIN entities e ON e.doc_id = q.doc_id AND e.entity_id = q.speaker_entity_id
GROUP BY a.author
ORDER BY people_quoted DESC, a.author;""",
    "unknown_speaker_share": """\
SELECT d.outlet, count(*) AS quotes, count(*) FILTER (WHERE q.speaker_name IS NULL) AS unknown,
       round(count(*) FILTER (WHERE q.speaker_name IS NULL) / count(*), 3) AS unknown_share
FROM quotes q JOIN documents d USING (doc_id)
GROUP BY d.outlet
ORDER BY d.outlet NULLS LAST;""",
    "people_quoted_most": """\
SELECT p.name, p.gender, count(*) AS quotes, count(DISTINCT q.doc_id) AS documents
FROM quotes q
JOIN person_entities pe ON pe.doc_id = q.doc_id AND pe.entity_id = q.speaker_entity_id
JOIN people p USING (person_id)
GROUP BY p.person_id, p.name, p.gender
ORDER BY quotes DESC, p.name
LIMIT 10;""",
    "women_share_per_outlet_month": """\
WITH quoted AS (
  SELECT DISTINCT q.doc_id, pe.person_id
  FROM quotes q JOIN person_entities pe ON pe.doc_id = q.doc_id AND pe.entity_id = q.speaker_entity_id
)
SELECT d.outlet, strftime(d.published_at, '%Y-%m') AS month,
       count(*) FILTER (WHERE p.gender = 'female') AS women,
       count(*) FILTER (WHERE p.gender = 'male') AS men,
       count(*) FILTER (WHERE p.gender = 'unknown') AS unknown,
       round(count(*) FILTER (WHERE p.gender = 'female')
             / nullif(count(*) FILTER (WHERE p.gender <> 'unknown'), 0), 3) AS women_share
FROM quoted JOIN people p USING (person_id) JOIN documents d USING (doc_id)
GROUP BY d.outlet, month
ORDER BY d.outlet NULLS LAST, month NULLS LAST;""",
    "women_share_per_author": """\
WITH quoted AS (
  SELECT DISTINCT q.doc_id, pe.person_id
  FROM quotes q JOIN person_entities pe ON pe.doc_id = q.doc_id AND pe.entity_id = q.speaker_entity_id
)
SELECT a.author,
       count(*) FILTER (WHERE p.gender = 'female') AS women,
       count(*) FILTER (WHERE p.gender = 'male') AS men,
       count(*) FILTER (WHERE p.gender = 'unknown') AS unknown,
       round(count(*) FILTER (WHERE p.gender = 'female')
             / nullif(count(*) FILTER (WHERE p.gender <> 'unknown'), 0), 3) AS women_share
FROM (SELECT doc_id, unnest(authors) AS author FROM documents) a
JOIN quoted USING (doc_id) JOIN people p USING (person_id)
GROUP BY a.author
ORDER BY a.author;""",
    "mentioned_most": """\
SELECT name, label, sum(n_mentions) AS mentions, count(DISTINCT doc_id) AS documents
FROM entities
GROUP BY name, label
ORDER BY mentions DESC, name
LIMIT 10;""",
}


def register(
    connection: duckdb.DuckDBPyConnection, output: str | Path, names: tuple[str, ...] = VIEWS, run_id: str | None = None
) -> tuple[str, ...]:
    """Each published Delta table as a relation of its name, read at the version the publish
    manifest names (the tables of one run, together; `run_id`: as that run published them). The
    `deltalake` package hands DuckDB an Arrow dataset: no DuckDB extension, nothing to download.
    Returns the names registered (an output written before the people tables has not them)."""
    from newsflow.tasks.storage import published_dataset, read_manifest

    manifest = read_manifest(output, run_id)
    found = []
    for name in names:
        dataset = published_dataset(output, name, manifest) if manifest else None
        if dataset is not None:
            connection.register(name, dataset)
            found.append(name)
    connection.execute("SET TimeZone = 'UTC';")
    return tuple(found)


def table(output: str | Path, name: str, run_id: str | None = None, columns: list[str] | None = None):
    """One published table as a pandas DataFrame, at the manifest's version (`run_id`: as that run
    published it). Unlike `deltalake.DeltaTable(...).to_pandas()`, it reads through Arrow's own
    file systems, which deltalake 1.6.6's own one makes abort some interpreters at exit."""
    from newsflow.tasks.storage import read_manifest, read_published

    manifest = read_manifest(output, run_id)
    return read_published(output, name, columns, manifest=manifest).to_pandas() if manifest else None


def connect(output: str | Path = "output", run_id: str | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the published tables registered (`register`)."""
    connection = duckdb.connect()
    register(connection, output, VIEWS, run_id)
    return connection


def run(name: str, output: str | Path = "output") -> list[dict]:
    """The rows of one query over the tables published under `output` (a folder or an s3:// URI)."""
    with connect(output) as connection:
        relation = connection.sql(QUERIES[name])
        return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


# --- The run report's queries (tasks/report/) -------------------------------------------------
# Over `report_views`: the views above plus `rejects`, `people` and `person_entities` (empty
# views when the output has no such table yet), and `new_documents` / `new_rejects`, the rows
# published by the run the report is for. docs/analytics.md quotes them; tests/test_report.py
# runs them on outputs with and without the people tables.

REPORT_QUERIES = {
    "totals": """\
SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM new_documents) AS new_documents,
       (SELECT count(*) FROM quotes) AS quotes, (SELECT count(DISTINCT outlet) FROM documents) AS outlets,
       (SELECT count(*) FROM rejects) AS rejects, (SELECT count(*) FROM new_rejects) AS new_rejects;""",
    "quotes_per_outlet_week": """\
SELECT coalesce(d.outlet, '(no outlet)') AS outlet,
       coalesce(strftime(date_trunc('week', d.published_at), '%Y-%m-%d'), 'undated') AS week,
       count(*) AS quotes, count(n.doc_id) AS new_quotes
FROM quotes q JOIN documents d USING (doc_id) LEFT JOIN new_documents n USING (doc_id)
GROUP BY ALL
ORDER BY week, outlet;""",
    "people_quoted_most": """\
SELECT coalesce(p.person_id, e.entity_id) AS person, coalesce(p.name, e.name) AS name,
       count(*) AS quotes, count(n.doc_id) AS new_quotes, count(DISTINCT q.doc_id) AS documents
FROM quotes q
JOIN entities e ON e.doc_id = q.doc_id AND e.entity_id = q.speaker_entity_id AND e.label = 'PERSON'
LEFT JOIN person_entities pe ON pe.doc_id = q.doc_id AND pe.entity_id = q.speaker_entity_id
LEFT JOIN people p ON p.person_id = pe.person_id
LEFT JOIN new_documents n ON n.doc_id = q.doc_id
GROUP BY ALL
ORDER BY quotes DESC, name
LIMIT 15;""",
    "unknown_speaker_share_new": """\
SELECT coalesce(d.outlet, '(no outlet)') AS outlet, g.documents, count(*) AS quotes,
       count(*) FILTER (WHERE q.speaker_name IS NULL) AS unknown,
       round(count(*) FILTER (WHERE q.speaker_name IS NULL) / count(*), 3) AS unknown_share
FROM quotes q JOIN documents d USING (doc_id) LEFT JOIN new_documents n USING (doc_id),
     (VALUES ('all documents'), ('new in this run')) g(documents)
WHERE g.documents = 'all documents' OR n.doc_id IS NOT NULL
GROUP BY ALL
ORDER BY outlet, g.documents;""",
    "people_named_quoted": """\
SELECT coalesce(d.outlet, '(no outlet)') AS outlet,
       count(DISTINCT coalesce(pe.person_id, e.entity_id)) AS named,
       count(DISTINCT coalesce(pe.person_id, e.entity_id)) FILTER (WHERE s.doc_id IS NOT NULL) AS quoted,
       count(DISTINCT coalesce(pe.person_id, e.entity_id)) FILTER (WHERE n.doc_id IS NOT NULL) AS named_new
FROM entities e JOIN documents d USING (doc_id)
LEFT JOIN person_entities pe ON pe.doc_id = e.doc_id AND pe.entity_id = e.entity_id
LEFT JOIN (SELECT DISTINCT doc_id, speaker_entity_id FROM quotes) s
       ON s.doc_id = e.doc_id AND s.speaker_entity_id = e.entity_id
LEFT JOIN new_documents n ON n.doc_id = e.doc_id
WHERE e.label = 'PERSON'
GROUP BY ALL
ORDER BY outlet;""",
    "people_quoted_by_gender": """\
SELECT coalesce(d.outlet, '(no outlet)') AS outlet, p.gender, count(DISTINCT p.person_id) AS people
FROM quotes q JOIN documents d USING (doc_id)
JOIN person_entities pe ON pe.doc_id = q.doc_id AND pe.entity_id = q.speaker_entity_id
JOIN people p ON p.person_id = pe.person_id
GROUP BY ALL
ORDER BY outlet, p.gender;""",
    "rejects_by_reason": """\
SELECT r.stage, left(split_part(regexp_replace(r.reason, '[0-9]+([.][0-9]+)?', 'N', 'g'), ':', 1), 80) AS reason,
       count(*) AS files, count(n.source) AS new_files
FROM rejects r LEFT JOIN new_rejects n USING (source)
GROUP BY ALL
ORDER BY files DESC, r.stage, reason;""",
    "new_documents": """\
SELECT d.source, d.title, d.outlet, strftime(d.published_at, '%Y-%m-%d') AS published, count(q.quote_id) AS quotes
FROM new_documents n JOIN documents d USING (doc_id) LEFT JOIN quotes q USING (doc_id)
GROUP BY ALL
ORDER BY d.source;""",
}

# The contract's people tables, as empty views where the output has none yet: the queries above
# then count speakers by entity (their names as written) and find no genders.
EMPTY_VIEWS = {
    "people": "SELECT NULL::VARCHAR AS person_id, NULL::VARCHAR AS name, NULL::VARCHAR AS gender WHERE false",
    "person_entities": "SELECT NULL::VARCHAR AS doc_id, NULL::VARCHAR AS entity_id, NULL::VARCHAR AS person_id "
    "WHERE false",
}


def register_report(connection: duckdb.DuckDBPyConnection, output: str | Path, run_id: str, has_people: bool) -> None:
    """`register` plus the report's relations: `rejects`, the people tables (empty views unless
    `has_people`), and `new_documents` / `new_rejects`, what the run `run_id` published: its
    manifest's tables less those of the run before it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from newsflow.tasks.storage import read_manifest, read_published

    base = tuple(n for n in VIEWS if n not in EMPTY_VIEWS or has_people)
    register(connection, output, (*base, "rejects"), run_id)
    for name, empty in EMPTY_VIEWS.items():
        if not has_people:
            connection.execute(f"CREATE OR REPLACE VIEW {name} AS {empty};")
    manifest = read_manifest(output, run_id)
    previous = read_manifest(output, manifest["previous"]) if manifest and manifest.get("previous") else None
    # a document is new when its doc_id is (ids are content hashes); a reject when its row is
    for view, name, columns in (("new_documents", "documents", ["doc_id"]), ("new_rejects", "rejects", None)):
        key = "doc_id" if name == "documents" else "source"
        now = read_published(output, name, columns, manifest=manifest) if manifest else None
        if now is None or now.num_rows == 0:
            keys = pa.table({key: pa.array([], pa.string())})
        else:
            before = read_published(output, name, columns, manifest=previous) if previous else now.slice(0, 0)
            old = {tuple(r.values()) for r in before.to_pylist()}
            new = [r[key] for r in now.to_pylist() if tuple(r.values()) not in old]
            keys = pa.table({key: pc.unique(pa.array(new, pa.string()))})
        connection.register(view, keys)


def run_report_query(connection: duckdb.DuckDBPyConnection, name: str) -> list[dict]:
    relation = connection.sql(REPORT_QUERIES[name])
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]
