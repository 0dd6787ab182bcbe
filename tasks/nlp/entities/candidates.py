"""Mention candidates: the names a parsed `Doc` holds, as newsflow counts them.

`collect` takes the model's entities, trimmed to the name (titles, "the", possessives off) and
cut at person boundaries (names.py); `add_missed_names` and `add_missed_surnames` add the names
the model missed when an honorific, a role or a full name makes them certain. Each candidate is
a frozen `Candidate`; the labels are decided over the whole document afterwards (labels.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy
from spacy.attrs import LOWER, POS
from spacy.strings import get_string_id
from spacy.symbols import PROPN
from spacy.tokens import Doc, Span, Token

from newsflow.schemas.tables import ENTITY_LABELS
from newsflow.tasks.nlp.entities.evidence import (
    HONORIFICS,
    NOT_A_NAME,
    never_a_person,
    person_cue,
    place_names,
    role_apposition,
    span_label,
    thing_label,
)
from newsflow.tasks.nlp.entities.names import OPEN_QUOTES, extend_name, name_segments, shared_surname_first_name
from newsflow.tasks.nlp.lexicon import Lexicon

NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}


@dataclass(frozen=True)
class Candidate:
    """One mention before clustering: where it is, its label and its name words."""

    start_char: int
    end_char: int
    text: str
    label: str
    words: tuple[str, ...]  # name words, lower-cased, titles removed
    token_start: int
    token_end: int
    title: str = ""  # the lower-cased word written just before the name ("mr", "president")
    name: str = ""  # the canonical name when the text alone does not give it ("Sarah" -> "Sarah Rogers")
    thing: str = ""  # the label a class noun gives it ("oil giant Petrovia" -> ORG), see `thing_label`


def alias_name(text: str, lex: Lexicon) -> str | None:
    """The canonical name of a listed alias ("the U.S." -> "United States"), or None."""
    key = " ".join(text.lower().split())
    if key.startswith("the "):
        key = key[4:]
    return lex.canonical_alias.get(key)


def _trim(span: Span, lex: Lexicon) -> Span | None:
    """The span without a leading determiner/title, trailing possessive or punctuation."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (
        doc[start].lower_ in ("the", "a", "an")
        or doc[start].is_punct
        or doc[start].is_space
        or (span.label_ == "PERSON" and doc[start].lower_.rstrip(".") in lex.titles and end - start > 1)
    ):
        start += 1
    while end > start and (
        doc[end - 1].lower_ in ("'s", "’s", "'", "’") or doc[end - 1].is_punct or doc[end - 1].is_space
    ):
        if doc[end - 1].text in (".",) and end - start == 1:
            break
        end -= 1
    if end <= start:
        return None
    return Span(doc, start, end, label=span.label_)


def _words(span: Span, lex: Lexicon) -> tuple[str, ...]:
    """Lower-cased name words split on spaces ("Jean-Pierre" is one word), titles dropped."""
    words = [w.strip(".,;:()[]\"'’“”").replace("’", "'") for w in span.text.lower().split()]
    words = [w for w in words if w and any(c.isalnum() for c in w)]
    while len(words) > 1 and words[0].rstrip(".") in lex.titles:
        words = words[1:]
    return tuple(words)


