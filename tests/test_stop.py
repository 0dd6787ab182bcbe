"""A run always ends, end to end with real processes and real signals: `newsflow run` over more
files than its worker pool needs, a worker killed with SIGKILL or SIGTERM while reading or while
parsing, and the whole run stopped with SIGTERM (as `timeout`, a supervisor or a cancellation
does): each ends within its limit, exits non-zero with a reason naming what was lost, leaves the
published tables as they were and no process behind.

Workers are killed at a chosen moment by a `sitecustomize` on the run's PYTHONPATH: spawned
workers load it too, and it signals the worker itself when it opens a given input file.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from newsflow.schemas.tables import TABLES
from newsflow.tasks import storage

from .support import REPO, assert_ended, run_command, write_articles

pytestmark = pytest.mark.slow

N_ARTICLES = 40
BATCH = "2"  # documents per spaCy batch: 40 articles make 20 batches for 2 workers

HOOK = r"""
import os, signal, sys
SPEC = os.environ.get("NFTEST_WORKER_SIGNAL", "")  # "<part of a path>|<signal name>"
if SPEC and "--multiprocessing-fork" in sys.argv:  # in the run's spawned workers only
    part, name = SPEC.split("|")
    def hook(event, args):
        if event == "open" and args and isinstance(args[0], (str, os.PathLike)) and part in os.fspath(args[0]):
            os.kill(os.getpid(), getattr(signal, name))
    sys.addaudithook(hook)
"""


@pytest.fixture(scope="module")
def hook_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stop-hooks")
    (folder / "sitecustomize.py").write_text(HOOK)
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_articles(tmp_path_factory.mktemp("stop") / "input", N_ARTICLES)


@pytest.fixture
def published(corpus, tmp_path, prefect_api) -> Path:
    """An output that already holds a published version: two of the articles."""
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    first = tmp_path / "first"
    first.mkdir()
    for name in ("article-0.txt", "article-1.txt"):
        (first / name).write_bytes((corpus / name).read_bytes())
    output = tmp_path / "output"
    newsflow(SettingsForm(input=first, output=str(output), n_process=1))
    return output


def tables(output: Path) -> dict[str, list]:
    return {name: sorted(map(str, storage.read_published(output, name).to_pylist())) for name in TABLES}


class Run:
    """`newsflow run` in a session of its own (as a terminal or `timeout` starts it), its stderr
    in a file, and every process it ever had, sampled while it runs."""

    def __init__(self, input: Path, output: Path, env: dict[str, str], log: Path) -> None:
        self.log = log
        command = run_command(input, output, "--n-process", "2")
        self.err = open(log, "w")
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=self.err, start_new_session=True
        )
        self.seen: set[int] = set()
        self.done = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        root = psutil.Process(self.process.pid)
        while not self.done.is_set():
            try:
                self.seen |= {p.pid for p in root.children(recursive=True)}
            except psutil.Error:
                return
            time.sleep(0.1)

    def workers(self) -> list[psutil.Process]:
        """The run's analysis workers: its spawned processes but the validator (its pid is logged)."""
        validator = re.findall(r"newsflow-validator \(pid (\d+)\)", self.log.read_text(errors="replace"))
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
            return [
                p
                for p in children
                if "--multiprocessing-fork" in p.cmdline()
                and "spawn_main" in " ".join(p.cmdline())
                and str(p.pid) not in validator
            ]
        except psutil.Error:
            return []

    def wait_for_log(self, text: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log.read_text(errors="replace"):
            assert self.process.poll() is None, f"the run ended before {text!r}:\n{self.stderr()}"
            assert time.monotonic() < deadline, f"no {text!r} within {timeout} s:\n{self.stderr()}"
            time.sleep(0.1)

    def wait(self, timeout: float) -> tuple[int, float]:
        started = time.monotonic()
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            self.done.set()
            self.err.close()
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return code, time.monotonic() - started

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def assert_nothing_left(self, within: float = 10.0) -> None:
        assert_ended(self.seen, within, "processes of the run")


def env_for(hook_path: Path | None = None, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NFTEST_", "PREFECT_API_URL"))}
    env["NEWSFLOW_BATCH_SIZE"] = BATCH
    if hook_path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(hook_path), str(REPO)])
    return env | variables


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_a_worker_killed_while_reading_fails_the_run_naming_it(corpus, published, hook_path, tmp_path, how):
    before = tables(published)
    run = Run(corpus, published, env_for(hook_path, NFTEST_WORKER_SIGNAL=f"article-17.txt|{how}"), tmp_path / "err")
    code, _ = run.wait(timeout=300)
    assert code == 1, run.stderr()
    last = run.stderr().strip().splitlines()[-1]
    assert last.startswith("newsflow run: WorkerLost: worker newsflow-worker-"), last
    assert f"was killed by {how} while on reading " in last and "article-17.txt" in last, last
    assert tables(published) == before
    run.assert_nothing_left()


@pytest.fixture(scope="module")
def long_corpus(tmp_path_factory) -> Path:
    """Enough articles that the parse lasts a few seconds even with the model loaded before the
    flow starts (early workers): the corpus's first articles, as `published` holds them, and more."""
    return write_articles(tmp_path_factory.mktemp("stop-long") / "input", 6 * N_ARTICLES)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_worker_killed_while_parsing_fails_the_run_within_the_limit(long_corpus, published, tmp_path, how):
    before = tables(published)
    run = Run(long_corpus, published, env_for(), tmp_path / "err")
    run.wait_for_log("new documents to analyse")
    time.sleep(1.0)
    victims = run.workers()
    assert len(victims) == 2, run.stderr()
    # The workers the command started before Prefect, adopted by the flow (flows/engine.py).
    [adopted] = [line for line in run.log.read_text(errors="replace").splitlines() if "adopted the 2 worker" in line]
    assert all(f"pid {v.pid}" in adopted for v in victims), adopted
    victims[0].send_signal(how)
    code, seconds = run.wait(timeout=120)
    assert code == 1 and seconds < 60, run.stderr()
    last = run.stderr().strip().splitlines()[-1]
    assert f"(pid {victims[0].pid}) was killed by {how.name} while on parsing 2 documents of chunk c0" in last, last
    assert tables(published) == before
    run.assert_nothing_left()


@pytest.mark.parametrize("api", ["temporary", "server"])
def test_sigterm_to_the_run_stops_it_within_30_s(long_corpus, published, tmp_path, prefect_api, api):
    """SIGTERM to the run's process group, as `timeout` sends it, during the analysis: every
    process ends within 30 s, the tables are as they were, and the flow run ends Crashed (not
    Running) on the API it reported to."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    before = tables(published)
    env = env_for(**({"PREFECT_API_URL": url} if api == "server" else {}))
    run = Run(long_corpus, published, env, tmp_path / "err")
    run.wait_for_log("new documents to analyse")
    time.sleep(1.5)
    assert len(run.workers()) == 2
    os.killpg(run.process.pid, signal.SIGTERM)
    code, seconds = run.wait(timeout=60)
    assert code != 0 and seconds < 30, (code, seconds, run.stderr())
    assert tables(published) == before
    run.assert_nothing_left()
    if api == "server":
        runs = httpx.post(f"{url}/flow_runs/filter", json={"sort": "START_TIME_DESC", "limit": 1}, timeout=30).json()
        assert runs[0]["state_type"] in ("CRASHED", "CANCELLED"), runs[0]["state"]
