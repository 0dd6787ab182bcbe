"""Worker processes that are safe to start, stop and kill from a multi-threaded process.

The flow's process has threads (Prefect's log and event services, its API client, the
validation thread), so its workers are never forked from it: they are *spawned* (a fresh
interpreter, `fork` + `exec` in one step, as `subprocess` does), and inherit none of its threads,
locks or signal handlers. Measured on this 2-core machine (docs/performance.md): a
spawned spaCy worker is ready in ~4 s (imports ~2 s, the model ~2 s), in the background while
its first jobs run; a fork server would save only the imports, and run one more long-lived
process per interpreter.

One pool serves the whole run: reading and cleaning (`newsflow.tasks.reading`) and the parse
(`newsflow.tasks.nlp.pipeline`). Jobs are (function, arguments) with a module-level function; results come
back in the order the jobs went in, `in_flight` jobs queued per worker so none waits.

Bounded failure: every worker beats a heart in shared memory once a second, from a thread of
its own. A worker that dies (SIGKILL, SIGTERM, out of memory) is seen through its process
sentinel at once; one whose heart stops for `silence` seconds (stopped, or stuck holding the
interpreter) is killed. Either way `WorkerLost` says which worker, what it was doing and what
became of it, and the pool kills the others: nothing waits without a limit. A worker whose parent
is gone (the run was killed with SIGKILL) kills itself within a second.

Not handled: jobs are not retried (a lost job fails the run: its documents are not published,
and the published tables stay as they were); a job's function must be importable by name.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

log = logging.getLogger(__name__)

BEAT_SECONDS = 1.0


class WorkerLost(RuntimeError):
    """A worker process died or stopped answering: its jobs are lost."""


class WorkerFailed(RuntimeError):
    """A job raised inside a worker process (its traceback follows the first line)."""


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "is still running"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _heartbeat(beat: Any, parent: int) -> None:
    """Beat once a second; end this process when its parent is gone (it was killed)."""
    while True:
        beat.value = time.monotonic()
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # an orphan: nobody will read its results
        time.sleep(BEAT_SECONDS)


def _worker_main(
    inbox: Any, outbox: Connection, beat: Any, parent: int, preload: tuple[Callable, tuple] | None, eager: bool = True
) -> None:
    """A worker: (function, args) from `inbox` → ("ok", result) or ("error", traceback) to
    `outbox`, until None (or the pool ends it). Ctrl-C in a terminal reaches the whole process group: the parent decides
    what happens to its workers, so they ignore SIGINT; SIGTERM keeps its default (end at once)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_heartbeat, args=(beat, parent), daemon=True, name="newsflow-heartbeat").start()

    def start_preload() -> None:  # e.g. load the model while the first jobs (reading files) run
        threading.Thread(target=preload[0], args=preload[1], daemon=True, name="newsflow-preload").start()

    if preload is not None and eager:
        start_preload()
    first = True
    while True:
        job = inbox.get()
        if job is None:
            outbox.close()
            return
        if first and preload is not None and not eager:  # not eager: at the first job
            start_preload()
        first = False
        fn, args = job
        try:
            found: tuple[str, Any] = ("ok", fn(*args))
        except Exception:
            found = ("error", traceback.format_exc())
        outbox.send(found)


@dataclass
class _Worker:
    name: str
    process: Any
    inbox: Any
    outbox: Connection
    beat: Any
    doing: deque[str]  # what each job due from it is, for the message if it is lost


