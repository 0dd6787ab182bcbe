"""Seconds spent in each pipeline component (spaCy's and newsflow's) over a corpus sample,
single process. Shows what the quote and entity components cost beside the parse.

usage: python benchmarks/components.py [--corpus DIR] [--n 300]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from newsflow.tasks.clean import clean_body
from newsflow.tasks.config import Settings
from newsflow.tasks.nlp import load_pipeline

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--model", default=Settings.model)
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.rglob("*.txt") if p.name != "README.TXT")[: args.n]
    started = time.perf_counter()
    texts = [clean_body(p.read_text(encoding="utf-8", errors="replace"))[1] for p in files]
    clean_seconds = time.perf_counter() - started
    nlp = load_pipeline(args.model)
    spent = {name: 0.0 for name in nlp.pipe_names}
    docs = [nlp.make_doc(t) for t in texts]
    for name, proc in nlp.pipeline:
        t = time.perf_counter()
        docs = list(proc.pipe(docs, batch_size=64)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        spent[name] += time.perf_counter() - t
    words = sum(len(t.split()) for t in texts)
    total = sum(spent.values())
    print(f"documents: {len(texts)}, words: {words:,}")
    print(f"clean: {clean_seconds:.2f} s")
    for name, seconds in spent.items():
        print(f"{name}: {seconds:.2f} s ({100 * seconds / total:.1f}%)")


if __name__ == "__main__":
    main()
