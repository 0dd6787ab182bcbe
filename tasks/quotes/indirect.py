"""Indirect quotes: the clause a reporting verb reports, and "according to X, ...".

Handled: clausal complements ("said that ...", "..., saying ...", "told reporters ...",
"..., she said.", "told employees in a memo that ..."), the infinitive of a directive verb
("warned users not to click ..."), cut where a new report starts
(", arguing that") and at the paragraph's end. Not handled: reported speech in a noun phrase
("his claim that ..."), and clauses the parser does not attach to their cue.
"""

from __future__ import annotations

from spacy.tokens import Token

from newsflow.tasks.quotes.cues import complement, complement_end, is_cue
from newsflow.tasks.quotes.index import DocIndex
from newsflow.tasks.quotes.marks import ALL_MARKS, CLOSE_MARKS
from newsflow.tasks.quotes.records import Draft

EDGE_PUNCT = " \t\n\r\u00a0,;:—–-" + "".join(ALL_MARKS)


def clip_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim punctuation and spaces off a reported clause, but keep the closing mark (and the
    punctuation inside it) of a partial quote that the clause ends with."""
    while start < end and text[start] in EDGE_PUNCT:
        start += 1
    full_end = end
    while end > start and (text[end - 1] in EDGE_PUNCT or text[end - 1] in ".!?"):
        end -= 1
    inner = text[start:end]
    opened = inner.count("“") - inner.count("”") + inner.count('"') % 2
    if opened > 0:
        for i in range(end, min(len(text), max(full_end, end) + 3)):
            if text[i] in CLOSE_MARKS or text[i] == '"':
                return start, i + 1
    return start, end


def indirect_quotes(idx: DocIndex) -> list[Draft]:
    """Reported clauses of cues ("said that ...", "..., she said.") and "according to X, ..."."""
    doc = idx.doc
    text = idx.text
    drafts = []
    for tok in doc:
        if not is_cue(tok, idx.lex) or idx.in_quote(tok.idx):
            continue
        comp = complement(tok, idx.lex)
        if comp is None:
            continue
        lo, hi = comp.left_edge.i, complement_end(comp, idx.lex)
        if lo <= tok.i <= hi:
            continue
        lo, hi = within_paragraph(idx, tok, lo, hi)
        while lo <= hi and (doc[lo].dep_ == "mark" and doc[lo].lower_ == "that" or doc[lo].is_punct):
            lo += 1
        if lo > hi:
            continue
        start, end = clip_clause(text, doc[lo].idx, doc[hi].idx + len(doc[hi].text))
        if end - start < 3 or len([t for t in doc[lo : hi + 1] if t.is_alpha]) < 2:
            continue
        drafts.append(Draft(start, end, "indirect", cue=tok, cue_lemma=tok.lemma_.lower()))
    for tok in doc:  # according to X, ...
        if tok.lower_ != "according" or idx.in_quote(tok.idx):
            continue
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        who = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
        if who is None:
            continue
        sent = idx.sents[idx.sent_of[tok.i]]
        a_lo, a_hi = tok.i, who.right_edge.i
        named = apposed_name(idx, a_hi)
        if named is not None:  # "according to the finance director, Maria Chen, ..."
            who, a_hi = named
        left = (sent.start, a_lo - 1)
        right = (a_hi + 1, sent.end - 1)
        lo, hi = max((left, right), key=lambda r: r[1] - r[0])
        lo, hi = within_paragraph(idx, tok, lo, hi)
        if hi - lo < 2:
            continue
        start, end = clip_clause(text, doc[lo].idx, doc[hi].idx + len(doc[hi].text))
        if end - start < 3:
            continue
        cue_chars = (tok.idx, to.idx + len(to.text))
        drafts.append(Draft(start, end, "indirect", cue=who, cue_lemma="according to", cue_chars=cue_chars))
    return drafts


def within_paragraph(idx: DocIndex, cue: Token, lo: int, hi: int) -> tuple[int, int]:
    """Token range lo..hi cut to the cue's paragraph (the parser may run a sentence over a break)."""
    p_start, p_end = idx.paras[idx.para_of(cue.idx)] if idx.paras else (0, len(idx.text))
    while lo <= hi and idx.doc[lo].idx < p_start:
        lo += 1
    while hi >= lo and idx.doc[hi].idx >= p_end:
        hi -= 1
    return lo, hi


def apposed_name(idx: DocIndex, i: int) -> tuple[Token, int] | None:
    """(name token, index of the closing comma) for ", <Person Name>," right after token i."""
    doc = idx.doc
    if i + 2 >= len(doc) or doc[i + 1].text != ",":
        return None
    m_i = idx.tok_mention[i + 2]
    if m_i < 0 or idx.ents.mentions[m_i].label != "PERSON" or idx.ents.mentions[m_i].start_char != doc[i + 2].idx:
        return None
    j = i + 2
    while j + 1 < len(doc) and idx.tok_mention[j + 1] == m_i:
        j += 1
    if j + 1 < len(doc) and doc[j + 1].text == ",":
        return doc[j], j + 1
    return None
