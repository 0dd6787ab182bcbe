"""Noun phrases and what a definite one refers back to ("the ministry", "the coach")."""

from __future__ import annotations

import bisect

from spacy.tokens import Span, Token

from newsflow.tasks.entities import Mention
from newsflow.tasks.quotes.index import DocIndex


def noun_phrase(tok: Token) -> Span:
    """The subject's own words: determiners, modifiers and compounds, not clauses or appositions."""
    doc = tok.doc
    start = tok.i
    for c in tok.lefts:
        if c.dep_ in ("det", "amod", "compound", "nummod", "poss", "nmod", "advmod", "quantmod", "punct"):
            start = min(start, c.left_edge.i)
    while start < tok.i and doc[start].is_punct:
        start += 1
    return doc[start : tok.i + 1]


def nominal_mention(tok: Token, idx: DocIndex) -> Mention | None:
    """The entity a definite noun phrase refers back to: "the ministry" -> the last organisation
    named "... Ministry"; "the company" -> the last organisation; "the coach", "the senator" ->
    the last person written with that title ("Head coach Bob Jones", "Sen. Sherrod Brown")."""
    definite = any(c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an") for c in tok.children)
    common = tok.pos_ == "NOUN" or (tok.pos_ == "PROPN" and tok.text.islower())  # "the senator" as NNP
    if not (common and tok.tag_ in ("NN", "NNP") and definite):
        return None
    word = tok.lower_
    first = bisect.bisect_left(idx.mention_starts, tok.idx)
    for m in reversed(idx.ents.mentions[max(0, first - 200) : first]):
        if m.label in ("ORG", "GPE", "NORP") and m.text.split()[-1].lower() == word:
            return m
        if m.label == "ORG" and word in idx.lex.generic_org_nouns:
            return m
        if m.label == "GPE" and word in idx.lex.generic_state_nouns:
            return m
        if m.label == "PERSON" and word in role_words(idx, m):
            return m
    return None


def role_words(idx: DocIndex, m: Mention) -> set[str]:
    """Lower-cased words of the title before a person's name or of its apposition."""
    doc = idx.doc
    toks = idx.tokens_in(m.start_char, m.end_char)
    if not len(toks):
        return set()
    out = {doc[i].lower_ for i in range(max(0, toks[0] - 4), toks[0])}
    out.update(idx.lex.abbreviated_titles.get(w.rstrip("."), w) for w in list(out))
    head = doc[toks[-1]]
    for c in head.children:
        if c.dep_ == "appos":
            out.update(t.lower_ for t in doc[c.left_edge.i : min(c.right_edge.i, c.left_edge.i + 8) + 1])
    if head.dep_ == "appos":
        out.update(t.lower_ for t in doc[head.head.left_edge.i : head.head.i + 1])
    return out
