"""Article metadata as the tables keep it: dates in UTC, authors as a list of names, absolute
URLs, outlets by name. Shared by the record reader (ingest) and the cleaning of bylines,
datelines and HTML meta tags.

Handles: ISO 8601 dates (with or without a time or offset, "Z"), common written forms
("March 4, 2026", "4 Mar 2026 10:15 EST", "2026/03/04"); a date without an offset is taken as
UTC. Authors as a list or as one string ("Jane Doe and John Roe", "Jane Doe, John Roe & Ann
Poe", "By Jane Doe"). Not handled: relative dates ("yesterday"), epoch numbers, "Doe, Jane"
(read as two names), a date later than tomorrow (taken for a mistake: null).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from newsflow.schemas.tables import FUTURE_SLACK_DAYS, URL_PATTERN

_URL = re.compile(URL_PATTERN)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\||&|\band\b)\s*")
_BY = re.compile(r"^(?:by|from|written by)\s+", re.IGNORECASE)
# Agencies a dateline or byline names, by how they are written there.
AGENCIES = {
    "AP": "The Associated Press",
    "Associated Press": "The Associated Press",
    "The Associated Press": "The Associated Press",
    "Reuters": "Reuters",
    "AFP": "Agence France-Presse",
    "Agence France-Presse": "Agence France-Presse",
    "CNN": "CNN",
    "UPI": "UPI",
    "Bloomberg": "Bloomberg",
    "The Canadian Press": "The Canadian Press",
    "Canadian Press": "The Canadian Press",
    "CP": "The Canadian Press",
}


def text_or_none(value: object, limit: int = 500) -> str | None:
    """A non-empty one-line string (spaces normalised), or None for anything else."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())[:limit]
    return text or None


def parse_date(value: object, now: datetime | None = None) -> datetime | None:
    """A publication date in UTC, or None when it cannot be read (or lies past tomorrow)."""
    text = text_or_none(value, 100)
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        from dateutil import parser

        try:
            when = parser.parse(text)
        except (ValueError, OverflowError):
            return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    if when > (now or datetime.now(UTC)) + timedelta(days=FUTURE_SLACK_DAYS):
        return None
    return when


def looks_like_name(text: str) -> bool:
    """Two to five words, each starting with a capital letter (initials and particles allowed)."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() or w in ("de", "van", "von", "da", "bin") for w in words)


def split_authors(value: object) -> tuple[str, ...]:
    """Authors from a list of names or from one string of them."""
    if isinstance(value, list):
        names = [text_or_none(v, 200) for v in value]
        return tuple(n for n in names if n)
    text = text_or_none(value, 1000)
    if text is None:
        return ()
    parts = _AUTHOR_SPLIT.split(_BY.sub("", text))
    return tuple(p for p in (text_or_none(p, 200) for p in parts) if p)


def clean_url(value: object) -> str | None:
    """The URL when it is an absolute http(s) one, else None."""
    text = text_or_none(value, 2000)
    return text if text is not None and _URL.match(text) else None


def agency(name: str) -> str | None:
    """The outlet an agency's name or code stands for ("AP" → "The Associated Press")."""
    return AGENCIES.get(name.strip())
