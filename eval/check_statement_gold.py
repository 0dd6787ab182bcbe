"""Checks the statement-level gold sets (issue 30) and prints their counts.

usage: python eval/check_statement_gold.py [SET ...]   (default: statements statements-test)

A set is `eval/gold/SET` with `input/*.txt` (the articles, headline on the first line) and
`gold/*.json` (`../shared/eval/README.md` format, canonical speakers, plus a `statement` number
on every quote). For every gold file:
- its `document` is a file of `input/`, and `speaker_mode` is "canonical";
- every quote, optional quote and not-quote text occurs verbatim in the article's cleaned body
  (`newsflow.tasks.clean.body_text`, the text the flow analyses: headline, byline, captions and
  promo lines removed), and every name of `people` too;
- every quote has a `speaker`, a `type` (direct, indirect, mixed) and an integer `statement`;
  the pieces of one statement have one speaker;
- `sources` ⊆ `people`; the people among the speakers of quotes and optional quotes (every member
  of a group quote's `group`) are exactly the `sources`; `sources_female` and `sources_male`
  are subsets of `sources`, disjoint, without repeats;
- every span in double quotation marks (straight or curly) or curly single ones in the body
  overlaps a quote, an optional quote or a not-quote (a missed quote or an unlisted scare quote).
Prints per set: articles, quotes, statements (and how many have more than one piece), optional
quotes, not-quotes, quotes by type, people, sources, female and male sources. Exits 1 on any
error. Prints names and counts only.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from newsflow.tasks.clean import body_text

ROOT = Path(__file__).resolve().parents[1]
TYPES = {"direct", "indirect", "mixed"}
QUOTED = re.compile(r"“[^“”]+”|\"[^\"\n]+\"|‘[^‘]+?’(?![a-z])")


def spans(body: str, texts: list[str]) -> list[tuple[int, int]]:
    """Where each text lies in the body (every occurrence)."""
    out = []
    for t in texts:
        out += [(m.start(), m.start() + len(t)) for m in re.finditer(re.escape(t), body)] if t else []
    return out


def check_file(path: Path, inputs: Path, counts: Counter) -> list[str]:
    errors: list[str] = []
    g = json.loads(path.read_text(encoding="utf-8"))
    where = f"{path.parent.parent.name}/{path.name}"
    article = inputs / str(g.get("document"))
    if not article.is_file():
        return [f"{where}: no article {g.get('document')!r} in input/"]
    body = body_text(article.read_text(encoding="utf-8"))
    if g.get("speaker_mode") != "canonical":
        errors.append(f"{where}: speaker_mode is not canonical")
    quotes, optional, nots = g.get("quotes", []), g.get("optional_quotes", []), g.get("not_quotes", [])
    for kind, items in (("quote", quotes), ("optional quote", optional), ("not-quote", nots)):
        errors += [f"{where}: {kind} not in the body: {q.get('text')!r}" for q in items if q.get("text") not in body]
    speaker_of: dict[int, str] = {}
    for q in quotes:
        n = q.get("statement")
        if not isinstance(n, int) or isinstance(n, bool):
            errors.append(f"{where}: quote without a statement number: {q.get('text')!r}")
            continue
        if not q.get("speaker") or q.get("type") not in TYPES:
            errors.append(f"{where}: quote without a speaker or a type: {q.get('text')!r}")
        if speaker_of.setdefault(n, q.get("speaker")) != q.get("speaker"):
            errors.append(f"{where}: statement {n} has two speakers")
    people, sources = g.get("people", []), g.get("sources", [])
    female, male = g.get("sources_female", []), g.get("sources_male", [])
    errors += [f"{where}: person not in the body: {p!r}" for p in people if p not in body]
    for name, items in (("people", people), ("sources", sources), ("female", female), ("male", male)):
        if len(set(items)) != len(items):
            errors.append(f"{where}: repeats in {name}")
    if not set(sources) <= set(people):
        errors.append(f"{where}: sources not in people: {sorted(set(sources) - set(people))}")
    speakers = {m for q in quotes + optional for m in q.get("group", [q.get("speaker")])}
    if speakers & set(people) != set(sources):
        errors.append(
            f"{where}: people among the speakers {sorted(speakers & set(people))} != sources {sorted(sources)}"
        )
    if not (set(female) | set(male)) <= set(sources) or set(female) & set(male):
        errors.append(f"{where}: female/male not disjoint subsets of sources")
    covered = spans(body, [q.get("text") for q in quotes + optional + nots])
    for m in QUOTED.finditer(body):
        if not any(s < m.end() and m.start() < e for s, e in covered):
            errors.append(f"{where}: quoted span covered by no gold entry: {m.group()[:60]!r}")
    counts.update(
        articles=1,
        quotes=len(quotes),
        statements=len(speaker_of),
        multi_piece=sum(1 for n in speaker_of if sum(q.get("statement") == n for q in quotes) > 1),
        optional=len(optional),
        not_quotes=len(nots),
        people=len(people),
        sources=len(sources),
        female=len(female),
        male=len(male),
        **Counter(q.get("type") for q in quotes),
    )
    return errors


def main(argv: list[str]) -> int:
    errors: list[str] = []
    for name in argv or ["statements", "statements-test"]:
        folder = ROOT / "eval" / "gold" / name
        counts: Counter = Counter()
        for path in sorted((folder / "gold").glob("*.json")):
            errors += check_file(path, folder / "input", counts)
        inputs = {p.name for p in (folder / "input").glob("*.txt")}
        documents = {
            json.loads(p.read_text(encoding="utf-8")).get("document") for p in (folder / "gold").glob("*.json")
        }
        errors += [f"{name}: article without gold: {n}" for n in sorted(inputs - documents)]
        keys = ["articles", "quotes", "statements", "multi_piece", "optional", "not_quotes"]
        keys += ["direct", "indirect", "mixed", "people", "sources", "female", "male"]
        print(f"{name}: " + ", ".join(f"{k} {counts[k]}" for k in keys))
    print("\n".join(errors) if errors else "no errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
