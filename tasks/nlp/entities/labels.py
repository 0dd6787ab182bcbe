"""Labels decided from the whole document, after the candidates are collected.

The model labels each span on its own; the document says more: the same surname written as a
person elsewhere ("Neera Tanden" ORG, "Ms. Tanden"), the same word starting an organisation
("Hofstra" / "Hofstra University"), a class noun given to the same name ("the film Lucy
Fairweather"), the other names of a list ("Leeds, Exeter and Penwarren"). `repair_labels`
returns the candidates anew, relabelled where the document says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span

from newsflow.tasks.nlp.entities.candidates import NAME_LABELS, Candidate, alias_name
from newsflow.tasks.nlp.entities.evidence import person_cue, person_evidence, place_context, place_names
from newsflow.tasks.nlp.entities.names import core, surname
from newsflow.tasks.nlp.lexicon import Lexicon


@dataclass(frozen=True)
class _DocumentEvidence:
    """What the whole document says about names, read from the model's labels before any repair."""

    cued: set[str]  # surnames of names with evidence of a person
    full: set[str]  # surnames of full PERSON names
    single_people: set[str]  # one-word PERSON names
    org_starts: set[str]  # first words of ORG/FAC names, and one-word ORG names
    evidenced: set[tuple[str, ...]]  # names with evidence of a person
    things: dict[tuple[str, ...], str]  # names a class noun labels, with no title or role of a person


def repair_labels(doc: Doc, cands: list[Candidate], lex: Lexicon) -> list[Candidate]:
    """Labels decided from the whole document: a PERSON name a class noun labels anywhere takes
    that label ("the film Lucy Fairweather", then "Lucy Fairweather" alone); a full name whose
    surname the document writes as a person is a person ("Neera Tanden" ORG, "Ms. Tanden"); a
    one-word PERSON that the document writes as the start of an organisation ("Hofstra" /
    "Hofstra University"), or a gazetteer place in a place's context ("in Ferguson"), is no
    person unless something says it is; then the names of a list (`_label_from_conjuncts`).
    The evidence is read from the labels as collected; the candidates come back anew."""
    spans = [Span(doc, c.token_start, c.token_end, label=c.label) for c in cands]
    evidenced = {c.words for c, sp in zip(cands, spans, strict=True) if person_evidence(sp, lex)}
    # a company or a book "says" too: only a title, honorific or role keeps a classed name a person
    titled = {c.words for c, sp in zip(cands, spans, strict=True) if person_cue(sp, lex)}
    org_starts = {c.words[0] for c in cands if c.label in ("ORG", "FAC") and len(c.words) >= 2}
    org_starts |= {c.words[0] for c in cands if c.label == "ORG" and len(c.words) == 1}
    ev = _DocumentEvidence(
        cued={surname(words, lex) for words in evidenced if words},
        full={surname(c.words, lex) for c in cands if c.label == "PERSON" and len(core(c.words, lex)) >= 2},
        single_people={c.words[0] for c in cands if c.label == "PERSON" and len(c.words) == 1},
        org_starts=org_starts,
        evidenced=evidenced,
        things={c.words: c.thing for c in cands if c.thing and c.words not in titled},
    )
    relabelled = [_relabel(c, _document_label(c, sp, ev, lex)) for c, sp in zip(cands, spans, strict=True)]
    return _label_from_conjuncts(doc, relabelled, ev.evidenced, lex)


def _relabel(cand: Candidate, label: str) -> Candidate:
    return cand if cand.label == label else replace(cand, label=label)


def _document_label(cand: Candidate, span: Span, ev: _DocumentEvidence, lex: Lexicon) -> str:
    """The label of one candidate given what the document says (the rules of `repair_labels`)."""
    label = cand.label
    words = cand.words
    if label == "PERSON" and words in ev.things:
        label = ev.things[words]  # "the film Lucy Fairweather", then "Lucy Fairweather" alone
    if not words:
        return label
    last = surname(words, lex)
    if label == "PERSON" and last not in ev.cued and last not in ev.full:
        if len(words) == 1 and words[0] in ev.org_starts and words[0] not in lex.well_known:
            return "ORG"
        if cand.text.lower() in place_names() and place_context(span):
            return "GPE"
    elif label in NAME_LABELS - {"PERSON"} and len(core(words, lex)) >= 2 and last in ev.single_people | ev.cued:
        if words not in ev.things and _looks_like_a_name(span, words, lex):
            return "PERSON"
    elif label in ("ORG", "NORP") and len(words) == 1 and words[0] in lex.well_known:
        return "PERSON"
    return label


def _label_from_conjuncts(
    doc: Doc, cands: list[Candidate], evidenced: set[tuple[str, ...]], lex: Lexicon
) -> list[Candidate]:
    """A list holds one kind of thing: a PERSON with no evidence of its own ("Penwarren" of
    "Leeds, Exeter and Penwarren"; "Windows Messenger" of "Windows Messenger and QTX Messenger")
    takes the label most of the other names of its list have, when none of them is a person.
    Decided in text order: a name relabelled here counts with its new label for the names after it."""
    out = list(cands)
    by_token = {i: n for n, c in enumerate(cands) for i in range(c.token_start, c.token_end)}
    for n, c in enumerate(cands):
        if c.label != "PERSON" or not c.words or c.words in evidenced or c.words[0] in lex.male_names:
            continue
        if c.words[0] in lex.female_names:
            continue
        others = [out[k] for k in _conjuncts(doc, n, cands, by_token)]
        if not others or any(o.label == "PERSON" for o in others):
            continue
        label, count = Counter(o.label for o in others).most_common(1)[0]
        # one other name of one word may be the model's mistake too ("Clinton or Trump" PRODUCT)
        sure = count >= 2 or any(len(o.words) >= 2 or o.thing or o.label in ("GPE", "LOC") for o in others)
        if sure and 2 * count > len(others) and label in NAME_LABELS - {"PERSON", "NORP"}:
            out[n] = _relabel(c, label)
    return out


def _conjuncts(doc: Doc, n: int, cands: list[Candidate], by_token: dict[int, int]) -> list[int]:
    """The positions of the other names of the coordination candidate `n` is in ("A, B and C")."""
    root = Span(doc, cands[n].token_start, cands[n].token_end).root
    first = root
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    group, todo = [], [first]
    while todo:
        tok = todo.pop()
        group.append(tok)
        todo.extend(c for c in tok.children if c.dep_ == "conj")
    out = []
    for tok in group:
        other = by_token.get(tok.i)
        if other is not None and other != n and other not in out:
            out.append(other)
    return out


def _looks_like_a_name(span: Span, words: tuple[str, ...], lex: Lexicon) -> bool:
    """Up to four capitalised words (or particles) with no place or organisation head, no alias."""
    return (
        len(words) <= 4
        and all(w[:1].isupper() or w.lower() in lex.name_particles for w in span.text.split())
        and words[-1] not in lex.org_heads
        and words[-1] not in lex.place_heads
        and not alias_name(span.text, lex)
    )
