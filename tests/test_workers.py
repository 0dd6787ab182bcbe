"""The run's worker processes: spawned (never forked), results in order, and every way a worker
can be lost (SIGKILL, SIGTERM, stopped, its parent killed) ends in a bounded time with a reason
that names it. Real processes, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import psutil
import pytest
import spacy
from spacy.language import Language

from newsflow.tasks.nlp.pipeline import pool_rows
from newsflow.tasks.workers import WorkerFailed, WorkerLost, WorkerPool

from .support import REPO, assert_ended


def _count_tokens(doc):
    if doc.text == "explode":
        raise ValueError("this component cannot take 'explode'")
    if doc.text == "hang":
        time.sleep(600)
    doc._.table_rows = {"tokens": [{"n": len(doc)}]}
    return doc


@dataclass(frozen=True)
class CountingSpec:
    """A small pipeline in the workers' place of the model: spaCy's blank English and one
    component, so order, failures and deaths show in milliseconds."""

    def load(self) -> Language:
        from spacy.tokens import Doc

        if not Doc.has_extension("table_rows"):
            Doc.set_extension("table_rows", default=None)
        if "test_count_tokens" not in Language.factories:
            Language.component("test_count_tokens")(_count_tokens)
        nlp = spacy.blank("en")
        nlp.add_pipe("test_count_tokens")
        return nlp


def square(x: int) -> int:
    return x * x


def state_of_the_worker() -> dict:
    """What a worker inherited: its start method, threads and signal handlers."""
    import multiprocessing

    return {
        "method": multiprocessing.get_start_method(allow_none=True) or "",
        "threads": threading.active_count(),
        "sigterm_default": signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
        "prefect_loaded": "prefect" in sys.modules,
    }


def numpy_huge_pages() -> tuple[str | None, bool]:
    import numpy._core.multiarray as multiarray  # reads numpy's setting; changes nothing

    return os.environ.get("NUMPY_MADVISE_HUGEPAGE"), multiarray._get_madvise_hugepage()


def faults_of_a_second_large_array(mib: int = 64) -> tuple[int, int]:
    """Page faults of allocating, filling and freeing a `mib` MB array, the first time and again."""
    import resource

    import numpy

    faults = []
    for _ in range(2):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        array = numpy.ones(mib * 2**20 // 8)
        del array
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return faults[0], faults[1]


def sleep_then(x: float) -> float:
    time.sleep(x)
    return x


def assert_gone(pids: list[int], within: float = 10.0) -> None:
    assert_ended(pids, within, "worker processes")


def test_results_come_back_in_order_over_uneven_batches():
    texts = [" ".join(["word"] * (i % 13 + 1)) for i in range(203)]  # 203 = 6 batches of 32 and 11
    with WorkerPool(2) as pool:
        found = list(pool_rows(pool, CountingSpec(), ((t, i) for i, t in enumerate(texts)), batch_size=32))
        assert list(pool.imap(square, [(i,) for i in range(50)])) == [i * i for i in range(50)]
        pids = pool.pids
    assert [context for context, _ in found] == list(range(203))
    assert [rows["tokens"][0]["n"] for _, rows in found] == [i % 13 + 1 for i in range(203)]
    assert_gone(pids)


def test_workers_are_spawned_fresh_from_a_process_with_prefects_handlers():
    """A process with threads and a Python SIGTERM handler (as the flow's has): its workers are
    spawned, run only their own heartbeat thread, keep the default SIGTERM and import nothing of
    Prefect."""
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    busy = threading.Thread(target=time.sleep, args=(5,), daemon=True)
    busy.start()
    try:
        with WorkerPool(1) as pool:
            [state] = list(pool.imap(state_of_the_worker, [()]))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert state == {"method": "spawn", "threads": 2, "sigterm_default": True, "prefect_loaded": False}


def test_workers_ask_numpy_for_no_huge_pages():
    """The run's environment (`apply_environment`, here by the test suite's conftest as by the
    command line) reaches the spawned workers before they import numpy: the parse's large arrays
    are not faulted in as zeroed 2 MB pages (a fifth of a worker's CPU on the BBC)."""
    with WorkerPool(1) as pool:
        [(variable, huge_pages)] = list(pool.imap(numpy_huge_pages, [()]))
    assert (variable, huge_pages) == ("0", False)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's settings")
def test_workers_keep_the_memory_they_free_instead_of_faulting_it_in_again():
    """glibc's malloc settings of the run's environment reach the spawned workers: an array of
    tens of MB (a batch's layer output) freed and allocated again reuses the same pages. By
    glibc's default it is mapped fresh each time, every page a fault (16,384 for 64 MB), which
    was ~5 CPU-s of kernel time per worker over the BBC corpus."""
    with WorkerPool(1) as pool:
        [(first, again)] = list(pool.imap(faults_of_a_second_large_array, [()]))
    assert first > 10_000  # the first time the pages are new: the measure sees faults
    assert again < 1_000


def test_a_failing_job_stops_the_pool_with_its_traceback():
    with WorkerPool(2) as pool:
        with pytest.raises(WorkerFailed, match=r"(?s)newsflow-worker-1 failed on a batch of 1 documents.*'explode'"):
            list(pool_rows(pool, CountingSpec(), [("fine", 0), ("explode", 1), ("fine", 2)], batch_size=1))
        pids = pool.pids
    assert_gone(pids)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_worker_fails_the_run_at_once_naming_it_and_its_job(how):
    with WorkerPool(2) as pool:
        victim = pool.workers[1].process
        results = pool.imap(sleep_then, [(0.1,), (3.0,), (0.1,), (0.1,)], describe=lambda job: f"sleeping {job[0]} s")
        assert next(results) == 0.1
        os.kill(victim.pid, how)
        started = time.monotonic()
        with pytest.raises(WorkerLost) as lost:
            list(results)
        assert time.monotonic() - started < 5
        pids = pool.pids
    assert str(lost.value).startswith(
        f"worker newsflow-worker-1 (pid {victim.pid}) was killed by {how.name} while on sleeping 3.0 s"
    )
    assert_gone(pids)
    with pytest.raises(WorkerLost, match="was killed by"):
        list(pool.imap(square, [(1,)]))  # a lost pool takes no more work


def test_a_worker_lost_while_another_works_on_a_long_job_is_not_waited_for():
    with WorkerPool(2) as pool:
        results = pool.imap(sleep_then, [(30.0,), (0.1,)], describe=lambda job: f"sleeping {job[0]} s")
        victim = pool.workers[1].process
        started = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)
        with pytest.raises(WorkerLost, match=rf"newsflow-worker-1 \(pid {victim.pid}\) was killed by SIGKILL"):
            list(results)
        assert time.monotonic() - started < 5


