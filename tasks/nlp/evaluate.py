"""Quote evaluation: exactly the metric of `shared/eval/README.md`.

- Words: `re.findall(r"\\w+", text.lower())`, compared as multisets.
- A prediction matches a gold quote of the same document when the F1 of their word multisets is
  >= 0.5; pairs are taken greedily, best F1 first, one-to-one. A prediction matched to an
  optional quote counts nowhere.
- The speaker is right when the last word of the prediction (`speaker_name`, falling back to
  `speaker`; `speaker` alone in surface mode) is one of the words of the gold speaker or its
  aliases, ignoring "the", "a", "an", "of", "and", "mr", "mrs", "ms", "dr"; when the gold names
  no speaker, it is right only when none is predicted.
- Lenient variant: a pair is eligible when the prediction covers >= 30% of the gold words.

A gold set names its documents either by file name ("a.txt": a flat set, the whole input folder
is scored) or by a path relative to the input folder ("business/001.txt": only the named files
are processed and scored, see `document_paths`).

`python -m newsflow.tasks.nlp.evaluate --input DIR --gold DIR` runs the spaCy pipeline alone (no Prefect) over
the `.txt` files, cleaned as the flow cleans them (`body_text`), and prints the figures: a fast
loop for working on the extractors.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path, PurePosixPath

from newsflow.tasks.config import Settings

IGNORED_WORDS = {"the", "a", "an", "of", "and", "mr", "mrs", "ms", "dr"}
STRICT_F1 = 0.5
LENIENT_COVERAGE = 0.3


def words(text: str | None) -> Counter:
    return Counter(re.findall(r"\w+", (text or "").lower()))


def word_f1(pred: Counter, gold: Counter) -> float:
    overlap = sum((pred & gold).values())
    if not overlap:
        return 0.0
    p = overlap / sum(pred.values())
    r = overlap / sum(gold.values())
    return 2 * p * r / (p + r)


def coverage(pred: Counter, gold: Counter) -> float:
    total = sum(gold.values())
    return sum((pred & gold).values()) / total if total else 0.0


def load_gold(gold_dir: Path, *overlays: Path) -> dict[str, dict]:
    """Gold files by document name; `gold_dir` is a set's folder or its `gold/` folder. Each
    folder of `overlays` holds files for some of the same documents whose keys are added to
    theirs (e.g. `sources_female` for a set kept elsewhere, read-only); an overlay file for a
    document the set does not have is an error."""
    out: dict[str, dict] = {}
    for i, folder in enumerate((gold_dir, *overlays)):
        folder = Path(folder)
        if (folder / "gold").is_dir():
            folder = folder / "gold"
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            name = data.get("document") or path.stem + ".txt"
            if i == 0:
                out[name] = data
            elif name in out:
                out[name] = out[name] | {k: v for k, v in data.items() if k != "document"}
            else:
                raise ValueError(f"{path}: overlay for {name!r}, which {gold_dir} has no gold file for")
    return out


def doc_key(name: str) -> str:
    """A document's key: its path without the extension ("a.txt" -> "a", "business/001.txt" ->
    "business/001"), so that predictions keyed by file name or stem meet their gold file, and
    documents of different folders stay apart."""
    path = PurePosixPath(name)
    return str(path.with_suffix("")) if path.suffix else str(path)


def document_paths(gold: dict[str, dict]) -> list[str] | None:
    """The gold's documents as paths relative to the input folder when the gold names them so
    (a name with a folder in it, e.g. "business/001.txt"): only those files are to be processed
    and scored. None for a flat set (plain file names: the whole input folder is the set)."""
    names = sorted(gold)
    if not any("/" in name for name in names):
        return None
    for name in names:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or "\\" in name:
            raise ValueError(f"gold document {name!r} is not a path relative to the input folder")
    return names


def _last_word(pred: dict, mode: str) -> str | None:
    value = pred.get("speaker") if mode == "surface" else (pred.get("speaker_name") or pred.get("speaker"))
    ws = [w for w in re.findall(r"\w+", (value or "").lower()) if w not in IGNORED_WORDS]
    return ws[-1] if ws else None


def speaker_right(pred: dict, gold: dict, mode: str) -> bool:
    last = _last_word(pred, mode)
    names = [gold.get("speaker") or ""] + list(gold.get("aliases") or [])
    gold_words = {w for n in names for w in re.findall(r"\w+", n.lower())} - IGNORED_WORDS
    if not gold_words:
        return last is None
    return last in gold_words


def _match(preds: list[dict], golds: list[dict], lenient: bool) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs (pred index, gold index), best word F1 first."""
    pw = [words(p.get("text")) for p in preds]
    gw = [words(g.get("text")) for g in golds]
    pairs = []
    for i, p in enumerate(pw):
        for j, g in enumerate(gw):
            f1 = word_f1(p, g)
            ok = coverage(p, g) >= LENIENT_COVERAGE if lenient else f1 >= STRICT_F1
            if ok:
                pairs.append((f1, coverage(p, g), i, j))
    pairs.sort(key=lambda x: (-x[0], -x[1], x[2], x[3]))
    used_p, used_g, out = set(), set(), []
    for _, _, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j))
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _score(predicted: dict[str, list[dict]], gold: dict[str, dict], lenient: bool) -> dict:
    preds_by_key = {doc_key(k): v for k, v in predicted.items()}
    n_pred = n_gold = matched = right = 0
    misses = []
    for doc_name, g in gold.items():
        mode = g.get("speaker_mode", "canonical")
        preds = list(preds_by_key.get(doc_key(doc_name), []))
        golds = [dict(q, optional=False) for q in g.get("quotes", [])]
        golds += [dict(q, optional=True) for q in g.get("optional_quotes", [])]
        pairs = _match(preds, golds, lenient)
        paired_p = {i for i, _ in pairs}
        paired_g = {j for _, j in pairs}
        optional_hits = {i for i, j in pairs if golds[j]["optional"]}
        n_pred += len(preds) - len(optional_hits)
        n_gold += sum(1 for q in golds if not q["optional"])
        for i, j in pairs:
            if golds[j]["optional"]:
                continue
            matched += 1
            if speaker_right(preds[i], golds[j], mode):
                right += 1
            else:
                misses.append(
                    {
                        "document": doc_name,
                        "kind": "wrong_speaker",
                        "text": golds[j]["text"],
                        "predicted": preds[i].get("speaker_name") or preds[i].get("speaker"),
                        "predicted_surface": preds[i].get("speaker"),
                        "gold": golds[j].get("speaker"),
                        "method": preds[i].get("method"),
                    }
                )
        for j, q in enumerate(golds):
            if j not in paired_g and not q["optional"]:
                misses.append({"document": doc_name, "kind": "missed", "text": q["text"], "gold": q.get("speaker")})
        for i, p in enumerate(preds):
            if i not in paired_p:
                misses.append(
                    {
                        "document": doc_name,
                        "kind": "spurious",
                        "text": p.get("text"),
                        "predicted": p.get("speaker_name") or p.get("speaker"),
                        "cue": p.get("cue"),
                        "method": p.get("method"),
                    }
                )
    qp, qr, qf = _prf(matched, n_pred, n_gold)
    ep, er, ef = _prf(right, n_pred, n_gold)
    return {
        "quote_p": qp,
        "quote_r": qr,
        "quote_f1": qf,
        "speaker_acc": right / matched if matched else 0.0,
        "e2e_p": ep,
        "e2e_r": er,
        "e2e_f1": ef,
        "n_pred": n_pred,
        "n_gold": n_gold,
        "n_matched": matched,
        "n_right_speaker": right,
        "misses": misses,
    }


