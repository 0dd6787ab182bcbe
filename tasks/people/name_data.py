"""nomquamgender's first-name statistic, read fast: its data file (22 MB of JSON, 720,000 names)
costs 1.5-2 CPU-s to parse, on every run, in the flow's process, for the few names a run needs.

`all_name_records()` reads it once per installed copy of the package into a compact Arrow file in
newsflow's cache folder (`NEWSFLOW_CACHE_DIR`, else `$XDG_CACHE_HOME/newsflow`, else
`~/.cache/newsflow`), named by the data file's size and modification time so that another
version of nomquamgender gets its own; later runs read that file (~0.1 s). The cache is written
whole under a temporary name and renamed, so a run that is killed while writing it, or two runs
at once, leave no half-written cache; when the folder cannot be written, the JSON is parsed as
before. The data are nomquamgender's as it ships them (MIT licence), only restricted to the
names that are words (letters and hyphens). Tables derived from them (`derived_table`: the
calibrated first-name genders and the shares of common names, `newsflow.tasks.people.gender`) are
kept beside them the same way, so a run reads neither the records nor scipy.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)

COLUMNS = ("name", "counts", "share_female")


def name_data_path() -> Path:
    """nomquamgender's data file, found without importing the package (its module imports
    `unidecode`, which newsflow does not use)."""
    spec = importlib.util.find_spec("nomquamgender")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("nomquamgender is not installed: run `make setup` (it is a dependency)")
    return Path(next(iter(spec.submodule_search_locations))) / "name_data.json"


def cache_dir() -> Path:
    if os.environ.get("NEWSFLOW_CACHE_DIR"):
        return Path(os.environ["NEWSFLOW_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsflow"


def _parse(source: Path) -> dict[str, tuple[int, float]]:
    """Lower-case name → (records behind it, share of women among them), names of letters and
    hyphens only, from the JSON as nomquamgender ships it ([sources, counts, p(gf), ...])."""
    data = json.loads(source.read_text(encoding="utf-8"))
    return {
        name: (int(counts), float(share_female))
        for name, (_, counts, share_female, *_) in data.items()
        if name.replace("-", "").isalpha()
    }


def _records_table(records: dict[str, tuple[int, float]]) -> pa.Table:
    import pyarrow as pa

    names = sorted(records)
    return pa.table(
        {
            "name": pa.array(names, pa.string()),
            "counts": pa.array([records[n][0] for n in names], pa.int64()),
            "share_female": pa.array([records[n][1] for n in names], pa.float64()),
        }
    )


def _write_table(path: Path, table: pa.Table) -> None:
    """`table` as an Arrow file at `path`, whole or not at all (written aside, then renamed)."""
    import pyarrow.feather as feather

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        feather.write_feather(table, tmp, compression="uncompressed")
        os.chmod(tmp, 0o644)  # a cache other users of the same installation may read
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _cached(path: Path, columns: tuple[str, ...], make: Callable[[], pa.Table], without: str) -> pa.Table:
    """The table cached at `path` (it must have `columns`), else `make()`, written there for the
    next runs. A damaged or foreign file is made again; when the folder cannot be written, every
    run pays `without` (what the cache spares it), and the warning says how to avoid it."""
    import pyarrow.feather as feather

    try:
        table = feather.read_table(path, memory_map=True)
        if tuple(table.column_names) != columns:
            raise ValueError(f"unexpected columns {table.column_names}")
        return table
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged or foreign file: made again below
        log.warning("the cache %s could not be read (%s); making it again", path, exc)
    table = make()
    try:
        _write_table(path, table)
    except OSError as exc:
        log.warning(
            "the cache could not be written to %s (%s): every run %s; set NEWSFLOW_CACHE_DIR to a folder "
            "this user can write",
            path.parent,
            exc,
            without,
        )
    return table


def _cache_path(kind: str) -> Path:
    """Where the cache keeps `kind`, for the installed copy of nomquamgender's data (named by the
    data file's size and modification time, so another copy gets its own)."""
    stat = name_data_path().stat()
    return cache_dir() / f"{kind}-{stat.st_size}-{stat.st_mtime_ns}.arrow"


@functools.cache
def all_name_records() -> dict[str, tuple[int, float]]:
    """Lower-case first name → (records behind it, share of women among them), every name of
    letters and hyphens: from the cache, made now if there is none; read once per process."""
    path = _cache_path("nomquamgender")
    table = _cached(
        path, COLUMNS, lambda: _records_table(_parse(name_data_path())), "parses nomquamgender's data (1-2 s)"
    )
    return dict(
        zip(
            table["name"].to_pylist(),
            zip(table["counts"].to_pylist(), table["share_female"].to_pylist(), strict=True),
            strict=True,
        )
    )


def name_records(min_count: int = 1) -> dict[str, tuple[int, float]]:
    """`all_name_records`, for the names of at least `min_count` records."""
    return {name: rec for name, rec in all_name_records().items() if rec[0] >= min_count}


def derived_table(kind: str, version: str, columns: tuple[str, ...], make: Callable[[], pa.Table]) -> pa.Table:
    """A table computed from nomquamgender's data by `make` (e.g. the calibrated first-name
    genders), cached as the records are (`_cached`), named by `kind`, `version` (the parameters
    it was computed with) and the data file's size and modification time: computed once per
    installed copy and parameters, then read (milliseconds)."""
    return _cached(_cache_path(f"{kind}-{version}"), columns, make, f"computes {kind}")
