"""The quotes package (tasks/nlp/quotes/) as a whole: quote extraction on realistic sentences and
on the gold sets, through the spaCy component and `quote_rows`, with the real model (no mocks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.tasks.clean import body_text
from newsflow.tasks.nlp.metric import load_gold, not_quote_hits, score, word_f1, words
from newsflow.tasks.nlp.rows import quote_rows

from .support import one

GOLD = Path(__file__).parent / "gold"


def predict_gold_set(spacy_nlp, folder: Path) -> dict[str, list[dict]]:
    paths = sorted((folder / "input").glob("*.txt"))
    texts = [body_text(p.read_text(encoding="utf-8")) for p in paths]
    return {p.name: quote_rows(doc) for p, doc in zip(paths, spacy_nlp.pipe(texts), strict=True)}


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n\n", "“", "”", '"' * 300, "“ ” " * 200, "He said “" + "x " * 5000, "‘’'" * 100, "word " * 20000],
)
def test_never_raises_and_always_slices_back(quotes_of, text):
    for row in quotes_of(text):
        assert text[row["start_char"] : row["end_char"]] == row["text"]


# --------------------------------------------------------------------------- gold


def test_seed_gold(spacy_nlp):
    predicted = predict_gold_set(spacy_nlp, GOLD / "seed")
    result = score(predicted, GOLD / "seed" / "gold")
    assert result["e2e_f1"] >= 0.9, result["misses"]
    assert not not_quote_hits(predicted, load_gold(GOLD / "seed" / "gold"))


def test_seed_cues_types_and_titles(spacy_nlp):
    predicted = predict_gold_set(spacy_nlp, GOLD / "seed")["000_1eea282a58a9ee57.txt"]
    gold = load_gold(GOLD / "seed" / "gold")["000_1eea282a58a9ee57.txt"]["quotes"]
    for g in gold:
        row = max(predicted, key=lambda q: word_f1(words(q["text"]), words(g["text"])))
        assert row["cue"] == g["cue"], (g["text"], row["cue"])
        assert row["speaker"] == g["speaker_surface"], (g["text"], row["speaker"])
        assert row["speaker_name"] == g["speaker"]
    assert one(predicted, "strict accordance")["speaker_title"] == "Russian Foreign Ministry spokeswoman"


def test_extra_gold(spacy_nlp):
    predicted = predict_gold_set(spacy_nlp, GOLD / "extra")
    result = score(predicted, GOLD / "extra" / "gold")
    assert result["quote_f1"] >= 0.85, result["misses"]
    assert result["e2e_f1"] >= 0.8, result["misses"]
    assert not not_quote_hits(predicted, load_gold(GOLD / "extra" / "gold"))