def score(predicted: dict[str, list[dict]], gold_dir: Path | dict) -> dict:
    """Scores per-document predicted quotes (dicts with text, speaker, speaker_name; keyed by the
    input file name or its stem) against a gold set; adds `lenient_*` figures."""
    gold = gold_dir if isinstance(gold_dir, dict) else load_gold(Path(gold_dir))
    strict = _score(predicted, gold, lenient=False)
    lenient = _score(predicted, gold, lenient=True)
    for key in ("quote_p", "quote_r", "quote_f1", "speaker_acc", "e2e_f1", "n_matched"):
        strict["lenient_" + key] = lenient[key]
    return strict


def _name(name: str) -> str:
    """Names compare lower-cased, with white space folded."""
    return " ".join(name.lower().split())


def _gold_people(g: dict) -> tuple[set[str], set[str]] | None:
    """(people named, people quoted) of a gold document: its `people` and `sources` lists, or,
    in gold that lists `entities` instead, its PERSON entities and those of them that speak a
    gold quote. None when the document has neither."""
    if "people" in g:
        return {_name(n) for n in g["people"]}, {_name(n) for n in g.get("sources") or []}
    if "entities" in g:
        named = {_name(e["name"]) for e in g["entities"] if e.get("label") == "PERSON"}
        return named, {_name(q["speaker"]) for q in g.get("quotes", []) if q.get("speaker")} & named
    return None


