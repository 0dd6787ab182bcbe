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
    """The entity a definite noun phrase refers back to, only on evidence in the text: "the
    ministry" -> the last organisation whose name holds the word ("Foreign Ministry", "Ministry
    of Agriculture"); "the company" -> the last organisation the text calls a company ("tech
    company Acme", "Acme, a company that ...", "Acme is the company"); "the coach", "the senator"
    -> the last person written with that title or role ("Head coach Bob Jones", "Sen. Sherrod
    Brown", "the minister, Ana Ruiz", "Ruiz is the minister"); "the government" -> the last
    country or city. Otherwise None: the nominal stays the speaker's name."""
    definite = any(c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an") for c in tok.children)
    common = tok.pos_ == "NOUN" or (tok.pos_ == "PROPN" and tok.text.islower())  # "the senator" as NNP
    if not (common and tok.tag_ in ("NN", "NNP") and definite):
        return None
    word = tok.lower_
    first = bisect.bisect_left(idx.mention_starts, tok.idx)
    last_org = None
    for m in reversed(idx.ents.mentions[max(0, first - 200) : first]):
        if m.label in ("ORG", "GPE", "NORP") and word in m.text.lower().split():
            return m
        if m.label == "ORG" and word in idx.lex.generic_org_nouns:
            if word in role_words(idx, m):
                return m
            last_org = last_org or m
        if m.label == "GPE" and word in idx.lex.generic_state_nouns:
            return m
        if m.label == "PERSON" and word in role_words(idx, m):
            return m
    if last_org is not None and only_organisation(idx, last_org, tok):
        return last_org  # "the company" when several were named: no guess
    return None


def only_organisation(idx: DocIndex, m: Mention, tok: Token) -> bool:
    """`m` is the one organisation named from the paragraph before `tok`'s up to `tok`."""
    first_para = idx.para_of(tok.idx) - 1
    recent = {
        x.entity_id
        for x in idx.ents.mentions
        if x.label == "ORG" and x.start_char < tok.idx and idx.para_of(x.start_char) >= first_para
    }
    return recent == {m.entity_id}


def role_words(idx: DocIndex, m: Mention) -> set[str]:
    """Lower-cased words of the title before a person's name or of its apposition."""
    doc = idx.doc
    toks = idx.tokens_in(m.start_char, m.end_char)
    if not len(toks):
        return set()
    out = set()
    for i in range(toks[0] - 1, max(-1, toks[0] - 5), -1):  # the title before the name, in its own clause
        if doc[i].is_punct or doc[i].is_sent_end:
            break
        out.add(doc[i].lower_)
    out.update(idx.lex.abbreviated_titles.get(w.rstrip("."), w) for w in list(out))
    head = doc[toks[-1]]
    for c in head.children:
        if c.dep_ == "appos":
            out.update(t.lower_ for t in doc[c.left_edge.i : min(c.right_edge.i, c.left_edge.i + 8) + 1])
    if head.dep_ == "appos":
        out.update(t.lower_ for t in doc[head.head.left_edge.i : head.head.i + 1])
    if head.dep_ == "nsubj" and head.head.lemma_ == "be":  # "Ruiz is the minister"
        for c in head.head.children:
            if c.dep_ == "attr":
                out.update(t.lower_ for t in doc[c.left_edge.i : c.i + 1])
    return out
