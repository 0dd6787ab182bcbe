"""Where a run's work runs, chosen inside the flow from its settings, so that every way a run
starts (`newsflow run`, a deployment run from its schedule or the UI, `newsflow(...)` from
Python) runs alike.

- `local` (the default): the flow's process, with a pool of spawned worker processes
  (`newsflow.tasks.workers`) for reading, cleaning and the parse once the input holds at least
  two batches of files; the analysis is called in the flow's own thread, so a signal that stops
  the flow stops it too.
- `dask`: the analysis of each chunk is a task on a Dask cluster: the one at `dask_address`, or
  a local cluster of `n_process` worker processes (Dask spawns them), one thread each. Every
  worker reports to the flow's Prefect API: its URL travels with each task's settings, the
  temporary one included.
"""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from prefect.futures import as_completed

from newsflow.tasks.analyse import Analysed, analyse_task
from newsflow.tasks.bookkeeping import Prepared
from newsflow.tasks.config import Settings
from newsflow.tasks.nlp.pipeline import PipelineSpec
from newsflow.tasks.storage import Run
from newsflow.tasks.storage.location import artifacts_folder
from newsflow.tasks.validate import ChunkValidation
from newsflow.tasks.workers import WorkerPool


def pool_size(settings: Settings, n_files: int) -> int:
    """Worker processes for a local run over `n_files`: none (all in this process) unless there
    are at least two batches of files for two workers, else up to `n_process`."""
    n = min(settings.n_process, n_files // settings.batch_size)
    return n if n >= 2 else 0


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


@dataclass
class Local:
    """The flow's process and, for larger inputs, a pool of spawned workers."""

    settings: Settings
    n_files: int
    logger: logging.Logger
    pool: WorkerPool | None = None
    slots: int = 1
    _stack: ExitStack = field(default_factory=ExitStack)

    def __enter__(self) -> Local:
        n = pool_size(self.settings, self.n_files)
        if n:
            spec = PipelineSpec(self.settings.model, self.settings.numpy_ops)
            self.pool = self._stack.enter_context(
                WorkerPool(n, name="newsflow-worker", preload=(spec.load, ()), silence=self.settings.worker_timeout)
            )
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.__exit__(*exc)

    def analyse(self, run: Run, prepared: Prepared, early: ChunkValidation | None) -> list[Analysed]:
        """Every chunk through one `nlp.pipe` stream (the workers start once), called in this
        thread; each chunk validated beside the analysis of the next."""
        if not prepared.chunks:
            return []
        started = time.monotonic()
        analysed = analyse_task(
            str(run.staging), prepared.chunks, self.settings, self.pool, early.submit if early else None
        )
        log_progress(self.logger, analysed, prepared.n_new, started)
        return analysed


@dataclass
class Dask:
    """A Dask cluster through prefect-dask's task runner; one task per chunk."""

    settings: Settings
    logger: logging.Logger
    pool: None = None
    slots: int = 1
    _stack: ExitStack = field(default_factory=ExitStack)

    def __enter__(self) -> Dask:
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings
        from prefect_dask import DaskTaskRunner

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

    def _threads(self) -> int:
        """The cluster's worker threads (at least one, for a cluster whose workers have not joined)."""
        return max(1, sum(self.runner.client.nthreads().values()))

    def __exit__(self, *exc: Any) -> None:
        self._stack.__exit__(*exc)

    def analyse(self, run: Run, prepared: Prepared, early: ChunkValidation | None) -> list[Analysed]:
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


def open_engine(settings: Settings, n_files: int, logger: logging.Logger) -> Local | Dask:
    """The engine the settings ask for; use it as a context manager."""
    if settings.task_runner == "dask":
        return Dask(settings, logger)
    return Local(settings, n_files, logger)
