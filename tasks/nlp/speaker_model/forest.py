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

import functools
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

    def save(self, path: Path, **extra: numpy.ndarray) -> None:
        """The trees as one `.npz` file, with `extra` arrays of the caller's beside them."""
        with open(path, "wb") as f:
            numpy.savez_compressed(
                f,
                **{name: getattr(self, name) for name in ARRAYS},
                baseline=numpy.asarray([self.baseline]),
                features=numpy.asarray(self.features, dtype=str),
                **extra,
            )

    @classmethod
    def load(cls, path: Path) -> TreeEnsemble:
        with numpy.load(path, allow_pickle=False) as stored:
            return cls.read(stored)

    @classmethod
    def read(cls, stored: Any) -> TreeEnsemble:
        """The trees from an open `.npz` file (`numpy.load`'s), whatever else it holds."""
        arrays = {name: stored[name] for name in ARRAYS}
        return cls(**arrays, baseline=float(stored["baseline"][0]), features=tuple(stored["features"].tolist()))

    @functools.cached_property
    def children(self) -> numpy.ndarray:
        """Per node, its left child then its right one (node * 2 + went_right)."""
        return numpy.stack([self.left, self.right], axis=1).ravel()

    def predict_proba(self, rows: numpy.ndarray) -> numpy.ndarray:
        """Per row (features in `features` order), the probability of the positive class."""
        rows = numpy.asarray(rows, dtype="float64")
        if rows.ndim != 2 or rows.shape[1] != len(self.features):
            raise ValueError(f"expected rows of {len(self.features)} features, got shape {rows.shape}")
        # Every (row, tree) pair walks down its tree; pairs that reach a leaf leave the walk, so the
        # work is the leaves' depth (7 on average), not the deepest tree's (18) for every pair. A
        # row's value is read from the flat rows at (row * width + feature); missing values are
        # looked at only where there are any.
        n_trees, width = len(self.roots), rows.shape[1]
        flat = rows.ravel()
        leaves = numpy.empty(len(rows) * n_trees, dtype="int64")
        pairs = numpy.arange(len(rows) * n_trees)
        base = (pairs // n_trees) * width
        nodes = numpy.tile(self.roots, len(rows))
        children = self.children
        while pairs.size:
            done = self.leaf[nodes]
            if done.any():
                leaves[pairs[done]] = nodes[done]
                walking = ~done
                pairs, base, nodes = pairs[walking], base[walking], nodes[walking]
                if not pairs.size:
                    break
            x = flat[base + self.feature[nodes]]
            went_right = ~(x <= self.threshold[nodes])  # NaN compares false: right, unless below
            missing = numpy.isnan(x)
            if missing.any():
                went_right[missing] = ~self.missing_left[nodes[missing]]
            nodes = children[nodes * 2 + went_right]
        raw = self.baseline + self.value[leaves].reshape(len(rows), n_trees).sum(axis=1)
        return 1.0 / (1.0 + numpy.exp(-raw))
