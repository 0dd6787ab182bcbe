"""Fast development loop for the quote and people rules: parse each gold set once with the spaCy
model (cached as a DocBin under a temporary folder, keyed by model and text), then run only
newsflow's own components over the cached parses and score them with `all_scores`, the function
`newsflow eval` scores with (`newsflow.tasks.nlp.metric`). A rule change is scored in seconds
instead of a whole flow run; `newsflow eval` stays the reference and the one evaluation command
(it also runs the flow's cleaning of records, HTML and metadata, and the people registry's
updates).

usage: python eval/devloop.py [--sets bbc polnear polnear-train seed extra] [--statements] [--misses] [--save FILE]

Each set's line gives the components' time (`seconds`: entities, quotes and rows over the cached
parses) and, for PolNeAR's sets, a line per publisher (the file name's prefix).

`bbc-test` (eval/gold/bbc-test) and `polnear-train-test` (eval/gold/polnear-train-test) are the
held-out test sets: not in the default sets; score them to measure, never read their misses to
tune rules (see their READMEs). `polnear-train` is the shared PolNeAR train articles less the
held-out 20 (820 articles, surface speakers, for error analysis at scale; in-sample for the
learned models, which train on them); `polnear-train-gold` the canonical gold of 20 of them.
`--statements` adds the statement level of `newsflow eval --statements` (statement_p, _r, _f1).
`statements` is the 20 made-up articles of eval/gold/statements (quote level here; statements
are scored by `newsflow eval --statements`); its held-out twin statements-test is not a set here.

The texts are read from ../shared (licensed for measurement only) and never copied into the repo;
the cache lives in $NEWSFLOW_DEVCACHE (default /tmp/newsflow-devcache).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from spacy.tokens import DocBin

from newsflow.tasks.clean import body_text
from newsflow.tasks.config import Settings
from newsflow.tasks.ingest import decode
from newsflow.tasks.nlp.metric import (
    all_scores,
    document_paths,
    load_gold,
    person_predictions,
    score,
    statement_scores,
)
from newsflow.tasks.nlp.pipeline import load_pipeline

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SETS = {
    "bbc": (SHARED / "corpora" / "bbc", REPO / "eval" / "gold" / "bbc"),
    "bbc-test": (SHARED / "corpora" / "bbc", REPO / "eval" / "gold" / "bbc-test"),
    "polnear": (SHARED / "eval" / "polnear-dev" / "input", SHARED / "eval" / "polnear-dev" / "gold"),
    "polnear-train": (SHARED / "eval" / "polnear-train" / "input", SHARED / "eval" / "polnear-train" / "gold"),
    "polnear-train-gold": (SHARED / "eval" / "polnear-train" / "input", REPO / "eval" / "gold" / "polnear-train"),
    "polnear-train-test": (SHARED / "eval" / "polnear-train" / "input", REPO / "eval" / "gold" / "polnear-train-test"),
    "seed": (REPO / "tests" / "gold" / "seed" / "input", REPO / "tests" / "gold" / "seed" / "gold"),
    "extra": (REPO / "tests" / "gold" / "extra" / "input", REPO / "tests" / "gold" / "extra" / "gold"),
    "statements": (REPO / "eval" / "gold" / "statements" / "input", REPO / "eval" / "gold" / "statements" / "gold"),
}
NEWSFLOW_PIPES = ("newsflow_entities", "newsflow_quotes", "newsflow_rows")
CACHE = Path(os.environ.get("NEWSFLOW_DEVCACHE", "/tmp/newsflow-devcache"))


def texts_of(input_dir: Path, gold: dict) -> dict[str, str]:
    names = document_paths(gold)
    if names is None:  # a flat set: its folder's files that have gold (a subset's gold names a few)
        names = [p.name for p in sorted(input_dir.glob("*.txt")) if p.name in gold]
    return {name: body_text(decode((input_dir / name).read_bytes())[0]) for name in names}


def parsed(nlp, model: str, set_name: str, texts: dict[str, str]) -> dict:
    # keyed by the texts and the pipeline's components (a component before the parser changes it)
    key = hashlib.sha256(json.dumps([sorted(texts.items()), nlp.pipe_names]).encode()).hexdigest()[:16]
    path = CACHE / model / f"{set_name}-{key}.spacy"
    names = list(texts)
    if path.exists():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    else:
        docs = list(nlp.pipe((texts[n] for n in names), disable=list(NEWSFLOW_PIPES), n_process=1))
        path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(path)
    return dict(zip(names, docs, strict=True))


# Gold kept in the repo for a read-only set: keys added to its files (genders, identities).
OVERLAYS = {"polnear": REPO / "eval" / "gold" / "polnear-dev"}
# Documents a set leaves out: polnear-train's held-out 20 (their misses are never to be read).
EXCLUDED = {"polnear-train": REPO / "eval" / "gold" / "polnear-train-test"}


def excluded(set_name: str) -> set[str]:
    """The document names (`x.txt`) of the gold files in the set's EXCLUDED folder, if any."""
    folder = EXCLUDED.get(set_name)
    return {p.with_suffix(".txt").name for p in folder.glob("*.json")} if folder is not None else set()


