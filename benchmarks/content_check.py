"""What the learned content check (`tasks/nlp/content_model`) costs: CPU seconds of `nlp.pipe`
over a corpus sample, single process, with the check and without it (the same pipeline, the
quote component's check switched off), interleaved `--repeat` times, best of each printed; and
the check's own seconds (features and model) over the same Docs.

usage: python -m benchmarks.content_check [--corpus DIR] [--n 200] [--step 1] [--repeat 3]
"""

from __future__ import annotations

import time

from benchmarks.components import sample_parser, sample_texts
from newsflow.tasks.nlp.content_model import load_check
from newsflow.tasks.nlp.pipeline import load_pipeline


def pipe_seconds(nlp, texts: list[str]) -> float:
    started = time.process_time()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return time.process_time() - started


def main() -> None:
    args = sample_parser(__doc__, 200).parse_args()
    texts = sample_texts(args)
    nlp = load_pipeline(args.model)
    quotes = nlp.get_pipe("newsflow_quotes")
    check = load_check()  # the check is off in the shipped config: loaded here, as `content_check = true` does
    best = {"with": float("inf"), "without": float("inf")}
    for _ in range(args.repeat):
        for label in best:
            quotes.content_check = check if label == "with" else None
            best[label] = min(best[label], pipe_seconds(nlp, texts))
    quotes.content_check = None
    docs = list(nlp.pipe(texts, batch_size=64, disable=["newsflow_rows"]))
    started = time.process_time()
    for doc in docs:
        check.probabilities(doc, list(doc.spans["quotes"]), quotes.lexicon)
    own = time.process_time() - started
    print(f"articles                 {len(texts)}")
    print(f"pipe_seconds_without     {best['without']:.2f}")
    print(f"pipe_seconds_with        {best['with']:.2f}")
    print(f"check_seconds            {own:.2f}")
    print(f"cost_share               {(best['with'] - best['without']) / best['without']:.3f}")
    print(f"check_share              {own / best['without']:.3f}")


if __name__ == "__main__":
    main()
