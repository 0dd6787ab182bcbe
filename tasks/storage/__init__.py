"""The output's storage: Delta Lake tables on local disk or object storage, a publish manifest that
makes a run's tables visible together, and a lease that lets one run at a time write.

    ROOT/<table>/                  one Delta table per table of the contract (`tables.py`)
    ROOT/_newsflow/manifest.json   each table's published version (the moment of publication)
    ROOT/_newsflow/manifests/      every publishing run's manifest (time travel)
    ROOT/_newsflow/staging/<run>/  a run's staged parts, until it publishes
    ROOT/_newsflow/lease/          who is writing (`lease.py`)

ROOT is a local folder or an `s3://` (`gs://`, `az://`) URI: one code path for both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from obstore import list_with_delimiter
from obstore.exceptions import BaseError

from newsflow.schemas.tables import TABLES
from newsflow.tasks.storage.lease import Lease, LeaseLost, OutputLocked
from newsflow.tasks.storage.location import OutputError, delete_tree, explain, is_remote, keys, store, url_of
from newsflow.tasks.storage.tables import (
    ALL,
    MANIFEST,
    STATE,
    AllKeys,
    Run,
    clean_staging,
    ensure_table,
    has_columns,
    is_published,
    manifests,
    new_run_id,
    publish,
    published_dataset,
    published_version,
    read_after,
    read_manifest,
    read_published,
    read_staged,
    repair,
    run_time,
    stage_table,
    staged_parts,
    staged_rows,
    staging_url,
    table_url,
)

LEGACY_STATE = ".newsflow"  # the versioned folders of newsflow before issue 25
OWN = {STATE, "reports", "validation"}


class LegacyOutput(OutputError):
    pass


def is_legacy(root) -> bool:
    url = url_of(root)
    return not is_remote(url) and (Path(url) / LEGACY_STATE / "current").is_symlink()


def check_output(root) -> str:
    """Fail with one line, before any work, when the output cannot be used: an object store that
    cannot be reached or refuses the credentials, a missing bucket, an output of the format before
    Delta tables, or a location that holds something other than a newsflow output."""
    url = url_of(root)
    if is_legacy(url):
        raise LegacyOutput(
            f"output {url} holds tables in the format before Delta Lake: run `newsflow migrate --output {url}` once"
        )
    if not is_remote(url) and Path(url).exists() and not Path(url).is_dir():
        raise OutputError(f"output {url} is a file, not a folder: choose a folder or an s3:// URI with --output")
    try:
        if not keys(url, MANIFEST):
            foreign = sorted(_top_level(url) - OWN - set(TABLES))
            if foreign:
                raise OutputError(
                    f"output {url} holds something else ({', '.join(foreign[:3])}"
                    f"{', ...' if len(foreign) > 3 else ''}): choose an empty or newsflow output location"
                )
    except BaseError as error:
        raise OutputError(explain(url, error)) from None
    return url


def _top_level(url: str) -> set[str]:
    if not is_remote(url):
        return {p.name for p in Path(url).iterdir()} if Path(url).is_dir() else set()
    listed = list_with_delimiter(store(url))
    return {p.rstrip("/") for p in listed["common_prefixes"]} | {o["path"] for o in listed["objects"]}


@contextmanager
def open_run(root, lock_timeout: float, logger: logging.Logger) -> Iterator[Run]:
    """A new run on the output, holding its lease: the output is checked, what killed runs left
    behind is removed and tables ahead of the manifest are restored first. A run that raises keeps
    its staged parts until the next run removes them."""
    url = check_output(root)
    run_id = new_run_id()
    with Lease(url, run_id, lock_timeout) as lease:
        for line in repair(url) + [f"removed leftover of an earlier run: {s}" for s in clean_staging(url)]:
            logger.info(line)
        run = Run(url, run_id, lease)
        yield run
        delete_tree(run.staging, "")


__all__ = [
    "ALL",
    "AllKeys",
    "LeaseLost",
    "LegacyOutput",
    "OutputError",
    "OutputLocked",
    "Run",
    "check_output",
    "ensure_table",
    "has_columns",
    "is_legacy",
    "is_published",
    "manifests",
    "new_run_id",
    "open_run",
    "publish",
    "published_dataset",
    "published_version",
    "read_after",
    "read_manifest",
    "read_published",
    "read_staged",
    "repair",
    "run_time",
    "stage_table",
    "staged_parts",
    "staged_rows",
    "staging_url",
    "table_url",
    "url_of",
]
