"""The output folder's storage: staged parts, immutable versions, the `current` link, the lock.

The output folder holds one folder per table (`DIR/quotes/`, ...) that readers glob. Each is a
symlink into `DIR/.newsflow/current/<table>`, and `current` is itself a symlink to an immutable
version folder. A swap builds the next version beside the current one (hard links to the
files already published, plus the newly staged part files) and swaps `current` with one atomic
`rename`. A run that fails, fails validation or is killed at any moment therefore leaves the
published tables exactly as they were; its leftovers are removed by the next run.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from newsflow.schemas.tables import KEYS, TABLES, WHOLE_TABLES

STATE = ".newsflow"
RUN_TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
KEEP_VERSIONS = 2  # the current version and the one before it (readers mid-scan keep working)


class OutputLocked(RuntimeError):
    pass


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def state(self) -> Path:
        return self.root / STATE

    @property
    def versions(self) -> Path:
        return self.state / "versions"

    @property
    def current(self) -> Path:
        return self.state / "current"

    def staging(self, run_id: str) -> Path:
        return self.state / "staging" / run_id

    def table(self, name: str) -> Path:
        return self.root / name


@dataclass(frozen=True)
class Run:
    """One run's place in the output folder: its id and the folder it stages its tables in."""

    root: Path
    run_id: str

    @property
    def staging(self) -> Path:
        return Layout(self.root).staging(self.run_id)

    @property
    def started(self) -> datetime:
        return run_time(self.run_id)


def new_run_id() -> str:
    """Sortable by start time (to the microsecond), unique."""
    return datetime.now(UTC).strftime(RUN_TIME_FORMAT) + "-" + uuid.uuid4().hex[:8]


def run_time(run_id: str) -> datetime:
    """When the run `run_id` started (UTC): the time its id begins with."""
    return datetime.strptime(run_id.split("-")[0], RUN_TIME_FORMAT).replace(tzinfo=UTC)


@contextmanager
def open_run(root: Path, lock_timeout: float, logger: logging.Logger) -> Iterator[Run]:
    """A new run on the output folder, holding its lock: what killed runs left behind is removed
    first; the run's staging goes when it ends (a swap has already moved what it published). A
    run that raises keeps its staging until the next run removes it."""
    with output_lock(root, lock_timeout):
        for leftover in clean_leftovers(root):
            logger.info("removed leftover of an earlier run: %s", leftover)
        run = Run(Path(root), new_run_id())
        yield run
        shutil.rmtree(run.staging, ignore_errors=True)


@contextmanager
def output_lock(root: Path, timeout: float = 0.0) -> Iterator[None]:
    """One run at a time per output folder. The kernel drops the lock if the run is killed."""
    layout = Layout(Path(root))
    layout.state.mkdir(parents=True, exist_ok=True)
    with open(layout.state / "lock", "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise OutputLocked(
                        f"another newsflow run ({holder}) is writing to {root}: wait for it to finish, "
                        "or pass --lock-timeout SECONDS to wait"
                    ) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clean_leftovers(root: Path) -> list[str]:
    """Remove what killed runs left behind (staging folders, half-built versions) and old
    versions. Call with the output lock held."""
    layout = Layout(Path(root))
    removed = []
    staging = layout.state / "staging"
    if staging.is_dir():
        for leftover in staging.iterdir():
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(str(leftover))
    if layout.versions.is_dir():
        current = published_version(root)
        # Run ids sort by start time and runs take turns (the lock), so a version after the
        # current one was built by a run killed before its swap: it was never published.
        names = [p.name for p in layout.versions.iterdir() if not p.name.endswith(".tmp")]
        published = sorted(n for n in names if current is not None and n <= current)
        keep = set(published[-KEEP_VERSIONS:])
        for path in layout.versions.iterdir():
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(str(path))
    tmp_link = layout.state / "current.tmp"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    return removed


