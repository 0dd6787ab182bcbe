"""Person names for the outputs `benchmarks/scale_build.py` builds: per replica, real first names of
the same gender class and generated surnames unique to the replica (see scale_build's docstring)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from newsflow.tasks.nlp.lexicon import Lexicon
from newsflow.tasks.people.gender import first_name_genders, first_name_shares
from newsflow.tasks.people.name_data import all_name_records
from newsflow.tasks.people.names import WORD, fold

# Generated surnames: consonant-vowel syllables and an ending, one code per (replica, surname).
SYLLABLES = [c + v for c in "bdfghklmnprstvz" for v in "aeiou"]
POOL = 2000  # first names of each gender class to draw from: the most frequent in the statistic
ENDINGS = [
    "son",
    "er",
    "ez",
    "ov",
    "ski",
    "ton",
    "ley",
    "man",
    "berg",
    "ford",
    "wood",
    "ini",
    "ard",
    "ell",
    "ek",
    "ani",
]


class Namer:
    """Per replica, one mapping of person names: real first names of the same gender class, and
    surnames unique to the replica (see the module's docstring)."""

    def __init__(self, names: list[str], lex: Lexicon) -> None:
        self.lex = lex
        genders = first_name_genders()
        counts = {n: rec[0] for n, rec in all_name_records().items()}
        common = sorted(first_name_shares(), key=lambda n: (-counts[n], n))
        self.pools = {
            gender: sorted([n for n in common if genders.get(n) == gender][:POOL])
            for gender in ("female", "male", None)
        }
        self.surnames = {s: i for i, s in enumerate(sorted({fold(p[-1].group()) for p in map(self.parts, names) if p}))}

    def parts(self, name: str) -> list[re.Match]:
        """The words of `name` up to its surname (generational suffixes left out)."""
        words = list(WORD.finditer(name))
        while len(words) > 1 and fold(words[-1].group()) in self.lex.name_suffixes:
            words.pop()
        return words

    def surname(self, replica: int, word: str) -> str:
        code = replica * len(self.surnames) + self.surnames[fold(word)]
        ending, code = ENDINGS[code % len(ENDINGS)], code // len(ENDINGS)
        syllables = []
        while code or len(syllables) < 2:
            syllables.append(SYLLABLES[code % len(SYLLABLES)])
            code //= len(SYLLABLES)
        return ("".join(syllables) + ending).capitalize()

    def first_name(self, replica: int, word: str) -> str:
        folded = fold(word)
        pool = self.pools[first_name_genders().get(folded)]
        digest = hashlib.sha256(f"{replica}\0{folded}".encode()).digest()
        return "-".join(p.capitalize() for p in pool[int.from_bytes(digest[:8]) % len(pool)].split("-"))

    def rename(self, replica: int, name: str) -> str:
        words = self.parts(name)
        if not words:
            return name
        new = [(words[-1].span(), self.surname(replica, words[-1].group()))]
        if len(words) > 1 and len(words[0].group()) > 1:
            new.insert(0, (words[0].span(), self.first_name(replica, words[0].group())))
        for (start, end), text in reversed(new):
            name = name[:start] + text + name[end:]
        return name

    def mapping(self, replica: int) -> Callable[[pa.Array], pa.Array]:
        """The replica's renaming of a column of names (nulls stay null)."""

        def apply(column: pa.Array) -> pa.Array:
            unique = pc.unique(column).drop_null()
            renamed = pa.array([self.rename(replica, n) for n in unique.to_pylist()], pa.string())
            return pc.take(renamed, pc.index_in(column, value_set=unique))

        return apply
