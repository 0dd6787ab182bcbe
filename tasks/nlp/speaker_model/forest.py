"""The speaker ranker's trees as plain arrays, so that a run predicts with numpy alone.

scikit-learn's `HistGradientBoostingClassifier` trains the ranker (`train.py`); importing
scikit-learn to predict costs each worker process ~1.5 CPU-s and ~60 MB (scipy with it), more than
the whole ranker's work on a short run. `TreeEnsemble.from_sklearn` copies the fitted trees into
flat arrays (every tree's nodes one after another), saved as one `.npz` file; `predict_proba`
walks all trees at once, one level per step, for every row: at a split node a row goes left when
its value is missing and the node sends missing values left, or when its value is at most the
node's threshold; the score is the baseline plus the leaves' values, the probability its logistic.
That is scikit-learn's own rule for numeric splits (tests/test_speaker_model.py checks the two
agree on the shipped model, with missing values).

Reading the trees uses scikit-learn's `_predictors` and `_baseline_prediction` (no public API
gives them); they are read once, when the model is trained or converted, never at run time, with
the version pinned by the lock file. Not handled: categorical splits (the ranker's features are all
numeric), multi-class models, and regressors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy

ARRAYS = ("feature", "threshold", "missing_left", "left", "right", "leaf", "value", "roots")


@dataclass(frozen=True)
class TreeEnsemble:
    """Binary gradient-boosted trees as flat arrays: per node its feature, threshold, where
    missing values go, its children (indices into the same arrays), whether it is a leaf and its
    value; `roots` the first node of each tree."""

    feature: numpy.ndarray  # int64
    threshold: numpy.ndarray  # float64
    missing_left: numpy.ndarray  # bool
    left: numpy.ndarray  # int64, absolute
    right: numpy.ndarray  # int64, absolute
    leaf: numpy.ndarray  # bool
    value: numpy.ndarray  # float64
    roots: numpy.ndarray  # int64
    baseline: float
    features: tuple[str, ...]  # the names of the columns, in order

    @classmethod
    def from_sklearn(cls, model: Any, features: list[str] | tuple[str, ...]) -> TreeEnsemble:
        """The trees of a fitted binary `HistGradientBoostingClassifier` with numeric features."""
        if getattr(model, "n_trees_per_iteration_", 1) != 1:
            raise ValueError("only binary classifiers: one tree per iteration")
        parts, roots, at = [], [], 0
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not handled")
            parts.append(nodes)
            roots.append(at)
            at += len(nodes)
        nodes = numpy.concatenate(parts)
        offsets = numpy.repeat(numpy.asarray(roots, dtype="int64"), [len(p) for p in parts])
        return cls(
            feature=nodes["feature_idx"].astype("int64"),
            threshold=nodes["num_threshold"].astype("float64"),
            missing_left=nodes["missing_go_to_left"].astype(bool),
            left=nodes["left"].astype("int64") + offsets,
            right=nodes["right"].astype("int64") + offsets,
            leaf=nodes["is_leaf"].astype(bool),
            value=nodes["value"].astype("float64"),
            roots=numpy.asarray(roots, dtype="int64"),
            baseline=float(numpy.ravel(model._baseline_prediction)[0]),
            features=tuple(features),
        )

    def save(self, path: Path) -> None:
        with open(path, "wb") as f:
            numpy.savez_compressed(
                f,
                **{name: getattr(self, name) for name in ARRAYS},
                baseline=numpy.asarray([self.baseline]),
                features=numpy.asarray(self.features, dtype=str),
            )

    @classmethod
    def load(cls, path: Path) -> TreeEnsemble:
        with numpy.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in ARRAYS}
            return cls(**arrays, baseline=float(stored["baseline"][0]), features=tuple(stored["features"].tolist()))

    def predict_proba(self, rows: numpy.ndarray) -> numpy.ndarray:
        """Per row (features in `features` order), the probability of the positive class."""
        rows = numpy.asarray(rows, dtype="float64")
        if rows.ndim != 2 or rows.shape[1] != len(self.features):
            raise ValueError(f"expected rows of {len(self.features)} features, got shape {rows.shape}")
        # Every (row, tree) pair walks down its tree; pairs that reach a leaf leave the walk, so the
        # work is the leaves' depth (7 on average), not the deepest tree's (18) for every pair.
        n_trees = len(self.roots)
        leaves = numpy.empty(len(rows) * n_trees, dtype="int64")
        pairs = numpy.arange(len(rows) * n_trees)
        row = pairs // n_trees
        nodes = numpy.tile(self.roots, len(rows))
        while pairs.size:
            done = self.leaf[nodes]
            if done.any():
                leaves[pairs[done]] = nodes[done]
                walking = ~done
                pairs, row, nodes = pairs[walking], row[walking], nodes[walking]
            x = rows[row, self.feature[nodes]]
            go_left = numpy.where(numpy.isnan(x), self.missing_left[nodes], x <= self.threshold[nodes])
            nodes = numpy.where(go_left, self.left[nodes], self.right[nodes])
        raw = self.baseline + self.value[leaves].reshape(len(rows), n_trees).sum(axis=1)
        return 1.0 / (1.0 + numpy.exp(-raw))
