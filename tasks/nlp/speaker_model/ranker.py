"""The speaker ranker at run time: scores each quote's candidate speakers and changes the rules'
choice only where that measured better on the dev sets (see README.md):

- the rules named a speaker: the model's best candidate replaces it when its probability is
  `margin` above the rules' choice's (and the rules' choice is not a named entity the cue's
  grammar gave: the rules' `cue`, `passive`, `according_to` and `byline` speakers that resolve
  to an entity are kept);
- the rules found no speaker (`method` "none"): the best candidate fills it when its
  probability is at least `fill`;
- a quote that takes the previous quote's speaker (`method` "adjacency", nobody written next to
  it): the best candidate, when it is someone else, replaces the speaker when its probability is
  at least `adjacency`. (When it is the same speaker, `speaker` stays null, as the project's
  gold writes it: PolNeAR's gold names a mention written before the quote instead.)

Registered in spaCy's `misc` registry as `newsflow.speaker_ranker.v1` (an entry point), which the
`newsflow_quotes` component's config names: the model file is read once per process, when the
component is made, not per document. The model's trees are plain arrays (`forest.py`): predicting
needs numpy only, not scikit-learn, which trains them.
"""

from __future__ import annotations

from dataclasses import replace
from importlib.resources import files
from pathlib import Path

import numpy
from spacy.util import registry

from newsflow.tasks.nlp.quotes.index import DocIndex
from newsflow.tasks.nlp.quotes.records import Quote
from newsflow.tasks.nlp.quotes.speakers import speaker_from_token
from newsflow.tasks.nlp.speaker_model.features import FEATURES, candidates, doc_stats, feature_rows
from newsflow.tasks.nlp.speaker_model.forest import TreeEnsemble

MODEL_PATH = Path(str(files("newsflow.tasks.nlp.speaker_model") / "speaker_ranker.npz"))
MARGIN = 0.5
FILL = 0.5
ADJACENCY = 0.7  # 1.1 and above: an adjacency speaker is never replaced
KEEP_METHODS = ("cue", "passive", "according_to", "byline")


class SpeakerRanker:
    """Callable over one document's quotes (`extract_quotes(..., ranker=...)`)."""

    def __init__(
        self, path: Path = MODEL_PATH, margin: float = MARGIN, fill: float = FILL, adjacency: float = ADJACENCY
    ) -> None:
        self.model = TreeEnsemble.load(Path(path))
        if list(self.model.features) != list(FEATURES):
            raise ValueError(f"{path}: the model was trained on other features; train it again (README.md)")
        self.margin = margin
        self.fill = fill
        self.adjacency = adjacency

    def scores(self, quotes: tuple[Quote, ...], idx: DocIndex) -> list[tuple[list, numpy.ndarray]]:
        """Each quote's candidates and their probabilities of naming its speaker."""
        stats = doc_stats(idx)
        per_quote, rows = [], []
        for i, q in enumerate(quotes):
            cands = candidates(q, idx) if self.wants(q) else []
            per_quote.append(cands)
            rows += feature_rows(q, quotes[i - 1] if i else None, cands, idx, stats) if cands else []
        probs = numpy.zeros(0)
        if rows:
            probs = self.model.predict_proba(numpy.asarray(rows, dtype="float64"))
        out, at = [], 0
        for cands in per_quote:
            out.append((cands, probs[at : at + len(cands)]))
            at += len(cands)
        return out

    def wants(self, q: Quote) -> bool:
        """Whether the policy may change this quote's speaker at all."""
        if q.method in ("none", "adjacency"):
            return True
        return q.speaker is not None and not (q.method in KEEP_METHODS and q.speaker_entity_id is not None)

    def __call__(self, quotes: tuple[Quote, ...], idx: DocIndex) -> tuple[Quote, ...]:
        out = list(quotes)
        for i, (cands, probs) in enumerate(self.scores(quotes, idx)):
            if not cands:
                continue
            best = int(numpy.argmax(probs))
            if cands[best].is_rule:
                continue
            q = quotes[i]
            rule = next((p for c, p in zip(cands, probs, strict=True) if c.is_rule), None)
            if rule is not None and probs[best] - rule < self.margin:
                continue
            if q.method == "none" and probs[best] < self.fill:
                continue
            sp = speaker_from_token(cands[best].token, idx, "model", out[:i])
            if sp is None or sp.surface is None:
                continue
            if q.method == "adjacency":
                same = sp.entity_id is not None and sp.entity_id == q.speaker_entity_id or sp.name == q.speaker_name
                if same or probs[best] < self.adjacency:
                    continue  # the previous quote's speaker keeps no mention: nobody is written next to it
            out[i] = replace(
                q,
                speaker=sp.surface,
                speaker_name=sp.name,
                speaker_entity_id=sp.entity_id,
                speaker_title=sp.title,
                method="model",
                speaker_start=sp.start,
            )
        return tuple(out)


@registry.misc("newsflow.speaker_ranker.v1")
def make_speaker_ranker(margin: float = MARGIN, fill: float = FILL, adjacency: float = ADJACENCY) -> SpeakerRanker:
    return SpeakerRanker(MODEL_PATH, margin=margin, fill=fill, adjacency=adjacency)
