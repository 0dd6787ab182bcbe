"""Where a run's work runs, chosen inside the flow from its settings, so that every way a run
starts (`newsflow run`, a deployment run from its schedule or the UI, `newsflow(...)` from
Python) runs alike.

- `local` (the default): the flow's process, with a pool of spawned worker processes
  (`newsflow.tasks.workers`) for reading, cleaning and the parse: one per batch of files, at
  least one (none with `n_process` 1); the analysis is called in the flow's own thread, so a
  signal that stops the flow stops it too.
- `dask`: the analysis of each chunk is a task on a Dask cluster: the one at `dask_address`, or
  a local cluster of `n_process` worker processes (Dask spawns them), one thread each. Every
  worker reports to the flow's Prefect API: its URL travels with each task's settings, the
  temporary one included.

Early workers: `newsflow run` starts the local pool first thing (`early_workers`), so that its
workers import spaCy and load the model while Prefect's temporary API starts and the command
imports the flow; the flow's engine adopts that pool when it is the one it would start (same
size, model, ops and timeout), else ends it and starts its own. A flow run started any other way
(a deployment from its schedule or the UI, `newsflow(...)` from Python) starts its own. This
module imports only what the command needs that early; the flow's modules come with its calls.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsflow.tasks.config import Settings
from newsflow.tasks.workers import WorkerPool, validator_pool

if TYPE_CHECKING:
    from newsflow.tasks.analyse import Analysed
    from newsflow.tasks.bookkeeping import Prepared
    from newsflow.tasks.storage import Run
    from newsflow.tasks.validate import ChunkValidation


def pool_size(settings: Settings, n_files: int) -> int:
    """Worker processes for a local run over `n_files`: one per batch of files, up to `n_process`,
    and one for fewer files than a batch, so that the model loads in it while Prefect starts
    (a run adding one file to a large output waits for no model); none (all in this process)
    with `n_process` 1, or no files."""
    if settings.n_process < 2 or n_files < 1:
        return 0
    return min(settings.n_process, max(1, n_files // settings.batch_size))


def count_files(input: Path, enough: int) -> int:
    """The files under `input` (hidden ones left out), counted up to `enough`: the early pool's
    size goes by it, before the flow's discovery counts them exactly."""
    if not input.is_dir():
        return 1
    n = 0
    for _, folders, files in os.walk(input):
        folders[:] = [f for f in folders if not f.startswith(".")]
        n += sum(not f.startswith(".") for f in files)
        if n >= enough:
            return enough
    return n


def load_model(model: str, numpy_ops: bool) -> None:
    """Each worker's preload, beside its first jobs: the pipeline its parses use. A model that
    does not load is not reported from here: the command names it first (`resolve_model`), and a
    worker's first parse raises the same error, as its job's."""
    from newsflow.tasks.nlp.pipeline import PipelineSpec

    try:
        PipelineSpec(model, numpy_ops).load()
    except Exception:
        return


def _pool_key(settings: Settings, n: int) -> tuple:
    return (n, settings.model, settings.numpy_ops, settings.worker_timeout)


def _start_pool(settings: Settings, n: int) -> WorkerPool:
    preload = (load_model, (settings.model, settings.numpy_ops))
    return WorkerPool(n, name="newsflow-worker", preload=preload, silence=settings.worker_timeout)


# The pool `early_workers` started, under its key, until the flow's engine adopts it: at most one.
_EARLY: list[tuple[tuple, WorkerPool]] = []
# The validator process `early_workers` started, until the flow's engine adopts it: at most one.
_EARLY_VALIDATOR: list[WorkerPool] = []


def _take_early_validator() -> WorkerPool | None:
    return _EARLY_VALIDATOR.pop() if _EARLY_VALIDATOR else None


def _take_early(key: tuple | None) -> WorkerPool | None:
    """The early pool if it was started under `key`; any other is ended (its workers killed)."""
    found = None
    while _EARLY:
        started_as, pool = _EARLY.pop()
        if started_as == key:
            found = pool
        else:
            pool.kill()
    return found


@contextmanager
def early_workers(settings: Settings) -> Iterator[None]:
    """Start now the worker pool a local run with `settings` would start, for the flow's engine to
    adopt (the command line, before it imports the flow); whatever the flow did not adopt is
    ended on the way out. Spawned, as every pool: the command's process may have threads by now."""
    if settings.task_runner == "local":
        n = pool_size(settings, count_files(settings.input, settings.n_process * settings.batch_size))
        if n:
            _EARLY.append((_pool_key(settings, n), _start_pool(settings, n)))
        _EARLY_VALIDATOR.append(validator_pool())  # and the validator process, importing Great Expectations
    try:
        yield
    finally:
        _take_early(None)
        while _EARLY_VALIDATOR:
            _EARLY_VALIDATOR.pop().kill()


def log_progress(logger: logging.Logger, done: list[Analysed], total: int, started: float) -> None:
    elapsed = max(time.monotonic() - started, 1e-9)
    n_docs = sum(a.n_documents for a in done)
    logger.info(
        "analysed %d/%d documents (%.1f docs/s, %.0f words/s)",
        n_docs,
        total,
        n_docs / elapsed,
        sum(a.n_words for a in done) / elapsed,
    )


def log_plan(logger: logging.Logger, prepared: Prepared, slots: int) -> None:
    logger.info(
        "%d new documents to analyse in %d chunks on %d task slot(s) (%d already published, "
        "%d duplicates, %d rejected; %d updated in place)",
        prepared.n_new,
        len(prepared.chunks),
        slots,
        prepared.n_already_published,
        prepared.n_duplicates,
        prepared.statuses["rejected"],
        len(prepared.updated),
    )


