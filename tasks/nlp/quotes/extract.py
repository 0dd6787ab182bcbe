"""`extract_quotes`: the quote rules run in text order over one parsed document.

Indirect clauses that hold a marked span become mixed quotes; the other marked spans are direct
(or mixed, when partial) quotes; a quote with no cue takes the speaker of the one before it, and a
quote running over several paragraphs gets the speaker its last paragraph names, unless it began
right after a quote of its own paragraph whose speaker it takes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import replace

from spacy.tokens import Doc, Token

from newsflow.tasks.nlp.doc_text import doc_text
from newsflow.tasks.nlp.entities import DocEntities
from newsflow.tasks.nlp.lexicon import Lexicon
from newsflow.tasks.nlp.quotes.direct import attribute_marked
from newsflow.tasks.nlp.quotes.index import DocIndex
from newsflow.tasks.nlp.quotes.indirect import indirect_quotes
from newsflow.tasks.nlp.quotes.marks import Marked, find_marked_spans
from newsflow.tasks.nlp.quotes.records import Draft, Quote
from newsflow.tasks.nlp.quotes.speakers import speaker_for_cue, speaker_from_token


def _cue_chars(cue: Token, lemma: str) -> tuple[int, int]:
    """The cue as written: the verb, or "according to" (both words, when the parser joined them)."""
    end = cue.idx + len(cue.text)
    if lemma == "according to":
        to = next((c for c in cue.children if c.lower_ == "to"), None)
        end = to.idx + len(to.text) if to is not None else end
    return cue.idx, end


def _finish(d: Draft, text: str) -> Quote:
    sp = d.speaker
    start, end = d.start, d.end
    cue_chars = (d.cue_chars or _cue_chars(d.cue, d.cue_lemma)) if d.cue_lemma else (None, None)
    return Quote(
        start_char=start,
        end_char=end,
        text=text[start:end],
        type=d.type,
        speaker=sp.surface if sp else None,
        speaker_name=sp.name if sp else None,
        speaker_entity_id=sp.entity_id if sp else None,
        cue=d.cue_lemma,
        method=sp.method if sp else "none",
        speaker_title=sp.title if sp else None,
        speaker_start=sp.start if sp and sp.surface is not None else None,
        cue_start=cue_chars[0],
        cue_end=cue_chars[1],
    )


# Rescores the speakers the rules chose (newsflow.tasks.nlp.speaker_model): the quotes in text
# order and the document's index in, the quotes with their speakers out.
SpeakerRanker = Callable[[tuple[Quote, ...], DocIndex], tuple[Quote, ...]]
# Proposes contents the rules do not (newsflow.tasks.nlp.object_model): the parsed document in,
# (start_char, end_char, cue token index) out, none overlapping another.
ObjectProposer = Callable[[Doc], list[tuple[int, int, int]]]


def extract_quotes(
    doc: Doc,
    ents: DocEntities,
    lex: Lexicon,
    ranker: SpeakerRanker | None = None,
    proposer: ObjectProposer | None = None,
) -> tuple[Quote, ...]:
    """All quotes of the parsed document in text order, speakers resolved against `ents`, then
    rescored by `ranker` when one is given. A `proposer`'s contents are indirect quotes of their
    verb where they overlap no quote of the rules and no quotation marks."""
    text = doc_text(doc)
    if not text.strip():
        return ()
    marked = find_marked_spans(text)
    idx = DocIndex(doc, ents, marked, lex)
    indirect = indirect_quotes(idx) if doc.has_annotation("DEP") else []
    # direct quotes that sit inside a reported clause make it a mixed quote
    consumed: set[int] = set()
    drafts: list[Draft] = []
    opens = [m.open_char for m in marked]  # marked spans are in text order and do not overlap
    for d in indirect:
        near = range(max(0, bisect.bisect_left(opens, d.start) - 1), bisect.bisect_left(opens, d.end))
        for i in near:
            if opens_the_clause(marked[i], d, text):
                d.start = marked[i].open_char
        inner = [i for i in near if d.start <= marked[i].open_char and marked[i].close_end <= d.end + 2]
        overlapping = [i for i in near if marked[i].open_char < d.end and marked[i].close_end > d.start]
        if overlapping and not inner:
            continue  # the clause is (part of) a direct quote: the direct-quote rules attribute it
        if inner:
            d.type = "mixed"
            consumed.update(inner)
        drafts.append(d)
    drafts = _drop_nested(drafts)
    if proposer is not None and doc.has_annotation("DEP"):
        drafts += _proposed(doc, proposer, drafts, marked, idx)  # they overlap no draft nor each other
    items: list[tuple[int, object]] = [(d.start, d) for d in drafts]
    items += [(m.start, m) for i, m in enumerate(marked) if i not in consumed]
    items.sort(key=lambda x: x[0])
    quotes: list[Quote] = []
    prev_runs_on = False
    chain: list[int] = []  # paragraphs of one running quote that have no cue of their own yet
    anchored = False  # the running quote follows its speaker's quote in the same paragraph
    for _, item in items:
        if isinstance(item, Draft):
            if item.speaker is None and item.speaker_token is not None:
                item.speaker = speaker_from_token(item.speaker_token, idx, "cue", quotes)
            elif item.speaker is None and item.cue is not None:
                item.speaker = speaker_for_cue(item.cue, item.cue_lemma, idx, quotes)
            quotes.append(_finish(item, text))
            prev_runs_on, chain, anchored = False, [], False
            continue
        cont = prev_runs_on
        if not cont:
            anchored = _follows_in_paragraph(quotes, idx, item.paragraph)
        draft = attribute_marked(item, idx, quotes, cont=cont)
        prev_runs_on = item.runs_on
        if draft is not None:
            quotes.append(_finish(draft, text))
            if item.runs_on or cont:
                if quotes[-1].method == "none" or (quotes[-1].method == "adjacency" and not anchored):
                    chain.append(len(quotes) - 1)
                elif quotes[-1].method != "adjacency":
                    _backfill(quotes, chain, quotes[-1])
                    chain = []
        if not item.runs_on:
            chain, anchored = [], False
    found = tuple(q for q in quotes if q.text)
    return ranker(found, idx) if ranker is not None and found else found


def _proposed(
    doc: Doc, proposer: ObjectProposer, drafts: list[Draft], marked: list[Marked], idx: DocIndex
) -> list[Draft]:
    """The proposer's contents that overlap no draft of the rules and no marked span, their verb
    outside quotation marks and not one whose frames the rules read (`report_frames`: "called
    for", "called X a Y", not "called the meeting"): indirect quotes with the verb as cue."""
    taken = [(d.start, d.end) for d in drafts] + [(m.open_char, m.close_end) for m in marked]
    out = []
    for start, end, verb in proposer(doc):
        cue = doc[verb]
        if cue.lemma_.lower() in idx.lex.report_frames:  # the rules read these verbs' frames
            continue
        if idx.in_quote(cue.idx) or any(start < hi and lo < end for lo, hi in taken):
            continue
        out.append(Draft(start, end, "indirect", cue=cue, cue_lemma=cue.lemma_.lower()))
    return out


def opens_the_clause(m: Marked, d: Draft, text: str) -> bool:
    """Rule `clause-opens-with-a-quote`: 'Ryan said that “we need more information” about how
    ...': the reported clause starts with a partial quote (its opening mark trimmed off the
    clause) and goes on after it; the clause is a mixed quote, not just the marked words."""
    if d.cue is None or not (m.open_char < d.start <= m.start and m.close_end < d.end):
        return False
    if d.cue.idx < m.open_char:
        return True
    # rule `quote-opens-a-clause-before-its-cue`: '“I held and hugged” grieving families before
    # ..., he said': the clause runs on from the closing mark, words first (not '“...,” chairman
    # X said', where a comma follows the quoted words)
    return re.match(r"\s*[^\W\d_]+\s+[^\W\d_]+", text[m.close_end : d.end]) is not None


def _follows_in_paragraph(quotes: list[Quote], idx: DocIndex, paragraph: int) -> bool:
    """'“A,” said X. “B ...' with B running on: B goes with X, the speaker just named, whoever a
    later paragraph's cue names (a closing mark left out by mistake reads the same way)."""
    last = next((q for q in reversed(quotes) if q.speaker_name or q.speaker), None)
    return last is not None and idx.para_of(last.start_char) == paragraph


def _backfill(quotes: list[Quote], chain: list[int], attributed: Quote) -> None:
    """A quote running over several paragraphs whose speaker is named only in a later one:
    the earlier paragraphs get that speaker too."""
    for i in chain:
        quotes[i] = replace(
            quotes[i],
            speaker=None,
            speaker_name=attributed.speaker_name or attributed.speaker,
            speaker_entity_id=attributed.speaker_entity_id,
            speaker_title=attributed.speaker_title,
            cue=None,
            method="adjacency",
            speaker_start=None,
            cue_start=None,
            cue_end=None,
        )


def _drop_nested(drafts: list[Draft]) -> list[Draft]:
    """Reported speech inside reported speech: keep the outer clause."""
    drafts.sort(key=lambda d: (d.start, -d.end))
    out: list[Draft] = []
    for d in drafts:
        if out and d.start >= out[-1].start and d.end <= out[-1].end:
            continue
        out.append(d)
    return out
