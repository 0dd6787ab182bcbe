"""The published tables as Delta Lake tables, made visible together by a publish manifest.

Each table of `schemas.tables.TABLES` is a Delta table `ROOT/<table>/`. A run stages its rows as
Parquet objects under `ROOT/_newsflow/staging/<run>/` (workers write them there, wherever they run),
then `publish` commits each table's change as one Delta commit (an overwrite with a predicate on
the table's key: only the rows of the keys that change are rewritten; a delete where rows only
go) and last writes the manifest `ROOT/_newsflow/manifest.json`, which names each table's
version. That single atomic put is the moment of publication: readers (`read_published`, the
DuckDB views, the report, `newsflow eval`) read each table at the manifest's version, so a run's
changes to all tables appear together. A run killed between two commits leaves tables ahead of
the manifest; the next run restores them to it (`repair`) before it does anything else.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake import DeltaTable, Field, write_deltalake

from newsflow.schemas.tables import KEYS, TABLES
from newsflow.tasks.storage.location import (
    audit,
    delete_tree,
    get,
    get_parquet,
    is_remote,
    join,
    keys,
    put,
    put_parquet,
    url_of,
)

STATE = "_newsflow"
MANIFEST = f"{STATE}/manifest.json"
HISTORY = f"{STATE}/manifests/"
STAGING = f"{STATE}/staging/"
RUN_TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
FORMAT = 1

log = logging.getLogger(__name__)


def new_run_id() -> str:
    """Sortable by start time (to the microsecond), unique."""
    return datetime.now(UTC).strftime(RUN_TIME_FORMAT) + "-" + uuid.uuid4().hex[:8]


def run_time(run_id: str) -> datetime:
    """When the run `run_id` started (UTC): the time its id begins with."""
    return datetime.strptime(run_id.split("-")[0], RUN_TIME_FORMAT).replace(tzinfo=UTC)


def staging_url(root: str, run_id: str) -> str:
    return join(url_of(root), STAGING, run_id)


def table_url(root, name: str) -> str:
    return join(url_of(root), name)


# -- the manifest ---------------------------------------------------------------------------------


def read_manifest(root, run_id: str | None = None) -> dict | None:
    """The published manifest (or the one run `run_id` published), None before the first publish."""
    data = get(url_of(root), MANIFEST if run_id is None else f"{HISTORY}{run_id}.json")
    return json.loads(data) if data else None


def manifests(root) -> list[str]:
    """The run ids of every publishing run whose manifest is kept, oldest first (time travel)."""
    return [k[len(HISTORY) : -len(".json")] for k in keys(url_of(root), HISTORY) if k.endswith(".json")]


def write_manifest(root, run_id: str, versions: Mapping[str, int], previous: dict | None, **more) -> dict:
    """Name each table's version: first the run's own record (kept for time travel), then the
    manifest readers follow, in one atomic put: the moment of publication."""
    manifest = {
        "format": FORMAT,
        "run_id": run_id,
        "published_at": datetime.now(UTC).isoformat(),
        # the run published before; a run's tables published again (compacted) keep the one before it
        "previous": (previous.get("previous") if previous["run_id"] == run_id else previous["run_id"])
        if previous
        else None,
        "tables": dict(versions),
        **more,
    }
    data = json.dumps(manifest, indent=1).encode()
    root = url_of(root)
    put(root, f"{HISTORY}{run_id}.json", data)
    put(root, MANIFEST, data)
    return manifest


def published_version(root) -> str | None:
    """The run id of the published version (the run that last published), or None before the first."""
    manifest = read_manifest(root)
    return manifest["run_id"] if manifest else None


def is_published(root, name: str, manifest: dict | None = None) -> bool:
    """Whether the published version has table `name` (an output of an earlier newsflow may not)."""
    manifest = manifest or read_manifest(root)
    return bool(manifest) and name in manifest["tables"]


# -- reading --------------------------------------------------------------------------------------


def open_table(root, name: str, version: int | None = None) -> DeltaTable:
    return DeltaTable(table_url(root, name), version=version)


def _filesystem(url: str) -> pafs.FileSystem:
    """Arrow's own file system for a table's files. deltalake's default (a Python file system over
    delta-rs) makes a threaded scan abort the interpreter at exit ("terminate called without an
    active exception", deltalake 1.6.6 with pyarrow 22 to 26, measured here), so newsflow hands
    `to_pyarrow_dataset` Arrow's: local disk, or S3 configured from the same AWS_* variables."""
    if not is_remote(url):
        return pafs.SubTreeFileSystem(url, pafs.LocalFileSystem())
    filesystem, path = pafs.FileSystem.from_uri(url)
    return pafs.SubTreeFileSystem(path, filesystem)


def published_dataset(root, name: str, manifest: dict | None = None) -> ds.Dataset | None:
    """Table `name` at its published version, as an Arrow dataset (None when not published)."""
    manifest = manifest or read_manifest(root)
    if not is_published(root, name, manifest):
        return None
    table = open_table(root, name, manifest["tables"][name])
    return table.to_pyarrow_dataset(filesystem=_filesystem(table_url(root, name)))


def read_published(
    root,
    name: str,
    columns: list[str] | None = None,
    keys: Collection[str] | None = None,
    manifest: dict | None = None,
    where: tuple[str, Collection[str]] | None = None,
) -> pa.Table:
    """A published table with its fixed schema; with `keys`, only the rows whose key column
    (`schemas.tables.KEYS`) holds one of them; with `where` (column, values), only the rows whose
    column holds one of the values (both pushed down to the Parquet reader)."""
    schema = TABLES[name] if columns is None else pa.schema([TABLES[name].field(c) for c in columns])
    dataset = published_dataset(root, name, manifest) if keys is None or keys else None
    if dataset is None:
        return schema.empty_table()
    column, values = (KEYS[name], keys) if where is None else where
    if values is not None and column not in dataset.schema.names:  # a column added later: null in every row
        return schema.empty_table()
    condition = None if values is None else ds.field(column).isin(pa.array(sorted(values), pa.string()))
    present = [c for c in schema.names if c in dataset.schema.names]
    return with_columns(dataset.to_table(columns=present, filter=condition), schema)


def with_columns(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` cast to `schema`; a column the table lacks (an older table, before the column was
    added: `_upgrade`) is null."""
    missing = [f for f in schema if f.name not in table.column_names]
    for f in missing:
        table = table.append_column(f.name, pa.nulls(table.num_rows, f.type))
    return table.select(schema.names).cast(schema)


def has_columns(root, name: str, columns: Collection[str], manifest: dict | None = None) -> bool:
    """Whether published table `name` has every one of `columns` (False when it is not published)."""
    dataset = published_dataset(root, name, manifest)
    return dataset is not None and set(columns) <= set(dataset.schema.names)


# -- staging --------------------------------------------------------------------------------------


def staged_key(name: str, part: str) -> str:
    return f"{name}/part-{part}.parquet"


def stage_table(staging, name: str, part: str, table: pa.Table, keep_empty: bool = False) -> str | None:
    """Stage one part of table `name` (`keep_empty`: also with no rows, for a whole table)."""
    if table.num_rows == 0 and not keep_empty:
        return None
    return put_parquet(str(staging), staged_key(name, part), table, TABLES[name])


def read_staged(staging, name: str, part: str, columns: list[str] | None = None) -> pa.Table:
    """A staged part with its fixed schema; empty when that part had no rows."""
    table = get_parquet(str(staging), staged_key(name, part), TABLES[name], columns)
    return table if table is not None else TABLES[name].empty_table().select(columns or TABLES[name].names)


def staged_rows(staging, name: str, part: str) -> int:
    """The number of rows of a staged part (0 when it has none)."""
    data = get(str(staging), staged_key(name, part))
    return 0 if data is None else pq.ParquetFile(pa.BufferReader(data)).metadata.num_rows


def staged_parts(staging, name: str) -> list[str]:
    return [k[len(name) + len("/part-") : -len(".parquet")] for k in keys(str(staging), f"{name}/")]


class AllKeys:
    """`publish`'s `drop` for a table the run replaces whole (`newsflow rebuild-people`): every
    published row goes."""

    def __repr__(self) -> str:
        return "ALL"

    def __reduce__(self) -> str:
        return "ALL"  # pickled by name: the one `ALL` in any process (the validator's included)


ALL = AllKeys()


def without_keys(table: pa.Table, name: str, dropped: Collection[str] | AllKeys) -> pa.Table:
    """The rows of table `name` whose key (`schemas.tables.KEYS`) is not one of `dropped`."""
    if dropped is ALL:
        return table.slice(0, 0)
    if not dropped or not table.num_rows:
        return table
    return table.filter(pc.invert(pc.is_in(table.column(KEYS[name]), value_set=pa.array(sorted(dropped), pa.string()))))


def read_after(
    root,
    staging,
    name: str,
    parts: Collection[str],
    drop: Mapping[str, Collection[str]],
    columns: list[str] | None = None,
) -> pa.Table:
    """Table `name` as it will be once the staged parts are published: the published rows less
    those `drop` names (`publish`'s argument), then the staged parts' rows."""
    published = without_keys(read_published(root, name, columns), name, drop.get(name, ()))
    staged = [read_staged(staging, name, part, columns) for part in parts]
    return pa.concat_tables([published, *staged]) if staged else published


# -- publishing -----------------------------------------------------------------------------------


def ensure_table(root, name: str) -> None:
    """Create table `name`, empty, as its version 0, unless it exists."""
    url = table_url(root, name)
    if not DeltaTable.is_deltatable(url):
        audit("create", url)
        DeltaTable.create(url, schema=TABLES[name], mode="ignore")


def _sql_in(column: str, values: Collection[str]) -> str:
    quoted = ",".join("'" + v.replace("'", "''") + "'" for v in sorted(values))
    return f"{column} IN ({quoted})"


def _upgrade(table: DeltaTable, name: str) -> None:
    """Add the columns of `schemas.tables` that an older table lacks (null in its rows): one commit."""
    have = set(table.schema().to_arrow().names)
    missing = [f for f in TABLES[name] if f.name not in have]
    if missing:
        audit("alter", table.table_uri)
        table.alter.add_columns([Field.from_arrow(f.with_nullable(True)) for f in missing])


# Keys per predicate: delta-rs overflows its stack (SIGSEGV) parsing an `IN` list of ~30,000 strings,
# and its cost grows faster than the list; larger changes are committed in batches of this many.
MAX_PREDICATE_KEYS = 5_000


def _commit_changes(root, name: str, staged: pa.Table | None, dropped: Collection[str] | AllKeys) -> int:
    """Commit table `name`'s change; its new version. The published rows of the keys in `dropped` go
    and the staged rows are added. Nothing is read to do it: rows of dropped keys are an overwrite
    with a predicate (`key IN (...)`; a delete when none is staged), in batches of
    `MAX_PREDICATE_KEYS`, one commit each (the manifest names the last: readers see all the batches
    or none); the other staged rows are appended (their keys' published rows stay, as they would
    have). No commit when nothing is dropped or staged; an older table first gains its missing
    columns (`_upgrade`)."""
    key = KEYS[name]
    url = table_url(root, name)
    staged = staged.cast(TABLES[name]) if staged is not None else TABLES[name].empty_table()
    if dropped is ALL:  # the run replaces the table: its rows and its schema
        audit("commit", url)
        write_deltalake(url, staged, mode="overwrite", schema_mode="overwrite")
        return DeltaTable(url).version()
    replaced = sorted(set(dropped))
    table = DeltaTable(url)
    if not replaced and staged.num_rows == 0:
        return table.version()
    _upgrade(table, name)
    for start in range(0, len(replaced), MAX_PREDICATE_KEYS):
        batch = replaced[start : start + MAX_PREDICATE_KEYS]
        rows = staged.filter(pc.is_in(staged.column(key), pa.array(batch, pa.string())))
        audit("commit", url)
        if rows.num_rows:
            write_deltalake(DeltaTable(url), rows, mode="overwrite", predicate=_sql_in(key, batch))
        else:
            DeltaTable(url).delete(_sql_in(key, batch))
    new = staged.filter(pc.invert(pc.is_in(staged.column(key), pa.array(replaced, pa.string()))))
    if new.num_rows:
        audit("commit", url)
        write_deltalake(DeltaTable(url), new, mode="append")
    return DeltaTable(url).version()


def publish(
    root,
    staging,
    run_id: str,
    drop: Mapping[str, Collection[str] | AllKeys] | None = None,
    lease=None,
    registry: dict | None = None,
) -> dict:
    """Make the staged tables visible, all at once. `drop` names, per table, the key values
    (`schemas.tables.KEYS`) whose published rows go: replaced by staged rows, or removed; `ALL`
    replaces the whole table. `registry` (the settings the people were built with) goes into the
    manifest, else the previous manifest's is kept. Returns the new manifest."""
    root, staging, drop = url_of(root), str(staging), drop or {}
    manifest = read_manifest(root)
    versions = {}
    for name in TABLES:
        if manifest is None or name not in manifest["tables"]:  # a table the manifest names exists
            ensure_table(root, name)
        parts = staged_parts(staging, name)
        staged = pa.concat_tables([read_staged(staging, name, p) for p in parts]) if parts else None
        if lease is not None:
            lease.check()
        versions[name] = _commit_changes(root, name, staged, drop.get(name, ()))
    if lease is not None:
        lease.check()
    registry = registry or (manifest or {}).get("registry")
    published = write_manifest(root, run_id, versions, manifest, **({"registry": registry} if registry else {}))
    delete_tree(staging, "")
    return published


def repair(root) -> list[str]:
    """Restore every table that a killed run left ahead of the manifest to its published version
    (a table never published to its empty version 0). Call holding the lease."""
    root = url_of(root)
    manifest = read_manifest(root)
    restored = []
    for name in TABLES:
        url = table_url(root, name)
        if not DeltaTable.is_deltatable(url):
            continue
        table = DeltaTable(url)
        target = manifest["tables"].get(name, 0) if manifest else 0
        if table.version() > target:
            audit("restore", url)
            table.restore(target)
            restored.append(f"{name}: restored to version {target} (a killed run had committed past the manifest)")
    return restored


def clean_staging(root) -> list[str]:
    """Remove the staged parts of runs that ended without publishing. Call holding the lease."""
    root = url_of(root)
    runs = sorted({k[len(STAGING) :].split("/", 1)[0] for k in keys(root, STAGING)})
    removed = []
    for run_id in runs:
        delete_tree(root, join(STAGING, run_id))
        removed.append(join(root, STAGING, run_id))
    return removed


@dataclass(frozen=True)
class Run:
    """One run's place in the output: its id, where it stages its tables, and its lease."""

    root: str
    run_id: str
    lease: object | None = None

    @property
    def staging(self) -> str:
        return staging_url(self.root, self.run_id)

    @property
    def started(self) -> datetime:
        return run_time(self.run_id)
