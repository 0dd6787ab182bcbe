"""People named and people quoted, article by article: the false positives and false negatives
of the PERSON names (and of the quoted people) on the gold sets, from devloop's cached parses.

usage: python eval/people_misses.py [--sets bbc polnear] [--save FILE]

Prints one line per article with a miss: `-name` a gold name not predicted, `+name` a predicted
name not in the gold. Nothing of the articles' text is printed beyond the names.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devloop import NEWSFLOW_PIPES, SETS, parsed, texts_of  # noqa: E402

from newsflow.tasks.config import Settings  # noqa: E402
from newsflow.tasks.nlp.metric import doc_key, fold_name, gold_people, load_gold  # noqa: E402
from newsflow.tasks.nlp.pipeline import load_pipeline  # noqa: E402


def misses_of(nlp, model: str, set_name: str) -> dict[str, dict[str, list[str]]]:
    input_dir, gold_dir = SETS[set_name]
    gold = {doc_key(k): v for k, v in load_gold(gold_dir).items()}
    docs = parsed(nlp, model, set_name, texts_of(input_dir, load_gold(gold_dir)))
    out = {}
    for name, doc in docs.items():
        for pipe in NEWSFLOW_PIPES:
            doc = nlp.get_pipe(pipe)(doc)
        truth = gold_people(gold.get(doc_key(name), {}))
        if truth is None:
            continue
        rows = doc._.table_rows
        ids = {e["entity_id"] for e in rows["entities"] if e["label"] == "PERSON"}
        named = {fold_name(e["name"]) for e in rows["entities"] if e["label"] == "PERSON"}
        quoted = {fold_name(q["speaker_name"]) for q in rows["quotes"] if q.get("speaker_entity_id") in ids}
        labels = {fold_name(e["name"]): e["label"] for e in rows["entities"]}
        out[name] = {
            "people_fp": sorted(named - truth[0]),
            "people_fn": sorted(f"{n} [{labels.get(n, '-')}]" for n in truth[0] - named),
            "sources_fp": sorted(quoted - truth[1]),
            "sources_fn": sorted(truth[1] - quoted),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", nargs="+", default=["bbc", "polnear"], choices=list(SETS))
    ap.add_argument("--model", default=Settings.model)
    ap.add_argument("--save", type=Path)
    args = ap.parse_args(argv)
    nlp = load_pipeline(args.model)
    saved = {}
    for set_name in args.sets:
        result = misses_of(nlp, args.model, set_name)
        saved[set_name] = result
        for kind in ("people", "sources"):
            fp = sum(len(r[f"{kind}_fp"]) for r in result.values())
            fn = sum(len(r[f"{kind}_fn"]) for r in result.values())
            print(f"== {set_name} {kind}: {fp} false positives, {fn} false negatives")
        for name, r in result.items():
            if any(r.values()):
                print(f"{set_name}/{name}")
                for kind in ("people", "sources"):
                    items = [f"-{n}" for n in r[f"{kind}_fn"]] + [f"+{n}" for n in r[f"{kind}_fp"]]
                    if items:
                        print(f"   {kind:8s} " + " | ".join(items))
    if args.save:
        args.save.write_text(json.dumps(saved, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
