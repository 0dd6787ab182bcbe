"""Upkeep of the Delta tables: compaction, vacuum, and the migration from newsflow's old format.

Every publishing run adds at most one small file per table; `compact_if_needed` (after each
publish) rewrites a table's files into larger ones once it has more than `MAX_FILES`, and removes
the files that no version within the retention (7 days) needs once a day. `newsflow maintain`
does both now, for every table.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.dataset as ds
from deltalake import DeltaTable, write_deltalake

from newsflow.schemas.tables import TABLES
from newsflow.tasks.storage import LEGACY_STATE, OutputError, check_output, is_legacy
from newsflow.tasks.storage.lease import Lease
from newsflow.tasks.storage.location import audit, delete, url_of
from newsflow.tasks.storage.tables import (
    HISTORY,
    ensure_table,
    manifests,
    new_run_id,
    read_manifest,
    repair,
    run_time,
    table_url,
    write_manifest,
)

MAX_FILES = 32  # data files a table may have before it is compacted
RETENTION_HOURS = 168.0  # Delta's default: a reader pinned to a version a week old still reads it
VACUUM_EVERY = timedelta(days=1)

log = logging.getLogger(__name__)


def _republish(url: str, manifest: dict, versions: dict[str, int], **more) -> dict:
    """The same run's tables at their compacted versions (same rows): a new manifest."""
    previous = manifest
    keep = {k: v for k, v in manifest.items() if k not in ("format", "run_id", "published_at", "previous", "tables")}
    return write_manifest(url, manifest["run_id"], {**manifest["tables"], **versions}, previous, **(keep | more))


def compact(url: str, manifest: dict, max_files: int = 1, lease=None) -> dict[str, dict]:
    """Compact every published table with more than `max_files` data files (one Delta commit each)."""
    done = {}
    for name in manifest["tables"]:
        table = DeltaTable(table_url(url, name))
        files = len(table.file_uris())
        if files <= max_files:
            continue
        if lease is not None:
            lease.check()
        audit("commit", table_url(url, name))
        table.optimize.compact()
        after = DeltaTable(table_url(url, name))
        done[name] = {"files_before": files, "files_after": len(after.file_uris()), "version": after.version()}
    return done


def vacuum(url: str, manifest: dict, retention_hours: float = RETENTION_HOURS) -> dict[str, int]:
    """Remove data files no version within the retention needs, and the manifests of runs older
    than it (their versions can no longer be read whole)."""
    removed = {}
    for name in manifest["tables"]:
        table = DeltaTable(table_url(url, name))
        audit("vacuum", table_url(url, name))
        files = table.vacuum(retention_hours=int(retention_hours), enforce_retention_duration=False, dry_run=False)
        removed[name] = len(files)
    cutoff = datetime.now(UTC) - timedelta(hours=retention_hours)
    for run_id in manifests(url):
        if run_id != manifest["run_id"] and run_time(run_id) < cutoff:
            delete(url, f"{HISTORY}{run_id}.json")
    return removed


def compact_if_needed(url: str, manifest: dict, lease=None, logger: logging.Logger = log) -> dict:
    """After a publish: compact the tables with many small files, vacuum once a day."""
    compacted = compact(url, manifest, MAX_FILES, lease)
    more = {}
    last = manifest.get("vacuumed_at")
    if last is None or datetime.fromisoformat(last) < datetime.now(UTC) - VACUUM_EVERY:
        removed = vacuum(url, manifest)
        more["vacuumed_at"] = datetime.now(UTC).isoformat()
        if any(removed.values()):
            logger.info("vacuum: removed %s files no published version needs", sum(removed.values()))
    if compacted:
        logger.info(
            "compacted %s",
            ", ".join(f"{n} ({c['files_before']} → {c['files_after']} files)" for n, c in compacted.items()),
        )
    if compacted or more:
        if lease is not None:
            lease.check()
        manifest = _republish(url, manifest, {n: c["version"] for n, c in compacted.items()}, **more)
    return manifest


def maintain(output, retention_hours: float = RETENTION_HOURS, lock_timeout: float = 0.0) -> dict:
    """`newsflow maintain`: compact every table, publish the compacted versions, vacuum."""
    url = check_output(output)
    with Lease(url, "maintain-" + new_run_id(), lock_timeout) as lease:
        repair(url)
        manifest = read_manifest(url)
        if manifest is None:
            return {"output": url, "compacted": {}, "vacuumed": {}}
        compacted = compact(url, manifest, 1, lease)
        if compacted:
            lease.check()
            manifest = _republish(url, manifest, {n: c["version"] for n, c in compacted.items()})
        removed = vacuum(url, manifest, retention_hours)
        lease.check()
        _republish(url, manifest, {}, vacuumed_at=datetime.now(UTC).isoformat())
    return {"output": url, "compacted": compacted, "vacuumed": removed}


def migrate(output) -> dict:
    """`newsflow migrate`: the versioned Parquet folders of newsflow before issue 25 (`DIR/.newsflow/
    current/<table>`) become Delta tables `DIR/<table>` with the same rows, published by a manifest
    that keeps the old version's run id; then the old folders go. Interrupted, it starts again from
    the old folders, which stay until the end."""
    url = url_of(output)
    root = Path(url)
    if not is_legacy(url):
        if read_manifest(url) is not None:
            return {"output": url, "migrated": False, "reason": "already Delta tables"}
        raise OutputError(f"output {url} holds no newsflow tables of the old format (no {LEGACY_STATE}/current)")
    current = root / LEGACY_STATE / "current"
    run_id = Path(os.readlink(current)).name
    rows, versions = {}, {}
    with Lease(url, "migrate-" + new_run_id()):
        for name, schema in TABLES.items():
            link = root / name
            if link.is_symlink():
                link.unlink()
            elif link.exists():
                shutil.rmtree(link)  # a Delta table an interrupted migration began
            folder = current / name
            files = sorted(str(f) for f in folder.glob("*.parquet")) if folder.is_dir() else []
            if not folder.is_dir():
                continue  # not published by that version (an older newsflow): not in the manifest either
            table = ds.dataset(files, schema=schema, format="parquet").to_table() if files else schema.empty_table()
            ensure_table(url, name)
            if table.num_rows:
                write_deltalake(
                    table_url(url, name), table.combine_chunks(), mode="append"
                )  # one row group: order kept
            versions[name] = DeltaTable(table_url(url, name)).version()
            rows[name] = table.num_rows
        write_manifest(url, run_id, versions, None, migrated_from=LEGACY_STATE)
        shutil.rmtree(root / LEGACY_STATE)
    return {"output": url, "migrated": True, "run_id": run_id, "rows": rows}
