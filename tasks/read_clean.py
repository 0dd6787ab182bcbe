"""The flow's read & clean step: every input file read and cleaned (`newsflow.tasks.reading`,
in the run's worker processes when it has some), each document checked against what is
published (`newsflow.tasks.bookkeeping`), and the documents to analyse staged in chunks.

Streams: files are read and cleaned in order, and a chunk of `chunk_size` documents is written as
soon as it is full, so memory does not grow with the corpus (the sources, one small row per file,
are held whole).
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.schemas.tables import PIPELINE_VERSION, SOURCE_STATUSES, from_rows
from newsflow.tasks.bookkeeping import (
    Prepared,
    Seen,
    StagedChunks,
    document_row,
    edited_in_place,
    log_changes,
    log_new_sources,
    plan_sources,
    read_published_state,
    recorded_sources,
    restage_published,
    sources_signature,
    stage_rejects,
)
from newsflow.tasks.config import Settings
from newsflow.tasks.reading import read_cleaned
from newsflow.tasks.records import Reject, SourceFile
from newsflow.tasks.storage import Run, stage_table
from newsflow.tasks.workers import WorkerFailed, WorkerLost, WorkerPool

log = logging.getLogger(__name__)


def balanced_chunk_size(chunk_size: int, n_files: int, slots: int) -> int:
    """At most `chunk_size`, and small enough that a first run fills every slot with a chunk."""
    return max(1, min(chunk_size, math.ceil(n_files / slots)))


def read_and_clean(
    files: list[str],
    discover_rejects: list[Reject],
    run: Run,
    settings: Settings,
    slots: int = 1,
    logger: logging.Logger = log,
    pool: WorkerPool | None = None,
) -> Prepared:
    """Read and clean the files under `settings.input`; stage the documents to analyse in chunks
    that fill `slots` analysis tasks, the documents rows that move to another file, the rejects
    not yet published and the whole sources table; say which published rows go."""
    published = read_published_state(run.root)
    recorded = recorded_sources(published, run.root)
    logger.info(
        "%d input files under %s; %d documents already published", len(files), settings.input, len(published.versions)
    )
    out = Prepared(sources_published=set(published.sources))
    chunks = StagedChunks(run, out, balanced_chunk_size(settings.chunk_size, len(files), slots))
    present: dict[str, Seen] = {r.source: Seen(SourceFile(r.source, None, None), reject=r) for r in discover_rejects}
    holders: dict[str, str] = {}  # doc_id → the first file that has its content now
    started = time.monotonic()
    for i, (rel, found) in enumerate(zip(files, read_cleaned(files, settings, pool), strict=True), 1):
        for file, item in found:
            if file.source in present:
                logger.warning("skipped %r: its name reads the same as another file's; rename one of them", rel)
                continue
            if isinstance(item, Reject):
                present[file.source] = Seen(file, reject=item)
                logger.warning("rejected %s at %s: %s", item.source, item.stage, item.reason)
                continue
            present[file.source] = Seen(file, doc_id=item.doc_id)
            if item.doc_id in holders:
                out.n_duplicates += 1
                logger.info("%s has the same content as %s: kept once", item.source, holders[item.doc_id])
                continue
            holders[item.doc_id] = item.source
            version = published.versions.get(item.doc_id)
            if version == PIPELINE_VERSION:
                out.n_already_published += 1
                continue
            if version is not None:
                out.replaced.add(item.doc_id)
            chunks.add(document_row(item))
        if i % 500 == 0:
            logger.info("read %d/%d files (%.0f files/s)", i, len(files), i / (time.monotonic() - started))
    rows, kept = plan_sources(present, holders, recorded, run.started)
    out.dropped = published.versions.keys() - kept.keys()
    restage_published(run, published, kept, holders, chunks, out)
    chunks.flush()
    stage_rejects(run, present, published, out)
    stage_table(run.staging, "sources", "sources", from_rows("sources", [rows[s] for s in sorted(rows)]))
    out.sources_changed = sources_signature(rows.values(), present.keys()) != sources_signature(
        published.sources.values(), published.present
    )
    out.statuses = dict.fromkeys(SOURCE_STATUSES, 0) | Counter(rows[s]["status"] for s in present)
    out.updated = [s for s, seen in present.items() if edited_in_place(seen, recorded.get(s))]
    log_changes(present, recorded, published, rows, kept, out.dropped, logger)
    log_new_sources(out.new_sources, logger)
    return out


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

    return read_and_clean(files, discover_rejects, run, settings, slots, get_run_logger(), pool)
