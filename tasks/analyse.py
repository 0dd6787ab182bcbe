"""The analysis of one staged chunk: spaCy (`nlp.pipe`, batched, with the entity and quote
components inside) → mentions, entities and quotes rows → staged Parquet beside the chunk's
documents. Works on any process that can see the staging folder (a Dask worker included)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
from prefect import task
from prefect.cache_policies import NO_CACHE

from schemas.tables import from_rows
from tasks.config import Settings
from tasks.nlp import analyse, load_pipeline
from tasks.publish import stage_table, staged_path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analysed:
    chunk: str
    n_documents: int
    n_words: int
    rows: dict[str, int]
    seconds: float


def analyse_chunk(staging: Path, chunk: str, settings: Settings, logger: logging.Logger = log) -> Analysed:
    started = time.monotonic()
    documents = pq.read_table(staged_path(staging, "documents", chunk), columns=["doc_id", "text", "n_words"])
    doc_ids = documents.column("doc_id").to_pylist()
    nlp = load_pipeline(settings.model, settings.numpy_ops)
    nlp.max_length = max(nlp.max_length, settings.max_chars + 1)
    rows: dict[str, list[dict]] = {"mentions": [], "entities": [], "quotes": []}
    items = zip(documents.column("text").to_pylist(), doc_ids, strict=True)
    # Worker processes only pay off with at least one batch each.
    n_process = max(1, min(settings.n_process, len(doc_ids) // settings.batch_size))
    for i, (_doc_id, doc_rows) in enumerate(analyse(nlp, items, n_process, settings.batch_size), 1):
        for name, table_rows in doc_rows.items():
            rows[name] += table_rows
        if i % 200 == 0:
            elapsed = time.monotonic() - started
            logger.info("chunk %s: %d/%d documents (%.1f docs/s)", chunk, i, len(doc_ids), i / elapsed)
    counts = {}
    for name, table_rows in rows.items():
        stage_table(staging, name, chunk, from_rows(name, table_rows))
        counts[name] = len(table_rows)
    n_words = sum(documents.column("n_words").to_pylist())
    return Analysed(chunk, len(doc_ids), n_words, counts, time.monotonic() - started)


@task(name="analyse-chunk", retries=0, persist_result=False, cache_policy=NO_CACHE)
def analyse_task(staging: str, chunk: str, settings: Settings) -> Analysed:
    from prefect.logging import get_run_logger

    return analyse_chunk(Path(staging), chunk, settings, get_run_logger())
