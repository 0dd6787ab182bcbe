"""The shipped object proposer: gradient-boosted trees over `candidates.py`'s features that say
which verb objects report what someone said, claimed or asked for ("accused him of ...",
"announced his resignation"), contents the clause rules do not propose.

`ObjectProposer(doc)` gives (start_char, end_char, verb index) for each candidate whose
probability is at least the threshold, the most probable per verb, none overlapping another.
The model (`object_proposer.npz`, package data: gradient-boosted trees as plain arrays, their
feature names and the threshold) is read once per process and predicts with numpy alone
(`TreeEnsemble`, the speaker ranker's).
Registered in spaCy's `misc` registry as `newsflow.object_proposer.v1` (an entry point), which
the `newsflow_quotes` component's `object_proposer` setting names.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy
from spacy.tokens import Doc
from spacy.util import registry

from newsflow.tasks.nlp.object_model.candidates import Candidate, candidate_features, object_candidates, one_hot
from newsflow.tasks.nlp.speaker_model.forest import TreeEnsemble

MODEL_PATH = Path(str(files("newsflow.tasks.nlp.object_model") / "object_proposer.npz"))


@dataclass(frozen=True)
class ObjectProposer:
    trees: TreeEnsemble
    threshold: float
    index: dict[str, int]

    def probabilities(self, doc: Doc, candidates: list[Candidate]) -> numpy.ndarray:
        """P(the candidate is a quote's content) for each candidate."""
        return self.trees.predict_proba(one_hot([candidate_features(doc, c) for c in candidates], self.index))

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        candidates = object_candidates(doc)
        if not candidates:
            return []
        probs = self.probabilities(doc, candidates)
        chosen: list[Candidate] = []
        taken: set[int] = set()
        for i in numpy.argsort(-probs, kind="stable"):
            c = candidates[int(i)]
            if probs[i] < self.threshold:
                break
            if c.verb in taken or any(c.start <= o.end and o.start <= c.end for o in chosen):
                continue
            chosen.append(c)
            taken.add(c.verb)
        chosen.sort(key=lambda c: c.start)
        return [(doc[c.start].idx, doc[c.end].idx + len(doc[c.end].text), c.verb) for c in chosen]


def save_proposer(path: Path, trees: TreeEnsemble, threshold: float) -> None:
    trees.save(path, proposer_threshold=numpy.asarray([threshold]))


@functools.lru_cache(maxsize=4)
def load_proposer(path: str | Path = MODEL_PATH, threshold: float | None = None) -> ObjectProposer:
    """The proposer saved at `path` (the packaged one by default); `threshold` overrides its own."""
    with numpy.load(path, allow_pickle=False) as stored:
        trees = TreeEnsemble.read(stored)
        saved = float(stored["proposer_threshold"][0])
    index = {f: i for i, f in enumerate(trees.features)}
    return ObjectProposer(trees, saved if threshold is None else threshold, index)


@registry.misc("newsflow.object_proposer.v1")
def make_object_proposer(threshold: float | None = None) -> ObjectProposer:
    """The packaged proposer; `threshold` overrides the model's."""
    return load_proposer(MODEL_PATH, threshold)
