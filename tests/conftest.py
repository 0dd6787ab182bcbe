"""Shared fixtures: real spaCy model, real Prefect (its temporary API), real GX, real Parquet."""

from __future__ import annotations

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
    from newsflow.tasks.nlp.evaluate import body_text

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

    def run(input: Path, output: Path, **kwargs) -> dict:
        return newsflow(input=str(input), output=str(output), n_process=kwargs.pop("n_process", 1), **kwargs)

    return run


@pytest.fixture(scope="session")
def hooks(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hooks")
    (folder / "sitecustomize.py").write_text(HOOKS)
    return folder
