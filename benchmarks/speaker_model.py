"""What the learned speaker ranker (tasks/nlp/speaker_model) costs: the run's pipeline over a
corpus sample, one process, with the ranker and without it (the `newsflow_quotes` component's
`speaker_ranker` set to None), interleaved `--repeat` times, best CPU seconds of each; the
ranker's cost as a share of the parse (spaCy's part, tokenizer to ner).

usage: python -m benchmarks.speaker_model [--corpus DIR] [--n 200] [--step 1] [--repeat 3]
"""

from __future__ import annotations

from benchmarks.components import sample_parser, sample_texts, timed
from newsflow.tasks.nlp.pipeline import load_pipeline


def main() -> None:
    args = sample_parser(__doc__, 200).parse_args()
    texts = sample_texts(args)
    nlp = load_pipeline(args.model)
    quotes = nlp.get_pipe("newsflow_quotes")
    ranker = quotes.speaker_ranker
    best: dict[str, dict[str, float]] = {"with": {}, "without": {}}
    for _ in range(args.repeat):
        for label in best:
            quotes.speaker_ranker = ranker if label == "with" else None
            spent, _ = timed(nlp, texts)
            for name, seconds in spent.items():
                best[label][name] = min(seconds, best[label].get(name, seconds))
    quotes.speaker_ranker = ranker
    parse = sum(s for n, s in best["without"].items() if not n.startswith("newsflow_"))
    total = {label: sum(b.values()) for label, b in best.items()}
    cost = best["with"]["newsflow_quotes"] - best["without"]["newsflow_quotes"]
    print(f"documents: {len(texts)}")
    print(f"parse (tokenizer to ner, CPU-s): {parse:.2f}")
    print(f"pipeline without the ranker (CPU-s): {total['without']:.2f}")
    print(f"pipeline with the ranker (CPU-s): {total['with']:.2f}")
    quotes_cost = {label: best[label]["newsflow_quotes"] for label in best}
    print(f"newsflow_quotes without / with (CPU-s): {quotes_cost['without']:.2f} / {quotes_cost['with']:.2f}")
    print(f"ranker cost as a share of the parse: {cost / parse:.3f}")


if __name__ == "__main__":
    main()
