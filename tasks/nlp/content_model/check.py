"""The shipped content check: a gradient-boosted model that vetoes candidate quotes.

`ContentCheck.keep` scores a document's quote spans at once and drops those whose probability of
being a quote is below the bundle's threshold (chosen on the dev sets, see README.md). The
bundle (`model.joblib`, package data) is read once per process (`load_check`), by the quote
component when it is created, so each worker reads it once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
from spacy.tokens import Doc, Span
from threadpoolctl import ThreadpoolController

from newsflow.tasks.nlp.content_model.features import FEATURES, encode, quote_features
from newsflow.tasks.nlp.lexicon import Lexicon

MODEL_PATH = Path(__file__).with_name("model.joblib")


@dataclass(frozen=True)
class ContentCheck:
    model: Any  # sklearn HistGradientBoostingClassifier
    vocab: dict[str, dict[str, int]]
    threshold: float
    # A document has a handful of candidates: scikit-learn's OpenMP threads, started and spun for
    # each document, cost 25 times the prediction (benchmarks/content_check.py); the workers are
    # the parallelism. Made after the model is loaded (it scans the libraries loaded then: the
    # model's OpenMP runtime), once, not per call.
    threads: ThreadpoolController = field(default_factory=ThreadpoolController, compare=False)

    def probabilities(self, doc: Doc, spans: list[Span], lex: Lexicon) -> list[float]:
        """P(quote) for each span, as the model sees it."""
        if not spans:
            return []
        rows = encode(quote_features(doc, spans, lex), self.vocab)
        with self.threads.limit(limits=1, user_api="openmp"):
            probs = self.model.predict_proba(rows)[:, 1]
        return [float(p) for p in probs]

    def keep(self, doc: Doc, spans: list[Span], lex: Lexicon) -> list[Span]:
        """The spans the model does not veto (probability >= threshold), in their order."""
        probs = self.probabilities(doc, spans, lex)
        return [span for span, p in zip(spans, probs, strict=True) if p >= self.threshold]


def bundle(model: Any, vocab: dict[str, dict[str, int]], threshold: float, meta: dict) -> dict:
    """What `model.joblib` holds."""
    return {"model": model, "vocab": vocab, "threshold": threshold, "features": FEATURES, "meta": meta}


@functools.lru_cache(maxsize=4)
def load_check(path: str | Path = MODEL_PATH, threshold: float | None = None) -> ContentCheck:
    """The check saved at `path` (the packaged model by default); `threshold` overrides the
    bundle's. Raises ValueError when the bundle was trained on other features than this code's."""
    data = joblib.load(path)
    if data["features"] != FEATURES:
        raise ValueError(f"{path}: trained on other features than newsflow's content check computes; retrain it")
    return ContentCheck(data["model"], data["vocab"], data["threshold"] if threshold is None else threshold)
