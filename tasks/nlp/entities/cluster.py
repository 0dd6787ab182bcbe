"""Entity clustering: the candidates of a document grouped into one entity per real-world referent.

`extract_entities(doc, lexicon)` returns the document's mentions and entities: candidates
(candidates.py) with labels repaired over the whole document (labels.py), grouped by name; the
`newsflow_entities` component (component.py) writes them onto the `Doc`. See the package
docstring for what is and is not handled.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from spacy.tokens import Doc

from newsflow.schemas.tables import ENTITY_LABELS
from newsflow.tasks.nlp.credits import credit_like_spans
from newsflow.tasks.nlp.doc_text import doc_text
from newsflow.tasks.nlp.entities.candidates import (
    NAME_LABELS,
    Candidate,
    add_missed_names,
    add_missed_surnames,
    alias_name,
    collect,
)
from newsflow.tasks.nlp.entities.evidence import author_bio
from newsflow.tasks.nlp.entities.labels import repair_labels
from newsflow.tasks.nlp.entities.names import core, surname
from newsflow.tasks.nlp.lexicon import Lexicon


@dataclass(frozen=True)
class Mention:
    start_char: int
    end_char: int
    text: str
    label: str
    entity_id: str


@dataclass(frozen=True)
class Entity:
    entity_id: str
    name: str
    label: str
    n_mentions: int
    gender: str | None = None  # "f", "m" or None (PERSON only)


@dataclass(frozen=True)
class DocEntities:
    mentions: tuple[Mention, ...] = ()
    entities: tuple[Entity, ...] = ()


# Labels the small model gives a lone surname by mistake ("Zakharova" ORG, "Jean-Pierre"
# WORK_OF_ART); not GPE/LOC, where "Jordan" or "Washington" is more likely a place.
SURNAME_LABELS = {"PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "FAC", "EVENT", "LAW"}


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def entity_id(label: str, name: str) -> str:
    """Content-derived id: the same (label, canonical name) gets the same id in every document."""
    return "e_" + _sha(f"{label}|{name}")


class KeyKind(Enum):
    """What a cluster is keyed by: the kinds never share a cluster by key."""

    PERSON = "person"  # a full person name, or a surname no full name of the document takes
    ALIAS = "alias"  # a listed alias: `words` holds its canonical name alone ("U.S." and "America" join)
    NAME = "name"  # any other name, whatever its name label ("Apple" ORG and "Apple" PRODUCT join)
    LABEL = "label"  # a date, number, language...: the same words join only with the same label


@dataclass(frozen=True)
class ClusterKey:
    """Candidates with equal keys are one cluster."""

    kind: KeyKind
    words: tuple[str, ...]
    label: str = ""  # KeyKind.LABEL only


def _key(cand: Candidate, alias: str | None) -> ClusterKey:
    """The key of a candidate that joins no full person name."""
    if alias:
        return ClusterKey(KeyKind.ALIAS, (alias,))
    if cand.label == "PERSON" and len(cand.words) >= 2:
        return ClusterKey(KeyKind.PERSON, cand.words)
    if cand.label in NAME_LABELS:
        return ClusterKey(KeyKind.NAME, cand.words)
    return ClusterKey(KeyKind.LABEL, cand.words, cand.label)


def _cluster(cands: Sequence[Candidate], lex: Lexicon) -> list[list[Candidate]]:
    """Group mentions: aliases, exact names, and short person names joined to full names.
    Clusters come in the order they are made, each with its candidates in text order."""
    cluster_of: dict[int, int] = {}  # candidate position -> cluster number
    by_key: dict[ClusterKey, int] = {}
    numbers = itertools.count()
    full_people = [n for n, c in enumerate(cands) if len(c.words) >= 2 and c.label == "PERSON"]
    # full person names: one cluster per distinct name; "Hillary Clinton" joins "Hillary Rodham Clinton"
    for n in sorted(full_people, key=lambda n: -len(cands[n].words)):
        key = ClusterKey(KeyKind.PERSON, cands[n].words)
        if key not in by_key:
            longer = next(
                (k for k in by_key if k.kind is KeyKind.PERSON and _same_person(key.words, k.words, lex)), None
            )
            by_key[key] = next(numbers) if longer is None else by_key[longer]
        cluster_of[n] = by_key[key]
    person_full: dict[str, list[int]] = {}  # surname -> positions of the full names
    first_names: dict[str, set[int]] = {}  # first name -> clusters of the full names
    for n in full_people:
        person_full.setdefault(surname(cands[n].words, lex), []).append(n)
        first_names.setdefault(cands[n].words[0], set()).add(cluster_of[n])

    for n, c in enumerate(cands):
        if n in cluster_of:
            continue
        alias = alias_name(c.text, lex)
        one_word = not alias and len(c.words) == 1
        if one_word and c.label in SURNAME_LABELS and c.words[0] in person_full:
            nearest = _nearest(c, person_full[c.words[0]], cands, lex)
            if nearest is not None:
                cluster_of[n] = cluster_of[nearest]
                continue
            key = ClusterKey(KeyKind.PERSON, c.words)  # a surname the title keeps off every full name
        elif one_word and len(first_names.get(c.words[0], ())) == 1 and _first_name_label(c, lex):
            cluster_of[n] = next(iter(first_names[c.words[0]]))  # the first name of one full name only
            continue
        else:
            key = _key(c, alias)
        if key not in by_key:
            by_key[key] = next(numbers)
        cluster_of[n] = by_key[key]
    groups: dict[int, list[Candidate]] = {}
    for n, c in enumerate(cands):
        groups.setdefault(cluster_of[n], []).append(c)
    return [groups[number] for number in sorted(groups)]


def _first_name_label(c: Candidate, lex: Lexicon) -> bool:
    """Whether a lone word the document also writes as the first name of a full person name may
    be that person: labelled PERSON, or labelled by mistake ("Shannon" WORK_OF_ART in "Shannon
    said") when the lexicon knows it as a first name ("Pernod" ORG stays off "Pernod Ricard")."""
    if c.label == "PERSON":
        return True
    return c.label in SURNAME_LABELS and (c.words[0] in lex.female_names or c.words[0] in lex.male_names)


def _same_person(short: tuple[str, ...], long: tuple[str, ...], lex: Lexicon) -> bool:
    """ "Hillary Clinton" / "Hillary Rodham Clinton" (first and surname), "Peña Nieto" / "Enrique
    Peña Nieto" (a compound surname), "Bobby Scott" / 'Robert C. "Bobby" Scott' (a nickname)."""
    short, long = core(short, lex), core(long, lex)
    if short[-1] != long[-1]:
        return False
    if short[0] == long[0] or long[-len(short) :] == short:
        return True
    return len(short) == 2 and short[0] in long[1:-1]


def _nearest(c: Candidate, fulls: list[int], cands: Sequence[Candidate], lex: Lexicon) -> int | None:
    """The position of the full name nearest before a surname (after it when none is before),
    skipping full names whose first name contradicts a "Mr."/"Mrs." written before the surname."""
    if c.title in ("mr", "sir", "president"):
        fulls = [f for f in fulls if cands[f].words[0] not in lex.female_names]
    elif c.title in ("mrs", "ms", "miss"):
        fulls = [f for f in fulls if cands[f].words[0] not in lex.male_names]
    if not fulls:
        return None
    before = [f for f in fulls if cands[f].start_char < c.start_char]
    if before:
        return max(before, key=lambda f: cands[f].start_char)
    return min(fulls, key=lambda f: cands[f].start_char)


def _canonical(cluster: list[Candidate], lex: Lexicon) -> tuple[str, str]:
    """(name, label) of a cluster."""
    for r in cluster:
        alias = alias_name(r.text, lex)
        if alias:
            return alias, lex.alias_labels.get(alias, Counter(x.label for x in cluster).most_common(1)[0][0])
    best = max(cluster, key=lambda r: (len(r.words), -r.start_char))
    name = best.name or _clean_name(best.text, lex)
    if " ".join(best.words) in lex.known_labels:
        return name, lex.known_labels[" ".join(best.words)]
    if best.label == "PERSON" and len(best.words) >= 2:
        return name, "PERSON"
    votes = Counter(r.label for r in cluster)
    label = max(votes, key=lambda lab: (votes[lab], lab == "PERSON", lab))
    return name, label


def _clean_name(text: str, lex: Lexicon) -> str:
    """The text as a name: leading titles off, spaces single."""
    words = text.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in lex.titles:
        words = words[1:]
    return re.sub(r"\s+", " ", " ".join(words)).strip()


def _gender(doc: Doc, cluster: list[Candidate], lex: Lexicon) -> str | None:
    """ "f", "m" or None, for pronoun resolution: first names, and cue words (titles, role nouns)
    before a mention, in apposition to it or starting it."""
    f = m = 0
    for r in cluster:
        first = r.words[0] if len(r.words) >= 2 else None
        if first in lex.female_names:
            f += 2
        elif first in lex.male_names:
            m += 2
        lo = max(0, r.token_start - 4)
        context = [t.lower_.rstrip(".") for t in doc[lo : r.token_start]]
        head = doc[r.token_end - 1]
        context += [c.lower_ for c in head.children if c.dep_ == "appos"]
        context += [t.lower_.rstrip(".") for t in doc[r.token_start : r.token_end]][:1]
        f += sum(1 for w in context if w in lex.female_cues)
        m += sum(1 for w in context if w in lex.male_cues)
    if f > m:
        return "f"
    if m > f:
        return "m"
    return None


def extract_entities(doc: Doc, lex: Lexicon) -> DocEntities:
    """Cluster the document's named entities into mentions of canonical entities."""
    text = doc_text(doc)
    credits = credit_like_spans(text)
    bio = author_bio(doc)
    cands = repair_labels(doc, collect(doc, lex, credits, bio), lex)
    cands = add_missed_surnames(doc, add_missed_names(doc, cands, lex, credits, bio), credits)
    if not cands:
        return DocEntities()
    mentions: list[Mention] = []
    entities: list[Entity] = []
    seen: dict[str, int] = {}
    for cluster in _cluster(cands, lex):
        name, label = _canonical(cluster, lex)
        if label not in ENTITY_LABELS:
            label = cluster[0].label
        eid = entity_id(label, name)
        gender = _gender(doc, cluster, lex) if label == "PERSON" else None
        if eid in seen:  # two clusters that resolve to the same name are one entity
            old = entities[seen[eid]]
            entities[seen[eid]] = Entity(eid, name, label, old.n_mentions + len(cluster), old.gender)
        else:
            seen[eid] = len(entities)
            entities.append(Entity(eid, name, label, len(cluster), gender))
        for r in cluster:
            mentions.append(Mention(r.start_char, r.end_char, r.text, label, eid))
    mentions.sort(key=lambda m: (m.start_char, m.end_char))
    return DocEntities(tuple(mentions), tuple(entities))
