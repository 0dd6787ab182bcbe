"""Bylines and datelines: recognised so that cleaning takes them out of the text, and read so
that their people become `authors`, the dateline `dateline` and its agency a hint for `outlet`.

Handles: "By Jane Doe", "By Jane Doe and John Roe", "By Jane Doe, John Roe | Reuters", "Written
by ...", "From ..." (short lines), and an agency byline "Jane Doe, The Canadian Press" (names, then a
known agency: see `newsflow.tasks.metadata.AGENCIES`); datelines such as "MOSCOW (Reuters) —",
"WASHINGTON —", "OTTAWA, Ont. (CP) -". Only the first byline gives authors.

Does not handle: a byline run into the first sentence ("By Jane Doe MOSCOW ..."), an outlet in a
"By" byline that is not a known agency ("By Jane Doe, The Daily Planet": the outlet is dropped,
not taken for an author, when it starts with "The"), job titles written as names ("Jane Doe Staff
Writer" stays one name unless a comma parts them), datelines in lowercase.
"""

from __future__ import annotations

import re

from newsflow.tasks.clean.debris import Removal
from newsflow.tasks.metadata import AGENCIES, agency, looks_like_name
from newsflow.tasks.nlp.credits import short

_NAME = r"[A-Z][\w.'’-]+(?:\s+(?:de|van|von|da|bin|[A-Z][\w.'’-]+)){1,3}"
_BYLINE = re.compile(
    r"^(?:[Bb]y|[Ff]rom|[Ww]ritten by)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
    r"(?:\s*(?:,|and|\|)\s*.*)?$"
)
_AGENCY_NAMES = "|".join(sorted((re.escape(a) for a in AGENCIES if len(a) > 3), key=len, reverse=True))
_AGENCY_BYLINE = re.compile(
    rf"^(?P<names>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)\s*[,/|—–-]\s*(?P<agency>{_AGENCY_NAMES})\.?$"
)
_PARTS = re.compile(r"\s*(?:,|;|\||&|/|\band\b)\s*")
_BY = re.compile(r"^(?:by|from|written by)\s+", re.IGNORECASE)
_NOT_A_NAME = {"Staff", "Writer", "Reporter", "Correspondent", "Editor", "Bureau", "Desk", "Contributor"}
_DATELINE_AGENCY = re.compile(r"\(([^)]+)\)")


def is_byline(line: str) -> bool:
    """A short line that names the article's writers."""
    return short(line, 12) and bool(_AGENCY_BYLINE.match(line)) or short(line, 8) and bool(_BYLINE.match(line))


def read_byline(line: str) -> tuple[tuple[str, ...], str | None]:
    """(authors, the agency's outlet or None) of a byline."""
    match = _AGENCY_BYLINE.match(line)
    names, outlet = (match["names"], agency(match["agency"])) if match else (line, None)
    names = _BY.sub("", names)
    authors = []
    for part in _PARTS.split(names):
        part = part.strip(" .")
        if agency(part):
            outlet = outlet or agency(part)
        elif looks_like_name(part) and not part.startswith("The ") and not _NOT_A_NAME & set(part.split()):
            authors.append(part)
    return tuple(authors), outlet


def read_dateline(paragraph: str, rest: str) -> tuple[str | None, str | None]:
    """(the dateline as written, its agency's outlet or None): the part of `paragraph` that
    cleaning cut to leave `rest`."""
    if not paragraph.endswith(rest) or len(rest) >= len(paragraph):
        return None, None
    dateline = paragraph[: len(paragraph) - len(rest)].rstrip(" -–—")
    named = _DATELINE_AGENCY.search(dateline)
    return dateline or None, agency(named.group(1)) if named else None


def text_metadata(removed: list[Removal]) -> tuple[tuple[str, ...], str | None, str | None]:
    """(authors, dateline, outlet hint) from what cleaning removed: the first byline and the
    dateline. A byline's agency is preferred to a dateline's."""
    authors: tuple[str, ...] = ()
    outlet = dateline = None
    for removal in removed:
        if removal.rule == "byline" and not authors and outlet is None:
            authors, outlet = read_byline(removal.before)
        elif removal.rule == "dateline" and dateline is None:
            dateline, hint = read_dateline(removal.before, removal.after)
            outlet = outlet or hint
    return authors, dateline, outlet