def test_a_stopped_worker_is_killed_once_silent_for_the_limit():
    with WorkerPool(2, silence=3) as pool:
        victim = pool.workers[0].process
        results = pool.imap(sleep_then, [(2.0,), (0.1,)])
        os.kill(victim.pid, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(WorkerLost, match=r"newsflow-worker-0 .* stopped answering for \d s and was killed"):
            list(results)
        assert 3 <= time.monotonic() - started < 10
        pids = pool.pids
    assert_gone(pids)


def test_a_worker_stuck_in_a_job_still_answers_and_is_not_killed():
    """Silence is a stopped heartbeat, not a long job: a batch may take longer than the limit."""
    with WorkerPool(1, silence=2) as pool:
        assert list(pool.imap(sleep_then, [(4.0,)])) == [4.0]


ORPHAN = """
import sys, time
from newsflow.tasks.workers import WorkerPool
pool = WorkerPool(2)
print(" ".join(map(str, pool.pids)), flush=True)
time.sleep(600)
"""


def test_workers_end_when_their_parent_is_killed(tmp_path):
    """A run killed with SIGKILL cannot stop its workers: they see it gone and end themselves."""
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(psutil.pid_exists(p) for p in pids)
        parent.kill()
        parent.wait()
        assert_gone(pids, within=5)
    finally:
        parent.kill()
        parent.wait()


def test_the_pool_stopped_from_several_threads_at_once_is_stopped_once():
    """The flow's thread kills the validator's pool while the validation thread awaits it, and that
    thread, seeing its worker die, ends the pool too: every stopping thread returns without error
    (no pipe closed twice), and the awaiting one gets `WorkerLost`."""
    for _ in range(5):
        pool = WorkerPool(1)
        awaited: list[BaseException] = []

        def await_the_worker(pool: WorkerPool = pool, awaited: list = awaited) -> None:
            try:
                list(pool.imap(sleep_then, [(30.0,)], describe=lambda job: "sleeping"))
            except BaseException as exc:  # noqa: BLE001  (what the thread met, asserted below)
                awaited.append(exc)

        waiter = threading.Thread(target=await_the_worker)
        waiter.start()
        time.sleep(0.3)
        start = threading.Barrier(4)
        errors: list[BaseException] = []

        def stop(pool: WorkerPool = pool, start: threading.Barrier = start, errors: list = errors) -> None:
            start.wait()
            try:
                pool.kill()
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        stoppers = [threading.Thread(target=stop) for _ in range(3)]
        for thread in stoppers:
            thread.start()
        start.wait()
        for thread in [*stoppers, waiter]:
            thread.join(timeout=20)
        assert errors == []
        assert len(awaited) == 1 and isinstance(awaited[0], WorkerLost), awaited
        assert_gone(pool.pids)


VALIDATOR_WITH_PROGRESS_BARS = """
from newsflow.tasks.workers import validator_pool


def draw_a_progress_bar() -> int:  # as Great Expectations does, progress bars off or not
    from tqdm import tqdm

    return sum(tqdm(range(3), disable=True))


if __name__ == "__main__":
    pool = validator_pool()
    assert list(pool.imap(draw_a_progress_bar, [()])) == [3]
    pool.close()  # SIGTERM: the validator's own exit handlers do not run
"""


def test_the_validator_leaves_no_semaphore_to_warn_of_at_exit(tmp_path):
    """tqdm's default lock is a semaphore shared between processes; the validator is ended by a
    signal, so it uses a thread lock instead, and the run ends with no "leaked semaphore" warning."""
    script = tmp_path / "validator_with_progress_bars.py"
    script.write_text(VALIDATOR_WITH_PROGRESS_BARS)
    done = subprocess.run([sys.executable, str(script)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "leaked semaphore" not in done.stderr, done.stderr
