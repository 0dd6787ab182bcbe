"""The learned speaker ranker (tasks/nlp/speaker_model/): the shipped model, its use in the
pipeline and its training command, on made-up articles in tests/gold/speaker_model."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.tasks.nlp.speaker_model.features import FEATURES, candidates
from newsflow.tasks.nlp.speaker_model.ranker import MODEL_PATH, SpeakerRanker
from newsflow.tasks.nlp.speaker_model.train import main as train

FIXTURE = Path(__file__).parent / "gold" / "speaker_model"
MAX_BYTES = 5 * 1024 * 1024


def test_the_shipped_model_loads_and_is_small():
    assert MODEL_PATH.stat().st_size < MAX_BYTES
    ranker = SpeakerRanker()
    assert ranker.model.features == tuple(FEATURES)
    assert len(ranker.model.roots) == 300  # the README's 300 iterations, one tree each


def test_the_pipeline_runs_the_ranker(spacy_nlp):
    assert isinstance(spacy_nlp.get_pipe("newsflow_quotes").speaker_ranker, SpeakerRanker)


def test_the_model_picks_the_speaker(spacy_nlp):
    """A quote with no cue: the rules find no speaker; the model picks the person who introduces it."""
    text = (
        "The council admitted the mistake on Monday.\n\nMaria Okafor was blunt: \u201cNobody told us "
        "the water was unsafe, and we drank it for a week.\u201d"
    )
    component = spacy_nlp.get_pipe("newsflow_quotes")
    ranker = component.speaker_ranker
    try:
        component.speaker_ranker = None
        doc = spacy_nlp(text)
        rules = [(q._.speaker_name, q._.method) for q in doc.spans["quotes"]]
    finally:
        component.speaker_ranker = ranker
    doc = spacy_nlp(text)
    ranked = [(q._.speaker.text, q._.speaker_name, q._.method) for q in doc.spans["quotes"]]
    assert rules == [(None, "none")]
    assert ranked == [("Maria Okafor", "Maria Okafor", "model")]


def test_candidates_hold_the_cue_subject_and_names_nearby(spacy_nlp):
    from newsflow.tasks.nlp.speaker_model.data import quotes_and_index

    doc = spacy_nlp((FIXTURE / "input" / "001_harbour.txt").read_text(encoding="utf-8"))
    quotes, idx = quotes_and_index(doc, spacy_nlp.get_pipe("newsflow_quotes").lexicon)
    quote = next(q for q in quotes if "proper vote" in q.text)
    surfaces = {c.surface for c in candidates(quote, idx)}
    assert {"Reeves", "Tom Reeves"} <= surfaces
    assert sum(c.is_rule for c in candidates(quote, idx)) == 1


def test_training_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "ranker.npz"
    train(["--input", str(FIXTURE), "--held-out", "--output", str(out)])
    printed = capsys.readouterr().out
    assert "candidates" in printed
    ranker = SpeakerRanker(out)
    assert ranker.model.features == tuple(FEATURES)


def test_the_trees_as_arrays_predict_what_scikit_learn_predicts(tmp_path):
    """`forest.TreeEnsemble` walks the fitted trees with numpy alone: the same probabilities as
    scikit-learn's own predictor, missing values included, after a save and a load."""
    import numpy
    from sklearn.ensemble import HistGradientBoostingClassifier

    from newsflow.tasks.nlp.speaker_model.forest import TreeEnsemble

    rng = numpy.random.default_rng(0)
    rows = rng.normal(size=(3000, 6))
    rows[rng.random(rows.shape) < 0.1] = numpy.nan
    labels = (numpy.nan_to_num(rows[:, 0]) + numpy.nan_to_num(rows[:, 1]) ** 2 + rng.normal(size=3000) > 1).astype(int)
    model = HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(rows[:2000], labels[:2000])
    path = tmp_path / "trees.npz"
    TreeEnsemble.from_sklearn(model, [f"f{i}" for i in range(6)]).save(path)
    trees = TreeEnsemble.load(path)
    assert trees.features == tuple(f"f{i}" for i in range(6))
    assert numpy.allclose(trees.predict_proba(rows[2000:]), model.predict_proba(rows[2000:])[:, 1], rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="6 features"):
        trees.predict_proba(rows[:, :5])


def test_a_run_predicts_without_scikit_learn():
    """The ranker's model loads and predicts in a process that never imports scikit-learn (nor
    scipy): the workers are spared ~1.5 CPU-s and ~60 MB each."""
    import subprocess
    import sys

    code = (
        "import sys, numpy\n"
        "from newsflow.tasks.nlp.speaker_model.ranker import SpeakerRanker\n"
        "ranker = SpeakerRanker()\n"
        "probs = ranker.model.predict_proba(numpy.zeros((3, len(ranker.model.features))))\n"
        "assert probs.shape == (3,) and ((0 <= probs) & (probs <= 1)).all()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
