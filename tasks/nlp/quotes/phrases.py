"""Noun phrases and what a definite one refers back to ("the ministry", "the coach")."""

from __future__ import annotations

import bisect

from spacy.tokens import Span, Token

from newsflow.tasks.nlp.entities import Mention
from newsflow.tasks.nlp.quotes.cues import SUBJ_DEPS
from newsflow.tasks.nlp.quotes.index import DocIndex


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
    if not (definite(tok) and common_noun(tok, idx)):
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
    if last_org is not None:
        return main_organisation(idx, last_org, tok)
    return None


def lede_person(tok: Token, idx: DocIndex) -> Mention | None:
    """A description in the article's first sentence, the lede ("..., the Trade and Industry
    Secretary has said."; "..., a clergyman has said.") -> the person the next two paragraphs
    name with all of its words as title or role ("Trade and Industry Secretary Patricia Hewitt"),
    else the first person they name as the subject of a sentence ("Patricia Hewitt said the cost
    ..."): news names the lede's speaker right after it."""
    if idx.sent_of[tok.i] != 0:
        return None
    words = {t.lower_ for t in noun_phrase(tok) if t.is_alpha and t.dep_ not in ("det", "poss")}
    first = bisect.bisect_left(idx.mention_starts, tok.idx)
    last_para = idx.para_of(tok.idx) + 2
    subject = None
    for m in idx.ents.mentions[first : first + 100]:
        if idx.para_of(m.start_char) > last_para:
            break
        if m.label != "PERSON" or idx.in_quote(m.start_char):
            continue
        if words <= role_words(idx, m):
            return m
        head = idx.doc[idx.tokens_in(m.start_char, m.end_char)[-1]]
        if head.dep_ == "appos":
            head = head.head
        if subject is None and head.dep_ in SUBJ_DEPS and idx.para_of(m.start_char) > idx.para_of(tok.idx):
            subject = m
    return subject


def main_organisation(idx: DocIndex, last: Mention, tok: Token) -> Mention | None:
    """ "the company" when organisations were named before: the one named from the paragraph
    before `tok`'s up to `tok`, or else the one the text has named most often so far (the
    article's subject: "Acme ... its AOL unit ... the company said"), if it is named at least
    twice and more often than any other; otherwise no guess."""
    if only_organisation(idx, last, tok):
        return last
    counts: dict[str, int] = {}
    latest: dict[str, Mention] = {}
    for m in idx.ents.mentions:
        if m.start_char >= tok.idx:
            break
        if m.label == "ORG":
            counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
            latest[m.entity_id] = m
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return latest[ranked[0][0]]
    return None


def role_person(word: str, tok: Token, idx: DocIndex) -> Mention | None:
    """The last person before `tok` written with the title or role `word` ("Bishop of Durham Tom
    Wright", "the minister, Ana Ruiz", "Ruiz is the minister")."""
    first = bisect.bisect_left(idx.mention_starts, tok.idx)
    for m in reversed(idx.ents.mentions[max(0, first - 200) : first]):
        if m.label == "PERSON" and word in role_words(idx, m):
            return m
    return None


def salient_person(tok: Token, idx: DocIndex) -> Mention | None:
    """The person a description with no evidence of its own refers back to ("Liam Neeson has
    held a dinner. The Ballymena-born actor said ..."): in the nearest sentence before `tok`, at
    most three back and within its paragraph or the one before, that names a person outside
    quotation marks, the person who is its subject, else the one person it names; None when that
    sentence names several and none of them is its subject, or a gendered noun does not fit."""
    word = tok.lower_.rsplit("-", 1)[-1]
    want = "f" if word in idx.lex.female_cues else "m" if word in idx.lex.male_cues else None
    s_i = idx.sent_of[tok.i]
    para = idx.para_of(tok.idx)
    for back in range(0, 4):
        if s_i - back < 0:
            break
        sent = idx.sents[s_i - back]
        if idx.para_of(sent[-1].idx) < para - 1:  # (a sentence may start with the previous paragraph's mark)
            break
        found: dict[str, bool] = {}
        mentions: dict[str, Mention] = {}
        for t in idx.doc[sent.start : min(sent.end, tok.left_edge.i)]:  # not the description's own words
            m = idx.mention(t)
            if m is None or m.label != "PERSON" or idx.in_quote(t.idx):
                continue
            head = t
            while idx.mention(head.head) is m and head.head.i != head.i:
                head = head.head
            found[m.entity_id] = found.get(m.entity_id, False) or head.dep_ in SUBJ_DEPS
            mentions.setdefault(m.entity_id, m)
        if not found:
            continue
        subjects = [e for e, is_subj in found.items() if is_subj]
        chosen = subjects[-1] if subjects else next(iter(found)) if len(found) == 1 else None
        if chosen is None:
            return None
        ent = idx.entities.get(chosen)
        if want is not None and ent is not None and ent.gender not in (None, want):
            return None
        return mentions[chosen]
    return None


def definite(tok: Token) -> bool:
    """The noun phrase starts with a definite determiner or a possessive ("the", "this", "its",
    "the play's"), wherever the parse hangs it ("The Tory co-chairman": on "co")."""
    for t in noun_phrase(tok):
        if t.dep_ in ("det", "poss") and t.lower_ not in ("a", "an", "another", "some", "any", "no"):
            return True
    return False


def common_noun(tok: Token, idx: DocIndex) -> bool:
    """A common noun, also when the model tags it as a name: "the senator" as NNP, "the Bishop"
    and "the Minister" capitalised as titles are."""
    if tok.tag_ not in ("NN", "NNP"):
        return False
    if tok.pos_ == "NOUN" or (tok.pos_ == "PROPN" and tok.text.islower()):
        return True
    return tok.lower_ in idx.lex.titles or tok.lower_ in idx.lex.role_nouns


PERSON_SUFFIXES = ("man", "woman", "person", "ist", "ian")


def person_noun(tok: Token, idx: DocIndex) -> bool:
    """The noun names a person's role: a title, a role noun, a gendered word, a listed person noun
    ("actor", "champion"), or a word ending in -man, -woman, -person, -ist or -ian; never an
    organisation or an utterance noun ("the company", "the statement")."""
    lex = idx.lex
    word = tok.lower_.rsplit("-", 1)[-1]
    if word in lex.generic_org_nouns or word in lex.utterance_nouns or word in lex.generic_state_nouns:
        return False
    if word in lex.titles or word in lex.role_nouns or word in lex.person_nouns:
        return True
    if word in lex.female_cues or word in lex.male_cues:
        return True
    return len(word) > 4 and word.endswith(PERSON_SUFFIXES)


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
    for i in range(toks[0] - 1, max(-1, toks[0] - 6), -1):  # the title before the name, in its own clause
        if doc[i].is_sent_end or doc[i].is_punct and doc[i].text != "-":  # "co-chairman" is one title
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
