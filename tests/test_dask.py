"""`newsflow run --task-runner dask`, on a local cluster it starts and on an existing cluster
(`dask scheduler` + `dask worker` processes): the chunks are spread over the workers, all of them
report to one Prefect API, and the published tables equal the default runner's."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from .prefect_server import dask_cluster
from .support import REPO, run_command, table_contents, write_articles

pytestmark = pytest.mark.slow
N_DOCUMENTS = 6


def newsflow_run(input: Path, output: Path, *flags: str) -> tuple[dict, str]:
    """`newsflow run --task-runner dask` as a user runs it (no PREFECT_API_URL): its summary and logs."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    command = run_command(input, output, "--task-runner", "dask", *flags)
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout[done.stdout.index("{") :]), done.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_articles(tmp_path_factory.mktemp("dask") / "input", N_DOCUMENTS)


@pytest.fixture(scope="module")
def local_tables(corpus, tmp_path_factory, prefect_api) -> dict:
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    output = tmp_path_factory.mktemp("local") / "output"
    assert newsflow(SettingsForm(input=corpus, output=str(output), n_process=1))["new_documents"] == N_DOCUMENTS
    return table_contents(output)


def assert_ran_on_dask(summary: dict, log: str, workers: int) -> None:
    assert summary["published"] and summary["new_documents"] == N_DOCUMENTS
    chunks = re.search(rf"in (\d+) chunks on {workers} task slot\(s\)", log)
    assert chunks and int(chunks.group(1)) >= workers, "the documents were not split over the workers"
    assert log.count("Starting temporary server") == 1, "the Dask workers did not share the one Prefect API"


def test_a_local_dask_cluster_publishes_the_same_tables(corpus, local_tables, tmp_path):
    output = tmp_path / "output"
    summary, log = newsflow_run(corpus, output, "--n-process", "2")
    assert_ran_on_dask(summary, log, workers=2)
    assert table_contents(output) == local_tables
    assert (output / "dask-scratch").is_dir()  # Dask's local directory, not /tmp/dask-scratch-space


def test_an_existing_dask_cluster_publishes_the_same_tables(corpus, local_tables, tmp_path):
    env = {**os.environ, "DASK_TEMPORARY_DIRECTORY": str(tmp_path / "dask")}
    with dask_cluster(tmp_path / "logs", env) as address:
        summary, log = newsflow_run(corpus, tmp_path / "output", "--dask-address", address)
    assert_ran_on_dask(summary, log, workers=2)
    assert table_contents(tmp_path / "output") == local_tables


def test_a_python_caller_choosing_dask_runs_on_dask(corpus, local_tables, tmp_path, prefect_api):
    """`newsflow(SettingsForm(task_runner="dask"))` from Python: the flow itself starts the cluster."""
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    summary = newsflow(SettingsForm(input=corpus, output=str(tmp_path / "output"), task_runner="dask", n_process=2))
    assert (summary["task_runner"], summary["task_slots"]) == ("dask", 2)
    assert table_contents(tmp_path / "output") == local_tables
