"""A person's gender, inferred from evidence, saying which evidence decided.

1. The articles: every "<kind>:<gender>" cue of every document naming the person
   (`entities.gender_cues`: honorifics, pronouns resolved to them as speakers, gendered role
   nouns, and the weaker `coreference`: pronouns the text ties to them), weighted (an honorific
   counts twice, a `coreference` cue half: `COREFERENCE_WEIGHT`). One side wins when it has at
   least twice the other's weight; `gender_evidence` is the strongest kind on its side
   (honorific, then pronoun, role noun, coreference). `coreference` cues alone do not decide
   here: without the other kinds they are weighed against the name (2.).
2. Where they give none (or disagree), the first name: nomquamgender's name statistic
   (MIT licence; its data file is read as it ships, offline), calibrated per name
   (`first_name_genders`): a name says a gender when, after its records (women and men among its
   bearers) update a uniform prior, the gender's share is at least `MIN_SHARE` with 95%
   probability: "Shannon" (82% women over 419,375 records) says female, a name with 10 records all
   women does not yet (13 do), "Kim" (67%) and "Jean" (48%) never. A first name missing from the data
   is looked up by its first part ("Anne-Sophie" → "anne", "Mary Ann" → "mary"); accents are
   folded before (`names.fold`). When the articles disagree, the name only breaks the tie between
   their two sides. When they give none, the name (weight `NAME_WEIGHT`) is weighed with the
   weaker `coreference` cues (pronouns the text ties to the person, `COREFERENCE_WEIGHT` each), by
   the same rule: one "he" after "Betty Shelby" that was someone else's does not outweigh
   "Betty", four "he" after "Lindsey Graham" outweigh "Lindsey"; where the first name says nothing
   ("Jean", "Melanie" alone) the pronouns decide (`gender_evidence` `coreference`).
3. Otherwise `unknown`.

This is an inference for counting: the share of women among the people quoted across many
articles. It is not a fact about any one person, and it is wrong for some (see docs/quality.md).
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import numpy
import pyarrow as pa

from newsflow.schemas.tables import ARTICLE_EVIDENCE
from newsflow.tasks.people.name_data import all_name_records, derived_table, name_records
from newsflow.tasks.people.names import fold

WEIGHTS = {"honorific": 2, "pronoun": 1, "role_noun": 1}
# A pronoun the text ties to the person (`entities.gender`) counts half a pronoun speaker: on the
# development sets 96% of them were right (301 of 315), against 99% of pronoun speakers (254 of
# 256) and every honorific and role noun. Alone, they are weighed against the first name (98% right
# there: 99 of 101), which counts as a pronoun speaker does.
COREFERENCE_WEIGHT = 0.5
NAME_WEIGHT = 1
MIN_COUNT = 100  # records behind a name in `first_name_shares` (the hypocorisms' comparison)
MIN_SHARE = 0.8  # the share of one gender a name must have among its bearers...
CREDIBILITY = 0.95  # ...with this posterior probability (Beta posterior, uniform prior)


@functools.cache
def first_name_shares() -> Mapping[str, float]:
    """Lower-case first name → the share of women among its bearers in nomquamgender's data, for
    the names seen at least `MIN_COUNT` times (kept in newsflow's cache: `name_data`)."""
    table = derived_table("first-name-shares", f"{MIN_COUNT}", ("name", "share_female"), _shares_table)
    return dict(zip(table["name"].to_pylist(), table["share_female"].to_pylist(), strict=True))


def _shares_table() -> pa.Table:
    records = name_records(MIN_COUNT)
    names = sorted(records)
    return pa.table({"name": names, "share_female": pa.array([records[n][1] for n in names], pa.float64())})


@functools.cache
def first_name_genders() -> Mapping[str, str]:
    """Lower-case first name → "female"/"male", for the names whose records make one gender's share
    at least `MIN_SHARE` with probability `CREDIBILITY`: the lower `1 - CREDIBILITY` quantile of the
    Beta(1 + women, 1 + men) posterior of that share (see the module). Computed once per installed
    copy of nomquamgender and kept in newsflow's cache (`name_data.derived_table`)."""
    table = derived_table("first-name-genders", f"{MIN_SHARE}-{CREDIBILITY}", ("name", "gender"), _genders_table)
    return MappingProxyType(dict(zip(table["name"].to_pylist(), table["gender"].to_pylist(), strict=True)))


def _genders_table() -> pa.Table:
    """The calibrated genders, computed (scipy's inverse incomplete beta over every name: ~0.7 s)."""
    from scipy.special import betaincinv

    records = all_name_records()
    names = sorted(records)
    counts = numpy.array([records[n][0] for n in names], dtype=float)
    women = numpy.round(counts * numpy.array([records[n][1] for n in names], dtype=float))
    men = counts - women
    alpha = 1 - CREDIBILITY
    female = betaincinv(women + 1, men + 1, alpha) >= MIN_SHARE
    male = betaincinv(men + 1, women + 1, alpha) >= MIN_SHARE
    decided = [
        (n, "female" if f else "male") for n, f, m in zip(names, female.tolist(), male.tolist(), strict=True) if f or m
    ]
    return pa.table({"name": [n for n, _ in decided], "gender": [g for _, g in decided]})


def name_gender(first_name: str | None) -> str | None:
    """The gender `first_name_genders` gives a first name, its accents folded; for a name it does not
    decide, its first part ("anne-sophie" → "anne", "mary ann" → "mary"). None when undecided."""
    if not first_name:
        return None
    genders = first_name_genders()
    name = fold(first_name)
    found = genders.get(name)
    if found is None:
        first = re.split(r"[-\s]", name, maxsplit=1)[0]
        found = genders.get(first) if first != name else None
    return found


def preload() -> threading.Thread:
    """Read the name statistic in a background thread (1-2 s), so it is ready when the run needs it."""
    thread = threading.Thread(target=first_name_genders, name="newsflow-names", daemon=True)
    thread.start()
    return thread


def _winner(weight: Mapping[str, int]) -> str | None:
    """The side with some weight and at least twice the other's, else None."""
    f, m = weight.get("female", 0), weight.get("male", 0)
    if f and f >= 2 * m:
        return "female"
    if m and m >= 2 * f:
        return "male"
    return None


def decide(cues: Iterable[str], first_name: str | None, infer: bool = True) -> tuple[str, str | None]:
    """(gender, gender_evidence) from a person's cues and first name (folded, or None)."""
    if not infer:
        return "unknown", None
    weight: Counter = Counter()  # honorifics, pronoun speakers, role nouns
    near: Counter = Counter()  # the weaker `coreference` cues
    kinds: dict[str, set[str]] = {"female": set(), "male": set()}
    for cue in cues:
        kind, _, gender = cue.partition(":")
        if gender in kinds and kind in WEIGHTS:
            weight[gender] += WEIGHTS[kind]
        elif gender in kinds and kind == "coreference":
            near[gender] += COREFERENCE_WEIGHT
        else:
            continue
        kinds[gender].add(kind)
    by_name = name_gender(first_name)
    side = _winner(weight + near) if weight else None
    if side is not None:
        return side, next(k for k in ARTICLE_EVIDENCE if k in kinds[side])
    if weight:  # the articles disagree: the name may break the tie between their two sides
        if by_name is not None and kinds[by_name]:
            return by_name, "first_name"
        return "unknown", None
    side = _winner(near + Counter({by_name: NAME_WEIGHT} if by_name is not None else {}))
    if side is None:
        return "unknown", None
    return side, "coreference" if near[side] else "first_name"
