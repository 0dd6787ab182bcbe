"""The small frozen records handed from stage to stage."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


def content_id(data: bytes, prefix: str = "r_") -> str:
    return prefix + hashlib.sha256(data).hexdigest()[:32]


def reject_id(source: str, raw_id: str = "") -> str:
    """A rejected input's id: its path and its raw bytes, so that every rejected file has its
    own row (two empty files are two things to fix) and a re-run adds no second row."""
    return content_id(f"{source}\0{raw_id}".encode())


@dataclass(frozen=True)
class Metadata:
    """What is known about an article besides its text: from a record's fields, a page's meta
    tags, or a plain-text byline and dateline. Every field may be unknown."""

    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None  # UTC
    authors: tuple[str, ...] = ()
    dateline: str | None = None
    language: str | None = None

    def filled(self) -> dict[str, object]:
        """The fields that are known (title aside), for a content id that changes with them."""
        return {k: v for k, v in self.__dict__.items() if k != "title" and v not in (None, ())}


@dataclass(frozen=True)
class RawDocument:
    """A decoded input file (or one record of a .jsonl/.json file), before cleaning."""

    source: str  # path relative to the input root; FILE#LINE for a record
    text: str
    fmt: str  # "txt" | "html"
    raw_id: str  # hash of the raw bytes (of the record's line, for a record)
    meta: Metadata = field(default_factory=Metadata)  # what the record said about the article
    identity: str = ""  # what stays the same when the article is edited: its url, else `source`


@dataclass(frozen=True)
class Document:
    """A cleaned document: offsets of every later span index into `text`."""

    doc_id: str
    source: str
    title: str | None
    text: str
    n_words: int
    url: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None
    authors: tuple[str, ...] = ()
    dateline: str | None = None
    language: str | None = None
    identity: str = ""  # the record's url, else its source (not a column: for edit-in-place)


@dataclass(frozen=True)
class Reject:
    """An input that could not be processed, with a reason a person can act on."""

    reject_id: str  # its path and raw bytes, hashed (published as the rejects table's doc_id)
    source: str
    stage: str
    reason: str


@dataclass(frozen=True)
class SourceFile:
    """An input file as it was read: what the `sources` table records of it besides its fate."""

    source: str  # path relative to the input root, as shown in the tables
    sha256: str | None  # of its raw bytes; None when they were not read (too large, not a file)
    bytes: int | None  # its size; None when unknown (not a regular file, unreadable)
    modified: datetime | None = None  # the file's mtime (UTC) when read; a record's: its file's
    file_id: str | None = None  # "<st_dev>:<st_ino>" of the file when read; a record's: its file's
