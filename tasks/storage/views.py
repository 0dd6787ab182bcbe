"""The published tables as DuckDB relations (for the analytics queries and the run report)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from newsflow.tasks.storage.tables import published_dataset, read_manifest


def register_tables(
    connection: duckdb.DuckDBPyConnection, output: str | Path, names: tuple[str, ...], run_id: str | None = None
) -> tuple[str, ...]:
    """Each published Delta table of `names` as a relation of its name, read at the version the
    publish manifest names (the tables of one run, together; `run_id`: as that run published them).
    The `deltalake` package hands DuckDB an Arrow dataset: no DuckDB extension, nothing to download.
    Returns the names registered (an output written by an older newsflow may lack some)."""
    manifest = read_manifest(output, run_id)
    found = []
    for name in names:
        dataset = published_dataset(output, name, manifest) if manifest else None
        if dataset is not None:
            connection.register(name, dataset)
            found.append(name)
    connection.execute("SET TimeZone = 'UTC';")
    return tuple(found)
