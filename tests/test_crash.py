"""Crash safety, end to end: real processes killed with SIGKILL at chosen moments, and two real
runs on one output folder.

The kill points are deterministic: a `sitecustomize` put on the subprocess's PYTHONPATH adds an
audit hook (`sys.addaudithook`) that sends the process SIGKILL at the n-th file-system event
(rename, link, symlink, mkdir, rmtree, ...) touching a given path. The code under test is the
real code; the hook only watches the system calls it makes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from newsflow.schemas.tables import TABLES, from_rows
from newsflow.tasks import storage

from .support import REPO, SEED, doc_row, hooked_env, newsflow_run, run_hooked, stage_and_swap

SWAP = (
    "import sys; from pathlib import Path; from newsflow.tasks import storage; "
    "storage.swap(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], {'documents': set(sys.argv[4:]), "
    "'mentions': set(sys.argv[4:]), 'rejects': {'scan.pdf'}})"
)


def published_state(out: Path) -> dict[str, list]:
    """What an analyst reads: every table through its link `out/<table>`, rows sorted."""
    state = {}
    for name in TABLES:
        if not (out / name).exists():
            state[name] = None  # no table yet (or a link to a version not yet published)
            continue
        rows = ds.dataset(str(out / name), format="parquet").to_table().to_pylist()
        state[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return state


def assert_no_leftovers(out: Path) -> None:
    layout = storage.Layout(out)
    staging = layout.state / "staging"
    assert not staging.exists() or not any(staging.iterdir())
    versions = sorted(p.name for p in layout.versions.iterdir())
    current = Path(os.readlink(layout.current)).name
    assert current in versions and len(versions) <= storage.KEEP_VERSIONS
    assert all(v <= current and not v.endswith(".tmp") for v in versions)
    assert not (layout.state / "current.tmp").is_symlink()


# -- swap() killed before each of its file-system steps -- -------------------------------------


def stage_next_run(out: Path, run_id: str) -> Path:
    """A run's staged tables: one new document, one replacing an older version's, one reject."""
    staging = storage.Layout(out).staging(run_id)
    storage.stage_table(staging, "documents", "c00000", from_rows("documents", [doc_row("d1", "new"), doc_row("d3")]))
    storage.stage_table(
        staging,
        "rejects",
        "rejects",
        from_rows("rejects", [{"doc_id": "r_1", "source": "scan.pdf", "stage": "ingest", "reason": "not a text file"}]),
    )
    return staging


@pytest.fixture(scope="module")
def swap_case(tmp_path_factory, hooks):
    """A published output (or none, `first`), a staged next run, its trace of file-system steps,
    and the tables as they read after a swap that was not killed."""
    cases = {}
    for first in (False, True):
        base = tmp_path_factory.mktemp("first" if first else "next") / "out"
        if not first:
            stage_and_swap(base, [doc_row("d1", "old", "0.0"), doc_row("d2")])
        run_id = "99990101T000000000000Z-next"
        stage_next_run(base, run_id)
        reference = base.with_name("reference")
        shutil.copytree(base, reference, symlinks=True)
        trace = base.with_name("trace.txt")
        done = run_hooked(
            [sys.executable, "-c", SWAP, str(reference), str(storage.Layout(reference).staging(run_id)), run_id, "d1"],
            hooked_env(hooks, NFTEST_KILL=f"*|{reference}/||", NFTEST_TRACE=str(trace)),
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        steps = trace.read_text().splitlines()
        swap = next(i for i, s in enumerate(steps, 1) if s.startswith("os.rename") and "current.tmp" in s)
        cases[first] = (base, run_id, steps, swap, published_state(base), published_state(reference))
    return cases


@pytest.mark.parametrize("first", [False, True], ids=["onto-published", "first-publish"])
def test_swap_killed_before_any_step_leaves_the_old_or_the_new_tables(swap_case, first, hooks, tmp_path):
    base, run_id, steps, swap, before, after = swap_case[first]
    assert before != after and len(steps) > 10
    for n in range(1, len(steps) + 1):
        out = tmp_path / f"kill-{n}"
        shutil.copytree(base, out, symlinks=True)
        killed = run_hooked(
            [sys.executable, "-c", SWAP, str(out), str(storage.Layout(out).staging(run_id)), run_id, "d1"],
            hooked_env(hooks, NFTEST_KILL=f"*|{out}/|{n}|"),
            timeout=120,
        )
        assert killed.returncode == -signal.SIGKILL, (n, killed.stderr[-2000:])
        expected = before if n <= swap else after
        assert published_state(out) == expected, f"killed before step {n}: {steps[n - 1]}"
        storage.clean_leftovers(out)  # what the next run does first, under the lock
        assert published_state(out) == expected
        if expected is before:  # nothing of the killed run is left, not even a version it never published
            assert not list(storage.Layout(out).state.rglob(f"*{run_id}*")), f"leftovers of a kill before step {n}"
        if expected is after:
            assert_no_leftovers(out)
            continue
        storage.swap(
            out,
            stage_next_run(out, "99990101T000000000001Z-retry"),
            "99990101T000000000001Z-retry",
            {"documents": {"d1"}, "mentions": {"d1"}, "rejects": {"scan.pdf"}},
        )
        assert published_state(out) == after, f"retry after a kill before step {n}: {steps[n - 1]}"
        storage.clean_leftovers(out)
        assert_no_leftovers(out)
        shutil.rmtree(out)


# -- `newsflow run` killed mid-run, and two runs on one output --------------------------------

NEW_ARTICLE = (
    "Harbour bridge reopens\n\nThe harbour bridge in Oslo reopened on Monday after two years of "
    "repairs, city officials said.\n\n“It is a good day for the city,” Mayor Anna Berg said.\n"
)


@pytest.fixture
def api_url(prefect_api) -> str:
    """The session's local Prefect API: subprocess runs use it instead of starting their own."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


