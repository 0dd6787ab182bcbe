"""Crash safety, end to end: real processes killed with SIGKILL at chosen moments, and two real
runs on one output folder.

The kill points are deterministic: a `sitecustomize` put on the subprocess's PYTHONPATH adds an
audit hook (`sys.addaudithook`) that sends the process SIGKILL at the n-th write event touching a
given path: the storage announces each of its writes (a staged part, a table's Delta commit, the
manifest, a removal) as the audit event `newsflow.storage` before it makes it. The code under test is the
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

import pytest
from deltalake import DeltaTable

from newsflow.schemas.tables import TABLES, from_rows
from newsflow.tasks import storage

from .support import REPO, SEED, doc_row, hooked_env, newsflow_run, run_hooked, stage_and_swap

PUBLISH = (
    "import sys; from newsflow.tasks import storage; "
    "storage.publish(sys.argv[1], sys.argv[2], sys.argv[3], {'documents': set(sys.argv[4:]), "
    "'mentions': set(sys.argv[4:]), 'rejects': {'scan.pdf'}})"
)


def published_state(out) -> dict[str, list]:
    """What an analyst reads through the documented readers: every table at the manifest's
    version, rows sorted (None: no table published yet)."""
    manifest = storage.read_manifest(out)
    state = {}
    for name in TABLES:
        if manifest is None or name not in manifest["tables"]:
            state[name] = None
            continue
        rows = storage.read_published(out, name, manifest=manifest).to_pylist()
        state[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return state


def assert_no_leftovers(out) -> None:
    """No staged parts left, and no table ahead of the manifest (a plain Delta reader, which reads
    each table's latest version, sees the published tables too)."""
    url = storage.url_of(out)
    assert not storage.location.keys(url, storage.tables.STAGING)
    manifest = storage.read_manifest(out)
    for name, version in manifest["tables"].items():
        assert DeltaTable(storage.table_url(out, name)).version() == version, name


def repair(out) -> None:
    """What the next run does first, holding the lease."""
    storage.repair(out)
    storage.clean_staging(out)


# -- publish() killed before each of its writes ----------------------------------------------------


def stage_next_run(out, run_id: str) -> str:
    """A run's staged tables: one new document, one replacing an older version's, one reject."""
    staging = storage.staging_url(out, run_id)
    storage.stage_table(staging, "documents", "c00000", from_rows("documents", [doc_row("d1", "new"), doc_row("d3")]))
    storage.stage_table(
        staging,
        "rejects",
        "rejects",
        from_rows("rejects", [{"doc_id": "r_1", "source": "scan.pdf", "stage": "ingest", "reason": "not a text file"}]),
    )
    return staging


def copy_output(src: str, dest: str) -> None:
    """A copy of an output, local or on the S3 server."""
    if "://" not in src:
        shutil.copytree(src, dest, symlinks=True)
        return
    for key in storage.location.keys(src):
        storage.location.put(dest, key, storage.location.get(src, key))


def crash_case(base: str, hooks: Path, trace: Path, first: bool) -> tuple:
    """A published output (or none, `first`), a staged next run, the trace of its publish's
    writes, and the tables as they read before and after a publish that was not killed."""
    if not first:
        stage_and_swap(base, [doc_row("d1", "old", "0.0"), doc_row("d2")])
    run_id = "99990101T000000000000Z-next"
    stage_next_run(base, run_id)
    reference = base + "-reference"
    copy_output(base, reference)
    done = run_hooked(
        [sys.executable, "-c", PUBLISH, reference, storage.staging_url(reference, run_id), run_id, "d1"],
        hooked_env(hooks, NFTEST_KILL=f"newsflow.storage|{reference}/||", NFTEST_TRACE=str(trace)),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    steps = trace.read_text().splitlines()
    publication = next(i for i, s in enumerate(steps, 1) if s.endswith("_newsflow/manifest.json"))
    return base, run_id, steps, publication, published_state(base), published_state(reference)


def kill_at_every_write(case: tuple, hooks: Path, outputs: str) -> None:
    """Publish killed before each of its writes in turn: the tables read as before (killed before
    the manifest) or after; the next run repairs what the kill left, and a retry publishes."""
    base, run_id, steps, publication, before, after = case
    assert before != after and len(steps) >= 5
    for n in range(1, len(steps) + 1):
        out = f"{outputs}/kill-{n}"
        copy_output(base, out)
        killed = run_hooked(
            [sys.executable, "-c", PUBLISH, out, storage.staging_url(out, run_id), run_id, "d1"],
            hooked_env(hooks, NFTEST_KILL=f"newsflow.storage|{out}/|{n}|"),
            timeout=120,
        )
        assert killed.returncode == -signal.SIGKILL, (n, killed.stderr[-2000:])
        expected = before if n <= publication else after
        assert published_state(out) == expected, f"killed before step {n}: {steps[n - 1]}"
        repair(out)
        assert published_state(out) == expected
        if expected is after:
            assert_no_leftovers(out)
            continue
        retry = "99990101T000000000001Z-retry"
        storage.publish(
            out, stage_next_run(out, retry), retry, {"documents": {"d1"}, "mentions": {"d1"}, "rejects": {"scan.pdf"}}
        )
        assert published_state(out) == after, f"retry after a kill before step {n}: {steps[n - 1]}"
        assert_no_leftovers(out)


@pytest.mark.parametrize("first", [False, True], ids=["onto-published", "first-publish"])
def test_publish_killed_before_any_write_leaves_the_old_or_the_new_tables(first, hooks, tmp_path):
    case = crash_case(str(tmp_path / "out"), hooks, tmp_path / "trace.txt", first)
    kill_at_every_write(case, hooks, str(tmp_path))


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
        "staging the analysis": "newsflow.storage|/mentions/part-|1|",
        "between two table commits": "newsflow.storage|commit|2|",
    }.items():
        killed = run_hooked(newsflow_run(folder, out), hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_KILL=kill))
        assert killed.returncode == -signal.SIGKILL, (moment, killed.stderr[-3000:])
        assert published_state(out) == before, f"killed while {moment}"
        assert storage.location.keys(storage.url_of(out), storage.tables.STAGING), "the kill left its staging"
    killed = run_hooked(
        newsflow_run(folder, out),
        hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_KILL="newsflow.storage|manifest.json|1|after"),
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
    # Killed with every table committed (the replaced document deleted, the new one added), just
    # before the manifest that would publish them; every earlier write of the publish is killed in
    # turn by test_publish_killed_before_any_write_leaves_the_old_or_the_new_tables.
    killed = run_hooked(
        newsflow_run(folder, out),
        hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_KILL="newsflow.storage|manifest.json|1|"),
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert published_state(out) == before
    manifest = storage.read_manifest(out)["tables"]
    assert any(DeltaTable(storage.table_url(out, n)).version() > v for n, v in manifest.items()), "not committed"
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


def assert_a_second_run_is_refused(folder: Path, out, holder: int, hooks: Path, api_url: str) -> None:
    """A run started while the run `holder` holds the output's lease stops at once, in one line."""
    second = run_hooked(newsflow_run(folder, out), hooked_env(hooks, PREFECT_API_URL=api_url))
    assert second.returncode == 1
    assert (
        f"newsflow run: OutputLocked: another newsflow run (pid {holder}) is writing to {out}: "
        "wait for it to finish, or pass --lock-timeout SECONDS to wait"
    ) in second.stderr.splitlines()


def test_two_runs_on_one_output_take_turns(published_seed, hooks, api_url, tmp_path):
    folder, out = published_seed
    gate = tmp_path / "gate"
    gate.mkdir()
    paused = hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_PAUSE=f"newsflow.storage|/documents/part-|{gate}")
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
        assert_a_second_run_is_refused(folder, out, first.pid, hooks, api_url)
        tried = tmp_path / "tried-the-lock"
        waiting = subprocess.Popen(
            newsflow_run(folder, out, "--lock-timeout", "300"),
            cwd=REPO,
            text=True,
            env=hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_MARK=f"newsflow.storage|wait|{tried}"),
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
