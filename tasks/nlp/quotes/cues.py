"""Reporting verbs ("cues") and the grammar around them: which verb reports, who its subject is,
and which clause it reports.

A cue is a verb of the `speech_verbs` list that is not negated ("did not say how many"), not
refused ("refused to say whether") and not a participle said of the listener ("Asked whether ...,
she said"). Its subject is found through passives ("was described by X"), relative clauses,
"..., saying" and conjoined verbs, never inside quotation marks. Not handled: cues the parser
does not attach to their clause.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from spacy.tokens import Token

from newsflow.tasks.nlp.lexicon import Lexicon
from newsflow.tasks.nlp.quotes.index import CUE_WINDOW, DocIndex
from newsflow.tasks.nlp.quotes.marks import ALL_MARKS, Marked

SUBJ_DEPS = ("nsubj", "nsubjpass", "csubj")
CLIMB_DEPS = ("advcl", "xcomp", "conj", "pcomp", "prep", "dep", "parataxis")


def is_negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def is_cue(tok: Token, lex: Lexicon) -> bool:
    """A reporting verb that reports: not negated, not refused ("refused to say whether ..."), not
    a participle said of the listener ("Asked whether ..., she said")."""
    if tok.lemma_.lower() not in lex.speech_verbs or tok.pos_ not in ("VERB", "AUX") or is_negated(tok):
        return False
    if tok.dep_ == "xcomp" and (tok.head.lemma_.lower() in lex.refusal_verbs or is_negated(tok.head)):
        return False  # "refused to say", "did not want to say"
    if tok.tag_ == "VBN" and tok.dep_ in ("advcl", "acl", "amod") and not any(c.dep_ == "agent" for c in tok.children):
        return False
    return True


def subject_of(
    verb: Token, lex: Lexicon, quoted: Callable[[Token], bool] = lambda t: False
) -> tuple[Token | None, str]:
    """The token that did the verb: its subject, passive agent, or the subject of the clause it
    hangs from ("..., saying" / conjoined verbs), never one inside quotation marks (the parser
    takes '“... mode,” said Leslie Wimes' for a subject 'mode'); of two subjects, not one that
    opens a clause the parser flattened (`opens_a_clause`), and of a title and the person's name
    right after it, the name. Returns (token, method)."""
    tok = verb
    for _ in range(8):
        for c in tok.children:
            if c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj" and not quoted(g):
                        return g, "passive"
        subjects = [
            c
            for c in tok.children
            if not quoted(c) and (c.dep_ == "nsubj" or (c.dep_ == "nsubjpass" and tok.lemma_ in ("quote", "cite")))
        ]
        if len(subjects) > 1:  # a broken parse gave the verb the subject of a clause it flattened
            subjects = [c for c in subjects if not opens_a_clause(c)] or subjects
            if len(subjects) > 1 and title_then_name(subjects[0], subjects[1]):
                subjects = subjects[1:]
        if subjects:
            return subjects[0], "cue"
        if any(c.dep_ == "nsubjpass" and not quoted(c) for c in tok.children):
            return None, "none"
        if tok.dep_ in ("relcl", "acl") and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok.head, "cue"
        if is_conjoined_cue(tok, lex) or (is_reporting_clause(tok, lex) and tok.dep_ == "advcl"):
            outer = enclosing_cue(tok, lex)  # "said the deal was legal and called ...": with "said"
            if outer is not None:
                tok = outer
                continue
        if tok.dep_ in CLIMB_DEPS and tok.head.i != tok.i:
            tok = tok.head
            continue
        break
    return None, "none"


def opens_a_clause(subj: Token) -> bool:
    """'When asked if the revelations led to ..., de Blasio said': "revelations" follows the "if"
    that the parser hung on the cue beside it: the subject of the clause that "if" opens, not of
    the cue ("Blasio")."""
    verb = subj.head
    return any(m.dep_ == "mark" and m.i < subj.left_edge.i and subj.left_edge.i - m.i <= 2 for m in verb.children)


def title_then_name(first: Token, second: Token) -> bool:
    """ "Board chair Andrea Costa said", parsed as two subjects: a title, then the person's name
    right after it."""
    return second.left_edge.i == first.right_edge.i + 1 and second.ent_type_ == "PERSON" and first.ent_type_ != "PERSON"


def is_reporting_clause(tok: Token, lex: Lexicon) -> bool:
    """ ", arguing that ..." / ", and ... the mother replied": a new report, not part of the clause."""
    return tok.dep_ in ("advcl", "conj") and tok.pos_ == "VERB" and tok.lemma_.lower() in lex.speech_verbs


def enclosing_cue(tok: Token, lex: Lexicon) -> Token | None:
    """The cue verb whose reported clause holds `tok` (a few steps up), if any."""
    head = tok.head
    for _ in range(4):
        if head.dep_ == "ccomp" and head.head.i != head.i and is_cue(head.head, lex):
            return head.head
        if head.head.i == head.i:
            return None
        head = head.head
    return None


def is_conjoined_cue(tok: Token, lex: Lexicon) -> bool:
    return (
        tok.dep_ == "conj"
        and tok.pos_ == "VERB"
        and (tok.lemma_.lower() in lex.speech_verbs or tok.lemma_.lower() in lex.attitude_verbs)
        and not any(c.dep_ in SUBJ_DEPS for c in tok.children)
    )


# Verbs that report a question: their "if" or "whether" clause is what was asked, though the
# parser hangs it on them as a condition ("asked the senator if she would run").
QUESTION_VERBS = frozenset({"ask", "inquire", "enquire"})
# Subordinators of time, cause and concession: a clause they open says when or why the cue was
# spoken, not what was said ("he said after the prosecutor read the facts"), though the parser
# may hang it on the cue as its complement.
CIRCUMSTANCE_MARKS = frozenset(
    "after before when whenever while because since until till once although though unless".split()
)


def complement(cue: Token, lex: Lexicon) -> Token | None:
    """The reported clause of a cue: its clausal complement (the one after it, when there are
    two), the infinitive a directive verb tells its object ("warned users not to click"), the
    question an asking verb reports ("asked the senator if she would run"), or a subject-bearing
    clause the parser hung on as an adverbial ("said after the convention he would not ...")."""
    comps = [c for c in cue.children if c.dep_ == "ccomp" and not says_when(c)]
    right = [c for c in comps if c.i > cue.i]
    if right:
        return right[0]
    if cue.lemma_.lower() in lex.directive_verbs:  # before a clause on the left the parser hung on it
        told = next((c for c in cue.rights if c.dep_ in ("dobj", "dative")), None)
        for c in cue.rights:
            if (
                told is not None
                and told.i < c.i
                and c.dep_ in ("xcomp", "ccomp", "advcl")
                and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children)
            ):
                return c
    if comps:
        return comps[0]
    # "told employees in a memo that ...": a that-clause the parser took for a relative clause
    for c in cue.rights:
        if c.dep_ not in ("prep", "dobj", "pobj", "npadvmod", "dative"):
            continue
        for d in c.subtree:  # the "that" near the cue; the clause's verb may come long after it
            if d.dep_ in ("relcl", "acl") and any(
                g.dep_ == "mark" and g.lower_ == "that" and g.i - c.i <= 12 for g in d.children
            ):
                return d
    if cue.lemma_.lower() in QUESTION_VERBS:  # rule `asked-if`: "asked the senator if she would run"
        for c in cue.rights:
            if c.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in ("if", "whether") for g in c.children):
                return c
    for c in cue.rights:
        if (
            c.dep_ in ("advcl", "parataxis")
            and c.pos_ in ("VERB", "AUX")
            and any(g.dep_ in ("nsubj", "nsubjpass") and g.i > cue.i for g in c.children)
            and not any(g.dep_ in ("mark", "advmod") and g.i < c.i for g in c.children)
        ):
            return c
    return None


def says_when(clause: Token) -> bool:
    """Rule `circumstance-is-not-content`: the clause opens with a subordinator of time, cause or
    concession (CIRCUMSTANCE_MARKS), so it sets the scene of the cue rather than reporting."""
    return any(c.dep_ == "mark" and c.lower_ in CIRCUMSTANCE_MARKS and c.i < clause.i for c in clause.children)


def complement_end(comp: Token, lex: Lexicon) -> int:
    """Last token of a reported clause, cutting off a subject-less speech or attitude verb that
    the parser hung on it but that goes with the cue ("said the deal was legal and called ...")."""
    hi = comp.right_edge.i
    for c in comp.rights:
        if is_conjoined_cue(c, lex) or is_reporting_clause(c, lex):
            cut = c.left_edge.i
            for cc in comp.rights:
                if cc.dep_ == "cc" and cc.i < c.i:
                    cut = min(cut, cc.i) if cc.i > comp.i else cut
            hi = min(hi, cut - 1)
    return hi


def main_verb(verb: Token) -> Token:
    """'rejected the demands ... to end support for Maduro as “totally unacceptable”': the cue is
    "reject", not the subject-less infinitive "end" that the parser hangs the quote from."""
    for _ in range(3):
        infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        has_subject = any(c.dep_ in SUBJ_DEPS for c in verb.children)
        if not infinitive or has_subject or verb.dep_ not in ("advcl", "xcomp") or verb.head.pos_ != "VERB":
            break
        verb = verb.head
    return verb


def covers(clause: Token, m: Marked) -> bool:
    """The clause's words span the marked quote."""
    return clause.left_edge.idx <= m.start and clause.right_edge.idx >= m.end - 1


