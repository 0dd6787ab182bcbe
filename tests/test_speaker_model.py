"""The learned speaker ranker (tasks/nlp/speaker_model/): the shipped model, its use in the
pipeline and its training command, on made-up articles in tests/gold/speaker_model."""

from __future__ import annotations

from pathlib import Path

from newsflow.tasks.nlp.speaker_model.features import FEATURES, candidates
from newsflow.tasks.nlp.speaker_model.ranker import MODEL_PATH, SpeakerRanker
from newsflow.tasks.nlp.speaker_model.train import main as train

FIXTURE = Path(__file__).parent / "gold" / "speaker_model"
MAX_BYTES = 5 * 1024 * 1024


def test_the_shipped_model_loads_and_is_small():
    assert MODEL_PATH.stat().st_size < MAX_BYTES
    ranker = SpeakerRanker()
    assert ranker.model.n_features_in_ == len(FEATURES)


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
    out = tmp_path / "ranker.pkl"
    train(["--input", str(FIXTURE), "--held-out", "--output", str(out)])
    printed = capsys.readouterr().out
    assert "candidates" in printed
    ranker = SpeakerRanker(out)
    assert ranker.model.n_features_in_ == len(FEATURES)
