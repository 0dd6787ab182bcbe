"""The selection rule of eval/gold/bbc (see its README): prints the chosen BBC articles.

`python eval/select_bbc.py ../shared/corpora/bbc` lists, per category in the order business,
entertainment, politics, sport, tech, the first 9 files in sorted name order whose cleaned body
(`body_text` of the file decoded as the flow decodes it: the headline removed) holds at least
four straight double quotation marks (two pairs) or the word "said", skipping a file whose body
equals that of a file already chosen.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from newsflow.tasks.evaluate import body_text
from newsflow.tasks.ingest import decode

CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
PER_CATEGORY = 9


def qualifies(body: str) -> bool:
    return body.count('"') >= 4 or re.search(r"\bsaid\b", body) is not None


def select(root: Path) -> list[str]:
    chosen, bodies = [], set()
    for category in CATEGORIES:
        n = 0
        for path in sorted((root / category).glob("*.txt")):
            body = body_text(decode(path.read_bytes())[0])
            if n == PER_CATEGORY or not qualifies(body) or body in bodies:
                continue
            bodies.add(body)
            chosen.append(f"{category}/{path.name}")
            n += 1
    return chosen


if __name__ == "__main__":
    for name in select(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora/bbc")):
        print(name)