def reports_a_quote_on_its_left(cue: Token, idx: DocIndex) -> bool:
    """Rule `one-clause-per-cue`: '“...,” Sanders said in an interview aired Monday': the cue's
    clause on its left is in quotation marks, so a subject-less "clause" the parser hangs on its
    right ("aired Monday") is part of the setting, not a second report."""
    return any(c.dep_ == "ccomp" and c.i < cue.i and idx.in_quote(c.idx) for c in cue.children)


def inverted_object(cue: Token, idx: DocIndex) -> Token | None:
    """Rule `inverted-cue-object`: '“...,” tweeted Sen. Lindsey Graham': a cue right after a
    closing quotation mark with no subject, whose name the parser took for its object: the name
    is the speaker. None otherwise."""
    doc = cue.doc
    j = cue.i - 1
    while j >= 0 and (doc[j].is_space or doc[j].text == ","):
        j -= 1
    if j < 0 or not (doc[j].text in ALL_MARKS or doc[j].tag_ == "''"):
        return None
    obj = next((c for c in cue.rights if c.dep_ in ("dobj", "attr", "oprd")), None)
    if obj is None or obj.i > cue.i + 6:
        return None
    m = idx.mention(obj)
    return obj if m is not None and m.label in ("PERSON", "ORG", "NORP", "GPE") else None


