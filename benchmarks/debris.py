"""What each cleaning rule removes from a folder of plain-text articles: lines dropped whole, lines
cut, characters removed. With --show N, up to N examples per rule, to check that no prose goes.

usage: python benchmarks/debris.py [--corpus DIR] [--show N]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from newsflow.tasks.clean import clean_body
from newsflow.tasks.clean.debris import Removal

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora" / "bbc")
    parser.add_argument("--show", type=int, default=0, help="examples to print per rule")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.rglob("*.txt") if p.name != "README.TXT")
    by_rule: dict[str, list[tuple[str, Removal]]] = defaultdict(list)
    chars_in = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        chars_in += len(text)
        removed: list[Removal] = []
        clean_body(text, removed)
        for removal in removed:
            by_rule[removal.rule].append((path.name, removal))
    print(f"files\t{len(files)}\ncharacters\t{chars_in}")
    print("rule\tlines dropped\tlines cut\tcharacters removed\tfiles")
    for rule, items in sorted(by_rule.items()):
        dropped = sum(1 for _, r in items if not r.after)
        chars = sum(len(r.before) - len(r.after) for _, r in items)
        print(f"{rule}\t{dropped}\t{len(items) - dropped}\t{chars}\t{len({name for name, _ in items})}")
    for rule, items in sorted(by_rule.items()):
        for name, r in items[: args.show]:
            print(f"\n[{rule}] {name}\n  - {r.before[:300]!r}" + (f"\n  + {r.after[-200:]!r}" if r.after else ""))


if __name__ == "__main__":
    main()