@pytest.fixture
def published_seed(run_flow, tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    run_flow(folder, tmp_path / "out")
    (folder / "bridge.txt").write_text(NEW_ARTICLE)
    return folder, tmp_path / "out"


def test_newsflow_run_killed_mid_run_leaves_the_tables_and_the_next_run_cleans_up(
    published_seed, hooks, api_url, run_flow
):
    folder, out = published_seed
    before = published_state(out)
    for moment, kill in {
        "staging the analysis": "os.rename|/mentions/part-|1|",
        "building the next version": "os.link|/versions/|1|",
    }.items():
        killed = run_hooked(newsflow_run(folder, out), hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_KILL=kill))
        assert killed.returncode == -signal.SIGKILL, (moment, killed.stderr[-3000:])
        assert published_state(out) == before, f"killed while {moment}"
        assert list((storage.Layout(out).state / "staging").iterdir()), "the kill left its staging behind"
    killed = run_hooked(
        newsflow_run(folder, out),
        hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_KILL="os.rename|current.tmp|1|after"),
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    after = published_state(out)  # killed right after the swap: the new tables, whole
    assert {d["source"] for d in after["documents"]} == {SEED.name, "bridge.txt"}
    assert len(after["quotes"]) > len(before["quotes"]) and len(after["mentions"]) > len(before["mentions"])
    summary = run_flow(folder, out)
    assert not summary["published"] and summary["already_published"] == 2
    assert published_state(out) == after
    assert_no_leftovers(out)


def test_an_update_killed_between_staging_and_swap_leaves_the_old_tables(published_seed, hooks, api_url, run_flow):
    folder, out = published_seed
    seed = folder / SEED.name
    seed.write_text(seed.read_text().replace("Russia is dismissing", "Russia is flatly dismissing", 1))  # edited
    before = published_state(out)
    [old] = before["documents"]
    # Killed with the next version built (the published parts rewritten without the replaced document,
    # the staged ones moved in), just before the rename that would publish it; every earlier step
    # of the swap is killed in turn by test_swap_killed_before_any_step_leaves_the_old_or_the_new_tables.
    killed = run_hooked(
        newsflow_run(folder, out), hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_KILL="os.rename|current.tmp|1|")
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert published_state(out) == before
    current = storage.published_version(out)
    assert any(v.name > current for v in storage.Layout(out).versions.iterdir()), "killed before the version was built"
    summary = run_flow(folder, out)
    assert summary["published"] and summary["updated"] == 1 and summary["removed_documents"] == 1
    after = published_state(out)
    assert sorted(d["source"] for d in after["documents"]) == sorted([SEED.name, "bridge.txt"])
    assert old["doc_id"] not in {
        r["doc_id"] for name in ("documents", "mentions", "entities", "quotes") for r in after[name]
    }
    assert_no_leftovers(out)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 240) -> None:
    """Until `path` exists; fails if `proc` ends first."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the run ended before {path.name}: {proc.communicate()[1][-3000:]}"
        assert time.monotonic() < deadline, f"no {path.name} within {timeout} s"
        time.sleep(0.05)


def test_two_runs_on_one_output_take_turns(published_seed, hooks, api_url, tmp_path):
    folder, out = published_seed
    gate = tmp_path / "gate"
    gate.mkdir()
    paused = hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_PAUSE=f"os.rename|/documents/part-|{gate}")
    first = subprocess.Popen(
        newsflow_run(folder, out),
        cwd=REPO,
        env=paused,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    waiting = None
    try:
        wait_for(gate / "paused", first)  # the first run holds the lock, mid-way through its work
        second = run_hooked(newsflow_run(folder, out), hooked_env(hooks, PREFECT_API_URL=api_url))
        assert second.returncode == 1
        assert (
            f"newsflow run: OutputLocked: another newsflow run (pid {first.pid}) is writing to {out}: "
            "wait for it to finish, or pass --lock-timeout SECONDS to wait"
        ) in second.stderr.splitlines()
        tried = tmp_path / "tried-the-lock"
        waiting = subprocess.Popen(
            newsflow_run(folder, out, "--lock-timeout", "300"),
            cwd=REPO,
            text=True,
            env=hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_MARK=f"fcntl.flock||{tried}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        wait_for(tried, waiting)
        (gate / "release").touch()
        first_out, first_err = first.communicate(timeout=300)
        waiting_out, waiting_err = waiting.communicate(timeout=300)
    finally:
        for proc in (first, waiting):
            if proc is not None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
    assert first.returncode == 0, first_err[-3000:]
    assert json.loads(first_out[first_out.index("{") :])["new_documents"] == 1
    assert waiting.returncode == 0, waiting_err[-3000:]
    waited = json.loads(waiting_out[waiting_out.index("{") :])
    assert not waited["published"] and waited["already_published"] == 2  # it ran after the first, not with it
    docs = published_state(out)["documents"]
    assert sorted(d["source"] for d in docs) == sorted([SEED.name, "bridge.txt"])
    assert_no_leftovers(out)
