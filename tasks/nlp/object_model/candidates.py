"""Candidate contents that are not clauses: what a verb's object or prepositional phrase reports
("accused him of catering to special interests", "announced his resignation", "denied the charges",
"called for action"), and the features the object proposer scores them by.

A candidate is a verb with a subject (not an interrogative or relative word) and, on its right,
its direct object (`dobj`), that object with the phrase right after it (`dobj+`: "accused him
of ..."), or, when it has no object, the object of a preposition it governs (`prep-for`, ...).
The verb is the candidate's cue. Features are strings (one-hot), read by `proposer.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy
from spacy.tokens import Doc, Token

# Prepositions whose object a verb with no direct object may report through ("called for",
# "spoke of", "complained about", "pointed to", "sided with", "described as").
PREPOSITIONS = frozenset({"for", "about", "of", "on", "to", "against", "with", "as"})
# What follows an object and belongs to what is reported ("accused him of ...", "called it a ...").
AFTER_OBJECT = frozenset({"prep", "xcomp", "advcl", "oprd", "ccomp"})
NOT_SUBJECTS = frozenset({"who", "what", "which", "that", "whom", "whose"})
PERSON_PRONOUNS = frozenset({"he", "she", "i", "we", "they", "you"})


@dataclass(frozen=True)
class Candidate:
    verb: int  # the verb's token index: the cue
    subject: int
    kind: str  # "dobj", "dobj+", "prep-<word>"
    start: int  # first and last token of the content
    end: int


def object_candidates(doc: Doc) -> list[Candidate]:
    """Every candidate of the document, in token order."""
    out: list[Candidate] = []
    for verb in doc:
        if verb.pos_ != "VERB":
            continue
        subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.lower_ not in NOT_SUBJECTS), None)
        if subject is None:
            continue
        objects = [c for c in verb.rights if c.dep_ == "dobj"]
        for obj in objects:
            lo, hi = obj.left_edge.i, obj.right_edge.i
            out.append(Candidate(verb.i, subject.i, "dobj", lo, hi))
            after = next((c for c in verb.rights if c.i > hi and c.dep_ in AFTER_OBJECT), None)
            if after is not None:
                out.append(Candidate(verb.i, subject.i, "dobj+", lo, after.right_edge.i))
        if objects:
            continue
        for prep in verb.rights:
            if prep.dep_ != "prep" or prep.lower_ not in PREPOSITIONS:
                continue
            pobj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)
            if pobj is not None:
                out.append(Candidate(verb.i, subject.i, f"prep-{prep.lower_}", pobj.left_edge.i, pobj.right_edge.i))
    return out


def _length(n: int) -> str:
    return "1" if n == 1 else "2-3" if n <= 3 else "4-7" if n <= 7 else "8-15" if n <= 15 else "16+"


def _subject(tok: Token) -> str:
    if tok.lower_ in PERSON_PRONOUNS:
        return "pron-person"
    if tok.pos_ == "PRON":
        return "pron-other"
    return f"ent-{tok.ent_type_}" if tok.ent_type_ else f"noun-{tok.pos_}"


def candidate_features(doc: Doc, c: Candidate) -> list[str]:
    """The candidate's features, as strings."""
    verb, subject = doc[c.verb], doc[c.subject]
    span = doc[c.start : c.end + 1]
    head = span.root
    lemma = verb.lemma_.lower()
    kind_of_subject = _subject(subject)
    negated = any(t.dep_ == "neg" for t in verb.children)
    marks = any(t.is_quote for t in span)
    return [
        f"lemma={lemma}",
        f"kind={c.kind}",
        f"lemma+kind={lemma}|{c.kind}",
        f"subject={kind_of_subject}",
        f"lemma+subject={lemma}|{kind_of_subject in ('pron-person', 'ent-PERSON')}",
        f"head_pos={head.pos_}",
        f"head_ent={head.ent_type_ or '-'}",
        f"head_lemma={head.lemma_.lower()}",
        f"first={span[0].lower_ if span[0].pos_ in ('DET', 'PRON') else span[0].pos_}",
        f"length={_length(len(span))}",
        f"verb_tag={verb.tag_}",
        f"verb_dep={verb.dep_}",
        f"negated={negated}",
        f"marks={marks}",
        f"person_in={any(t.ent_type_ == 'PERSON' for t in span)}",
    ]


def one_hot(feature_lists: Sequence[list[str]], index: Mapping[str, int], dtype: str = "float64") -> numpy.ndarray:
    """One row per candidate's features: 1.0 in the column `index` gives each feature it has
    (features not in `index` are dropped), 0.0 elsewhere."""
    rows = numpy.zeros((len(feature_lists), len(index)), dtype=dtype)
    for r, features in enumerate(feature_lists):
        for f in features:
            i = index.get(f)
            if i is not None:
                rows[r, i] = 1.0
    return rows
