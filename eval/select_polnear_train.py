"""The selection rule of eval/gold/polnear-train and eval/gold/polnear-train-test (see their
READMEs): prints the chosen PolNeAR train articles; with `--check`, checks the gold files.

`python eval/select_polnear_train.py ../shared/eval/polnear-train` prints both lists. Per
publisher, in sorted publisher order (breitbart, huff-post, nyt, politico, usa-today, wash-post,
west-journal), the candidates are the files of `input/`, in sorted file-name order (that is, by
date), whose shared surface gold (`gold/<stem>.json`) has between 5 and 25 `quotes` and whose
article has at most 600 words (whitespace-separated tokens of the whole file); a file whose text
equals that of a file already chosen would be skipped (none is). The development set
(eval/gold/polnear-train) takes the first 3 candidates of each publisher, except the last
publisher (west-journal), which gives 2; the held-out set (eval/gold/polnear-train-test) takes
the next 3 of each publisher, except the first (breitbart), which gives 2: 20 + 20 articles, every
publisher in both halves, 5 or 6 articles per publisher.

`newsflow eval --input ../shared/eval/polnear-train/input --gold eval/gold/polnear-train` scores
the chosen articles (eval runs only the files a flat gold set names).

`python eval/select_polnear_train.py ../shared/eval/polnear-train --check` verifies, for both gold
folders: the file set is the selection; every quote text (quotes and optional quotes) and every
speaker, alias and name occurs in its article (quote texts verbatim; names with white space
folded, as the articles hold non-breaking spaces); names of `people` occur in the body (the text
after the headline paragraph); `sources` ⊆ `people`; `sources_female` and `sources_male` ⊆
`sources` and disjoint; `person_keys` keys ⊆ `people`; the named people among the (non-optional)
quote speakers are exactly the `sources`; and the quotes and optional quotes account for the
shared gold's, list by list (an entry's `shared_text` when its text was corrected or split,
`moved_from` when it changed list, `removed_from_shared_gold` for the ones dropped; `added`
entries are new). It prints counts per folder and per publisher.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

MIN_QUOTES, MAX_QUOTES = 5, 25
MAX_WORDS = 600
PER_PUBLISHER = 3
HERE = Path(__file__).resolve().parent
DEV_DIR = HERE / "gold" / "polnear-train"
TEST_DIR = HERE / "gold" / "polnear-train-test"


def publisher(stem: str) -> str:
    return stem.split("_", 1)[0]


def candidates(root: Path) -> dict[str, list[str]]:
    """Candidate stems per publisher, in sorted file-name order."""
    out: dict[str, list[str]] = {}
    texts: set[str] = set()
    for path in sorted((root / "input").glob("*.txt")):
        gold = json.loads((root / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        if not MIN_QUOTES <= len(gold["quotes"]) <= MAX_QUOTES or len(text.split()) > MAX_WORDS:
            continue
        if text in texts:
            continue
        texts.add(text)
        out.setdefault(publisher(path.stem), []).append(path.stem)
    return out


def select(root: Path) -> tuple[list[str], list[str]]:
    """(development stems, held-out stems)."""
    cands = candidates(root)
    pubs = sorted(cands)
    dev, test = [], []
    for i, pub in enumerate(pubs):
        n_dev = PER_PUBLISHER - (i == len(pubs) - 1)
        n_test = PER_PUBLISHER - (i == 0)
        dev += cands[pub][:n_dev]
        test += cands[pub][n_dev : n_dev + n_test]
    return dev, test


# --------------------------------------------------------------------------- check


def _fold(text: str) -> str:
    """White space folded (the articles hold non-breaking spaces)."""
    return " ".join(text.split())


def _body(text: str) -> str:
    """The article without its headline (its first paragraph)."""
    return text.split("\n\n", 1)[1] if "\n\n" in text else text


def _origins(g: dict) -> dict[str, Counter]:
    """The shared gold texts our entries come from, per shared list: an entry's `shared_text`
    (when its text was corrected or split) or its text; split parts count once; entries moved
    from the other list count for it; added entries not at all; removed ones do."""
    out = {"quotes": Counter(), "optional_quotes": Counter()}
    for key in ("quotes", "optional_quotes"):
        prev = None
        for q in g.get(key, []):
            if q.get("added"):
                prev = None
                continue
            origin = (q.get("moved_from", key), q.get("shared_text", q["text"]))
            if "shared_text" in q and origin == prev:
                continue  # the next part of a split quote
            out[origin[0]][origin[1]] += 1
            prev = origin
    for r in g.get("removed_from_shared_gold", []):
        out[r["list"]][r["text"]] += 1
    return out


def check_file(path: Path, root: Path) -> tuple[list[str], dict]:
    g = json.loads(path.read_text(encoding="utf-8"))
    errs: list[str] = []
    doc = g.get("document")
    if doc != f"{path.stem}.txt":
        errs.append(f"document {doc!r} is not {path.stem}.txt")
    text = (root / "input" / f"{path.stem}.txt").read_text(encoding="utf-8")
    folded, body = _fold(text), _fold(_body(text))
    shared = json.loads((root / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
    if g.get("speaker_mode") != "canonical":
        errs.append("speaker_mode is not canonical")
    origins = _origins(g)
    for key in ("quotes", "optional_quotes"):
        theirs = Counter(q["text"] for q in shared.get(key, []))
        if origins[key] != theirs:
            errs.append(
                f"{key} do not account for the shared gold: extra {list(origins[key] - theirs)[:2]}, "
                f"missing {list(theirs - origins[key])[:2]}"
            )
        for q in g.get(key, []):
            if q["text"] not in text:
                errs.append(f"{key} text not in article: {q['text'][:70]!r}")
            if q.get("type") not in ("direct", "indirect", "mixed"):
                errs.append(f"bad type {q.get('type')!r}: {q['text'][:50]!r}")
            if "cue" not in q:
                errs.append(f"no cue field: {q['text'][:50]!r}")
            for name in [q.get("speaker")] + list(q.get("aliases", [])):
                if name is not None and _fold(name) not in folded:
                    errs.append(f"speaker/alias not in article: {name!r}")
    people, sources = g.get("people", []), g.get("sources", [])
    female, male = g.get("sources_female", []), g.get("sources_male", [])
    for name in people:
        if _fold(name) not in body:
            errs.append(f"person not in body: {name!r}")
    for label, lst in (("people", people), ("sources", sources), ("female", female), ("male", male)):
        if len({_fold(n).lower() for n in lst}) != len(lst):
            errs.append(f"duplicate in {label}: {[n for n, c in Counter(lst).items() if c > 1]}")
    if not set(sources) <= set(people):
        errs.append(f"sources not in people: {sorted(set(sources) - set(people))}")
    if not set(female) <= set(sources):
        errs.append(f"female not in sources: {sorted(set(female) - set(sources))}")
    if not set(male) <= set(sources):
        errs.append(f"male not in sources: {sorted(set(male) - set(sources))}")
    if set(female) & set(male):
        errs.append(f"female and male overlap: {sorted(set(female) & set(male))}")
    if not set(g.get("person_keys", {})) <= set(people):
        errs.append(f"person_keys not in people: {sorted(set(g['person_keys']) - set(people))}")
    speakers = {q["speaker"] for q in g.get("quotes", [])}
    group = set(g.get("group_sources", []))  # named members of a group speaker
    if (speakers & set(people)) | group != set(sources):
        errs.append(f"named quote speakers {sorted(speakers & set(people))} are not the sources {sorted(sources)}")
    counts = {
        "articles": 1,
        "quotes": len(g.get("quotes", [])),
        "optional": len(g.get("optional_quotes", [])),
        "people": len(people),
        "sources": len(sources),
        "female": len(female),
        "male": len(male),
    }
    for q in g.get("quotes", []):
        counts[q.get("type", "?")] = counts.get(q.get("type", "?"), 0) + 1
    return errs, counts


COLUMNS = ("articles", "quotes", "optional", "people", "sources", "female", "male", "direct", "indirect", "mixed")


def check(root: Path) -> int:
    dev, test = select(root)
    n_err = 0
    for folder, stems in ((DEV_DIR, dev), (TEST_DIR, test)):
        have = sorted(p.stem for p in folder.glob("*.json"))
        if have != sorted(stems):
            n_err += 1
            print(f"{folder.name}: files {sorted(set(have) ^ set(stems))} differ from the selection")
        per_pub: dict[str, Counter] = {}
        for path in sorted(folder.glob("*.json")):
            errs, counts = check_file(path, root)
            for e in errs:
                print(f"{folder.name}/{path.name}: {e}")
            n_err += len(errs)
            per_pub.setdefault(publisher(path.stem), Counter()).update(counts)
        total = sum(per_pub.values(), Counter())
        print(f"\n{folder.name}")
        print(f"  {'publisher':<14}" + "".join(f"{c:>10}" for c in COLUMNS))
        for pub, c in sorted(per_pub.items()) + [("total", total)]:
            print(f"  {pub:<14}" + "".join(f"{c.get(k, 0):>10}" for k in COLUMNS))
        print()
    print(f"{n_err} problem(s)")
    return 1 if n_err else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", type=Path, default=Path("../shared/eval/polnear-train"))
    ap.add_argument("--check", action="store_true", help="check the gold files of both folders")
    args = ap.parse_args(argv)
    if args.check:
        return check(args.root)
    dev, test = select(args.root)
    print(f"# development ({len(dev)}): eval/gold/polnear-train")
    for stem in dev:
        print(f"{stem}.txt")
    print(f"# held out ({len(test)}): eval/gold/polnear-train-test")
    for stem in test:
        print(f"{stem}.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