def collect(doc: Doc, lex: Lexicon, credits: list[tuple[int, int]], bio: tuple[int, int] | None) -> list[Candidate]:
    """The model's entities as candidates, in text order, with the labels the spans alone give:
    none inside a credit or the author's bio line; PERSON spans cut into one candidate per person
    and extended to the whole name; "Sarah and Timothy Rogers" gives "Sarah" the surname too."""
    cands: list[Candidate] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ not in ENTITY_LABELS or taken.intersection(range(ent.start, ent.end)):
            continue
        if NOT_A_NAME.search(ent.text) or (ent.label_ == "PERSON" and never_a_person(ent.text)):
            continue  # "Twitter @pamkey", "#MeToo": never a name
        span = _trim(ent, lex)
        if span is None:
            continue
        if any(cs <= span.start_char < ce for cs, ce in credits):
            continue
        if span.label_ in NAME_LABELS and not any(ch.isupper() for ch in span.text):
            continue  # "china shop": names are capitalised
        thing = thing_label(ent, lex)
        if span.label_ != "PERSON":
            cands.append(_candidate(span, span.label_, lex, thing=thing))
            continue
        if bio is not None and bio[0] <= span.start_char < bio[1]:
            continue
        for s, e in name_segments(span, lex):
            s, e = extend_name(doc, s, e, lex, taken)
            name = Span(doc, s, e, label="PERSON")
            taken.update(range(s, e))
            cand = _candidate(name, span_label(name, _words(name, lex), lex), lex, thing=thing)
            cands.append(cand)
            two_words = cand.label == "PERSON" and len(cand.words) >= 2  # "Richard and Judy" share none
            shared = shared_surname_first_name(doc, s, lex) if two_words else None
            if shared is not None and _name_alone(cands, shared):
                alone = cands[-2]  # the model's own "Sarah" takes the surname
                full_name = f"{alone.text} {name.text.split()[-1]}"
                cands[-2] = replace(alone, words=alone.words + (cand.words[-1],), name=full_name)
            elif shared is not None and not taken.intersection(range(*shared)):
                first = Span(doc, *shared, label="PERSON")  # "Sarah" of "Sarah and Timothy Rogers"
                words = _words(first, lex) + (cand.words[-1],)
                cands.append(_candidate(first, "PERSON", lex, words, f"{first.text} {name.text.split()[-1]}"))
                taken.update(range(*shared))
    cands.sort(key=lambda c: c.start_char)
    return [c for c in cands if not any(cs <= c.start_char < ce for cs, ce in credits)]


def _name_alone(cands: list[Candidate], tokens: tuple[int, int]) -> bool:
    """The model found "Sarah" of "Sarah and Timothy Rogers" as a name of its own."""
    return len(cands) >= 2 and (cands[-2].token_start, cands[-2].token_end) == tokens and len(cands[-2].words) == 1


def _candidate(
    span: Span, label: str, lex: Lexicon, words: tuple[str, ...] | None = None, name: str = "", thing: str = ""
) -> Candidate:
    """The candidate of a span: the word before it as its title; a person when it looks like one."""
    doc = span.doc
    title = doc[span.start - 1].lower_.rstrip(".") if span.start > 0 else ""
    words = words or _words(span, lex)
    if label != "PERSON" and _looks_like_person(span, words, lex):
        label = "PERSON"
    return Candidate(
        span.start_char,
        span.end_char,
        span.text,
        label,
        words,
        span.start,
        span.end,
        title=title,
        name=name,
        thing=thing,
    )


def _looks_like_person(span: Span, words: tuple[str, ...], lex: Lexicon) -> bool:
    """An ORG/GPE/... span the model got wrong: "Marcus Bell" (a common first name and one or
    two more capitalised words), a name followed by ", who", or one to three capitalised words
    with a person's title, honorific or role apposition and no place or organisation head."""
    if span.label_ not in NAME_LABELS or not words or alias_name(span.text, lex):
        return False
    if len(words) > 3 or not all(w[:1].isupper() or w.lower() in lex.name_particles for w in span.text.split()):
        return False
    if words[-1] in lex.org_heads or words[-1] in lex.place_heads or span.text.lower() in place_names():
        return False
    first_name = words[0] in lex.female_names or words[0] in lex.male_names
    if 2 <= len(words) and first_name:
        return True
    if person_cue(span, lex):
        return True
    head = span.root
    return span.label_ != "NORP" and any(
        c.dep_ == "relcl" and any(g.lower_ == "who" for g in c.children) for c in head.children
    )


