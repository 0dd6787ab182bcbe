"""Shared fixtures: real spaCy model, real Prefect (its temporary API), real GX, real Parquet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import newsflow.flows  # noqa: F401  (Prefect/GX environment defaults)
from newsflow.tasks.config import Settings

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_1eea282a58a9ee57.txt"
MODEL = os.environ.get("NEWSFLOW_MODEL", Settings.model)


def write_articles(folder: Path, n: int) -> Path:
    """`n` distinct articles made of the seed's paragraphs (its photo caption aside) in rotated order."""
    title, _caption, *paragraphs = [p.strip() for p in SEED.read_text().split("\n\n") if p.strip()]
    folder.mkdir(parents=True)
    for i in range(n):
        body = paragraphs[i % len(paragraphs) :] + paragraphs[: i % len(paragraphs)]
        (folder / f"article-{i}.txt").write_text(f"{title} ({i})\n\n" + "\n\n".join(body) + "\n")
    return folder


@pytest.fixture(scope="session")
def nlp():
    from newsflow.tasks.nlp import load_pipeline

    return load_pipeline(MODEL)


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
