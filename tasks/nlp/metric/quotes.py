"""The quote metric of `shared/eval/README.md`, exactly.

- Words: `re.findall(r"\\w+", text.lower())`, compared as multisets.
- A prediction matches a gold quote of the same document when the F1 of their word multisets is
  >= 0.5; pairs are taken greedily, best F1 first, one-to-one. A prediction matched to an
  optional quote counts nowhere.
- The speaker is right when the last word of the prediction (`speaker_name`, falling back to
  `speaker`; `speaker` alone in surface mode) is one of the words of the gold speaker or its
  aliases, ignoring "the", "a", "an", "of", "and", "mr", "mrs", "ms", "dr"; when the gold names
  no speaker, it is right only when none is predicted.
- Lenient variant: a pair is eligible when the prediction covers >= 30% of the gold words.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from newsflow.tasks.nlp.metric.gold import doc_key, load_gold

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


def match_pairs(preds: list[dict], golds: list[dict], lenient: bool) -> list[tuple[int, int]]:
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


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
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
        pairs = match_pairs(preds, golds, lenient)
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
    qp, qr, qf = prf(matched, n_pred, n_gold)
    ep, er, ef = prf(right, n_pred, n_gold)
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
