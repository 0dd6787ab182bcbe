"""The selection rules of eval/gold/bbc and eval/gold/bbc-test (see their READMEs): prints the
chosen BBC articles.

`python eval/select_bbc.py ../shared/corpora/bbc` lists the development set (eval/gold/bbc): per
category in the order business, entertainment, politics, sport, tech, the first 9 files in sorted
name order whose cleaned body (`body_text` of the file decoded as the flow decodes it: the
headline removed) holds at least four straight double quotation marks (two pairs) or the word
"said", skipping a file whose body equals that of a file already chosen.

`python eval/select_bbc.py ../shared/corpora/bbc --start 300 --per-category 5` lists the held-out
set (eval/gold/bbc-test): the same rule applied to the files whose name sorts at or after
`300.txt`; a file whose body equals that of any file sorting before `300.txt` (in any category)
is skipped too, so no held-out article repeats one the development set could have seen.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from newsflow.tasks.clean import body_text
from newsflow.tasks.ingest import decode

CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
PER_CATEGORY = 9


def qualifies(body: str) -> bool:
    return body.count('"') >= 4 or re.search(r"\bsaid\b", body) is not None


def read_body(path: Path) -> str:
    return body_text(decode(path.read_bytes())[0])


def select(root: Path, start: str | None = None, per_category: int = PER_CATEGORY) -> list[str]:
    """The first `per_category` qualifying files of each category; with `start` (a file name such
    as "300.txt"), only files sorting at or after it, none with the body of a file before it."""
    bodies: set[str] = set()
    if start is not None:
        bodies = {read_body(p) for c in CATEGORIES for p in (root / c).glob("*.txt") if p.name < start}
    chosen = []
    for category in CATEGORIES:
        n = 0
        for path in sorted((root / category).glob("*.txt")):
            if n == per_category or (start is not None and path.name < start):
                continue
            body = read_body(path)
            if not qualifies(body) or body in bodies:
                continue
            bodies.add(body)
            chosen.append(f"{category}/{path.name}")
            n += 1
    return chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", type=Path, default=Path("../shared/corpora/bbc"))
    ap.add_argument("--start", type=int, help="only files named NNN.txt with NNN >= START (held-out set)")
    ap.add_argument("--per-category", type=int, default=PER_CATEGORY)
    args = ap.parse_args(argv)
    start = None if args.start is None else f"{args.start:03d}.txt"
    for name in select(args.root, start, args.per_category):
        print(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
