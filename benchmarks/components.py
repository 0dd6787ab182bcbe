"""Seconds spent in each pipeline component (spaCy's and newsflow's) over a corpus sample,
single process. Shows what the quote and entity components cost beside the parse, and what
newsflow's stand-ins for spaCy's lemmatizer and attribute ruler (`tasks/nlp/speedups.py`)
save against spaCy's own: both pipelines, freshly loaded each time, run over the same texts,
interleaved `--repeat` times (best of each printed), and every token's lemma, POS, tag,
morphology, dependency and head is compared between them.

usage: python benchmarks/components.py [--corpus DIR] [--n 300] [--step 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG

from newsflow.tasks.clean import clean_body
from newsflow.tasks.config import Settings
from newsflow.tasks.nlp.pipeline import load_pipeline

REPO = Path(__file__).resolve().parent.parent
ATTRS = [LEMMA, POS, TAG, MORPH, DEP, HEAD]


def timed(nlp, texts: list[str]) -> tuple[dict[str, float], list]:
    """CPU seconds per component (the tokenizer first), and the Docs."""
    spent = {"tokenizer": time.process_time()}
    docs = [nlp.make_doc(t) for t in texts]
    spent["tokenizer"] = time.process_time() - spent["tokenizer"]
    for name, proc in nlp.pipeline:
        started = time.process_time()
        docs = list(proc.pipe(docs, batch_size=64)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        spent[name] = time.process_time() - started
    return spent, docs


def sample_parser(doc: str, n: int) -> argparse.ArgumentParser:
    """The options of the corpus-sample benchmarks (this one, content_check.py, speaker_model.py)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--n", type=int, default=n, help="files to read (after --step)")
    parser.add_argument("--step", type=int, default=1, help="every STEP-th file, to sample the whole corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", default=Settings.model)
    return parser


def sample_texts(args: argparse.Namespace) -> list[str]:
    """The cleaned bodies of the sample's files, as the flow cleans them."""
    files = sorted(p for p in args.corpus.rglob("*.txt") if p.name != "README.TXT")[:: args.step][: args.n]
    return [clean_body(p.read_text(encoding="utf-8", errors="replace"))[1] for p in files]


def main() -> None:
    args = sample_parser(__doc__, 300).parse_args()
    started = time.perf_counter()
    texts = sample_texts(args)
    clean_seconds = time.perf_counter() - started
    best: dict[str, dict[str, float]] = {"newsflow": {}, "stock": {}}
    for _ in range(args.repeat):
        docs = {}
        for label in best:  # freshly loaded: the lemmatizers' caches start empty, as in a run
            nlp = load_pipeline.__wrapped__(args.model, spacy_speedups=label == "newsflow")
            spent, docs[label] = timed(nlp, texts)
            for name, seconds in spent.items():
                best[label][name] = min(seconds, best[label].get(name, seconds))
    differ = sum(
        not numpy.array_equal(a.to_array(ATTRS), b.to_array(ATTRS)) for a, b in zip(*docs.values(), strict=True)
    )
    tokens = sum(len(d) for d in docs["newsflow"])
    print(f"documents: {len(texts)}, tokens: {tokens:,}, words: {sum(len(t.split()) for t in texts):,}")
    print(f"clean: {clean_seconds:.2f} s")
    print(f"documents whose token annotations differ between the two pipelines: {differ}")
    names = list(best["stock"])
    print("| component | newsflow (CPU-s, best) | with spaCy's own lemmatizer and attribute ruler |")
    print("| --- | --- | --- |")
    for name in names:
        print(f"| {name} | {best['newsflow'][name]:.2f} | {best['stock'][name]:.2f} |")
    parse = {label: sum(s for n, s in b.items() if not n.startswith("newsflow_")) for label, b in best.items()}
    ours = sum(s for n, s in best["newsflow"].items() if n.startswith("newsflow_"))
    print(f"| spaCy's part (tokenizer to ner) | {parse['newsflow']:.2f} | {parse['stock']:.2f} |")
    print(f"| newsflow's components | {ours:.2f} | |")


if __name__ == "__main__":
    main()
