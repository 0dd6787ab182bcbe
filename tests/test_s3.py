"""The same tables on a real S3-compatible server (moto_server on 127.0.0.1): the publish killed at
every write, the lease, whole runs (incremental, edited in place), the report and eval reading from
S3, and outputs that cannot be used failing before any work."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from newsflow.tasks import storage

from .conftest import start_moto
from .prefect_server import free_port
from .support import REPO, SEED, doc_row, stage_and_swap, table_contents
from .test_crash import crash_case, kill_at_every_write, published_state


def test_tables_on_s3_read_back_with_every_reader(s3):
    out = s3()
    stage_and_swap(out, [doc_row("d1"), doc_row("d2")])
    stage_and_swap(out, [doc_row("d1", "new")], replaced={"d1"})
    docs = {r["doc_id"]: r["text"] for r in storage.read_published(out, "documents").to_pylist()}
    assert docs == {"d1": "new", "d2": "Some text."}
    from deltalake import DeltaTable

    assert DeltaTable(f"{out}/documents").to_pandas().shape[0] == 2  # the contract's pandas reader, unpinned
    from newsflow.flows import queries

    with queries.connect(out) as connection:
        assert connection.sql("SELECT count(*) FROM documents").fetchall() == [(2,)]


@pytest.mark.parametrize("first", [False, True], ids=["onto-published", "first-publish"])
def test_publish_to_s3_killed_before_any_write_leaves_the_old_or_the_new_tables(first, s3, hooks, tmp_path):
    case = crash_case(s3(), hooks, tmp_path / "trace.txt", first)
    kill_at_every_write(case, hooks, s3())


def test_one_run_at_a_time_on_s3(s3):
    out = s3()
    with storage.Lease(out, "first"):
        with pytest.raises(storage.OutputLocked, match=f"another newsflow run \\(pid {os.getpid()}\\) is writing"):
            storage.Lease(out, "second").acquire()
    with storage.Lease(out, "second"):  # released
        pass


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    newsflow = shutil.which("newsflow", path=os.path.dirname(sys.executable))
    return subprocess.run(
        [newsflow, *args], cwd=REPO, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300
    )


def test_outputs_that_cannot_be_used_fail_in_one_line_before_any_work(s3, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    unreachable = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
    cases = {
        "unreachable": (s3(), unreachable, "cannot reach the object store at http://127.0.0.1:"),
        "missing bucket": ("s3://no-such-bucket-here/out", {}, "the bucket does not exist"),
    }
    foreign = s3()
    storage.location.put(foreign, "notes/readme.txt", b"someone else's")
    cases["something else"] = (foreign, {}, "holds something else (notes)")
    # a server that checks credentials: moto with authentication on, and keys it never issued
    port = free_port()
    strict = start_moto(port, INITIAL_NO_AUTH_ACTION_COUNT="1")  # the first request makes the bucket
    try:
        import boto3

        boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}").create_bucket(Bucket="newsflow-test")
        env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "AKIAWRONG0000000000"}
        cases["wrong credentials"] = (s3(), env, "the object store refused the credentials")
        for what, (out, env, message) in cases.items():
            done = cli("run", "--input", str(folder), "--output", out, env=env)
            assert done.returncode == 1, (what, done.stderr[-2000:])
            last = done.stderr.strip().splitlines()[-1]
            assert last.startswith("newsflow run: OutputError: output ") and message in last, (what, last)
            assert "AWS_SECRET_ACCESS_KEY=" not in done.stderr and "testing" not in last
    finally:
        strict.kill()
        strict.wait()
    assert storage.location.keys(foreign) == ["notes/readme.txt"]  # nothing written


@pytest.mark.slow
def test_runs_on_s3_publish_the_tables_of_local_runs_and_the_report_and_eval_read_them(s3, run_flow, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    out, local, report = s3(), tmp_path / "local", None
    for step in ("first", "added", "edited", "again"):
        if step == "added":
            (folder / "bridge.txt").write_text(
                "Bridge reopens\n\nThe bridge reopened on Monday. “It is a good day,” Mayor Anna Berg said.\n"
            )
        if step == "edited":
            seed = folder / SEED.name
            seed.write_text(seed.read_text().replace("Russia is dismissing", "Russia is flatly dismissing", 1))
        remote = run_flow(folder, out)
        here = run_flow(folder, local)
        assert remote["published"] == here["published"] == (step != "again"), step
        assert table_contents(out) == table_contents(local), step
        report = remote["report"] or report
    assert report and os.path.isfile(report)  # the report of the last publishing run, drawn from the S3 tables
    assert "Anna Berg" in open(report, encoding="utf-8").read()
    assert str(report).startswith(os.environ["NEWSFLOW_ARTIFACTS"])
    done = cli("report", "--output", out)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("index.html")
    history = cli("history", "--output", out)
    assert history.returncode == 0 and len(history.stdout.strip().splitlines()) == 3
    maintained = cli("maintain", "--output", out)
    assert maintained.returncode == 0, maintained.stderr[-2000:]
    assert table_contents(out) == table_contents(local)
    assert json.loads(maintained.stdout)["compacted"]


@pytest.mark.slow
def test_eval_publishes_to_s3_and_scores_what_it_reads_back(s3, prefect_api, capsys):
    from newsflow.flows.cli import main

    out = s3()
    nested = REPO / "tests" / "gold" / "nested"
    argv = ["eval", "--input", str(nested / "input"), "--gold", str(nested / "gold"), "--output", out]
    assert main([*argv, "--n-process", "1", "--json"]) == 0
    stdout = capsys.readouterr().out
    scores = json.loads(stdout[stdout.index("{") :])
    assert scores["n_gold"] == 5 and scores["n_matched"] >= 4 and scores["quote_p"] >= 0.8
    sources = set(storage.read_published(out, "documents", ["source"]).column("source").to_pylist())
    assert sources == {"city/001.txt", "sport/001.txt"}


@pytest.mark.slow
def test_dask_workers_that_share_no_folder_with_the_flow_publish_to_s3_the_tables_of_a_local_run(
    s3, run_flow, tmp_path
):
    """An existing Dask cluster whose workers run in folders of their own (working folder, temp
    folder, home) and reach the output only through S3: they read the staged chunks from the
    object store and write their parts there; the flow commits. The tables equal a local run's."""
    from .prefect_server import dask_cluster
    from .support import run_command, write_articles

    corpus = write_articles(tmp_path / "input", 6)
    local = tmp_path / "local"
    run_flow(corpus, local)
    elsewhere = tmp_path / "worker-machine"
    (elsewhere / "tmp").mkdir(parents=True)
    worker_env = {
        **os.environ,
        "HOME": str(elsewhere),
        "TMPDIR": str(elsewhere / "tmp"),
        "DASK_TEMPORARY_DIRECTORY": str(elsewhere / "tmp"),
    }
    out = s3()
    with dask_cluster(tmp_path / "logs", dict(os.environ), worker_env, worker_cwd=elsewhere) as address:
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        command = run_command(corpus, out, "--task-runner", "dask", "--dask-address", address)
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads(done.stdout[done.stdout.index("{") :])
    assert summary["published"] and summary["task_runner"] == "dask" and summary["task_slots"] == 2
    assert table_contents(out) == table_contents(local)
    assert not storage.location.keys(out, storage.tables.STAGING)  # the staged parts went once committed


