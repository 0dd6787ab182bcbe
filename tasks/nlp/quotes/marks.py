"""Quotation marks: which marks open and close, and the spans they enclose, paragraph by paragraph.

Handled: straight and curly double marks, '' and `` as some newswires write them, a quote left
open at a paragraph's end and re-opened by the next (the multi-paragraph convention), also where
the paragraph breaks were lost and the next paragraph's opening mark follows a full stop inside the
same line ('said: "... about. "Next paragraph ..."'), each paragraph's part one span; marks that
pair with nothing are ignored. Not handled: single quotation marks as quotes (British style), and
guillemets as pairs only partly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN_MARKS = {"“", "„", "«"}


CLOSE_MARKS = {"”", "»"}


AMBIGUOUS_MARKS = {'"', "″", "＂"}


ALL_MARKS = OPEN_MARKS | CLOSE_MARKS | AMBIGUOUS_MARKS


# Double marks written as two characters, as some newswires write them (`marks_in` reads each as
# one mark): '' opens and closes ("''is a misguided approach,''"), or `` opens and '' closes.
TWO_CHAR_MARKS = ("''", "``")


MAX_QUOTE_CHARS = 5000


@dataclass(frozen=True)
class Marked:
    """A span between quotation marks: the inner text offsets and whether it runs on."""

    open_char: int  # where the opening mark starts
    close_end: int  # where the closing mark ends, or the paragraph end when it runs on
    start: int  # inner text start (after the mark and spaces)
    end: int  # inner text end
    paragraph: int
    runs_on: bool = False  # open at the paragraph end, continued in the next paragraph


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line-separated paragraph."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            out.append((m.start(), m.end()))
    return out


def marks_in(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(position, length, char) of each quotation mark in text[start:end]; two apostrophes
    ('') and two backticks (``) count as one double mark, as some newswires write them."""
    out = []
    i = start
    while i < end:
        ch = text[i]
        if ch in ALL_MARKS:
            out.append((i, 1, ch))
        elif ch in "'`" and i + 1 < end and text[i + 1] == ch:
            out.append((i, 2, "“" if ch == "`" else '"'))
            i += 1
        i += 1
    return out


def mark_role(text: str, i: int, length: int, ch: str) -> str:
    """ "open", "close" or "?" for a quotation mark, from its neighbours."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + length] if i + length < len(text) else " "
    space_before = before.isspace() or before in "([{—–-/\u00a0―" or before in ALL_MARKS
    space_after = after.isspace() or after in ".,;:!?)]}—–\u00a0―"
    if ch in OPEN_MARKS and not (space_after and not space_before):
        return "open"
    if ch in CLOSE_MARKS and not (space_before and not space_after):
        return "close"
    if space_before and not space_after:
        return "open"
    if space_after and not space_before:
        return "close"
    return "?"


def find_marked_spans(text: str) -> list[Marked]:
    """Pair quotation marks within each paragraph; see the module docstring for the rules."""
    spans: list[Marked] = []
    paras = paragraphs(text)
    for p_i, (p_start, p_end) in enumerate(paras):
        pending: int | None = None
        pending_len = 0
        for i, length, ch in marks_in(text, p_start, p_end):
            role = mark_role(text, i, length, ch)
            if role == "?":
                role = "close" if pending is not None else "open"
            if role == "open":
                if pending is not None and _reopens(text, pending, i, p_start):
                    _add_span(spans, text, pending, pending + pending_len, i, i, p_i, runs_on=True)
                pending = i
                pending_len = length
            elif pending is not None:
                _add_span(spans, text, pending, pending + pending_len, i, i + length, p_i, runs_on=False)
                pending = None
        if pending is not None and p_i + 1 < len(paras):
            nxt_start, nxt_end = paras[p_i + 1]
            first = text[nxt_start:nxt_end].lstrip()
            if first[:1] in OPEN_MARKS or first[:1] in AMBIGUOUS_MARKS or first[:2] in ("''", "``"):
                _add_span(spans, text, pending, pending + pending_len, p_end, p_end, p_i, runs_on=True)
    return spans


def _reopens(text: str, open_i: int, i: int, p_start: int) -> bool:
    """An opening mark while a quote is open, after a full stop, where the open quote itself began
    a sentence or followed a colon or comma: a paragraph break lost inside a running quote. A mark
    that opened mid-clause (a title, a scare quote left unclosed) runs on into nothing."""
    before = text[p_start:open_i].rstrip()
    inner = text[open_i:i].rstrip().rstrip("'’")
    return (not before or before[-1] in ".!?:,—–-") and inner[-1:] in (".", "!", "?") and len(inner.split()) >= 3


def _add_span(
    spans: list[Marked], text: str, open_i: int, start: int, end: int, close_end: int, p_i: int, runs_on: bool
) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < 1 or end - start > MAX_QUOTE_CHARS or not any(c.isalnum() for c in text[start:end]):
        return
    spans.append(Marked(open_i, close_end, start, end, p_i, runs_on))
