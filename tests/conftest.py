"""Shared fixtures: real spaCy model, real Prefect (its temporary API), real GX, real Parquet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsflow.tasks.config import Settings, apply_environment

apply_environment()  # before any test imports Prefect or Great Expectations

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_1eea282a58a9ee57.txt"
MODEL = os.environ.get("NEWSFLOW_MODEL", Settings.model)


def running(pid: int) -> bool:
    """Whether a process is alive (a zombie, dead but not yet reaped, is not)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


RUN_TIMES = ("first_seen", "last_seen")  # when the runs ran: the one thing two runs need not share


def table_contents(output: Path) -> dict[str, list[tuple]]:
    """Every published row of every table, in a canonical order (part files and chunking aside)."""
    from newsflow.schemas.tables import TABLES
    from newsflow.tasks import storage

    def key(row: tuple) -> tuple:
        return tuple((value is None, value) for value in row)

    def rows(name: str) -> list[tuple]:
        columns = [c for c in TABLES[name].names if c not in RUN_TIMES]
        return [tuple(row.values()) for row in storage.read_published(output, name, columns).to_pylist()]

    return {name: sorted(rows(name), key=key) for name in TABLES}


def write_articles(folder: Path, n: int) -> Path:
    """`n` distinct articles made of the seed's paragraphs (its photo caption aside) in rotated order."""
    title, _caption, *paragraphs = [p.strip() for p in SEED.read_text().split("\n\n") if p.strip()]
    folder.mkdir(parents=True)
    for i in range(n):
        body = paragraphs[i % len(paragraphs) :] + paragraphs[: i % len(paragraphs)]
        (folder / f"article-{i}.txt").write_text(f"{title} ({i})\n\n" + "\n\n".join(body) + "\n")
    return folder


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
    from newsflow.tasks.nlp import load_pipeline

    return load_pipeline(MODEL)


@pytest.fixture(scope="session")
def entities_nlp():
    """The model with newsflow's entity component alone, added by name as any spaCy user would."""
    import spacy

    from newsflow.tasks.nlp import resolve_model

    pipeline = spacy.load(resolve_model(MODEL))
    pipeline.add_pipe("newsflow_entities")
    return pipeline


@pytest.fixture(scope="session")
def spacy_nlp():
    """The model with newsflow's two components, added by name as any spaCy user would."""
    import spacy

    from newsflow.tasks.nlp import resolve_model

    pipeline = spacy.load(resolve_model(MODEL))
    pipeline.add_pipe("newsflow_entities")
    pipeline.add_pipe("newsflow_quotes")
    return pipeline


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

    def run(input: Path, output: Path, **kwargs) -> dict:
        return newsflow(input=str(input), output=str(output), n_process=kwargs.pop("n_process", 1), **kwargs)

    return run