@pytest.fixture
def api_url(prefect_api) -> str:
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


@pytest.mark.slow
def test_a_run_on_s3_killed_between_two_table_commits_and_a_second_run_at_once(s3, hooks, api_url, run_flow, tmp_path):
    """kill -9 after the first table's commit: readers see the old tables, the next run restores
    the table committed past the manifest and publishes. Meanwhile, a run started while another
    holds the output's lease stops at once with the one-line error."""
    import signal

    from deltalake import DeltaTable

    from .support import hooked_env, newsflow_run, run_hooked
    from .test_crash import NEW_ARTICLE, assert_a_second_run_is_refused, assert_no_leftovers, wait_for

    folder, out = tmp_path / "in", s3()
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    run_flow(folder, out)
    before = published_state(out)
    (folder / "bridge.txt").write_text(NEW_ARTICLE)
    killed = run_hooked(
        newsflow_run(folder, out), hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_KILL="newsflow.storage|commit|2|")
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert published_state(out) == before
    manifest = storage.read_manifest(out)["tables"]
    assert any(DeltaTable(storage.table_url(out, n)).version() > v for n, v in manifest.items()), "no commit left"
    gate = tmp_path / "gate"
    gate.mkdir()
    paused = hooked_env(hooks, PREFECT_API_URL=api_url, NFTEST_PAUSE=f"newsflow.storage|/documents/part-|{gate}")
    first = subprocess.Popen(
        newsflow_run(folder, out), cwd=REPO, env=paused, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(gate / "paused", first)
        assert_a_second_run_is_refused(folder, out, first.pid, hooks, api_url)
        (gate / "release").touch()
        first_out, first_err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, first_err[-3000:]
    summary = json.loads(first_out[first_out.index("{") :])
    assert summary["published"] and summary["new_documents"] == 1
    after = published_state(out)
    assert {d["source"] for d in after["documents"]} == {SEED.name, "bridge.txt"}
    assert_no_leftovers(out)