class WorkerPool:
    """`n` spawned worker processes (see the module doc). Use as a context manager: leaving it
    normally stops the workers once they finish; leaving it with an exception (a lost worker, a
    signal, a failed task) kills them. `preload` (function, args) runs in each worker beside its
    jobs: the first worker's from its start, the others' from their first job (a worker that gets
    none loads nothing)."""

    def __init__(
        self,
        n: int,
        name: str = "newsflow-worker",
        preload: tuple[Callable, tuple] | None = None,
        silence: float = 30.0,
        in_flight: int = 2,
    ) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.silence, self.in_flight = silence, in_flight
        self.workers: list[_Worker] = []
        self.broken: str | None = None
        # `kill` may be called from two threads at once (the validation thread sees its worker die
        # while the flow's thread stops the pool): one at a time, and once, or the second would
        # close pipes the first already closed (EBADF, or another's file reusing the number).
        self._ending = threading.Lock()
        self._ended = False
        try:
            for i in range(n):
                receive, send = ctx.Pipe(duplex=False)
                beat = ctx.RawValue("d", time.monotonic())  # no lock: a stopped worker can hold none
                inbox = ctx.Queue()  # one per worker: a killed worker can only break its own
                # The first worker preloads at once, the others at their first job: jobs go to the
                # first worker first, so a small run (one file to read and parse) loads one model.
                process = ctx.Process(
                    target=_worker_main,
                    args=(inbox, send, beat, os.getpid(), preload, i == 0),
                    name=f"{name}-{i}",
                    daemon=True,
                )
                process.start()
                send.close()  # the worker's end: its death then reads as the end of the pipe
                self.workers.append(_Worker(process.name, process, inbox, receive, beat, deque()))
        except BaseException:
            self.kill()
            raise
        log.info(
            "started %d worker processes (spawned): %s",
            n,
            ", ".join(f"{w.name} (pid {w.process.pid})" for w in self.workers),
        )

    def __len__(self) -> int:
        return len(self.workers)

    @property
    def pids(self) -> list[int]:
        return [w.process.pid for w in self.workers]

    def imap(self, fn: Callable, jobs: Iterable[tuple], describe: Callable[[tuple], str] = str) -> Iterator[Any]:
        """`fn(*args)` for each args of `jobs`, in the workers, results in the jobs' order.
        `describe(args)` names a job in the message if its worker is lost."""
        if self.broken:
            raise WorkerLost(self.broken)
        jobs = iter(jobs)
        due: deque[_Worker] = deque()

        def send(worker: _Worker) -> None:
            args = next(jobs, None)
            if args is not None:
                worker.inbox.put((fn, args))
                worker.doing.append(describe(args))
                due.append(worker)

        try:
            for _ in range(self.in_flight):
                for worker in self.workers:
                    send(worker)
            while due:
                worker = due.popleft()
                status, found = self._receive(worker)
                doing = worker.doing.popleft()
                if status == "error":
                    raise WorkerFailed(f"{worker.name} failed on {doing}: {describe_first(found)}\n{found}")
                send(worker)
                yield found
        except BaseException as exc:
            self.broken = self.broken or f"the pool stopped: {type(exc).__name__}: {exc}".splitlines()[0]
            raise
        finally:
            if due and not self.broken:  # the caller stopped reading: results would be out of step
                self.broken = "the pool was left with jobs under way"

    def _receive(self, worker: _Worker) -> tuple[str, Any]:
        """The worker's next result, or `WorkerLost` once it or any other worker is dead or
        silent (a worker lost while another's long batch is awaited is not waited for)."""
        sentinels = {w.process.sentinel: w for w in self.workers}
        while True:
            try:
                ready = wait([worker.outbox, *sentinels], timeout=BEAT_SECONDS)
            except OSError:  # another thread is ending the pool (`kill`): its pipes are closed
                if not (self._ended or self._ending.locked()):
                    raise
                raise WorkerLost(self.broken or "the pool was stopped") from None
            if worker.outbox in ready:
                try:
                    return worker.outbox.recv()
                except (EOFError, OSError):
                    worker.process.join(timeout=5)
                    raise self._lost(worker, _describe_exit(worker.process.exitcode)) from None
            for sentinel in ready:
                dead = sentinels[sentinel]
                dead.process.join(timeout=5)
                raise self._lost(dead, _describe_exit(dead.process.exitcode))
            for other in self.workers:
                quiet = time.monotonic() - other.beat.value
                if quiet > self.silence:
                    other.process.kill()
                    other.process.join(timeout=5)
                    raise self._lost(other, f"stopped answering for {quiet:.0f} s and was killed")

    def _lost(self, worker: _Worker, what: str) -> WorkerLost:
        doing = f"while on {worker.doing[0]}" if worker.doing else "while idle"
        hint = ""
        if worker.process.exitcode == -signal.SIGKILL:
            hint = " (if the system ran out of memory, lower --n-process or NEWSFLOW_MAX_CHARS)"
        self.broken = f"worker {worker.name} (pid {worker.process.pid}) {what} {doing}{hint}"
        self.kill()
        return WorkerLost(self.broken)

    def close(self) -> None:
        """End the workers once every job is answered: they hold nothing then, so SIGTERM loses
        nothing and spares each the teardown of its interpreter (~1 s freeing a model)."""
        self.kill(signal.SIGTERM)

    def kill(self, how: signal.Signals = signal.SIGKILL) -> None:
        """End every worker now (SIGKILL unless said otherwise) and free the pipes; safe to call
        more than once, and from several threads at once (the first call does it, the others wait
        for it to be done)."""
        with self._ending:
            if self._ended:
                return
            for worker in self.workers:
                if worker.process.is_alive():
                    os.kill(worker.process.pid, how)
            for worker in self.workers:
                worker.process.join(timeout=5)
                if worker.process.is_alive():  # SIGTERM not heeded within 5 s
                    worker.process.kill()
                    worker.process.join(timeout=5)
                worker.inbox.cancel_join_thread()  # what a dead worker never read is dropped
                worker.inbox.close()
                worker.outbox.close()
            self._ended = True

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is None and not self.broken:
            self.close()
        else:
            self.kill()


def import_for_validation(*modules: str) -> None:
    """The validator's preload: `modules` imported, tqdm's lock made a thread lock first. Great
    Expectations draws its progress bars with tqdm, whose default lock holds a semaphore shared
    between processes; the validator, ended by a signal, would leave it to the resource tracker,
    which then warns of a "leaked semaphore" as the run exits."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover  (Great Expectations requires it)
        pass
    else:
        tqdm.set_lock(threading.RLock())
    for module in modules:
        importlib.import_module(module)


def validator_pool(silence: float = 120.0) -> WorkerPool:
    """The process that validates a run's staged tables (`newsflow.tasks.validate.ChunkValidation`
    sends it `newsflow.tasks.validator`'s jobs): a pool of one, named `newsflow-validator`, that
    imports Great Expectations and the validator's module from its start (its preload names them,
    so whoever starts it need not have imported anything of them)."""
    preload = (import_for_validation, ("great_expectations", "newsflow.tasks.validator"))
    return WorkerPool(1, name="newsflow-validator", preload=preload, silence=silence)


def describe_first(text: str) -> str:
    """The last line of a traceback: what was raised."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "a job"
