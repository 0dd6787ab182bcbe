"""The small frozen records handed from stage to stage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RawDocument:
    """A decoded input file, before cleaning."""

    source: str  # path relative to the input root
    text: str
    fmt: str  # "txt" | "html"
    raw_id: str  # hash of the raw bytes


@dataclass(frozen=True)
class Document:
    """A cleaned document: offsets of every later span index into `text`."""

    doc_id: str
    source: str
    title: str | None
    text: str
    n_words: int


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
