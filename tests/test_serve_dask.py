"""`newsflow serve --task-runner dask` against a real `prefect server start`: the deployment
carries the engine as a parameter, a run triggered as the UI triggers it runs on a local Dask
cluster and publishes the same tables as a local run, and a running deployment run cancelled
through the API ends Cancelled within 60 s with none of its processes left."""

from __future__ import annotations

import time

import psutil
import pytest

from .prefect_server import QUICK_RUN, server_and_serve, wait_until
from .support import assert_ended, table_contents, write_articles

pytestmark = pytest.mark.slow
N_ARTICLES = 24


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_articles(tmp_path_factory.mktemp("serve-dask") / "input", N_ARTICLES)


@pytest.fixture(scope="module")
def served(corpus, tmp_path_factory):
    base = tmp_path_factory.mktemp("serve-dask-base")
    with server_and_serve(base, corpus, "test-dask", "--task-runner", "dask") as served:
        yield served


@pytest.fixture(scope="module")
def local_tables(corpus, tmp_path_factory, prefect_api) -> dict:
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    output = tmp_path_factory.mktemp("serve-dask-local") / "output"
    newsflow(SettingsForm(input=corpus, output=str(output), n_process=1))
    return table_contents(output)


def messages(served, flow_run_id: str) -> list[str]:
    logs = served.post("/logs/filter", {"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 200})
    return [entry["message"] for entry in logs]


def test_the_deployment_carries_the_engine_as_a_parameter(served):
    parameters = served.get(f"/deployments/{served.deployment['id']}")["parameters"]
    settings = {"input": str(served.input), "output": str(served.output), "task_runner": "dask"}
    assert parameters == {"settings": settings}
    schema = served.deployment["parameter_openapi_schema"]["definitions"]["SettingsForm"]["properties"]
    assert {"task_runner", "dask_address", "n_process", "worker_timeout"} <= set(schema)


def test_a_quick_run_runs_on_dask_with_the_local_tables(served, local_tables):
    run = served.post(f"/deployments/{served.deployment['id']}/create_flow_run", QUICK_RUN)
    done = served.wait_for_run(run["id"])
    assert done["state_type"] == "COMPLETED", done["state"]
    logged = messages(served, run["id"])
    assert any("chunks on 2 task slot(s)" in m for m in logged), logged
    assert table_contents(served.output) == local_tables


def test_a_running_deployment_run_cancelled_through_the_api_ends_cancelled(served, tmp_path):
    serve = psutil.Process(served.serve_pid)
    before = {p.pid for p in serve.children(recursive=True)}
    # The UI's custom run: the deployment's settings in the form, the output changed.
    settings = served.get(f"/deployments/{served.deployment['id']}")["parameters"]["settings"]
    body = {**QUICK_RUN, "parameters": {"settings": settings | {"output": str(tmp_path / "output")}}}
    run = served.post(f"/deployments/{served.deployment['id']}/create_flow_run", body)
    seen: set[int] = set()

    def analysing() -> bool | None:
        seen.update(p.pid for p in serve.children(recursive=True))
        return True if any("new documents to analyse" in m for m in messages(served, run["id"])) else None

    wait_until(analysing, 300, "the run's analysis", served.logs)
    seen.update(p.pid for p in serve.children(recursive=True))
    started = time.monotonic()
    served.post(f"/flow_runs/{run['id']}/set_state", {"state": {"type": "CANCELLING", "name": "Cancelling"}})
    done = served.wait_for_run(run["id"], timeout=120)
    assert done["state_type"] == "CANCELLED" and time.monotonic() - started < 60, done["state"]
    assert_ended(seen - before, 30, "processes of the cancelled run")
