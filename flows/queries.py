"""The analytics queries of docs/analytics.md, over the published tables (DuckDB SQL).

One copy of each: docs/analytics.md quotes them verbatim, and tests/test_analytics.py checks that the
guide still quotes them and that they run. The run report's queries are the report's own
(`tasks/report/queries.py`): they read aggregates kept up to date by every run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from newsflow.tasks.storage.views import register_tables

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
    "statements": """\
SELECT d.source, q.statement AS statement_id, count(*) AS pieces,
       string_agg(q.text, ' … ' ORDER BY q.start_char) AS text,
       arg_min(q.speaker_name, q.start_char) AS speaker_name,
       min(q.start_char) AS start_char, max(q.end_char) AS end_char,
       string_agg(DISTINCT q.type, '+' ORDER BY q.type) AS types,
       arg_min(q.cue, q.start_char) FILTER (WHERE q.cue IS NOT NULL) AS cue
FROM (SELECT *, coalesce(statement_id, quote_id) AS statement FROM quotes) q
JOIN documents d USING (doc_id)
GROUP BY d.source, q.doc_id, q.statement
ORDER BY d.source, start_char;""",
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
    manifest names (the tables of one run, together; `run_id`: as that run published them); no
    DuckDB extension, nothing to download. Returns the names registered (an output written before
    the people tables has not them)."""
    return register_tables(connection, output, names, run_id)


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