def swallowed_subject(cue: Token, idx: DocIndex) -> Token | None:
    """Rule `subject-swallowed-by-a-clause`: "Ruiz, meanwhile, who sits on the panel, said
    that ...": the parser made the relative clause the cue's complement and took its name with
    it; a cue with no subject whose clause on the left opens with a name and holds "who" or
    "which" as a subject is said by that name. None otherwise."""
    for c in cue.children:
        if c.dep_ != "ccomp" or c.i > cue.i or idx.in_quote(c.idx):
            continue
        if not any(g.dep_ == "nsubj" and g.lower_ in ("who", "which") for g in c.children):
            continue
        first = c.left_edge
        m = idx.mention(first)
        if m is not None and m.label in ("PERSON", "ORG", "GPE", "NORP") and first.dep_ in ("nsubj", "npadvmod", "dep"):
            last = first
            while last.i + 1 < cue.i and idx.mention(last.doc[last.i + 1]) is m:
                last = last.doc[last.i + 1]
            return last
    return None


def colon_verb(m: Marked, idx: DocIndex, before: int) -> Token | None:
    """'DeWine welcomed the announcement: “...”': the verb of the clause a colon hands over to
    the quote, whatever the verb."""
    doc = idx.doc
    if before < 0 or doc[before].text != ":" or idx.in_quote(doc[before].idx):
        return None
    verb = doc[before].head
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX") or m.open_char <= verb.idx < m.close_end or is_negated(verb):
        return None
    return verb


