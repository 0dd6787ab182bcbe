"""The records the quote rules hand each other, and the finished `Quote`."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Token

from newsflow.tasks.nlp.quotes.marks import Marked


@dataclass(frozen=True)
class Quote:
    start_char: int
    end_char: int
    text: str
    type: str  # direct | indirect | mixed
    speaker: str | None = None
    speaker_name: str | None = None
    speaker_entity_id: str | None = None
    cue: str | None = None
    method: str = "none"  # cue | passive | according_to | pronoun | adjacency | byline | none
    speaker_title: str | None = None
    speaker_start: int | None = None  # where `speaker` is written, when it is
    cue_start: int | None = None  # the reporting verb's (or "according to"'s) characters
    cue_end: int | None = None


@dataclass(frozen=True)
class Speaker:
    """Who said a quote: `surface` as written at char `start` (None when nobody is written
    next to the quote), resolved to the entity `name`/`entity_id` when possible."""

    surface: str | None
    name: str | None = None
    entity_id: str | None = None
    title: str | None = None
    method: str = "cue"
    label: str | None = None
    start: int | None = None


@dataclass
class Draft:
    """A quote being built: its span, its cue token and, once found, its speaker."""

    start: int
    end: int
    type: str
    cue: Token | None = None
    cue_lemma: str | None = None
    speaker: Speaker | None = None
    marked: Marked | None = None
    cue_chars: tuple[int, int] | None = None  # the cue as written ("according to": both words)
    speaker_token: Token | None = None  # who said it, when the cue is a noun ("his warning that")