def people_scores(
    people: dict[str, set[str]],
    predicted: dict[str, list[dict]],
    gold_dir: Path | dict,
    person_ids: dict[str, set[str]],
) -> dict:
    """People named (PERSON entities by canonical name) and people quoted (distinct
    `speaker_name`s of quotes whose `speaker_entity_id` is one of the document's PERSON entities,
    `person_ids`), against the
    gold `people` and `sources` (or, in older gold, its PERSON `entities` and those that speak a
    gold quote); micro-averaged over the gold documents that carry them; names compared
    lower-cased with white space folded. Empty when no gold document carries them."""
    gold = gold_dir if isinstance(gold_dir, dict) else load_gold(Path(gold_dir))
    people_by_key = {doc_key(k): v for k, v in people.items()}
    preds_by_key = {doc_key(k): v for k, v in predicted.items()}
    ids_by_key = {doc_key(k): v for k, v in person_ids.items()}
    counts = {"people": [0, 0, 0], "sources": [0, 0, 0]}  # matched, predicted, gold
    for doc_name, g in gold.items():
        truth = _gold_people(g)
        if truth is None:
            continue
        named, quoted = truth
        key = doc_key(doc_name)
        named_pred = {_name(n) for n in people_by_key.get(key, set())}
        ids = ids_by_key.get(key, set())
        quoted_pred = {
            _name(q["speaker_name"])
            for q in preds_by_key.get(key, [])
            if q.get("speaker_name") and q.get("speaker_entity_id") in ids
        }
        for name, pred, truth in (
            ("people", named_pred, named),
            ("sources", quoted_pred, quoted),
        ):
            counts[name][0] += len(pred & truth)
            counts[name][1] += len(pred)
            counts[name][2] += len(truth)
    if not any(c[2] for c in counts.values()):
        return {}
    out = {}
    for name, (tp, n_pred, n_gold) in counts.items():
        out[f"{name}_p"], out[f"{name}_r"], out[f"{name}_f1"] = _prf(tp, n_pred, n_gold)
    return out


def _prf_keys(prefix: str, tp: int, n_pred: int, n_gold: int) -> dict:
    p, r, f1 = _prf(tp, n_pred, n_gold)
    return {f"{prefix}_p": p, f"{prefix}_r": r, f"{prefix}_f1": f1}


def gender_scores(predicted: dict[str, list[dict]], gold_dir: Path | dict, genders: dict[str, dict[str, str]]) -> dict:
    """Female and male sources: the people quoted (as `people_scores` counts them) whose person
    is `female` / `male` (`genders`: per document, PERSON entity_id → its person's gender),
    against the gold `sources_female` / `sources_male`, micro-averaged; and the share of women
    among the sources of known gender, gold and predicted (each source once per document).
    Empty when no gold document carries the lists."""
    gold = gold_dir if isinstance(gold_dir, dict) else load_gold(Path(gold_dir))
    preds_by_key = {doc_key(k): v for k, v in predicted.items()}
    genders_by_key = {doc_key(k): v for k, v in genders.items()}
    counts = {"female": [0, 0, 0], "male": [0, 0, 0]}
    for doc_name, g in gold.items():
        if "sources_female" not in g and "sources_male" not in g:
            continue
        key = doc_key(doc_name)
        of = genders_by_key.get(key, {})
        pred = {"female": set(), "male": set()}
        for q in preds_by_key.get(key, []):
            gender = of.get(q.get("speaker_entity_id"))
            if q.get("speaker_name") and gender in pred:
                pred[gender].add(_name(q["speaker_name"]))
        for gender in ("female", "male"):
            truth = {_name(n) for n in g.get(f"sources_{gender}") or []}
            counts[gender][0] += len(pred[gender] & truth)
            counts[gender][1] += len(pred[gender])
            counts[gender][2] += len(truth)
    if not any(c[2] for c in counts.values()):
        return {}
    out = {}
    for gender, (tp, n_pred, n_gold) in counts.items():
        out |= _prf_keys(f"sources_{gender}", tp, n_pred, n_gold)
    n_gold = counts["female"][2] + counts["male"][2]
    n_pred = counts["female"][1] + counts["male"][1]
    out["women_share_gold"] = counts["female"][2] / n_gold if n_gold else None
    out["women_share_pred"] = counts["female"][1] / n_pred if n_pred else None
    return out