def governing_verb(m: Marked, idx: DocIndex) -> Token | None:
    """For a partial quote: the nearest verb outside the quote that its words hang from."""
    doc = idx.doc
    toks = idx.tokens_in(m.start, m.end)
    for t_i in toks:
        head = doc[t_i].head
        if m.open_char <= head.idx < m.close_end:
            continue
        for _ in range(6):
            if head.pos_ in ("VERB", "AUX") and not idx.in_quote(head.idx):
                return main_verb(head)
            if head.head.i == head.i:
                break
            head = head.head
        return None
    return None


def cue_for_marked(m: Marked, idx: DocIndex) -> tuple[Token | None, str | None]:
    """The reporting verb outside the quote that introduces it, in the sentences it touches."""
    doc = idx.doc
    toks = idx.tokens_in(m.start, m.end)
    if not len(toks):
        return None, None
    first_s = idx.sent_of[toks[0]]
    last_s = idx.sent_of[toks[-1]]
    before = bisect.bisect_left(idx.tok_starts, m.open_char) - 1
    after = bisect.bisect_left(idx.tok_starts, m.close_end)
    cands: list[tuple[int, Token]] = []
    s_lo, s_hi = first_s, last_s
    if before >= 0:
        s_lo = min(s_lo, idx.sent_of[before])
    if after < len(doc):
        s_hi = max(s_hi, idx.sent_of[after])
    para = m.paragraph
    for s_i in range(s_lo, s_hi + 1):
        sent = idx.sents[s_i]
        if s_i < first_s:  # a sentence ending just before the quote: "X said:"
            last = sent[-1] if len(sent) else None
            while last is not None and (last.is_space or last.text in ALL_MARKS) and last.i > sent.start:
                last = doc[last.i - 1]
            if last is None or last.text not in (":", ","):
                continue
        if s_i > last_s:  # a sentence after the quote: only a short '... he said.'
            if len(sent) > 14 or sent.start_char > m.close_end + 2:
                continue
        lo_i = max(sent.start, before - CUE_WINDOW)
        hi_i = min(sent.end, after + CUE_WINDOW)
        for t_i in range(lo_i, hi_i):
            if before < t_i < after:
                continue
            t = doc[t_i]
            if idx.para_of(t.idx) != para and not (m.runs_on and t.idx < m.start):
                continue
            if m.open_char <= t.idx < m.close_end or idx.in_quote(t.idx):
                continue
            if t.lower_ == "according":
                dist = min(abs(t.idx - m.close_end), abs(t.idx - m.open_char))
                cands.append((dist, t))
                continue
            if not is_cue(t, idx.lex):
                continue
            comp = complement(t, idx.lex)
            if comp is not None and not covers(comp, m) and not idx.in_quote(comp.idx):
                if not any(c.dep_ == "ccomp" and (covers(c, m) or m.start <= c.idx < m.end) for c in t.children):
                    continue  # '“...,” X said in an interview aired Monday': the left clause is the quote
            dist = min(abs(t.idx - m.close_end), abs(t.idx - m.open_char))
            cands.append((dist, t))
    if not cands:
        verb = colon_verb(m, idx, before)
        return (verb, verb.lemma_.lower()) if verb is not None else (None, None)
    cands.sort(key=lambda c: c[0])
    tok = cands[0][1]
    if tok.lower_ == "according":
        return tok, "according to"
    return tok, tok.lemma_.lower()
