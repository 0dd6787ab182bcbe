"""`newsflow serve` against a real `prefect server start`: the deployment is registered with its
schedule and parameters, and a run created the way the UI's Quick run creates it completes,
publishes, logs its progress and leaves its summary as artifacts."""

import os
import shutil
import subprocess
import sys

import pytest

from newsflow.schemas.tables import TABLES
from newsflow.tasks import storage

from .prefect_server import CRON, QUICK_RUN, server_and_serve
from .support import REPO, SEED
from .test_settings import check_form_schema

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("serve")
    (base / "input").mkdir()
    shutil.copy(SEED, base / "input" / SEED.name)
    with server_and_serve(base, base / "input", "test-serve") as served:
        yield served


@pytest.fixture(scope="module")
def quick_run(served) -> dict:
    run = served.post(f"/deployments/{served.deployment['id']}/create_flow_run", QUICK_RUN)
    return served.wait_for_run(run["id"])


def test_the_deployment_has_the_cron_schedule_and_the_parameters_with_their_defaults(served):
    deployment = served.get(f"/deployments/{served.deployment['id']}")
    assert deployment["name"] == "test-serve" and deployment["entrypoint"] == "newsflow.flows.newsflow.newsflow"
    assert [(s["schedule"]["cron"], s["active"]) for s in deployment["schedules"]] == [(CRON, True)]
    assert deployment["parameters"] == {"settings": {"input": str(served.input), "output": str(served.output)}}
    # One `settings` parameter, a form of every setting in the UI, each field explained.
    check_form_schema(deployment["parameter_openapi_schema"])
    form = deployment["parameter_openapi_schema"]["definitions"]["SettingsForm"]["properties"]
    assert "publish" in form["output"]["description"] and "else output" in form["output"]["description"]


def test_a_quick_run_completes_and_publishes_the_tables(served, quick_run):
    assert quick_run["state_type"] == "COMPLETED", quick_run["state"]
    assert quick_run["parameters"] == {"settings": {"input": str(served.input), "output": str(served.output)}}
    assert storage.read_published(served.output, "documents").num_rows == 1
    speakers = set(storage.read_published(served.output, "quotes", ["speaker_name"]).column(0).to_pylist())
    assert {"Maria Zakharova", "Konstantin Kosachev"} <= speakers
    assert all((served.output / name).is_dir() for name in TABLES)


def test_the_run_logs_its_progress(served, quick_run):
    logs = served.post("/logs/filter", {"logs": {"flow_run_id": {"any_": [quick_run["id"]]}}, "limit": 200})
    messages = [entry["message"] for entry in logs]
    assert any(m.startswith("analysed 1/1 documents (") and "docs/s" in m for m in messages), messages


def test_the_run_summary_is_left_as_markdown_and_table_artifacts(served, quick_run):
    artifacts = served.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [quick_run["id"]]}}})
    by_key = {a["key"]: a for a in artifacts}
    assert {"newsflow-run-summary", "newsflow-top-speakers", "newsflow-top-entities"} <= set(by_key)
    summary = by_key["newsflow-run-summary"]["data"]
    assert "| quotes |" in summary and "Validation: **passed**" in summary
    assert "share of women among those of known gender: **" in summary and "(95% interval " in summary
    speakers = by_key["newsflow-top-speakers"]["data"]
    named = by_key["newsflow-top-entities"]["data"]  # the most named people (the report's aggregates)
    assert "Maria Zakharova" in speakers and "## Most named people" in named and "Maria Zakharova" in named


def test_the_runs_data_docs_render_every_suites_results(served, quick_run):
    site = served.output / "validation" / "latest" / "gx" / "uncommitted" / "data_docs" / "local_site"
    html = (site / "index.html").read_text()
    for suite in TABLES:
        assert suite in html and any((site / "validations" / suite).rglob("*.html")), suite


def test_serve_without_an_api_url_says_how_to_start_a_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"PREFECT_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.flows.cli", "serve"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "prefect server start" in done.stderr
