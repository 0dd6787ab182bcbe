"""A person's gender, inferred from evidence, saying which evidence decided.

1. The articles: every "<kind>:<gender>" cue of every document naming the person
   (`entities.gender_cues`: honorifics, pronouns resolved to them as speakers, gendered role
   nouns), weighted (an honorific counts twice). One side wins when it has at least twice the
   other's weight; `gender_evidence` is the strongest kind on its side (honorific, then pronoun,
   then role noun).
2. Where the articles give none (or disagree), the first name: nomquamgender's name statistic
   (MIT licence; its data file is read as it ships, offline), used only for a name seen at least
   `MIN_COUNT` times whose share of women is at least `1 - THRESHOLD` or at most `THRESHOLD`; when
   the articles disagree, the name only breaks the tie between their two sides.
3. Otherwise `unknown`.

This is an inference for counting: the share of women among the people quoted across many
articles. It is not a fact about any one person, and it is wrong for some (see docs/quality.md).
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Iterable, Mapping

from newsflow.schemas.tables import ARTICLE_EVIDENCE
from newsflow.tasks.people.name_data import name_records

WEIGHTS = {"honorific": 2, "pronoun": 1, "role_noun": 1}
THRESHOLD = 0.1  # nomquamgender's own default: a name must be at least 90% one gender
MIN_COUNT = 100  # records behind a name in nomquamgender's data


@functools.cache
def first_name_shares() -> Mapping[str, float]:
    """Lower-case first name → the share of women among its bearers in nomquamgender's data, for
    the names seen at least `MIN_COUNT` times (read through newsflow's cache: `name_data`)."""
    return {name: share_female for name, (_, share_female) in name_records(MIN_COUNT).items()}


@functools.cache
def first_name_genders() -> Mapping[str, str]:
    """Lower-case first name → "female"/"male", for the names decisive enough (see the module)."""
    out = {}
    for name, share_female in first_name_shares().items():
        if share_female >= 1 - THRESHOLD:
            out[name] = "female"
        elif share_female <= THRESHOLD:
            out[name] = "male"
    return out


def preload() -> threading.Thread:
    """Read the name statistic in a background thread (1-2 s), so it is ready when the run needs it."""
    thread = threading.Thread(target=first_name_genders, name="newsflow-names", daemon=True)
    thread.start()
    return thread


def decide(cues: Iterable[str], first_name: str | None, infer: bool = True) -> tuple[str, str | None]:
    """(gender, gender_evidence) from a person's cues and first name (folded, or None)."""
    if not infer:
        return "unknown", None
    weight: Counter = Counter()
    kinds: dict[str, set[str]] = {"female": set(), "male": set()}
    for cue in cues:
        kind, _, gender = cue.partition(":")
        if gender in kinds and kind in WEIGHTS:
            weight[gender] += WEIGHTS[kind]
            kinds[gender].add(kind)
    f, m = weight["female"], weight["male"]
    by_name = first_name_genders().get(first_name) if first_name else None
    for side, this, other in (("female", f, m), ("male", m, f)):
        if this and this >= 2 * other:
            return side, next(k for k in ARTICLE_EVIDENCE if k in kinds[side])
    if f or m:  # the articles disagree: the name may break the tie between their two sides
        if by_name is not None and kinds[by_name]:
            return by_name, "first_name"
        return "unknown", None
    if by_name is not None:
        return by_name, "first_name"
    return "unknown", None
