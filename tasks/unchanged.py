"""Inputs checked without reading them: which input files are unchanged since the run that last read
them, judged from their stat and the published `sources` table, and which published sources rows a
run's changes can touch. Set logic over all sources is Arrow (column arrays, `is_in`, group-bys);
only the rows that change become Python rows (`tasks/bookkeeping.py`).

A file is unchanged when its size, modification time (to the microsecond) and file id
(`st_dev:st_ino`) match what its `sources` rows recorded when it was last read: its rows with the
newest `last_seen` (a `.jsonl`/`.json` file has one row per record, `FILE#LINE`, each carrying the
file's stat; their sizes add up to the file's). Not handled, so read every run (still correct, only
slower): a file whose bytes were not hashed (too large, unreadable), a `.jsonl` file with blank
lines and a `.json` list (their records' sizes do not add up to the file's).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from newsflow.tasks.ingest import display_path

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RECORD = r"^(.*\.[jJ][sS][oO][nN][lL]?)#[0-9]+$"  # FILE#LINE, the record of a .jsonl/.json file
INDEX_COLUMNS = ["source", "status", "doc_id", "sha256", "bytes", "modified", "file_id", "last_seen"]


@dataclass(frozen=True)
class Stat:
    """What `sources` records of an input file besides its content: its size, mtime and id."""

    bytes: int
    modified: datetime  # UTC, to the microsecond
    file_id: str  # "<st_dev>:<st_ino>"


def stat_of(path: Path) -> Stat | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return Stat(st.st_size, EPOCH + timedelta(microseconds=st.st_mtime_ns // 1000), f"{st.st_dev}:{st.st_ino}")


def stat_files(root: Path, files: list[str]) -> dict[str, Stat]:
    """The stat of each input file (by its name in the tables), those that can be stat'ed."""
    root = Path(root)
    folder = root.is_dir()
    stats = {}
    for rel in files:
        stat = stat_of(root / rel if folder else root)
        if stat is not None:
            stats[display_path(rel)] = stat
    return stats


def file_of(source: str) -> str:
    """The input file a sources row belongs to: the file of a record (`FILE#LINE`), else itself."""
    return file_column(pa.array([source], pa.string()))[0].as_py()


