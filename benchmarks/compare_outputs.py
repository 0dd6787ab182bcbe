"""Compare two newsflow output folders table by table, row for row.

    python benchmarks/compare_outputs.py OLD_DIR NEW_DIR

Each table is read whole (a Delta output, local or `s3://`, at the version its publish manifest
names; an output of newsflow before Delta tables, `DIR/<table>/` as a folder of Parquet files)
and its rows compared as
multisets of tuples (order-insensitive, duplicates counted). Prints one line per table,
`table: N rows old, M rows new, K only in old, L only in new`, then up to 5 differing rows per
side. Exit code 0 when every table is equal on both sides, 1 otherwise.

Excluded columns (they legitimately differ between runs): `run_id`, `first_seen` and `last_seen`
(run timestamps of the contract's `sources` table). The tables of `schemas/tables.py` carry no
such column today: `source` is relative to the input root, `doc_id`/`quote_id`/`entity_id` are
content hashes and the run id only appears in Parquet file names, which are not compared.
Columns present on one side only are reported and left out of the row comparison.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

TABLES = ("documents", "mentions", "entities", "quotes", "rejects", "sources", "people", "person_entities")
EXCLUDED = frozenset({"run_id", "first_seen", "last_seen"})
EXAMPLES = 5
VALUE_WIDTH = 40
LINE_WIDTH = 220


def hashable(value: Any) -> Any:
    """A value that can sit in a Counter: lists and structs become tuples, NaN equals NaN."""
    if isinstance(value, list):
        return tuple(hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, hashable(v)) for k, v in value.items())
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def open_table(root: str, name: str) -> ds.Dataset | None:
    """Table `name` of the output `root`, as published (None when it has no such table)."""
    from newsflow.tasks import storage

    if storage.read_manifest(root) is not None:
        return storage.published_dataset(root, name)
    folder = Path(root) / name
    return ds.dataset(folder, format="parquet") if folder.exists() else None


def read_rows(dataset: ds.Dataset, columns: list[str]) -> Counter[tuple]:
    table = dataset.to_table(columns=columns)
    return Counter(tuple(hashable(v) for v in row.values()) for row in table.to_pylist())


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def show(row: tuple, columns: list[str], count: int) -> str:
    cells = ", ".join(f"{c}={shorten(repr(v), VALUE_WIDTH)}" for c, v in zip(columns, row, strict=True))
    return shorten(cells, LINE_WIDTH) + (f" (x{count})" if count > 1 else "")


def compare_table(name: str, old_dir: str, new_dir: str) -> bool:
    """Print the comparison of one table; True when both sides hold the same rows."""
    old, new = open_table(old_dir, name), open_table(new_dir, name)
    if old is None and new is None:
        return True
    if old is None or new is None:
        side, dataset = ("new", new) if new is not None else ("old", old)
        print(f"{name}: only in {side} ({dataset.count_rows()} rows)")
        return False
    old_cols = old.schema.names
    new_cols = new.schema.names
    columns = [c for c in old_cols if c in new_cols and c not in EXCLUDED]
    old_rows, new_rows = read_rows(old, columns), read_rows(new, columns)
    only_old, only_new = old_rows - new_rows, new_rows - old_rows
    print(
        f"{name}: {old_rows.total()} rows old, {new_rows.total()} rows new, "
        f"{only_old.total()} only in old, {only_new.total()} only in new"
    )
    for side, cols in (("old", old_cols), ("new", new_cols)):
        extra = [c for c in cols if c not in columns and c not in EXCLUDED]
        if extra:
            print(f"  columns only in {side}: {', '.join(extra)}")
    for side, rows in (("old", only_old), ("new", only_new)):
        for row, count in sorted(rows.items(), key=lambda item: repr(item[0]))[:EXAMPLES]:
            print(f"  only in {side}: {show(row, columns, count)}")
    same_columns = set(old_cols) - EXCLUDED == set(new_cols) - EXCLUDED
    return same_columns and not only_old and not only_new


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    old_dir, new_dir = argv
    for folder in (old_dir, new_dir):
        if "://" not in folder and not Path(folder).is_dir():
            print(f"not a folder: {folder}", file=sys.stderr)
            return 2
    results = [compare_table(name, old_dir, new_dir) for name in TABLES]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