def add_missed_surnames(doc: Doc, cands: list[Candidate], credits: list[tuple[int, int]]) -> list[Candidate]:
    """Capitalised tokens equal to a known person's surname that no entity covers (proper nouns,
    and nouns: the parser takes "Trump" for the word "trump")."""
    surnames = {c.words[-1] for c in cands if c.label == "PERSON" and len(c.words) >= 2}
    if not surnames:
        return cands
    covered = set()
    for c in cands:
        covered.update(range(c.token_start, c.token_end))
    added = []
    hashes = [get_string_id(s) for s in surnames]
    for i in numpy.flatnonzero(numpy.isin(doc.to_array(LOWER), hashes)).tolist():  # written as a surname
        tok = doc[i]
        if tok.i in covered or tok.pos_ not in ("PROPN", "NOUN") or not tok.text[:1].isupper():
            continue
        if tok.lower_ in surnames and not any(cs <= tok.idx < ce for cs, ce in credits):
            added.append(
                Candidate(tok.idx, tok.idx + len(tok.text), tok.text, "PERSON", (tok.lower_,), tok.i, tok.i + 1)
            )
    return sorted(cands + added, key=lambda c: c.start_char)


def add_missed_names(
    doc: Doc, cands: list[Candidate], lex: Lexicon, credits: list[tuple[int, int]], bio: tuple[int, int] | None
) -> list[Candidate]:
    """Names the model missed or took for a date or a number, made certain by an honorific before
    them ("Mr Monday") or a role in apposition ("Ann Vale, a campaign spokeswoman"; "the
    shadow minister, Ann Vale,"): one to three capitalised proper nouns no name covers."""
    covered = set()
    for c in cands:
        if c.label in NAME_LABELS:
            covered.update(range(c.token_start, c.token_end))
    if bio is not None:
        credits = [*credits, bio]
    bare = [False] * len(doc)
    for i in numpy.flatnonzero(doc.to_array(POS) == PROPN).tolist():  # it takes a proper noun
        bare[i] = _bare_name_word(doc[i], covered, lex)
    runs, i = [], 0
    while i < len(doc):
        j = i
        while j < len(doc) and j - i < 3 and bare[j]:
            j += 1
        if j > i and not any(cs <= doc[i].idx < ce for cs, ce in credits):
            runs.append(Span(doc, i, j, label="PERSON"))
        i = max(j, i + 1)
    added, surnames = [], set()
    for span in runs:
        before = doc[span.start - 1] if span.start > 0 else None
        if before is None or before.lower_ in ("the", "a", "an"):
            continue  # "The Phantom Menace", "the Daily Post": no name of a person
        quoted = span.start > 1 and doc[span.start - 2].text in OPEN_QUOTES  # a nickname: “Miss Crumpet”
        honorific = before.lower_.rstrip(".") in HONORIFICS and not quoted
        if honorific or (len(span) >= 2 and role_apposition(span, lex)):
            added.append(span)
            surnames.add(span[-1].lower_)
    first_names = lex.female_names | lex.male_names
    firsts = {
        c.token_start: c for c in cands if c.label == "PERSON" and len(c.words) == 1 and c.words[0] in first_names
    }
    for span in runs:  # "producer Tom Monday" when the article writes "Mr Monday" too
        if span in added or span[-1].lower_ not in surnames:
            continue
        if len(span) >= 2 and span[0].lower_ in first_names:
            added.append(span)
        elif len(span) == 1 and span.start - 1 in firsts:  # the model found "Jon" alone
            added.append(Span(doc, span.start - 1, span.end, label="PERSON"))
    found = [
        Candidate(sp.start_char, sp.end_char, sp.text, "PERSON", _words(sp, lex), sp.start, sp.end) for sp in added
    ]
    if not found:
        return cands
    kept = [c for c in cands if not any(c.token_start < a.token_end and a.token_start < c.token_end for a in found)]
    return sorted(kept + found, key=lambda c: c.start_char)


def _bare_name_word(tok: Token, covered: set[int], lex: Lexicon) -> bool:
    """A capitalised proper noun no name covers, not a title ("Vice President")."""
    return (
        tok.i not in covered
        and tok.pos_ == "PROPN"
        and tok.is_alpha
        and tok.text[:1].isupper()
        and not tok.is_upper
        and tok.lower_ not in lex.titles
    )
