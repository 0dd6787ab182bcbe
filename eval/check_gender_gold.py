"""Checks the gender and identity annotations of the gold sets (issue 21) and prints their counts.

usage: python eval/check_gender_gold.py [--shared ../shared]

For every article of `eval/gold/bbc`, `eval/gold/bbc-test` and `eval/gold/polnear-dev` (the
overlays of `../shared/eval/polnear-dev/gold`, whose `people` and `sources` they annotate):
- `sources_female`, `sources_male` and `person_keys` are present; the two lists are subsets of
  the article's `sources`, disjoint, without repeats;
- `person_keys` maps names of the article's `people` to non-empty keys (a name mapped to itself
  is reported: the default needs no entry);
- a polnear-dev overlay names the same document as its shared gold file, holds only its four
  keys, and every shared gold file has one;
- one person key has one gender across the set (a key that is female in one article and male
  in another is an error).
Prints per set: articles, sources, female, male, neither, person_keys entries, and the number
of cross-document same-person article pairs (two articles whose `people` share a key), of which
how many exist only through `person_keys`. Exits 1 on any error. Prints names only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OVERLAY_KEYS = {"document", "sources_female", "sources_male", "person_keys"}


def read_folder(folder: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def load_set(name: str, shared: Path) -> tuple[dict[str, dict], list[str]]:
    """Articles of a set by file name, each with people, sources and the three annotations."""
    errors: list[str] = []
    folder = ROOT / "eval" / "gold" / name
    if name != "polnear-dev":
        return read_folder(folder), errors
    base, over = read_folder(shared / "eval" / "polnear-dev" / "gold"), read_folder(folder)
    for fname in sorted(set(base) - set(over)):
        errors.append(f"{name}/{fname}: no overlay for the shared gold file")
    for fname in sorted(set(over) - set(base)):
        errors.append(f"{name}/{fname}: overlay without a shared gold file")
    articles = {}
    for fname in sorted(set(base) & set(over)):
        o, b = over[fname], base[fname]
        if set(o) != OVERLAY_KEYS:
            errors.append(f"{name}/{fname}: overlay keys {sorted(o)}, expected {sorted(OVERLAY_KEYS)}")
        if o.get("document") != b.get("document"):
            errors.append(f"{name}/{fname}: document {o.get('document')!r} != shared {b.get('document')!r}")
        articles[fname] = {**o, "people": b.get("people", []), "sources": b.get("sources", [])}
    return articles, errors


def check(name: str, articles: dict[str, dict]) -> tuple[dict, list[str], list[str]]:
    errors: list[str] = []
    notes: list[str] = []
    counts = dict(articles=len(articles), sources=0, female=0, male=0, neither=0, person_keys=0)
    by_key: dict[str, set[str]] = defaultdict(set)  # key -> articles naming that person
    by_name: dict[str, set[str]] = defaultdict(set)  # exact name -> articles
    gender_of: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # key -> g -> articles
    for fname, d in articles.items():
        where = f"{name}/{fname}"
        missing = [k for k in ("sources_female", "sources_male", "person_keys") if k not in d]
        if missing:
            errors.append(f"{where}: missing {missing}")
            continue
        sources, people = d.get("sources", []), d.get("people", [])
        fem, mal, keys = d["sources_female"], d["sources_male"], d["person_keys"]
        if not isinstance(keys, dict):
            errors.append(f"{where}: person_keys is not an object")
            keys = {}
        for label, names in (("sources_female", fem), ("sources_male", mal)):
            if len(set(names)) != len(names):
                errors.append(f"{where}: repeats in {label}")
            for n in names:
                if n not in sources:
                    errors.append(f"{where}: {label} {n!r} not in sources")
        for n in set(fem) & set(mal):
            errors.append(f"{where}: {n!r} both female and male")
        for k, v in keys.items():
            if k not in people:
                errors.append(f"{where}: person_keys {k!r} not in people")
            if not isinstance(v, str) or not v.strip():
                errors.append(f"{where}: person_keys {k!r} has an empty key")
            elif v == k:
                notes.append(f"{where}: person_keys {k!r} maps to itself (not needed)")
        counts["sources"] += len(sources)
        counts["female"] += len(set(fem) & set(sources))
        counts["male"] += len(set(mal) & set(sources))
        counts["neither"] += len([s for s in sources if s not in fem and s not in mal])
        counts["person_keys"] += len(keys)
        for p in people:
            by_key[keys.get(p, p)].add(fname)
            by_name[p].add(fname)
        for g, names in (("female", fem), ("male", mal)):
            for n in names:
                gender_of[keys.get(n, n)][g].add(fname)
    for key, gs in sorted(gender_of.items()):
        if len(gs) > 1:
            errors.append(f"{name}: {key!r} is female in {sorted(gs['female'])} and male in {sorted(gs['male'])}")
    pairs = {(key, *pr) for key, fs in by_key.items() for pr in combinations(sorted(fs), 2)}
    exact = {(key, *pr) for key, fs in by_name.items() for pr in combinations(sorted(fs), 2)}
    counts["same_person_pairs"] = len(pairs)
    counts["pairs_via_person_keys"] = len(pairs - exact)
    counts["people_keys_in_2plus_articles"] = sum(1 for fs in by_key.values() if len(fs) > 1)
    return counts, errors, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared folder (../shared)")
    args = ap.parse_args()
    all_errors = []
    cols = [
        "articles",
        "sources",
        "female",
        "male",
        "neither",
        "person_keys",
        "same_person_pairs",
        "pairs_via_person_keys",
        "people_keys_in_2plus_articles",
    ]
    print("| set | " + " | ".join(cols) + " |")
    print("| --- |" + " --- |" * len(cols))
    for name in ("polnear-dev", "bbc", "bbc-test"):
        articles, errors = load_set(name, args.shared)
        counts, errs, notes = check(name, articles)
        all_errors += errors + errs
        print(f"| {name} | " + " | ".join(str(counts[c]) for c in cols) + " |")
        for n in notes:
            print("note:", n, file=sys.stderr)
    for e in all_errors:
        print("ERROR:", e, file=sys.stderr)
    print(f"{len(all_errors)} errors")
    return 1 if all_errors else 0


if __name__ == "__main__":
    sys.exit(main())
