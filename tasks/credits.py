"""Photo credits, in one place: the patterns that cleaning and entity clustering share.

Cleaning drops a line that *is* a credit (`is_credit`: "Photo: Jane Doe", "(Jane Doe/AFP)").
Entity clustering, later, ignores names on the short lines of the cleaned text that still *look
like* credits (`credit_like_spans`: a caption line ending "... (Yuri Cortez / AFP/Getty Images)"),
since a photographer is not a person the article names.
"""

from __future__ import annotations

import re

CREDIT = re.compile(
    r"^\(?\s*(?:photo|image|picture|credit|photograph)s?\s*(?:by|:)?.*$"
    r"|^\(.*(?:/|getty|afp|reuters|associated press|\bap\b|epa|shutterstock|photo).*\)$",
    re.IGNORECASE,
)
CREDIT_LIKE = re.compile(
    r"(getty images|\bap photo\b|\bphoto(graph)?s?\b|\bcredit\b|/\s*(ap|afp|reuters|epa|getty)\b|"
    r"\(\s*[^()]{0,80}/[^()]{0,80}\)\s*$)",
    re.IGNORECASE,
)


# Lines that credit the article's own staff, or sign a reader's letter: no one the article names.
STAFF_CREDIT = re.compile(
    r"^\(?\s*(?:additional\s+)?reporting\s+(?:by|from)\b"
    r"|^[-–—\s]*additional reporting\b"
    r"|\b(?:editing|writing|compiled|reporting)\s+by\b.*\)?\.?$"
    r"|\bcontributed (?:reporting|to this (?:report|article|story))\b"
    r"|^follow\b.*\bon (?:twitter|facebook|instagram)\b",
    re.IGNORECASE,
)
SIGNATURE = re.compile(r"^[A-Z][\w'’.-]*(?: (?:[A-Z][\w'’.-]*|de|van|von|la|del)){1,3}\.$")
REPORTED_FROM = re.compile(r"^[A-Z][^.]{0,120}\breported from\b", re.IGNORECASE)


def short(line: str, max_words: int) -> bool:
    """Checked before the line patterns: on a long line (a 1 MB single-line file) some of them
    backtrack for minutes, and credits and bylines are short anyway."""
    return len(line) <= 40 * max_words and len(line.split()) <= max_words


def is_credit(line: str) -> bool:
    return short(line, 15) and bool(CREDIT.match(line))


def credit_like_spans(text: str) -> list[tuple[int, int]]:
    """Char ranges of short lines that look like photo credits or captions with credits, staff
    credits ("(Reporting by ...; Editing by ...)", "X contributed reporting.", "X reported from
    Y" in the last lines) and a letter's signature (a line that is a name and a full stop)."""
    spans = []
    pos = 0
    lines = text.split("\n")
    last_lines = {i for i, line in enumerate(lines) if line.strip()}
    last_lines = set(sorted(last_lines)[-3:])
    for i, line in enumerate(lines):
        end = pos + len(line)
        stripped = line.strip()
        if stripped and len(stripped) <= 160 and CREDIT_LIKE.search(stripped):
            if not stripped.endswith((".", "?", "!", "”", '"')) or stripped.startswith("("):
                spans.append((pos, end))
        elif short(stripped, 40) and (
            STAFF_CREDIT.search(stripped)
            or SIGNATURE.match(stripped)
            or (i in last_lines and REPORTED_FROM.match(stripped))
        ):
            spans.append((pos, end))
        pos = end + 1
    return spans
