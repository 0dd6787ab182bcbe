"""The analysis of staged chunks: spaCy (`nlp.pipe`, batched, with the entity and quote
components inside) → mentions, entities and quotes rows → staged Parquet beside each chunk's
documents. Works on any process that can see the staging folder (a Dask worker included).

Several chunks go through one `nlp.pipe`, so spaCy's worker processes start once and never idle
at a chunk's end; rows are written, and memory freed, chunk by chunk. Within a chunk, documents
go to spaCy in the order `balanced_order` gives, so that its batches carry near-equal numbers of
characters; their rows are staged in the chunk's own order all the same.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.schemas.tables import ROW_TABLES, from_rows
from newsflow.tasks.config import Settings
from newsflow.tasks.nlp.pipeline import PipelineSpec, balanced_order, load_pipeline, pipe_rows, pool_rows
from newsflow.tasks.storage import read_staged, stage_table, staged_rows
from newsflow.tasks.workers import WorkerPool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analysed:
    chunk: str
    n_documents: int
    n_words: int
    rows: dict[str, int]
    seconds: float
    n_statements: int = 0  # distinct `quotes.statement_id`: quotes that are one utterance count once


def _documents(staging: str, chunks: list[str], batch_size: int) -> Iterator[tuple[str, tuple[str, int, str, int]]]:
    """(text, (chunk, position, doc_id, n_words)) for every staged document, one chunk file in
    memory at a time; within a chunk in balanced order, `position` being its place in the chunk."""
    fed = 0
    for chunk in chunks:
        table = read_staged(staging, "documents", chunk, ["doc_id", "text", "n_words"])
        texts, doc_ids, n_words = (table.column(c).to_pylist() for c in ("text", "doc_id", "n_words"))
        for i in balanced_order([len(text) for text in texts], batch_size, start=fed):
            yield texts[i], (chunk, i, doc_ids[i], n_words[i])
        fed += len(texts)


def _rows(
    documents: Iterator[tuple[str, tuple[str, int, str, int]]], settings: Settings, pool: WorkerPool | None
) -> Iterator[tuple[tuple[str, int, str, int], dict[str, list[dict]]]]:
    """The documents' rows: in the pool's workers, or in this process when the run has none."""
    if pool is None:
        nlp = load_pipeline(settings.model, settings.numpy_ops)
        nlp.max_length = max(nlp.max_length, settings.max_chars + 1)
        return pipe_rows(nlp, documents, settings.batch_size)

    def describe(batch: list) -> str:
        ids = [context[2][:12] for _, context in batch]
        more = ", ..." if len(ids) > 3 else ""
        return f"parsing {len(batch)} documents of chunk {batch[0][1][0]} ({', '.join(ids[:3])}{more})"

    spec = PipelineSpec(settings.model, settings.numpy_ops)
    return pool_rows(pool, spec, documents, settings.batch_size, settings.max_chars + 1, describe)


def analyse_chunks(
    staging: str,
    chunks: list[str],
    settings: Settings,
    logger: logging.Logger = log,
    pool: WorkerPool | None = None,
    on_staged: Callable[[str], object] | None = None,
) -> list[Analysed]:
    """Analyse the staged chunks in order and stage their rows; one `Analysed` per chunk. With a
    `pool`, spaCy runs in its worker processes; `on_staged` is called with each chunk's name once
    its rows are staged."""
    started = time.monotonic()
    total = sum(staged_rows(staging, "documents", c) for c in chunks)
    done: list[Analysed] = []
    current: str | None = None
    found_at: dict[int, dict[str, list[dict]]] = {}  # the current chunk's rows, by document position
    n_docs = n_words = 0
    chunk_started = started

    def flush() -> None:
        rows: dict[str, list[dict]] = {name: [] for name in ROW_TABLES}
        for position in sorted(found_at):
            for name, table_rows in found_at[position].items():
                rows[name] += table_rows
        counts = {name: len(table_rows) for name, table_rows in rows.items()}
        for name, table_rows in rows.items():
            stage_table(staging, name, current, from_rows(name, table_rows))
        statements = len({(q["doc_id"], q.get("statement_id") or q.get("quote_id")) for q in rows["quotes"]})
        done.append(Analysed(current, n_docs, n_words, counts, time.monotonic() - chunk_started, statements))
        if on_staged is not None:
            on_staged(current)

    documents = _documents(staging, chunks, settings.batch_size)
    for i, ((chunk, position, doc_id, words), found) in enumerate(_rows(documents, settings, pool), 1):
        if chunk != current:
            if current is not None:
                flush()
            current, found_at, n_docs, n_words = chunk, {}, 0, 0
            chunk_started = time.monotonic()
        for table_rows in found.values():
            for row in table_rows:
                row["doc_id"] = doc_id
        found_at[position] = found
        n_docs += 1
        n_words += words
        if i % 200 == 0:
            logger.info("analysed %d/%d documents (%.1f docs/s)", i, total, i / (time.monotonic() - started))
    if current is not None:
        flush()
    return done


@task(name="analyse", retries=0, persist_result=False, cache_policy=NO_CACHE)
def analyse_task(
    staging: str,
    chunks: list[str],
    settings: Settings,
    pool: WorkerPool | None = None,
    on_staged: Callable[[str], object] | None = None,
) -> list[Analysed]:
    from prefect.logging import get_run_logger

    return analyse_chunks(staging, chunks, settings, get_run_logger(), pool, on_staged)
