"""Incremental bookkeeping: what a run changes in the published output (the documents to
analyse, the published rows that go, the rejects and the `sources` table), worked out from the
files the run read and the output's published state.

Run semantics (docs/tables.md says the same to users):
- Every input file is accounted for: `sources` has one row per file ever seen, with its latest
  state: `document` (the first file, in reading order, with that content), `duplicate` (the same
  content as a document kept under another file) or `rejected` (see `rejects`).
- Edited in place means replaced: a file stands for the document of its current content. A
  document no file stands for any more (its file was edited, and no other file has that content)
  loses its rows in every table.
- The output accumulates: a file removed from the input keeps standing for its document, and so
  does a file edited into something unreadable (a failed re-scrape), which also gains a reject.
  A rejected file that reads again loses its reject.
- A document published by an older `PIPELINE_VERSION` is analysed again: from its file, or from
  its published text when no file in the input has its content any more.

A run reads only the files that are new or changed since they were last read (`tasks/unchanged.py`;
all of them with --rehash), so it works out its changes from those files and the published rows
they can touch, looked up by key: the sources rows of the files read and of every file that stands
for one of their documents (old or new), and of removed files whose document may pass to another
file. Only the sources rows that change are written; `last_seen` is the last run that read the file.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow.dataset as ds

from newsflow.schemas.tables import PIPELINE_VERSION, REJECT_ID_COLUMN, from_rows, record_row
from newsflow.tasks.records import Document, Reject, SourceFile
from newsflow.tasks.storage import (
    Run,
    is_published,
    published_dataset,
    published_version,
    read_published,
    run_time,
    stage_table,
)
from newsflow.tasks.unchanged import file_of

MOVED = "moved"  # the staged part of documents rows that move to another source, unchanged otherwise


@dataclass
class Prepared:
    chunks: list[str] = field(default_factory=list)  # staged chunks to analyse, e.g. "c00000"
    n_new: int = 0
    new_sources: list[str] = field(default_factory=list)  # the files of the new documents
    n_already_published: int = 0
    n_duplicates: int = 0
    n_unchanged: int = 0  # input files whose stat matched their sources rows: not read
    replaced: set[str] = field(default_factory=set)  # doc_ids published under an older pipeline version
    dropped: set[str] = field(default_factory=set)  # doc_ids no input file stands for any more
    moved: set[str] = field(default_factory=set)  # doc_ids whose documents row names another file now
    rejects: list[Reject] = field(default_factory=list)  # new this run: discover's, then ingest's and clean's
    rejects_gone: set[str] = field(default_factory=set)  # files whose published reject is fixed or replaced
    updated: list[str] = field(default_factory=list)  # files edited in place: their content is a new document
    sources_staged: set[str] = field(default_factory=set)  # the sources rows the run rewrites (staged)
    sources_changed: bool = False
    statuses: dict[str, int] = field(default_factory=dict)  # the input files now, by status
    n_words: int = 0

    @property
    def changed(self) -> bool:
        """Whether the run has anything to publish."""
        return bool(
            self.n_new or self.dropped or self.moved or self.rejects or self.rejects_gone or self.sources_changed
        )

    @property
    def parts(self) -> list[str]:
        """The staged parts of documents (with their rows in the other tables) to validate."""
        return self.chunks + ([MOVED] if self.moved else [])

    @property
    def drops(self) -> dict[str, set[str]]:
        """Per table, the keys whose published rows the publish drops (replaced, or gone)."""
        gone = self.replaced | self.dropped
        return {
            "documents": gone | self.moved,
            "mentions": gone,
            "entities": gone,
            "quotes": gone,
            "rejects": self.rejects_gone,
            "sources": self.sources_staged,
        }


@dataclass(frozen=True)
class Published:
    """What the published output holds, as far as preparing a run needs it: the rows of the
    documents and files the run's changes can touch, looked up by key (never whole tables)."""

    versions: dict[str, str]  # doc_id → pipeline_version
    doc_sources: dict[str, str]  # doc_id → documents.source
    sources: dict[str, dict]  # source → its published sources row
    rejects: dict[str, set[str]]  # source → the ids of its published rejects rows


@dataclass(frozen=True)
class Seen:
    """An input file as this run found it: its document's id, or why it does not read."""

    file: SourceFile
    doc_id: str | None = None
    reject: Reject | None = None


