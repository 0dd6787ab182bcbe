"""Direct and mixed quotes: what a span between quotation marks says, and who says it."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from newsflow.tasks.nlp.quotes.cues import cue_for_marked, governing_verb, subject_of
from newsflow.tasks.nlp.quotes.index import DocIndex
from newsflow.tasks.nlp.quotes.marks import Marked
from newsflow.tasks.nlp.quotes.records import Draft, Quote, Speaker
from newsflow.tasks.nlp.quotes.speakers import (
    NO_ONE,
    SAME,
    dash_attribution,
    intervening_subject,
    speaker_for_cue,
    speaker_from_token,
)


def looks_like_a_title_of_work(words: list[str]) -> bool:
    """“Face the Nation”, “Morning Joe”: a short title-cased span names a work, not speech."""
    small = {"the", "a", "an", "of", "and", "in", "on", "at", "for", "to", "is", "with", "by", "or"}
    content = [w for w in words if w.lower() not in small]
    return 0 < len(words) <= 6 and bool(content) and all(w[:1].isupper() or w[:1].isdigit() for w in content)


def is_partial(text: str, m: Marked) -> bool:
    """A quote that opens mid-clause ("was “in strict accordance”") rather than after a
    sentence start or punctuation."""
    i = m.open_char - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return i >= 0 and (text[i].isalnum() or text[i] in "’'%$")


def names_a_title(m: Marked, idx: DocIndex) -> bool:
    """'the study “Whose Job Is It”', 'coined the term “the Friday effect”': a marked span right
    after a noun that names works or words is that name, not speech."""
    before = bisect.bisect_left(idx.tok_starts, m.open_char) - 1
    return before >= 0 and idx.doc[before].pos_ == "NOUN" and idx.doc[before].lower_ in idx.lex.title_nouns


def is_premodifier(m: Marked, idx: DocIndex) -> bool:
    """'eight “critical” flaws', 'endured “shocking” abuse': the marked words only modify the noun
    right after them (a scare quote), rather than saying something."""
    toks = idx.tokens_in(m.start, m.end)
    if not len(toks):
        return False
    inside = set(toks)
    roots = [idx.doc[i] for i in toks if idx.doc[i].head.i not in inside and not idx.doc[i].is_punct]
    return bool(roots) and all(
        t.dep_ in ("amod", "compound", "nmod", "advmod")
        and t.head.pos_ in ("NOUN", "PROPN")
        and toks[-1] < t.head.i <= toks[-1] + 4
        for t in roots
    )


def attribute_marked(m: Marked, idx: DocIndex, prev: list[Quote], cont: bool) -> Draft | None:
    """The quote a marked span makes (None when it is no speech) and its speaker: a dash after
    it, its cue, the verb a partial quote hangs from, or the previous quote's speaker."""
    text = idx.text
    partial = is_partial(text, m)
    words = re.findall(r"[^\W\d_][\w'’-]*", text[m.start : m.end])
    if not any(len(w) > 1 for w in words) or (partial and looks_like_a_title_of_work(words)):
        return None  # numbers, ids, or the title of a show or a book
    if partial and names_a_title(m, idx):
        return None
    kind = "mixed" if partial else "direct"
    draft = Draft(m.start, m.end, kind, marked=m)
    # a continuation paragraph may carry its own cue too: '“... more,” she said.'
    dashed = dash_attribution(m, idx)
    if dashed is not None:
        draft.speaker = dashed
        return draft
    cue, lemma = cue_for_marked(m, idx)
    if cue is not None:
        sp = speaker_for_cue(cue, lemma, idx, prev)
        if sp is not None:
            draft.cue, draft.cue_lemma, draft.speaker = cue, lemma, sp
            return draft
    if partial:
        verb = governing_verb(m, idx)
        if verb is not None and verb.lemma_.lower() not in idx.lex.not_cues:
            subj, method = subject_of(verb, idx.lex, lambda t: idx.in_quote(t.idx))
            if subj is not None and not idx.in_quote(subj.idx):
                sp = speaker_from_token(subj, idx, method, prev)
                speechy = verb.lemma_.lower() in idx.lex.speech_verbs or verb.lemma_.lower() in idx.lex.attitude_verbs
                if (
                    sp is not None
                    and (sp.label in ("PERSON", "ORG", "GPE", "NORP") or sp.method == "pronoun" or speechy)
                    and (speechy or not is_premodifier(m, idx))
                ):
                    draft.cue, draft.cue_lemma, draft.speaker = verb, verb.lemma_.lower(), sp
                    return draft
    if partial and len(re.findall(r"\w+", text[m.start : m.end])) <= 3:
        return None  # a scare quote ("the so-called “deep state”"), not speech
    # no cue: the previous quote's speaker, when near and nobody else came in between
    last = next((q for q in reversed(prev) if q.speaker is not None or q.speaker_name is not None), None)
    if last is not None:
        last_para = idx.para_of(last.start_char)
        near = last_para in (m.paragraph, m.paragraph - 1)
        if cont or near or last_para == m.paragraph - 2:
            other = None if cont else intervening_subject(idx, last.end_char, m.open_char, last.speaker_entity_id)
            if other is NO_ONE or (other is None and not near and not cont):
                draft.speaker = None
            elif other is not None and other is not SAME:
                draft.speaker = replace(other, surface=None, method="adjacency", name=other.name or other.surface)
            else:
                # nobody is written next to this quote: no surface speaker, the same person
                draft.speaker = Speaker(
                    None, last.speaker_name or last.speaker, last.speaker_entity_id, last.speaker_title, "adjacency"
                )
            return draft
    if partial:
        return None  # words in marks inside a sentence that nobody is said to say: a scare quote
    return draft
