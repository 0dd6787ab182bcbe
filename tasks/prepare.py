"""Ingest and clean every input file, skip what is already published, and stage the new
documents as Parquet chunks for the analysis to read.

Streams: one file at a time is read and cleaned, and a chunk of `chunk_size` documents is
written as soon as it is full, so memory does not grow with the corpus.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from newsflow.schemas.tables import PIPELINE_VERSION, from_rows
from newsflow.tasks.clean import clean_document
from newsflow.tasks.config import Settings
from newsflow.tasks.ingest import read_document
from newsflow.tasks.publish import stage_table
from newsflow.tasks.records import Document, Reject
from prefect import task
from prefect.cache_policies import NO_CACHE

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    chunks: list[str] = field(default_factory=list)  # staged chunk names, e.g. "c00000"
    n_new: int = 0
    new_sources: list[str] = field(default_factory=list)  # the files of the new documents
    n_already_published: int = 0
    n_duplicates: int = 0
    replaced: set[str] = field(default_factory=set)  # doc_ids published under an older pipeline version
    rejects: list[Reject] = field(default_factory=list)
    n_words: int = 0


def document_row(doc: Document) -> dict:
    return {"doc_id": doc.doc_id, "source": doc.source, "title": doc.title, "text": doc.text,
            "n_words": doc.n_words, "pipeline_version": PIPELINE_VERSION}  # fmt: skip


def prepare(
    root: Path,
    files: list[str],
    published: dict[str, str],
    published_rejects: set[str],
    staging: Path,
    settings: Settings,
    logger: logging.Logger = log,
) -> Prepared:
    """Read, clean and stage the documents not yet published; collect the rejects."""
    out = Prepared()
    seen: dict[str, str] = {}  # doc_id → the source that brought it first
    rows: list[dict] = []
    started = time.monotonic()

    def flush() -> None:
        if rows:
            name = f"c{len(out.chunks):05d}"
            stage_table(staging, "documents", name, from_rows("documents", rows))
            out.chunks.append(name)
            rows.clear()

    for i, rel in enumerate(files, 1):
        item = read_document(root, rel, settings.max_bytes)
        if not isinstance(item, Reject):
            item = clean_document(item, settings.max_chars)
        if isinstance(item, Reject):
            if item.doc_id not in published_rejects:  # one row per file (path and content), once
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
        if len(rows) >= settings.chunk_size:
            flush()
        if i % 500 == 0:
            logger.info("read %d/%d files (%.0f files/s)", i, len(files), i / (time.monotonic() - started))
    flush()
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
    root: str,
    files: list[str],
    published: dict[str, str],
    published_rejects: set[str],
    staging: str,
    settings: Settings,
) -> Prepared:
    from prefect.logging import get_run_logger

    return prepare(Path(root), files, published, published_rejects, Path(staging), settings, get_run_logger())