def person_predictions(
    entities: list[dict], people: list[dict], person_entities: list[dict], names: dict[str, str]
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """What `gender_scores` and `identity_scores` take, from rows of `entities`, `people` and
    `person_entities`: per document name (`names`: doc_id → the gold's document name), each PERSON
    entity_id → its person's gender, and each PERSON entity name → its person_id."""
    gender = {p["person_id"]: p["gender"] for p in people}
    person_of = {(r["doc_id"], r["entity_id"]): r["person_id"] for r in person_entities}
    genders: dict[str, dict[str, str]] = {name: {} for name in names.values()}
    people_ids: dict[str, dict[str, str]] = {name: {} for name in names.values()}
    for e in entities:
        pid = person_of.get((e["doc_id"], e["entity_id"])) if e["label"] == "PERSON" else None
        if pid is not None:
            genders[names[e["doc_id"]]][e["entity_id"]] = gender.get(pid, "unknown")
            people_ids[names[e["doc_id"]]][e["name"]] = pid
    return genders, people_ids


def identity_scores(people_ids: dict[str, dict[str, str]], gold_dir: Path | dict) -> dict:
    """Cross-document identity, pairwise: each gold person of a document (`people`, with its
    corpus-wide key `person_keys.get(name, name)`) meets the predicted PERSON entity of that
    document with the same name (`people_ids`: per document, entity name → person_id); over the
    pairs of such people in two different documents, recall is the share of same-key pairs that
    share a person_id, precision the share of same-person_id pairs that share a key. Gold people
    the system did not name are left out (people_r counts them). Empty without gold people."""
    gold = gold_dir if isinstance(gold_dir, dict) else load_gold(Path(gold_dir))
    ids_by_key = {doc_key(k): {_name(n): pid for n, pid in v.items()} for k, v in people_ids.items()}
    items = []  # (gold key, person_id), one per gold person the system named
    for doc_name, g in gold.items():
        if "people" not in g:
            continue
        keys = g.get("person_keys") or {}
        named = ids_by_key.get(doc_key(doc_name), {})
        for name in g["people"]:
            pid = named.get(_name(name))
            if pid is not None:
                items.append((_name(keys.get(name, name)), pid))
    if not items:
        return {}

    def pairs(counter: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    both = pairs(Counter(items))
    same_key = pairs(Counter(k for k, _ in items))
    same_id = pairs(Counter(p for _, p in items))
    return {
        "identity_p": both / same_id if same_id else 1.0,
        "identity_r": both / same_key if same_key else 1.0,
        "identity_pairs": same_key,
    }


def not_quote_hits(predicted: dict[str, list[dict]], gold: dict[str, dict]) -> list[dict]:
    """Predictions that match a gold `not_quotes` entry (word F1 >= 0.5)."""
    preds_by_key = {doc_key(k): v for k, v in predicted.items()}
    hits = []
    for doc_name, g in gold.items():
        for nq in g.get("not_quotes", []):
            for p in preds_by_key.get(doc_key(doc_name), []):
                if word_f1(words(p.get("text")), words(nq.get("text"))) >= STRICT_F1:
                    hits.append({"document": doc_name, "text": p.get("text")})
    return hits


# --------------------------------------------------------------------------- dev loop


def body_text(raw: str) -> str:
    """The article body exactly as the flow gives it to spaCy (the clean stage's `clean_body`)."""
    from newsflow.tasks.clean import clean_body

    return clean_body(raw)[1]


def predict_dir(
    input_dir: Path, model: str = Settings.model, n_process: int = 1, names: list[str] | None = None
) -> dict:
    """Quotes of the `.txt` files of `input_dir`, by file name; or of the files `names` (paths
    relative to `input_dir`), by those paths."""
    from newsflow.tasks.ingest import decode
    from newsflow.tasks.nlp.pipeline import PipelineSpec, load_pipeline, pipe_rows, pool_rows
    from newsflow.tasks.workers import WorkerPool

    if names is None:
        named = [(p, p.name) for p in sorted(Path(input_dir).glob("*.txt"))]
    else:
        named = [(Path(input_dir) / name, name) for name in names]
    items = [(body_text(decode(p.read_bytes())[0]), name) for p, name in named]
    if n_process < 2:
        return {name: rows["quotes"] for name, rows in pipe_rows(load_pipeline(model), items)}
    with WorkerPool(n_process, name="newsflow-eval") as pool:
        return {name: rows["quotes"] for name, rows in pool_rows(pool, PipelineSpec(model), items)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", required=True, type=Path, help="folder of .txt articles")
    ap.add_argument("--gold", required=True, type=Path, help="folder of gold .json files")
    ap.add_argument("--model", default=Settings.model)
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--misses", action="store_true", help="print every miss")
    args = ap.parse_args(argv)
    gold = load_gold(args.gold)
    predicted = predict_dir(args.input, args.model, args.n_process, names=document_paths(gold))
    result = score(predicted, gold)
    if args.misses:
        for miss in result["misses"]:
            print(json.dumps(miss, ensure_ascii=False))
    for key, value in result.items():
        if key != "misses":
            print(f"{key}\t{value:.3f}" if isinstance(value, float) else f"{key}\t{value}")
    hits = not_quote_hits(predicted, gold)
    print(f"not_quotes_predicted\t{len(hits)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
