"""A person's name as parts that can be compared across documents.

`parse("Robert C. \\"Bobby\\" Scott Jr.")` → first "robert", middles ("c",), surname "scott", suffix
"jr", nickname "bobby". Folding: accents off (NFKD), case folded, full stops and commas gone, a
middle name reduced to its initial ("Donald John Trump" and "Donald J. Trump" are one form). The
surname keeps its particles ("de blasio", "van der berg", "bin laden"); the generational suffix
("Jr.", "Sr.", "II", "III") is set apart. Lists: the lexicon's `name_particles`, `name_suffixes`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from newsflow.tasks.nlp.lexicon import Lexicon

NICKNAME = re.compile(r"[\"“”„‟]([^\"“”„‟]+)[\"“”„‟]")
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def fold(text: str) -> str:
    """Accents off, case folded, apostrophes straight: "José Ñúñez" → "jose nunez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("’", "'").casefold()


@dataclass(frozen=True)
class NameForm:
    """A name's parts, folded. `first` is None for a one-word name ("Obama")."""

    first: str | None
    middles: tuple[str, ...]  # initials only
    surname: str
    suffix: str | None = None
    nickname: str | None = None

    @property
    def full(self) -> bool:
        return self.first is not None

    @property
    def base(self) -> tuple[str | None, str]:
        """(first, surname): the forms of one name share it."""
        return self.first, self.surname

    @property
    def signature(self) -> tuple:
        """Equal for spellings of one form ("Donald J. Trump", "DONALD John TRUMP")."""
        return self.first, self.middles, self.surname, self.suffix


def parse(name: str, lex: Lexicon) -> NameForm | None:
    """The parts of a canonical PERSON name (titles already off); None when it has no word."""
    nickname = None
    found = NICKNAME.search(name)
    if found:
        words = WORD.findall(fold(found.group(1)))
        nickname = " ".join(words) or None
        name = name[: found.start()] + " " + name[found.end() :]
    words = WORD.findall(fold(name))
    suffix = None
    while len(words) > 1 and words[-1] in lex.name_suffixes:
        suffix = words.pop() if suffix is None else suffix
    if not words:
        return None
    # The surname: the last word with the particles right before it ("de blasio", "bin laden").
    start = len(words) - 1
    while start > 1 and words[start - 1] in lex.name_particles:
        start -= 1
    surname = " ".join(words[start:])
    if start == 0:
        return NameForm(None, (), surname, suffix, nickname)
    first, middles = words[0], tuple(w[0] for w in words[1:start])
    return NameForm(first, middles, surname, suffix, nickname)


def compatible_but_first(a: NameForm, b: NameForm) -> bool:
    """Two forms can be one person but for their first names: one surname, middle initials equal
    or one of them without any ("George W. Bush" and "George H. W. Bush" cannot), suffixes equal
    or one without."""
    if a.surname != b.surname:
        return False
    if a.middles and b.middles and a.middles != b.middles:
        return False
    return not (a.suffix and b.suffix and a.suffix != b.suffix)


def compatible(a: NameForm, b: NameForm) -> bool:
    """Two full forms of one base (first name and surname) can be one person."""
    return a.base == b.base and compatible_but_first(a, b)