def file_column(sources: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return pc.replace_substring_regex(sources, _RECORD, r"\1")


def reading_order(source: str) -> tuple[str, int]:
    """Where a source comes in a run's reading order: files by name, a file's records by line."""
    file = file_of(source)
    return (file, int(source[len(file) + 1 :])) if file != source else (source, 0)


def _is_in(values, among) -> pa.ChunkedArray:
    return pc.is_in(values, value_set=pa.array(sorted(among), pa.string()))


class SourceIndex:
    """The published sources as Arrow columns (no Python rows), with each row's file and whether
    it is one of the rows its file had when last read (`current`: the newest `last_seen`)."""

    def __init__(self, table: pa.Table) -> None:
        table = table.append_column("file", file_column(table.column("source")))
        newest = table.group_by("file").aggregate([("last_seen", "max")])
        table = table.join(newest, "file")
        current = pc.equal(table.column("last_seen"), table.column("last_seen_max"))
        self.table = table.append_column("current", current).drop_columns(["last_seen_max"])

    def unchanged(self, stats: dict[str, Stat]) -> set[str]:
        """The files of `stats` whose stat matches their current rows: not to be read again."""
        if not stats or not self.table.num_rows:
            return set()
        rows = self.table.filter(pc.and_(self.table.column("current"), _is_in(self.table.column("file"), stats)))
        rows = rows.append_column("hashed", pc.is_valid(rows.column("sha256")))
        summary = rows.group_by("file").aggregate(
            [
                ("source", "count"),
                ("bytes", "count"),
                ("bytes", "sum"),
                ("hashed", "all"),
                ("modified", "min"),
                ("modified", "max"),
                ("file_id", "min"),
                ("file_id", "max"),
            ]
        )
        unchanged = set()
        for row in summary.to_pylist():  # one row per input file
            stat = stats[row["file"]]
            if (
                row["bytes_count"] == row["source_count"]
                and row["hashed_all"]
                and row["bytes_sum"] == stat.bytes
                and row["modified_min"] == row["modified_max"] == stat.modified
                and row["file_id_min"] == row["file_id_max"] == stat.file_id
            ):
                unchanged.add(row["file"])
        return unchanged

    def present(self, unchanged: set[str], read: set[str]) -> pa.ChunkedArray:
        """Per row, whether its file is in the input now: a current row of an unchanged file, or a
        source the run read (or found) now."""
        kept = pc.and_(self.table.column("current"), _is_in(self.table.column("file"), unchanged))
        return pc.or_(kept, _is_in(self.table.column("source"), read))

    def present_among(self, present: pa.ChunkedArray, sources: set[str]) -> set[str]:
        """The sources of `sources` whose published rows are in the input now."""
        rows = self.table.filter(pc.and_(present, _is_in(self.table.column("source"), sources)))
        return set(rows.column("source").to_pylist())

    def unchanged_holders(self, doc_ids: set[str], unchanged: set[str]) -> dict[str, str]:
        """Per document of `doc_ids`, the first (in reading order) of the unchanged files that
        read as its content."""
        t = self.table
        mask = pc.and_(
            pc.and_(t.column("current"), _is_in(t.column("file"), unchanged)), _is_in(t.column("doc_id"), doc_ids)
        )
        rows = t.filter(pc.and_(mask, pc.not_equal(t.column("status"), "rejected"))).select(["source", "doc_id"])
        first: dict[str, str] = {}
        for row in sorted(rows.to_pylist(), key=lambda r: reading_order(r["source"])):
            first.setdefault(row["doc_id"], row["source"])
        return first

    def doc_ids_of(self, sources: set[str]) -> set[str]:
        rows = self.table.filter(_is_in(self.table.column("source"), sources))
        return set(pc.drop_null(rows.column("doc_id")).to_pylist())

    def sources_of(self, doc_ids: set[str]) -> set[str]:
        """The published sources rows that stand for one of `doc_ids`."""
        return set(self.table.filter(_is_in(self.table.column("doc_id"), doc_ids)).column("source").to_pylist())

    def removed_holders_in_question(self, present: pa.ChunkedArray, readable_now: set[str]) -> set[str]:
        """The documents whose published holder (the `document` row) left the input and may hand
        them on: to a file in the input with their content (`readable_now`: the doc_ids of the
        files read now that read, with those of the unchanged files that do), or to a removed file
        that comes first by name."""
        t = self.table
        readable = pc.and_(present, pc.not_equal(t.column("status"), "rejected"))
        readable_ids = set(pc.drop_null(t.filter(readable).column("doc_id")).to_pylist()) | readable_now
        holders = t.filter(pc.and_(pc.invert(present), pc.equal(t.column("status"), "document")))
        if not holders.num_rows:
            return set()
        first = t.filter(pc.is_valid(t.column("doc_id"))).group_by("doc_id").aggregate([("source", "min")])
        holders = holders.join(first, "doc_id")
        question = pc.or_(
            _is_in(holders.column("doc_id"), readable_ids),
            pc.not_equal(holders.column("source"), holders.column("source_min")),
        )
        return set(holders.filter(question).column("doc_id").to_pylist())

    def statuses(self, present: pa.ChunkedArray, planned: set[str]) -> dict[str, int]:
        """The present rows' statuses, less the rows of `planned` (counted from their new rows)."""
        rows = self.table.filter(pc.and_(present, pc.invert(_is_in(self.table.column("source"), planned))))
        return {v["values"]: v["counts"] for v in pc.value_counts(rows.column("status")).to_pylist()}

    def n_removed(self, present: pa.ChunkedArray) -> int:
        return self.table.num_rows - pc.sum(present.cast(pa.int64())).as_py() if self.table.num_rows else 0