def published_documents(root, doc_ids: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The pipeline version and the source of each published document of `doc_ids` (looked up by
    key), and of every document an older pipeline version made (to analyse again)."""
    columns = ["doc_id", "pipeline_version", "source"]
    rows = read_published(root, "documents", columns, keys=doc_ids).to_pylist()
    dataset = published_dataset(root, "documents")
    if dataset is not None:
        older = ds.field("pipeline_version") != PIPELINE_VERSION
        rows += dataset.to_table(columns=columns, filter=older).to_pylist()
    return {d["doc_id"]: d["pipeline_version"] for d in rows}, {d["doc_id"]: d["source"] for d in rows}


def published_rejects(root, sources: set[str]) -> dict[str, set[str]]:
    rejects: dict[str, set[str]] = {}
    for row in read_published(root, "rejects", [REJECT_ID_COLUMN, "source"], keys=sources).to_pylist():
        rejects.setdefault(row["source"], set()).add(row[REJECT_ID_COLUMN])
    return rejects


def legacy_sources(root) -> list[dict] | None:
    """The sources rows of an output published before the sources table existed, made from its
    documents and rejects (seen at its publication, sizes and hashes unknown; a file published more
    than once, once per content, stands for its latest document: the rows come oldest run first);
    None for any other output."""
    version = published_version(root)
    if version is None or is_published(root, "sources"):
        return None
    at = run_time(version)
    rows: dict[str, dict] = {}
    for doc in read_published(root, "documents", ["doc_id", "source"]).to_pylist():
        rows[doc["source"]] = source_row(doc["source"], "document", doc["doc_id"], None, None, at, at)
    for source in sorted(set(read_published(root, "rejects", ["source"]).column("source").to_pylist()) - rows.keys()):
        rows[source] = source_row(source, "rejected", None, None, None, at, at)
    return list(rows.values())


def source_row(
    source: str,
    status: str,
    doc_id: str | None,
    sha256: str | None,
    size: int | None,
    first: datetime,
    last: datetime,
    modified: datetime | None = None,
    file_id: str | None = None,
) -> dict:
    return {
        "source": source,
        "status": status,
        "doc_id": doc_id,
        "sha256": sha256,
        "bytes": size,
        "first_seen": first,
        "last_seen": last,
        "modified": modified,
        "file_id": file_id,
    }


def plan_sources(
    present: dict[str, Seen], holders: dict[str, str], recorded: dict[str, dict], now: datetime
) -> tuple[dict[str, dict], dict[str, str]]:
    """The new sources rows (source → row) and the documents they keep (doc_id → the file its
    documents row names), for the files the run read (`present`) and the published rows
    (`recorded`) of every file that stands for one of their documents, old or new. `holders` are
    the documents of files in the input that read, each with the first file (in reading order)
    that has its content; the documents no such file has (their files removed, or no longer
    reading) are kept under the first of their files by name. A recorded file the run did not read
    keeps its row, its status aside."""
    rows: dict[str, dict] = {}
    readable: set[str] = set()  # the files that are a document or a duplicate of one
    for source, seen in present.items():
        prev = recorded.get(source)
        if seen.reject is None:
            readable.add(source)
        doc_id = seen.doc_id if seen.reject is None else (prev["doc_id"] if prev else None)
        first = prev["first_seen"] if prev else now
        file = seen.file
        rows[source] = source_row(
            source, "rejected", doc_id, file.sha256, file.bytes, first, now, file.modified, file.file_id
        )
    for source, prev in recorded.items():
        if source not in present:  # not read: as it was last read
            rows[source] = dict(prev)
            if prev["status"] != "rejected":
                readable.add(source)
    kept = dict(holders)
    for source in sorted(rows):
        if rows[source]["doc_id"] is not None:
            kept.setdefault(rows[source]["doc_id"], source)
    for source in readable:
        rows[source]["status"] = "document" if kept[rows[source]["doc_id"]] == source else "duplicate"
    return rows, kept


def changed_rows(
    rows: dict[str, dict], recorded: dict[str, dict], read: set[str], rehash: bool
) -> tuple[set[str], set[str]]:
    """The sources rows that change, and those the run writes: those that differ from their published rows in more than
    `last_seen`, and every row of a file read whose rows change (or, with --rehash, of every file
    read): `last_seen` is the last run that read the file, the same for all its rows."""

    def differs(source: str) -> bool:
        prev = recorded.get(source)
        return prev is None or {**rows[source], "last_seen": None} != {**prev, "last_seen": None}

    changed = {s for s in rows if differs(s)}
    files = {file_of(s) for s in (read if rehash else changed & read)}
    return changed, changed | {s for s in read if file_of(s) in files}


def document_row(doc: Document) -> dict:
    return record_row("documents", doc, authors=list(doc.authors), pipeline_version=PIPELINE_VERSION)


def reject_row(reject: Reject) -> dict:
    return record_row("rejects", reject, **{REJECT_ID_COLUMN: reject.reject_id})


class StagedChunks:
    """Documents rows staged in chunks for the analysis: at most `chunk_size` documents, and small
    enough that the documents expected fill every one of `slots` with a chunk. `expect` adds
    documents not foreseen (those analysed again from their published rows), so that a run that
    reads one file but analyses a whole output again (a new pipeline version) stages chunks of
    `chunk_size`, not one chunk per document."""

    def __init__(self, run: Run, out: Prepared, chunk_size: int, slots: int, expected: int) -> None:
        self.run, self.out, self.rows = run, out, []
        self.chunk_size, self.slots, self.expected = chunk_size, slots, expected
        self.size = balanced_chunk_size(chunk_size, expected, slots)

    def expect(self, more: int) -> None:
        self.expected += more
        self.size = max(self.size, balanced_chunk_size(self.chunk_size, self.expected, self.slots))

    def add(self, row: dict) -> None:
        self.rows.append(row)
        self.out.n_new += 1
        self.out.new_sources.append(row["source"])
        self.out.n_words += row["n_words"]
        if len(self.rows) >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            name = f"c{len(self.out.chunks):05d}"
            stage_table(self.run.staging, "documents", name, from_rows("documents", self.rows))
            self.out.chunks.append(name)
            self.rows.clear()


def restage_published(
    run: Run, published: Published, kept: dict[str, str], holders: dict[str, str], chunks: StagedChunks, out: Prepared
) -> None:
    """Restage published documents rows the files read now did not stage: those of files removed
    or broken, analysed again when an older pipeline version made them, and those whose row is to
    name another file now (the first file with their content changed), unchanged otherwise."""
    analysed = {d for d in holders if published.versions.get(d) != PIPELINE_VERSION}  # staged from their files
    again = {d for d in kept.keys() - holders.keys() if published.versions.get(d, PIPELINE_VERSION) != PIPELINE_VERSION}
    out.moved = {d for d in kept.keys() - analysed - again if published.doc_sources.get(d, kept[d]) != kept[d]}
    if not again and not out.moved:
        return
    moved = []
    chunks.expect(len(again))
    for row in read_published(run.root, "documents", keys=again | out.moved).to_pylist():
        row["source"] = kept[row["doc_id"]]
        if row["doc_id"] in again:
            out.replaced.add(row["doc_id"])
            chunks.add({**row, "pipeline_version": PIPELINE_VERSION})
        else:
            moved.append(row)
    stage_table(run.staging, "documents", MOVED, from_rows("documents", moved))


def stage_rejects(run: Run, present: dict[str, Seen], published: Published, out: Prepared) -> None:
    """A file's reject is published once, as long as it does not read, and goes when it reads
    again (a file no longer in the input keeps its last state, reject included)."""
    for source, seen in present.items():
        before = published.rejects.get(source, set())
        if before == ({seen.reject.reject_id} if seen.reject else set()):
            continue
        if before:
            out.rejects_gone.add(source)
        if seen.reject:
            out.rejects.append(seen.reject)
    stage_table(run.staging, "rejects", "rejects", from_rows("rejects", [reject_row(r) for r in out.rejects]))


def edited_in_place(seen: Seen, prev: dict | None) -> bool:
    """Whether a file reads as other content than the document it stood for (edited in place)."""
    return seen.reject is None and prev is not None and prev["doc_id"] not in (None, seen.doc_id)


def log_changes(
    present: dict[str, Seen],
    recorded: dict[str, dict],
    removed: dict[str, dict],
    kept: dict[str, str],
    dropped: set[str],
    logger: logging.Logger,
) -> None:
    """Say what became of the files whose state changed since the last published run (`removed`:
    the new rows of files no longer in the input whose rows change: their document's row moves)."""
    for source, seen in present.items():
        prev = recorded.get(source)
        old = prev["doc_id"] if prev else None
        if edited_in_place(seen, prev):
            if old in dropped:
                logger.info("updated: %s (replaces %s)", source, old)
            else:
                logger.info("updated: %s (%s stays: %s has that content too)", source, old, kept[old])
        elif seen.reject is None and prev is not None and prev["status"] == "rejected":
            logger.info("fixed: %s reads now (it was rejected)", source)
        elif seen.reject is not None and old is not None and prev["status"] != "rejected":
            logger.warning("%s no longer reads: it keeps standing for %s until it does", source, old)
    for source, row in sorted(removed.items()):
        if row["doc_id"] is not None:
            logger.info("no longer in the input: %s (its document %s stays published)", source, row["doc_id"])


def log_new_sources(sources: list[str], logger: logging.Logger, show: int = 20) -> None:
    """Say which files this run processes: on an incremental run, the new ones alone."""
    if not sources:
        logger.info("no new documents: every readable file is already published")
        return
    names = ", ".join(sources[:show]) + (f" and {len(sources) - show} more" if len(sources) > show else "")
    logger.info(
        "processing %d new document%s (not published before): %s", len(sources), "" if len(sources) == 1 else "s", names
    )


def balanced_chunk_size(chunk_size: int, n_documents: int, slots: int) -> int:
    """At most `chunk_size`, and small enough that a first run fills every slot with a chunk."""
    return max(1, min(chunk_size, math.ceil(n_documents / slots)))
