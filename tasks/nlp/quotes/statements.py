"""Statements: the quotes a text presents as one utterance of one speaker (the `quotes` table's
`statement_id`, the Span extension `._.statement_id`).

`statement_starts` groups a document's quote spans, in text order: a quote continues the
statement of the quote right before it when
- both have the same resolved speaker (the same `speaker_entity_id`, or, when neither has one,
  the same `speaker_name`; a quote with no speaker at all starts its own statement), and
- the later one has no cue of its own or shares the earlier one's cue (the same reporting verb:
  '“A,” she said, “B.”'), and
- nothing lies between them but punctuation, quotation marks, whitespace and the earlier
  quote's attribution (its cue's clause: the cue verb's subtree, and its speaker as written):
  '“A,” Kosachev said on Facebook. “B.”'; a paragraph break only when the later quote has no
  cue of its own (a continuation: '“A,” she said.⏎⏎“B.”').
- A quote left open at its paragraph's end and re-opened by the next paragraph (the
  multi-paragraph convention: one quotation) continues whatever the next piece's cue. Only a
  quotation can be left open: a direct quote (its marks lie outside its span), or a quote whose
  own text opens a mark it does not close. An indirect quote that ends its paragraph, its
  quoted words closed ('She said it was “very hard to look past” his “democratic socialist.”'),
  is not continued by the next paragraph's quotation: that one is a new statement.
So an indirect quote with its own cue ('She said X. “Y,” she added.') starts a new statement,
and a subject written before a partial quote ('“A,” she said. The U.S. “acts like a cowboy.”')
keeps the two apart: the second piece is a new sentence about something else.

Not handled: a statement interrupted by another speaker's words and resumed, pieces whose
speaker the rules resolve differently (one to an entity, one left as written), and cues that the
parser hangs outside the sentence of their quote.

A statement's id is the `quote_id` of its first piece: derived from content, stable over runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from spacy.tokens import Span

from newsflow.tasks.nlp.doc_text import doc_text
from newsflow.tasks.nlp.quotes.marks import AMBIGUOUS_MARKS, CLOSE_MARKS, OPEN_MARKS


def quote_id(start_char: int, end_char: int, text: str) -> str:
    """Stable within the document: derived from the quote's place and words."""
    return "q_" + hashlib.sha1(f"{start_char}:{end_char}:{text}".encode()).hexdigest()[:16]


def statement_starts(quotes: Sequence[Span]) -> list[int]:
    """For each quote span (one document's, in text order), the index of its statement's first
    piece: its own index when it starts a statement."""
    starts: list[int] = []
    for i, q in enumerate(quotes):
        starts.append(starts[i - 1] if i and continues(quotes[i - 1], q) else i)
    return starts


def statement_ids(quotes: Sequence[Span]) -> list[str]:
    """Each quote's `statement_id`: the `quote_id` of its statement's first piece."""
    firsts = [quotes[i] for i in statement_starts(quotes)]
    return [quote_id(q.start_char, q.end_char, q.text) for q in firsts]


def same_speaker(a: Span, b: Span) -> bool:
    """Both resolved to the same entity, or, with no entity, to the same name (not to nobody)."""
    if a._.speaker_entity_id is not None or b._.speaker_entity_id is not None:
        return a._.speaker_entity_id == b._.speaker_entity_id
    return a._.speaker_name is not None and a._.speaker_name == b._.speaker_name


def continues(a: Span, b: Span) -> bool:
    """Whether quote `b`, the next quote after `a`, is a piece of `a`'s statement (the rule above)."""
    if b.start_char < a.end_char or not same_speaker(a, b):
        return False
    text = doc_text(a.doc)[a.end_char : b.start_char]
    if runs_on(text) and left_open(a):
        return True
    a_cue, b_cue = a._.cue, b._.cue
    if b_cue is not None and (a_cue is None or b_cue.start_char != a_cue.start_char):
        return False  # a cue of its own: a new statement
    if "\n" in text and b_cue is not None:
        return False
    allowed = attribution(a)
    return all(t.i in allowed or not any(c.isalnum() for c in t.text) for t in a.doc[a.end : b.start])


def runs_on(between: str) -> bool:
    """The text between two quotes is a paragraph break and an opening mark only: the first
    quote's paragraph left it open (no closing mark) and the next re-opens it."""
    marks = [c for c in between if not c.isspace()]
    return "\n" in between and len(marks) == 1 and marks[0] in OPEN_MARKS | {'"'} and not CLOSE_MARKS & set(between)


def left_open(quote: Span) -> bool:
    """Whether the quote may be a quotation left open at its end: a direct quote, or one whose own
    text opens more marks than it closes (curly marks counted, straight ones by their parity)."""
    if quote.label_ == "direct":
        return True
    text = quote.text
    opened = sum(text.count(m) for m in OPEN_MARKS)
    closed = sum(text.count(m) for m in CLOSE_MARKS)
    return opened > closed or sum(text.count(m) for m in AMBIGUOUS_MARKS) % 2 == 1


def attribution(quote: Span) -> set[int]:
    """The tokens of the quote's attribution: its cue verb's subtree and its speaker as written."""
    cue, speaker = quote._.cue, quote._.speaker
    tokens = {t.i for t in cue[0].subtree} | {t.i for t in cue} if cue is not None else set()
    return tokens | ({t.i for t in speaker} if speaker is not None else set())
