"""Photo credits, in one place: the patterns that cleaning and entity clustering share.

Cleaning drops a line that *is* a credit (`is_credit`: "Photo: Jane Doe", "(Jane Doe/AFP)",
"JANE DOE/AFP/Getty Images"), a caption line that ends in one (`credit_at_end`), and cuts a
credit in parentheses out of a sentence (`is_inline_credit`: "... (John Roe/Canadian Press) ...").
Entity clustering, later, ignores names on the short lines of the cleaned text that still *look
like* credits (`credit_like_spans`: a caption line ending "... (Yuri Cortez / AFP/Getty Images)"),
since a photographer is not a person the article names.

A slash credit is "Name/Outlet": capitalised segments joined by slashes. "Reuters/Ipsos" or
"Democrats/Republicans" are no credit: the first segment must be a name of two or more words
("Jane Doe/The Daily Planet") or one of the segments an agency ("Getty/Instagram").
"""

from __future__ import annotations

import re

AGENCIES = (
    "AP",
    "AFP",
    "Reuters",
    "Getty",
    "Getty Images",
    "EPA",
    "Associated Press",
    "Canadian Press",
    "PA Media",
    "PA Wire",
    "Shutterstock",
    "Bloomberg",
    "Xinhua",
    "Alamy",
    "iStock",
)
_AGENCY = r"\b(?:" + "|".join(re.escape(a) for a in sorted(AGENCIES, key=len, reverse=True)) + r")\b"
_PHOTO = r"\b(?:photo(?:graph)?s?|images?|pictures?|handout)\b"

CREDIT = re.compile(
    r"^\(?\s*(?:photo(?:graph)?|image|picture|credit)s?\s*(?::|(?:by|courtesy|credit|copyright|source)\b|$).*$"
    rf"|^\(.*(?:/|photo|{_AGENCY}).*\)$",
    re.IGNORECASE,
)
CREDIT_LIKE = re.compile(
    rf"(getty images|\bap photo\b|\bphoto(graph)?s?\b|\bcredit\b|/\s*{_AGENCY}|\(\s*[^()]{{0,80}}/[^()]{{0,80}}\)\s*$)",
    re.IGNORECASE,
)

# A capitalised word ("Doe", "DOE", "O'Neil", "McDonald's"), possessive: it never gives back a letter.
_WORD = r"[A-Z][\w'’.&-]*+"
_SEGMENT = rf"{_WORD}(?:\s+(?:(?:of|the|and|de|da|del|van|von|la|le|bin|al)\s+)?{_WORD}){{0,4}}"
_SLASHED = rf"{_SEGMENT}(?:\s*/\s*{_SEGMENT}){{1,3}}"
_BY = re.compile(rf"(?i:{_PHOTO}|credit)\s*(?i::|by|courtesy(?: of)?)\s*{_SEGMENT}(?:\s*/\s*{_SEGMENT}){{0,3}}")
_TAIL = re.compile(rf"[.!?…\"”’]\s+(?P<bare>{_SLASHED})\.?$|\s*\((?P<inner>[^()]{{1,160}})\)\.?$")
_AGENCY_OR_PHOTO = re.compile(rf"{_AGENCY}|{_PHOTO}", re.IGNORECASE)
_ENDS_IN_PHOTO = re.compile(rf"{_PHOTO}$", re.IGNORECASE)


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


def is_slash_credit(text: str) -> bool:
    """ "Jane Doe/The Daily Planet", "JANE DOE/AFP/Getty Images", "Getty/Instagram": the whole of
    `text`, without parentheses or a final full stop."""
    if len(text) > 160 or not re.fullmatch(_SLASHED, text):
        return False
    return len(text.split("/", 1)[0].split()) >= 2 or bool(_AGENCY_OR_PHOTO.search(text))


def is_inline_credit(text: str) -> bool:
    """The inside of parentheses that hold a credit: a slash credit, "Photo: Jane Doe", "AP Photo",
    "Getty Images". A bare agency, "(Reuters)", is a source, not a credit."""
    text = text.strip()
    if len(text) > 160:
        return False
    if is_slash_credit(text) or _BY.fullmatch(text):
        return True
    return bool(re.fullmatch(_SEGMENT, text)) and bool(_ENDS_IN_PHOTO.search(text))


def is_credit(line: str) -> bool:
    return short(line, 15) and (bool(CREDIT.match(line)) or is_slash_credit(line.removesuffix(".")))


def credit_at_end(line: str) -> tuple[int, int] | None:
    """The span of a credit that ends the line: in parentheses ("... on Saturday (Jane Doe/AFP)."),
    the sentence's full stop left out, or after the last sentence ("Protesters march. Jane
    Doe/The Daily Planet"). Only the line's last 200 characters are searched."""
    match = _TAIL.search(line, max(0, len(line) - 200))
    if match is None:
        return None
    if match["bare"] is not None:
        return (match.start("bare"), len(line)) if is_slash_credit(match["bare"]) else None
    return (match.start(), match.end("inner") + 1) if is_inline_credit(match["inner"]) else None


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
