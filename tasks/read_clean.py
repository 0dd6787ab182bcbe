"""The flow's read & clean step: the input files new or changed since they were last read
(`newsflow.tasks.unchanged`; every file with --rehash) read and cleaned (`newsflow.tasks.reading`,
in the run's worker processes when it has some), each document checked against what is published
(`newsflow.tasks.bookkeeping`), and the documents to analyse staged in chunks.

Streams: files are read and cleaned in order, and a chunk of `chunk_size` documents is checked
against the published versions (by key) and written as soon as it is full, so memory does not grow
with the corpus. The published sources are held as Arrow columns, never as Python rows; only the
rows the run can change are looked up.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.schemas.tables import PIPELINE_VERSION, SOURCE_STATUSES, from_rows
from newsflow.tasks.bookkeeping import (
    Prepared,
    Published,
    Seen,
    StagedChunks,
    changed_rows,
    document_row,
    edited_in_place,
    legacy_sources,
    log_changes,
    log_new_sources,
    plan_sources,
    published_documents,
    published_rejects,
    restage_published,
    stage_rejects,
)
from newsflow.tasks.config import Settings
from newsflow.tasks.ingest import display_path
from newsflow.tasks.reading import FILES_PER_JOB, read_clean_files
from newsflow.tasks.records import Document, Reject, SourceFile
from newsflow.tasks.storage import Run, read_published, stage_table
from newsflow.tasks.unchanged import INDEX_COLUMNS, SourceIndex, reading_order, stat_files
from newsflow.tasks.workers import WorkerFailed, WorkerLost, WorkerPool

log = logging.getLogger(__name__)
# Up to one worker job's files (FILES_PER_JOB) are read here, not by the worker processes: those
# load the spaCy model first (seconds), and a few files read here take milliseconds, meanwhile.


def expected_documents(root: Path, files: list[str]) -> int:
    """About how many documents `files` hold: one a file, a `.jsonl` file's lines each (counted, not
    parsed: a file of 1,000 records is not chunked as one document)."""
    root = Path(root)
    n = 0
    for rel in files:
        if Path(rel).suffix.lower() != ".jsonl":
            n += 1
            continue
        lines = 0
        try:
            with open(root / rel if root.is_dir() else root, "rb") as f:
                while block := f.read(1 << 20):
                    lines += block.count(b"\n")
        except OSError:
            pass  # read (and rejected) with its reason later
        n += max(1, lines)
    return n


class NewDocuments:
    """The documents of the files read, each content once (the first file, in reading order, that
    has it), checked against the published versions a batch at a time (looked up by key): those not
    published, or published by an older pipeline version, are staged to analyse."""

    def __init__(self, run: Run, index: SourceIndex, unchanged: set[str], chunks: StagedChunks, logger) -> None:
        self.run, self.index, self.unchanged, self.chunks, self.logger = run, index, unchanged, chunks, logger
        self.holders: dict[str, str] = {}  # doc_id → the first file read that has its content
        self.pending: list[Document] = []

    def add(self, doc: Document) -> None:
        if doc.doc_id in self.holders:
            self.logger.info("%s has the same content as %s: kept once", doc.source, self.holders[doc.doc_id])
            return
        self.holders[doc.doc_id] = doc.source
        self.pending.append(doc)
        if len(self.pending) >= self.chunks.size:
            self.flush()

    def flush(self) -> None:
        ids = {d.doc_id for d in self.pending}
        found = read_published(self.run.root, "documents", ["doc_id", "pipeline_version"], keys=ids).to_pylist()
        versions = {d["doc_id"]: d["pipeline_version"] for d in found}
        older = {d for d, v in versions.items() if v != PIPELINE_VERSION}
        earlier = self.index.unchanged_holders(older, self.unchanged) if older else {}
        for doc in self.pending:
            version = versions.get(doc.doc_id)
            if version == PIPELINE_VERSION:
                continue
            row = document_row(doc)
            if version is not None:  # analysed again, under the first file in the input with its content
                self.chunks.out.replaced.add(doc.doc_id)
                first = earlier.get(doc.doc_id)
                if first is not None and reading_order(first) < reading_order(doc.source):
                    row["source"] = first
            self.chunks.add(row)
        self.pending.clear()


def read_clean(
    files: list[str],
    discover_rejects: list[Reject],
    run: Run,
    settings: Settings,
    slots: int = 1,
    logger: logging.Logger = log,
    pool: WorkerPool | None = None,
) -> Prepared:
    """Read and clean the files under `settings.input` that are new or changed since they were last
    read; stage the documents to analyse in chunks that fill `slots` analysis tasks, the documents
    rows that move to another file, the rejects not yet published and the sources rows that change;
    say which published rows go."""
    legacy = legacy_sources(run.root)
    published_sources = read_published(run.root, "sources", INDEX_COLUMNS) if legacy is None else None
    index = SourceIndex(published_sources if legacy is None else from_rows("sources", legacy).select(INDEX_COLUMNS))
    stats = stat_files(settings.input, files)
    unchanged = set() if settings.rehash else index.unchanged(stats)
    to_read = [rel for rel in files if display_path(rel) not in unchanged]
    out = Prepared(n_unchanged=len(files) - len(to_read))
    logger.info(
        "%d input files under %s: %d unchanged since they were last read (not read), %d to read%s",
        len(files),
        settings.input,
        out.n_unchanged,
        len(to_read),
        " (--rehash: every file)" if settings.rehash else "",
    )
    chunks = StagedChunks(run, out, settings.chunk_size, slots, expected_documents(settings.input, to_read))
    present: dict[str, Seen] = {r.source: Seen(SourceFile(r.source, None, None), reject=r) for r in discover_rejects}
    new = NewDocuments(run, index, unchanged, chunks, logger)
    started = time.monotonic()
    found_in = read_clean_files(to_read, settings, pool if len(to_read) > FILES_PER_JOB else None)
    for i, (rel, found) in enumerate(zip(to_read, found_in, strict=True), 1):
        stat = stats.get(display_path(rel))
        for file, item in found:
            if file.source in present:
                logger.warning("skipped %r: its name reads the same as another file's; rename one of them", rel)
                continue
            if stat is not None:  # what the next run compares the file with
                file = dataclasses.replace(file, modified=stat.modified, file_id=stat.file_id)
            if isinstance(item, Reject):
                present[file.source] = Seen(file, reject=item)
                logger.warning("rejected %s at %s: %s", item.source, item.stage, item.reason)
                continue
            present[file.source] = Seen(file, doc_id=item.doc_id)
            new.add(item)
        if i % 500 == 0:
            logger.info("read %d/%d files (%.0f files/s)", i, len(to_read), i / (time.monotonic() - started))
    new.flush()
    plan(run, index, unchanged, present, new.holders, legacy, chunks, settings.rehash, logger)
    return out


def plan(
    run: Run,
    index: SourceIndex,
    unchanged: set[str],
    present: dict[str, Seen],
    read_holders: dict[str, str],
    legacy: list[dict] | None,
    chunks: StagedChunks,
    rehash: bool,
    logger: logging.Logger,
) -> None:
    """What the files read change: the sources rows, the documents dropped, moved or analysed again
    and the rejects, from the published rows those files can touch (looked up by key)."""
    out, read = chunks.out, set(present)
    here = index.present(unchanged, read)
    readable_now = {seen.doc_id for seen in present.values() if seen.reject is None}
    affected = readable_now | index.doc_ids_of(read) | index.removed_holders_in_question(here, readable_now)
    universe = read | index.sources_of(affected)
    if legacy is None:
        recorded = {r["source"]: r for r in read_published(run.root, "sources", keys=universe).to_pylist()}
    else:  # the table is written whole, once
        recorded = {r["source"]: r for r in legacy}
    unread_here = index.present_among(here, universe - read)
    rows, kept = plan_sources(present, first_holders(present, recorded, unread_here), recorded, run.started)
    versions, doc_sources = published_documents(run.root, affected)
    for doc_id in doc_sources.keys() - affected:  # older pipeline versions no change touches
        kept[doc_id] = doc_sources[doc_id]
    out.dropped = (versions.keys() & affected) - kept.keys()
    published = Published(versions, doc_sources, recorded, published_rejects(run.root, read))
    restage_published(run, published, kept, read_holders, chunks, out)
    chunks.flush()
    stage_rejects(run, present, published, out)
    changed, out.sources_staged = changed_rows(rows, recorded if legacy is None else {}, read, rehash)
    out.sources_changed = bool(changed)
    stage_table(run.staging, "sources", "sources", from_rows("sources", [rows[s] for s in sorted(out.sources_staged)]))
    in_input = read | unread_here
    counts = Counter(index.statuses(here, set(rows))) + Counter(rows[s]["status"] for s in rows if s in in_input)
    out.statuses = dict.fromkeys(SOURCE_STATUSES, 0) | counts
    staged_here = {s for s in out.new_sources if s in in_input}
    staged_here |= index.present_among(here, set(out.new_sources) - in_input)
    out.n_duplicates = out.statuses["duplicate"]
    out.n_already_published = max(0, out.statuses["document"] - len(staged_here))
    out.updated = [s for s, seen in present.items() if edited_in_place(seen, recorded.get(s))]
    removed = {s: rows[s] for s in changed if s not in in_input}
    log_changes(present, recorded, removed, kept, out.dropped, logger)
    n_gone = index.n_removed(here)
    if n_gone:
        logger.info("%d files in sources are no longer in the input (they keep their last state)", n_gone)
    log_new_sources(out.new_sources, logger)


def first_holders(present: dict[str, Seen], recorded: dict[str, dict], unread_here: set[str]) -> dict[str, str]:
    """Per document, the first file in the input (in reading order) that reads as its content:
    among the files read now and the unchanged ones (not read) that stand for it."""
    files = [(s, seen.doc_id) for s, seen in present.items() if seen.reject is None]
    files += [(s, recorded[s]["doc_id"]) for s in unread_here if recorded[s]["status"] != "rejected"]
    holders: dict[str, str] = {}
    for source, doc_id in sorted(files, key=lambda f: reading_order(f[0])):
        holders.setdefault(doc_id, source)
    return holders


def _retry_unless_lost(task, task_run, state) -> bool:
    """A lost or failing worker process fails the run at once: the pool is stopped, and a retry
    would find none."""
    try:
        state.result()
    except (WorkerLost, WorkerFailed):
        return False
    except Exception:
        return True
    return True


@task(
    name="read-and-clean",
    retries=1,
    retry_delay_seconds=2,
    retry_condition_fn=_retry_unless_lost,
    persist_result=False,
    cache_policy=NO_CACHE,
)
def read_clean_task(
    files: list[str],
    discover_rejects: list[Reject],
    run: Run,
    settings: Settings,
    slots: int,
    pool: WorkerPool | None = None,
) -> Prepared:
    from prefect.logging import get_run_logger

    return read_clean(files, discover_rejects, run, settings, slots, get_run_logger(), pool)
