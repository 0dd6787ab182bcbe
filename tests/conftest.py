"""Shared fixtures: real spaCy model, real Prefect (its temporary API), real GX, real Parquet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsflow.tasks.config import apply_environment

apply_environment()  # before any test imports Prefect or Great Expectations

from .support import HOOKS, MODEL, REPO, SEED  # noqa: E402  (after the environment is set)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that runs the flow in-process (through the session's Prefect API) is `slow`;
    tests that start a server, a browser or `newsflow run` as a subprocess say so themselves."""
    for item in items:
        if "prefect_api" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def nlp():
    """The pipeline a run uses (`load_pipeline`): the model, newsflow's stand-ins for its
    lemmatizer and attribute ruler, both components and the rows component."""
    from newsflow.tasks.nlp.pipeline import load_pipeline

    return load_pipeline(MODEL)


@pytest.fixture(scope="session")
def entities_nlp():
    """The model with newsflow's entity component alone, added by name as any spaCy user would."""
    import spacy

    from newsflow.tasks.nlp.pipeline import resolve_model

    pipeline = spacy.load(resolve_model(MODEL))
    pipeline.add_pipe("newsflow_entities")
    return pipeline


@pytest.fixture(scope="session")
def spacy_nlp():
    """The model with newsflow's two components, added by name as any spaCy user would."""
    import spacy

    from newsflow.tasks.nlp.pipeline import resolve_model

    pipeline = spacy.load(resolve_model(MODEL))
    pipeline.add_pipe("newsflow_entities")
    pipeline.add_pipe("newsflow_quotes")
    return pipeline


@pytest.fixture(scope="module")
def quotes_of(spacy_nlp):
    """The quote rows of a text, through both components added by name."""
    from newsflow.tasks.nlp.rows import quote_rows

    def run(text: str) -> list[dict]:
        return quote_rows(spacy_nlp(text))

    return run


@pytest.fixture(scope="module")
def rows_of(entities_nlp):
    """The mention and entity rows of a text, through the entity component added by name."""
    from newsflow.tasks.nlp.rows import entity_rows, mention_rows

    def run(text: str) -> tuple[list[dict], list[dict]]:
        doc = entities_nlp(text)
        return mention_rows(doc), entity_rows(doc)

    return run


@pytest.fixture(scope="module")
def seed(rows_of):
    """The seed article's cleaned text, mention rows and entity rows."""
    from newsflow.tasks.clean import body_text

    text = body_text((REPO / "tests" / "gold" / "seed" / "input" / SEED.name).read_text(encoding="utf-8"))
    mentions, entities = rows_of(text)
    return text, mentions, entities


@pytest.fixture(scope="session")
def prefect_api():
    """One temporary Prefect API for the whole session (no server to install or start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def run_flow(prefect_api):
    """Run the real flow in-process; returns its summary."""
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    def run(input: Path, output: Path, **kwargs) -> dict:
        settings = SettingsForm(input=input, output=str(output), n_process=kwargs.pop("n_process", 1), **kwargs)
        return newsflow(settings)

    return run


@pytest.fixture(scope="session")
def hooks(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hooks")
    (folder / "sitecustomize.py").write_text(HOOKS)
    return folder


S3_BUCKET = "newsflow-test"


def start_moto(port: int, **env: str):
    """A real S3-compatible server (moto_server, from the dev dependencies) on 127.0.0.1:`port`."""
    import subprocess
    import sys
    import time
    import urllib.request

    server = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2)
            return proc
        except OSError:
            assert proc.poll() is None, "moto_server stopped"
            assert time.monotonic() < deadline, "moto_server did not answer within 60 s"
            time.sleep(0.2)


@pytest.fixture(scope="session")
def s3():
    """A local S3 server for the session, with the bucket `newsflow-test`; the standard AWS
    variables point this process and its subprocesses at it. Yields a function giving a fresh
    `s3://newsflow-test/<prefix>` URI per call."""
    import itertools
    import signal
    import socket
    import tempfile

    import boto3

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = start_moto(port)
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
        # the run report and Data Docs of object-store outputs: local files, out of the checkout
        "NEWSFLOW_ARTIFACTS": tempfile.mkdtemp(prefix="newsflow-artifacts-"),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    boto3.client("s3").create_bucket(Bucket=S3_BUCKET)
    counter = itertools.count()
    try:
        yield lambda: f"s3://{S3_BUCKET}/t{os.getpid()}-{next(counter)}"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
