"""The content check (issue 30): a learned veto of the quote rules' candidates. The shipped model
loads and is small, it vetoes a non-quote and keeps a quote in the real pipeline, and its training
command runs end to end on a tiny made-up corpus (tests/gold/content_model). Real model, no mocks."""

from __future__ import annotations

from pathlib import Path

import joblib
import pytest
import spacy

from newsflow.tasks.nlp.content_model import load_check, train
from newsflow.tasks.nlp.content_model.check import MODEL_PATH
from newsflow.tasks.nlp.content_model.features import FEATURES
from newsflow.tasks.nlp.lexicon import load_lexicon
from newsflow.tasks.nlp.pipeline import resolve_model

from .support import MODEL

FIXTURE = Path(__file__).parent / "gold" / "content_model"
MAX_BYTES = 5 * 1024 * 1024
KEPT = "We will open more branches,"
VETOED = "premium"  # a word in marks under "paying": no one's speech
FILLER = (
    "The bank opened its new branch on Main Street in March. It employs twelve people and offers loans to small "
    "firms. Its building was a shoe shop until last year. The town council approved the plans in January after a "
    "short debate. Parking is free for customers on weekdays. "
)
TEXT = (
    f'"{KEPT}" the manager, Ana Lopez, said. {FILLER * 3}'
    "Treat the interest like insurance, where you are paying a ''premium'' just to be sure you will have cash."
)


def test_the_shipped_model_loads_and_is_under_the_size_limit():
    assert MODEL_PATH.stat().st_size < MAX_BYTES
    check = load_check()
    assert 0 < check.threshold < 1
    assert check.model.n_features_in_ == len(FEATURES)
    assert set(check.vocab) <= set(FEATURES)


@pytest.fixture(scope="module")
def checked_nlp():
    """The model with both components, the quote component's content check on (its config)."""
    pipeline = spacy.load(resolve_model(MODEL))
    pipeline.add_pipe("newsflow_entities")
    pipeline.add_pipe("newsflow_quotes", config={"content_check": True})
    return pipeline


def test_the_check_is_off_unless_the_config_turns_it_on(spacy_nlp, checked_nlp):
    assert spacy_nlp.get_pipe("newsflow_quotes").content_check is None
    assert checked_nlp.get_pipe("newsflow_quotes").content_check is load_check()


def test_the_model_vetoes_a_non_quote_and_keeps_a_quote(spacy_nlp, checked_nlp):
    unchecked = spacy_nlp(TEXT)  # the rules' candidates, before the veto
    candidates = list(unchecked.spans["quotes"])
    check = load_check()
    probs = check.probabilities(unchecked, candidates, load_lexicon())
    by_text = {c.text: p for c, p in zip(candidates, probs, strict=True)}
    assert by_text[VETOED] < check.threshold <= by_text[KEPT]
    checked = checked_nlp(TEXT)
    kept = [s.text for s in checked.spans["quotes"]]
    assert KEPT in kept and VETOED not in kept


def test_training_on_a_tiny_corpus_runs_end_to_end(tmp_path, capsys, spacy_nlp):
    output = tmp_path / "model.joblib"
    empty = tmp_path / "none"
    empty.mkdir()
    assert train.main(["--input", str(FIXTURE), "--output", str(output), "--exclude", str(empty)]) == 0
    printed = capsys.readouterr().out
    assert "candidates" in printed
    data = joblib.load(output)
    assert data["features"] == FEATURES and data["meta"]["articles"] == 3
    assert 0 < data["meta"]["positives"] < data["meta"]["candidates"]
    check = load_check(output)
    assert check.threshold == train.DEFAULT_THRESHOLD
    doc = spacy_nlp(TEXT)
    probs = check.probabilities(doc, list(doc.spans["quotes"]), load_lexicon())
    assert probs and all(0.0 <= p <= 1.0 for p in probs)
