"""People scores beside the quote metric: people named and quoted, the gender of the people
quoted, and cross-document identity, each against the gold keys that carry it (docs/quality.md).
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from newsflow.tasks.nlp.metric.gold import doc_key, load_gold
from newsflow.tasks.nlp.metric.quotes import prf


def fold_name(name: str) -> str:
    """Names compare lower-cased, with white space folded."""
    return " ".join(name.lower().split())


def gold_people(g: dict) -> tuple[set[str], set[str]] | None:
    """(people named, people quoted) of a gold document: its `people` and `sources` lists, or,
    in gold that lists `entities` instead, its PERSON entities and those of them that speak a
    gold quote. None when the document has neither."""
    if "people" in g:
        return {fold_name(n) for n in g["people"]}, {fold_name(n) for n in g.get("sources") or []}
    if "entities" in g:
        named = {fold_name(e["name"]) for e in g["entities"] if e.get("label") == "PERSON"}
        return named, {fold_name(q["speaker"]) for q in g.get("quotes", []) if q.get("speaker")} & named
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
        truth = gold_people(g)
        if truth is None:
            continue
        named, quoted = truth
        key = doc_key(doc_name)
        named_pred = {fold_name(n) for n in people_by_key.get(key, set())}
        ids = ids_by_key.get(key, set())
        quoted_pred = {
            fold_name(q["speaker_name"])
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
        out[f"{name}_p"], out[f"{name}_r"], out[f"{name}_f1"] = prf(tp, n_pred, n_gold)
    return out


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval of a share k/n (95% with the default `z`); None when n is 0.
    Unlike k/n ± z·se it stays inside [0, 1] and is not empty at 0 or n (a share of women among
    a few dozen sources is the case it is for). It takes the sources as independent draws: people
    quoted in one article are not quite, so read it as a lower bound on the uncertainty."""
    if n <= 0:
        return None
    share = k / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _prf_keys(prefix: str, tp: int, n_pred: int, n_gold: int) -> dict:
    p, r, f1 = prf(tp, n_pred, n_gold)
    return {f"{prefix}_p": p, f"{prefix}_r": r, f"{prefix}_f1": f1}


def gender_scores(predicted: dict[str, list[dict]], gold_dir: Path | dict, genders: dict[str, dict[str, str]]) -> dict:
    """Female and male sources: the people quoted (as `people_scores` counts them) whose person
    is `female` / `male` (`genders`: per document, PERSON entity_id → its person's gender),
    against the gold `sources_female` / `sources_male`, micro-averaged; and the share of women
    among the sources of known gender, gold and predicted (each source once per document), each
    with its 95% Wilson interval (`women_share_gold_low` / `_high`, `women_share_pred_low` /
    `_high`). Empty when no gold document carries the lists."""
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
                pred[gender].add(fold_name(q["speaker_name"]))
        for gender in ("female", "male"):
            truth = {fold_name(n) for n in g.get(f"sources_{gender}") or []}
            counts[gender][0] += len(pred[gender] & truth)
            counts[gender][1] += len(pred[gender])
            counts[gender][2] += len(truth)
    if not any(c[2] for c in counts.values()):
        return {}
    out = {}
    for gender, (tp, n_pred, n_gold) in counts.items():
        out |= _prf_keys(f"sources_{gender}", tp, n_pred, n_gold)
    for side, column in (("gold", 2), ("pred", 1)):
        women, known = counts["female"][column], counts["female"][column] + counts["male"][column]
        interval = wilson_interval(women, known)
        out[f"women_share_{side}"] = women / known if known else None
        out[f"women_share_{side}_low"], out[f"women_share_{side}_high"] = interval or (None, None)
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
    ids_by_key = {doc_key(k): {fold_name(n): pid for n, pid in v.items()} for k, v in people_ids.items()}
    items = []  # (gold key, person_id), one per gold person the system named
    for doc_name, g in gold.items():
        if "people" not in g:
            continue
        keys = g.get("person_keys") or {}
        named = ids_by_key.get(doc_key(doc_name), {})
        for name in g["people"]:
            pid = named.get(fold_name(name))
            if pid is not None:
                items.append((fold_name(keys.get(name, name)), pid))
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