def write_part(path: Path, table: pa.Table, schema: pa.Schema) -> Path:
    """Write one Parquet file with the table's fixed schema (zstd), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(table.cast(schema), tmp, compression="zstd")
    os.replace(tmp, path)
    return path


def staged_path(staging: Path, name: str, part: str) -> Path:
    """Where a staged part lives; its file name carries the run id so that it never collides
    with a file published by another run."""
    return staging / name / f"part-{staging.name}-{part}.parquet"


def read_staged(staging: Path, name: str, part: str, columns: list[str] | None = None) -> pa.Table:
    """A staged part with its fixed schema; empty when that part had no rows."""
    path = staged_path(staging, name, part)
    if not path.exists():
        return TABLES[name].empty_table().select(columns or TABLES[name].names)
    return pq.read_table(path, columns=columns, schema=TABLES[name])


def stage_table(staging: Path, name: str, part: str, table: pa.Table) -> Path | None:
    if table.num_rows == 0:
        return None
    return write_part(staged_path(staging, name, part), table, TABLES[name])


def published_version(root: Path) -> str | None:
    """The run id of the published version (the run that last published), or None before the first."""
    current = Layout(Path(root)).current
    return Path(os.readlink(current)).name if current.is_symlink() else None


def is_published(root: Path, name: str) -> bool:
    """Whether the published version has table `name` (an output of an earlier newsflow may not)."""
    return (Layout(Path(root)).current / name).is_dir()


def published_files(root: Path, name: str) -> list[Path]:
    folder = Layout(Path(root)).current / name
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def read_published(
    root: Path, name: str, columns: list[str] | None = None, keys: Collection[str] | None = None
) -> pa.Table:
    """A published table with its fixed schema, its rows in the order of their part files (the
    oldest run's first); with `keys`, only the rows whose key column (`schemas.tables.KEYS`)
    holds one of them."""
    files = published_files(root, name)
    if not files:
        return TABLES[name].empty_table().select(columns or TABLES[name].names)
    dataset = ds.dataset([str(f) for f in files], schema=TABLES[name], format="parquet")
    where = None if keys is None else ds.field(KEYS[name]).isin(sorted(keys))
    return dataset.to_table(columns=columns, filter=where)


def read_after(
    root: Path,
    staging: Path,
    name: str,
    parts: Collection[str],
    drop: Mapping[str, Collection[str]],
    columns: list[str] | None = None,
) -> pa.Table:
    """Table `name` as it will be once the staged parts are published: the published rows less
    those `drop` names (`swap`'s argument), then the staged parts' rows."""
    published = read_published(root, name, columns)
    dropped = drop.get(name, ())
    if dropped and published.num_rows:
        keep = pc.invert(pc.is_in(published.column(KEYS[name]), value_set=pa.array(sorted(dropped), pa.string())))
        published = published.filter(keep)
    staged = [read_staged(staging, name, part, columns) for part in parts]
    return pa.concat_tables([published, *staged]) if staged else published


def _carry_over(src: Path, dest: Path, key: str, dropped: Collection[str]) -> None:
    """Link a published file into the next version, or rewrite it without the dropped rows."""
    if dropped:
        table = pq.read_table(src)
        keep = pc.invert(pc.is_in(table.column(key), value_set=pa.array(sorted(dropped), pa.string())))
        if not pc.all(keep).as_py():
            filtered = table.filter(keep)
            if filtered.num_rows:
                write_part(dest, filtered, table.schema)
            return
    os.link(src, dest)


def swap(root: Path, staging: Path, run_id: str, drop: Mapping[str, Collection[str]] | None = None) -> Path:
    """Make the staged tables visible, all at once. `drop` names, per table, the key values
    (`schemas.tables.KEYS`) whose published rows go: replaced by staged rows, or removed. A table
    of `WHOLE_TABLES` that the run staged replaces the published one whole."""
    layout = Layout(Path(root))
    layout.versions.mkdir(parents=True, exist_ok=True)
    building = layout.versions / f"{run_id}.tmp"
    shutil.rmtree(building, ignore_errors=True)
    drop = drop or {}
    for name, schema in TABLES.items():
        folder = building / name
        folder.mkdir(parents=True)
        staged = staging / name
        whole = name in WHOLE_TABLES and staged.is_dir()
        for src in [] if whole else published_files(root, name):
            _carry_over(src, folder / src.name, KEYS[name], drop.get(name, ()))
        if staged.is_dir():
            for src in sorted(staged.glob("*.parquet")):
                os.replace(src, folder / src.name)
        if not any(folder.glob("*.parquet")):
            write_part(folder / "part-empty.parquet", schema.empty_table(), schema)
    final = layout.versions / run_id
    os.replace(building, final)
    tmp_link = layout.state / "current.tmp"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(Path("versions") / run_id, tmp_link)
    link_tables(layout)
    os.replace(tmp_link, layout.current)  # the moment of publication
    shutil.rmtree(staging, ignore_errors=True)
    return final


def link_tables(layout: Layout) -> None:
    """`DIR/<table>` → `.newsflow/current/<table>`. Made before the first swap (dangling until
    then, as if absent), so that a run killed right after its swap leaves no table unlinked."""
    for name in TABLES:
        link = layout.table(name)
        if not link.is_symlink():
            if link.exists():
                raise FileExistsError(f"{link} exists and is not a newsflow table link: move it away")
            os.symlink(Path(STATE) / "current" / name, link)