def registry_predictions(rows_by_name: dict[str, dict]) -> tuple[dict, dict]:
    """The person registry over the set's documents (as the flow builds it): per document, each
    PERSON entity_id's gender and each PERSON entity name's person_id (`person_predictions`)."""
    import pyarrow as pa

    from newsflow.schemas.tables import TABLES
    from newsflow.tasks.people import build_registry

    def table(name: str, rows: list[dict]) -> pa.Table:
        return pa.Table.from_pylist(rows, schema=TABLES[name])

    entities = [e | {"doc_id": n} for n, r in rows_by_name.items() for e in r["entities"]]
    quote_rows = [q | {"doc_id": n} for n, r in rows_by_name.items() for q in r["quotes"]]
    documents = pa.table({"doc_id": list(rows_by_name), "outlet": [None] * len(rows_by_name)}).append_column(
        "published_at", pa.array([None] * len(rows_by_name), pa.timestamp("us", tz="UTC"))
    )
    registry = build_registry(table("entities", entities), table("quotes", quote_rows), documents)
    return person_predictions(
        entities,
        registry.people.to_pylist(),
        registry.person_entities.to_pylist(),
        {name: name for name in rows_by_name},  # here a document's id is its name
    )


def run_set(nlp, model: str, set_name: str, statements: bool = False) -> dict:
    input_dir, gold_dir = SETS[set_name]
    gold = load_gold(gold_dir, *[OVERLAYS[set_name]] if set_name in OVERLAYS else [])
    leave_out = excluded(set_name)
    gold = {name: g for name, g in gold.items() if name not in leave_out}
    docs = parsed(nlp, model, set_name, texts_of(input_dir, gold))
    quotes, people, person_ids, rows_by_name = {}, {}, {}, {}
    began = time.perf_counter()
    for name, doc in docs.items():
        for pipe in NEWSFLOW_PIPES:
            doc = nlp.get_pipe(pipe)(doc)
        rows = doc._.table_rows
        rows_by_name[name] = rows
        quotes[name] = rows["quotes"]
        persons = [e for e in rows["entities"] if e["label"] == "PERSON"]
        people[name] = {e["name"] for e in persons}
        person_ids[name] = {e["entity_id"] for e in persons}
    seconds = time.perf_counter() - began
    genders, people_ids = registry_predictions(rows_by_name)
    result = all_scores(quotes, gold, people=people, person_ids=person_ids, genders=genders, people_ids=people_ids)
    if statements:  # the statement level of `newsflow eval --statements`, over the same quotes
        result |= statement_scores(quotes, gold, input_dir)
    result["seconds"] = seconds
    if set_name.startswith("polnear"):  # the publisher is the file name's prefix
        result["by_publisher"] = {
            p: score(quotes, {n: g for n, g in gold.items() if publisher(n) == p})
            for p in sorted({publisher(n) for n in gold})
        }
        for by in result["by_publisher"].values():
            del by["misses"]  # the set's own misses name their documents
    return result


def publisher(document: str) -> str:
    """PolNeAR's file names start with their publisher: "nyt_2016-09-08_....txt"."""
    return Path(document).name.split("_", 1)[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=["bbc", "polnear", "seed", "extra"], choices=list(SETS))
    ap.add_argument("--model", default=Settings.model)
    ap.add_argument("--misses", action="store_true", help="print every miss")
    ap.add_argument("--save", type=Path, help="write the scores (with misses) as JSON")
    ap.add_argument("--statements", action="store_true", help="also score statements (statement_p, _r, _f1)")
    args = ap.parse_args(argv)
    nlp = load_pipeline(args.model)
    out = {}
    keys = (
        "quote_p",
        "quote_r",
        "quote_f1",
        "speaker_acc",
        "e2e_f1",
        "people_f1",
        "sources_f1",
        "sources_female_f1",
        "sources_male_f1",
        "women_share_gold",
        "women_share_pred",
        "identity_p",
        "identity_r",
        "seconds",
    ) + (("statement_p", "statement_r", "statement_f1") if args.statements else ())

    def cells(row: dict) -> str:
        return " ".join(f"{row.get(k) if row.get(k) is not None else float('nan'):11.3f}" for k in keys)

    print(f"{'set':18s} " + " ".join(f"{k.replace('sources_', 's_'):>11s}" for k in keys))
    for set_name in args.sets:
        if not SETS[set_name][0].exists():
            print(f"{set_name}: {SETS[set_name][0]} not found", file=sys.stderr)
            continue
        result = run_set(nlp, args.model, set_name, args.statements)
        out[set_name] = result
        print(f"{set_name:18s} " + cells(result))
        for p, by in result.get("by_publisher", {}).items():
            print(f"  {p:16s} " + cells(by))
        if args.misses:
            print("  ", dict(Counter((m["kind"], m.get("method")) for m in result["misses"])))
            for m in result["misses"]:
                pred = m.get("predicted")
                print(
                    f"  [{m['kind']}] {m['document']} | pred={pred!r} gold={m.get('gold')!r} "
                    f"| {m.get('method')} | {(m.get('text') or '')[:90]}"
                )
    if args.save:
        args.save.write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
