"""The analysis of staged chunks: batches balanced by characters, rows staged in the chunk's order."""

from __future__ import annotations

import random
from pathlib import Path

from spacy.util import minibatch

from newsflow.schemas.tables import PIPELINE_VERSION, from_rows
from newsflow.tasks import storage
from newsflow.tasks.analyse import analyse_chunks
from newsflow.tasks.config import Settings
from newsflow.tasks.nlp.pipeline import balanced_order, batch_sizes, pipe_rows
from newsflow.tasks.nlp.rows import ROW_TABLES
from newsflow.tasks.workers import WorkerPool

from .support import MODEL


def batch_loads(lengths: list[int], batch_size: int, start: int = 0) -> list[tuple[int, int]]:
    """(documents, characters) of each batch that `nlp.pipe` cuts from the balanced order."""
    order = balanced_order(lengths, batch_size, start)
    loads, fed = [], 0
    for size in batch_sizes(len(lengths), batch_size, start):
        loads.append((size, sum(lengths[i] for i in order[fed : fed + size])))
        fed += size
    return loads


def article_lengths(rng: random.Random, n: int) -> list[int]:
    """Characters of `n` news articles: mostly a few thousand, now and then a long read."""
    return [int(rng.lognormvariate(8, 1.0)) + (rng.random() < 0.05) * rng.randint(20_000, 300_000) for _ in range(n)]


def test_batch_sizes_are_the_batches_spacy_cuts_after_earlier_documents():
    for batch_size in (1, 3, 64):
        for start in (0, 1, 40, 63, 64, 1000):
            for n in (0, 1, 5, 64, 100, 1000):
                stream = [None] * start + list(range(n))
                cut = [sum(x is not None for x in batch) for batch in minibatch(stream, batch_size)]
                assert batch_sizes(n, batch_size, start) == [size for size in cut if size], (batch_size, start, n)


def test_balanced_order_is_a_permutation_keeping_order_within_each_batch_and_the_same_every_time():
    rng = random.Random(7)
    for n, batch_size, start in ((0, 64, 0), (1, 64, 0), (10, 3, 2), (1000, 64, 40), (333, 8, 5)):
        lengths = article_lengths(rng, n)
        order = balanced_order(lengths, batch_size, start)
        assert sorted(order) == list(range(n))
        assert balanced_order(list(lengths), batch_size, start) == order
        fed = 0
        for size in batch_sizes(n, batch_size, start):
            assert order[fed : fed + size] == sorted(order[fed : fed + size])
            fed += size


def test_full_batches_differ_by_at_most_the_longest_document_and_a_short_batch_takes_no_long_reads():
    rng = random.Random(14)
    for case in range(200):
        n, batch_size, start = rng.randint(2, 1200), rng.choice([2, 8, 64]), rng.randint(0, 200)
        lengths = article_lengths(rng, n)
        if case % 2:  # the worst case for file order: a feed's long reads all together
            lengths.sort(reverse=True)
        loads = batch_loads(lengths, batch_size, start)
        full = [chars for size, chars in loads if size == batch_size]
        if len(full) > 1:
            assert max(full) - min(full) <= max(lengths), (case, full)
        for size, chars in loads:
            if full and size < batch_size:
                assert chars <= size * min(full) / batch_size + max(lengths), (case, size, chars, full)


def test_long_reads_together_in_the_file_are_spread_over_the_batches():
    lengths = [250_000] * 4 + [3_000] * 124  # four long reads first, then ordinary articles
    # In file order the first batch would carry 1,180,000 characters and the second 192,000.
    assert batch_loads(lengths, 64) == [(64, 686_000), (64, 686_000)]


PARAGRAPHS = [
    "The harbour board said on Monday that the new ferry terminal would open in the spring.",
    '"We have waited a long time for this," said Anna Whitfield, who chairs the residents\' group.',
    "Councillor Peter Okafor told reporters the cost had risen by a third since the plans were drawn.",
    '"Nobody should be surprised that steel costs more now," the board\'s chief executive, Lena Marsh, said.',
    "Fishermen who use the old quay say they were not asked about the new mooring fees.",
    "The terminal will carry about 400,000 passengers a year, according to the board's own forecast.",
]


def article(n_paragraphs: int, seed: int) -> str:
    rng = random.Random(seed)
    return "\n\n".join(rng.choice(PARAGRAPHS) for _ in range(n_paragraphs))


def stage_documents(staging: Path, chunk: str, texts: list[str]) -> list[str]:
    doc_ids = [f"{chunk}-d{i}" for i in range(len(texts))]
    rows = [
        {
            "doc_id": doc_id,
            "source": f"{doc_id}.txt",
            "title": None,
            "text": text,
            "n_words": len(text.split()),
            "authors": [],
            "pipeline_version": PIPELINE_VERSION,
        }
        for doc_id, text in zip(doc_ids, texts, strict=True)
    ]
    storage.stage_table(staging, "documents", chunk, from_rows("documents", rows))
    return doc_ids


def test_rows_are_staged_in_each_chunks_order_as_if_fed_in_file_order(nlp, tmp_path: Path):
    """Two chunks, long articles first in each, through spaCy's worker processes in batches of 2:
    the staged rows equal, row for row and in order, those of the documents fed in file order."""
    staging = storage.staging_url(tmp_path, storage.new_run_id())
    chunks = {
        "c00000": [article(30, 1), article(25, 2), article(2, 3), article(1, 4), article(3, 5)],
        "c00001": [article(20, 6), article(1, 7), article(2, 8), article(18, 9)],
    }
    ids = {chunk: stage_documents(staging, chunk, texts) for chunk, texts in chunks.items()}
    assert balanced_order([len(t) for t in chunks["c00000"]], 2) != [0, 1, 2, 3, 4]
    assert balanced_order([len(t) for t in chunks["c00001"]], 2, start=5) != [0, 1, 2, 3]

    settings = Settings(input=tmp_path, output=tmp_path, model=MODEL, n_process=2, batch_size=2)
    with WorkerPool(2) as pool:
        analysed = analyse_chunks(staging, list(chunks), settings, pool=pool)

    assert [(a.chunk, a.n_documents) for a in analysed] == [("c00000", 5), ("c00001", 4)]
    for chunk, texts in chunks.items():
        expected: dict[str, list[dict]] = {name: [] for name in ROW_TABLES}
        for doc_id, found in pipe_rows(nlp, zip(texts, ids[chunk], strict=True)):
            for name, rows in found.items():
                expected[name] += [{**row, "doc_id": doc_id} for row in rows]
        assert expected["quotes"] and expected["mentions"]
        for name in ROW_TABLES:
            staged = storage.read_staged(staging, name, chunk).to_pylist()
            assert staged == from_rows(name, expected[name]).to_pylist(), (chunk, name)