@dataclass
class Local:
    """The flow's process and, for larger inputs, a pool of spawned workers (`start`)."""

    settings: Settings
    logger: logging.Logger
    run: Run | None = None  # the run whose staged rows the validator process checks
    pool: WorkerPool | None = None
    slots: int = 1
    validation: ChunkValidation | None = None
    _stack: ExitStack = field(default_factory=ExitStack)

    def __enter__(self) -> Local:
        """With a `run`, the validation starts at once, its process importing Great Expectations
        (seconds) while the files are discovered, read and parsed, off the path of a run that adds
        little."""
        if self.run is not None:
            from newsflow.tasks.validate import ChunkValidation

            self.validation = ChunkValidation(self.run, _take_early_validator())
            self.validation.start()
            (pid,) = self.validation.pool.pids
            self.logger.info("validating in a process of its own: newsflow-validator (pid %d)", pid)
        return self

    def start(self, n_files: int) -> None:
        """The pool for `n_files`: the command line's early one when it fits, else a new one (or none)."""
        n = pool_size(self.settings, n_files)
        early = _take_early(_pool_key(self.settings, n))
        if early is not None:
            self.logger.info(
                "adopted the %d worker processes the command line started: %s",
                len(early),
                ", ".join(f"pid {pid}" for pid in early.pids),
            )
            self.pool = self._stack.enter_context(early)
        elif n:
            self.pool = self._stack.enter_context(_start_pool(self.settings, n))

    def __exit__(self, *exc: Any) -> None:
        if self.validation is not None:  # ended by the validate step, else now
            self.validation.close(kill=exc[0] is not None)
        self._stack.__exit__(*exc)

    def stop_workers(self) -> None:
        """End the worker pool once the analysis is done (the validation goes on)."""
        self._stack.close()

    def analyse(self, run: Run, prepared: Prepared) -> list[Analysed]:
        """Every chunk through one `nlp.pipe` stream (the workers start once), called in this
        thread; each chunk staged is validated beside the analysis of the next ones, in the thread
        (`validation`, for the validate step) the engine started (or that starts now)."""
        from newsflow.tasks.analyse import analyse_task
        from newsflow.tasks.validate import ChunkValidation

        log_plan(self.logger, prepared, self.slots)
        if not prepared.chunks:
            return []
        if self.validation is None:
            self.validation = ChunkValidation(run)
            self.validation.start()
        started = time.monotonic()
        try:
            analysed = analyse_task(str(run.staging), prepared.chunks, self.settings, self.pool, self.validation.submit)
        except BaseException:
            self.validation.close(kill=True)
            raise
        self.validation.submit_read(prepared.parts, prepared.drops)  # checked while the people are registered
        log_progress(self.logger, analysed, prepared.n_new, started)
        return analysed


@dataclass
class Dask:
    """A Dask cluster through prefect-dask's task runner; one task per chunk."""

    settings: Settings
    logger: logging.Logger
    pool: None = None
    slots: int = 1
    validation: None = None  # the chunks are validated by the validate step
    _stack: ExitStack = field(default_factory=ExitStack)

    def __enter__(self) -> Dask:
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings
        from prefect_dask import DaskTaskRunner

        from newsflow.tasks.storage.location import artifacts_folder

        if self.settings.dask_address:
            runner = DaskTaskRunner(address=self.settings.dask_address)
        else:
            scratch = artifacts_folder(self.settings.output) / "dask-scratch"
            scratch.mkdir(parents=True, exist_ok=True)
            runner = DaskTaskRunner(
                cluster_kwargs={
                    "n_workers": self.settings.n_process,
                    "threads_per_worker": 1,
                    "processes": True,
                    "local_directory": str(scratch),
                    "dashboard_address": None,
                }
            )
        # The API the flow reports to, the temporary one included: the workers' tasks report there.
        url = PREFECT_API_URL.value()
        if not url:
            with get_client(sync_client=True) as client:
                url = str(client.api_url)
        self._stack.enter_context(temporary_settings(updates={PREFECT_API_URL: url}))
        try:
            self.runner = self._stack.enter_context(runner)
            self.slots = self._threads()
        except BaseException:
            self._stack.close()
            raise
        return self

    def start(self, n_files: int) -> None:
        """Nothing to start: the cluster is up."""

    def _threads(self) -> int:
        """The cluster's worker threads (at least one, for a cluster whose workers have not joined)."""
        return max(1, sum(self.runner.client.nthreads().values()))

    def __exit__(self, *exc: Any) -> None:
        self._stack.__exit__(*exc)

    def stop_workers(self) -> None:
        """End the cluster (or leave the one at `dask_address`) once the analysis is done."""
        self._stack.close()

    def analyse(self, run: Run, prepared: Prepared) -> list[Analysed]:
        from prefect.futures import as_completed

        from newsflow.tasks.analyse import analyse_task

        log_plan(self.logger, prepared, self.slots)
        started = time.monotonic()
        futures = [
            self.runner.submit(
                analyse_task, {"staging": str(run.staging), "chunks": [chunk], "settings": self.settings}
            )
            for chunk in prepared.chunks
        ]
        analysed: list[Analysed] = []
        for future in as_completed(futures):
            analysed += future.result()
            log_progress(self.logger, analysed, prepared.n_new, started)
        return analysed


def open_engine(settings: Settings, logger: logging.Logger, run: Run | None = None) -> Local | Dask:
    """The engine the settings ask for; use it as a context manager, `start` it with the number
    of files to read. Locally, with the `run`, its validator process starts at once."""
    if settings.task_runner == "dask":
        return Dask(settings, logger)
    return Local(settings, logger, run)
