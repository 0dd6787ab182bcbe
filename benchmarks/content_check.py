"""What the learned content check (`tasks/nlp/content_model`) costs: CPU seconds of `nlp.pipe`
over a corpus sample, single process, with the check and without it (the same pipeline, the
quote component's check switched off), interleaved `--repeat` times, best of each printed; and
the check's own seconds (features and model) over the same Docs.

usage: python benchmarks/content_check.py [--corpus DIR] [--n 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from newsflow.tasks.clean import clean_body
from newsflow.tasks.config import Settings
from newsflow.tasks.nlp.pipeline import load_pipeline

REPO = Path(__file__).resolve().parent.parent


def pipe_seconds(nlp, texts: list[str]) -> float:
    started = time.process_time()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default=Settings.model)
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.rglob("*.txt") if p.name != "README.TXT")[: args.n]
    texts = [clean_body(p.read_text(encoding="utf-8", errors="replace"))[1] for p in files]
    nlp = load_pipeline(args.model)
    quotes = nlp.get_pipe("newsflow_quotes")
    check = quotes.content_check
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
    quotes.content_check = check
    print(f"articles                 {len(texts)}")
    print(f"pipe_seconds_without     {best['without']:.2f}")
    print(f"pipe_seconds_with        {best['with']:.2f}")
    print(f"check_seconds            {own:.2f}")
    print(f"cost_share               {(best['with'] - best['without']) / best['without']:.3f}")
    print(f"check_share              {own / best['without']:.3f}")


if __name__ == "__main__":
    main()
