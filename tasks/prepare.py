"""Ingest and clean every input file, skip what is already published, and stage the new
documents as Parquet chunks for the analysis to read, and the run's rejects (discover's and its
own, those not published before) as the rejects table.

Streams: one file at a time is read and cleaned, and a chunk of `chunk_size` documents is
written as soon as it is full, so memory does not grow with the corpus.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.schemas.tables import PIPELINE_VERSION, REJECT_ID_COLUMN, from_rows, record_row
from newsflow.tasks.clean import clean_document
from newsflow.tasks.config import Settings
from newsflow.tasks.ingest import read_inputs
from newsflow.tasks.records import Document, Reject
from newsflow.tasks.storage import Run, published_ids, stage_table

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    chunks: list[str] = field(default_factory=list)  # staged chunk names, e.g. "c00000"
    n_new: int = 0
    new_sources: list[str] = field(default_factory=list)  # the files of the new documents
    n_already_published: int = 0
    n_duplicates: int = 0
    replaced: set[str] = field(default_factory=set)  # doc_ids published under an older pipeline version
    rejects: list[Reject] = field(default_factory=list)  # new this run: discover's, then ingest's and clean's
    n_words: int = 0

    @property
    def changed(self) -> bool:
        """Whether the run has anything to publish."""
        return bool(self.n_new or self.rejects)


def document_row(doc: Document) -> dict:
    return record_row("documents", doc, authors=list(doc.authors), pipeline_version=PIPELINE_VERSION)


def reject_row(reject: Reject) -> dict:
    return record_row("rejects", reject, **{REJECT_ID_COLUMN: reject.reject_id})


def balanced_chunk_size(chunk_size: int, n_files: int, slots: int) -> int:
    """At most `chunk_size`, and small enough that a first run fills every slot with a chunk."""
    return max(1, min(chunk_size, math.ceil(n_files / slots)))


def prepare(
    files: list[str],
    discover_rejects: list[Reject],
    run: Run,
    settings: Settings,
    slots: int = 1,
    logger: logging.Logger = log,
) -> Prepared:
    """Read and clean the files under `settings.input`, stage the documents not yet published in
    chunks that fill `slots` analysis tasks, and stage the rejects not yet published."""
    published, published_rejects = published_ids(run.root)
    logger.info("%d input files under %s; %d documents already published", len(files), settings.input, len(published))
    chunk_size = balanced_chunk_size(settings.chunk_size, len(files), slots)
    # One row per file (path and content), once: a reject published by an earlier run is not added again.
    out = Prepared(rejects=[r for r in discover_rejects if r.reject_id not in published_rejects])
    seen: dict[str, str] = {}  # doc_id → the source that brought it first
    rows: list[dict] = []
    started = time.monotonic()

    def flush() -> None:
        if rows:
            name = f"c{len(out.chunks):05d}"
            stage_table(run.staging, "documents", name, from_rows("documents", rows))
            out.chunks.append(name)
            rows.clear()

    for i, rel in enumerate(files, 1):
        for item in read_inputs(settings.input, rel, settings.max_bytes):
            if not isinstance(item, Reject):
                item = clean_document(item, settings.max_chars)
            if isinstance(item, Reject):
                if item.reject_id not in published_rejects:
                    out.rejects.append(item)
                logger.warning("rejected %s at %s: %s", item.source, item.stage, item.reason)
                continue
            if item.doc_id in seen:
                out.n_duplicates += 1
                logger.info("%s has the same content as %s: kept once", item.source, seen[item.doc_id])
                continue
            seen[item.doc_id] = item.source
            version = published.get(item.doc_id)
            if version == PIPELINE_VERSION:
                out.n_already_published += 1
                continue
            if version is not None:
                out.replaced.add(item.doc_id)
            rows.append(document_row(item))
            out.n_new += 1
            out.new_sources.append(item.source)
            out.n_words += item.n_words
            if len(rows) >= chunk_size:
                flush()
        if i % 500 == 0:
            logger.info("read %d/%d files (%.0f files/s)", i, len(files), i / (time.monotonic() - started))
    flush()
    stage_table(run.staging, "rejects", "rejects", from_rows("rejects", [reject_row(r) for r in out.rejects]))
    log_new_sources(out.new_sources, logger)
    return out


def log_new_sources(sources: list[str], logger: logging.Logger, show: int = 20) -> None:
    """Say which files this run processes: on an incremental run, the new ones alone."""
    if not sources:
        logger.info("no new documents: every readable file is already published")
        return
    names = ", ".join(sources[:show]) + (f" and {len(sources) - show} more" if len(sources) > show else "")
    logger.info("processing %d new document%s (not published before): %s", len(sources),
                "" if len(sources) == 1 else "s", names)  # fmt: skip


@task(name="ingest-and-clean", retries=1, retry_delay_seconds=2, persist_result=False, cache_policy=NO_CACHE)
def prepare_task(
    files: list[str], discover_rejects: list[Reject], run: Run, settings: Settings, slots: int
) -> Prepared:
    from prefect.logging import get_run_logger

    return prepare(files, discover_rejects, run, settings, slots, get_run_logger())
