"""The word lists the entity and quote components use, as data files that ship with the package.

Each list is one file in this folder: `NAME.txt` (one entry per line, `#` comments) or
`NAME.json` (a mapping). A component's `lexicon` setting names a folder of the user's own files
with the same names; they extend the packaged lists (entries added, mapping keys added or
replaced), so nobody edits code to teach newsflow a new reporting verb:

    nlp.add_pipe("newsflow_quotes", config={"lexicon": "my_words/"})   # my_words/speech_verbs.txt

The folder can also come through `nlp.initialize()` (`[initialize.components.newsflow_quotes]
lexicon = "my_words/"`), as spaCy's span ruler takes its patterns. Either way a component saves
the lists it uses, the packaged ones merged with the user's (`Lexicon.to_dict`), with the
pipeline (`nlp.to_disk`: `lexicon.json` in the component's folder): a saved pipeline reads
neither this folder nor the user's again. `LexiconPipe` is the base class of both components:
those word lists, their serialisation, and errors that name the component; `claim` registers
their Doc and Span extensions and refuses another package's of the same name.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType

PACKAGED = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Lexicon:
    speech_verbs: frozenset[str]  # lemmas whose clausal complement is reported speech
    directive_verbs: frozenset[str]  # "warned users to update": the infinitive is reported speech
    speech_nouns: Mapping[str, str]  # "warning" -> "warn": "his warning that ..." reports speech
    report_frames: Mapping[str, list[str]]  # "call" -> ["for", "on", "oprd"]: "called for X", "called X a Y" (quotes)
    delivery_verbs: frozenset[str]  # "issued a warning that ...": the subject is the speaker
    refusal_verbs: frozenset[str]  # "refused to say whether": the reporting verb under one reports nothing
    title_nouns: frozenset[str]  # "the term "...": a marked span right after one is a name, not speech
    attitude_verbs: frozenset[str]  # lemmas that take a stance on a partial quote under them
    not_cues: frozenset[str]  # lemmas under which a partial quote is never speech
    generic_org_nouns: frozenset[str]  # "the company": the last organisation named
    generic_state_nouns: frozenset[str]  # "the government": the last country or city named
    titles: frozenset[str]  # written before a name, without the full stop
    abbreviated_titles: Mapping[str, str]  # "sen" -> "senator"
    female_cues: frozenset[str]
    male_cues: frozenset[str]
    female_names: frozenset[str]
    male_names: frozenset[str]
    aliases: Mapping[str, list[str]]  # canonical name -> its aliases, lower case
    alias_labels: Mapping[str, str]  # canonical alias name -> label
    well_known: Mapping[str, str]  # a surname that in the news means one person -> full name
    known_labels: Mapping[str, str]  # names the small model often mislabels -> label
    name_particles: frozenset[str]  # lower-case words inside a name: "de", "van", "bin"
    name_suffixes: frozenset[str]  # "jr", "sr", "iii": part of a name, never its surname
    post_nominals: frozenset[str]  # "mp", "qc": letters after a name, trimmed from it
    place_heads: frozenset[str]  # last words of place names: "station", "bay", "mall"
    org_heads: frozenset[str]  # last words of organisation and work names: "club", "university", "show"
    thing_nouns: Mapping[str, str]  # "firm", "film", "virus" -> the label of a name they class
    role_nouns: frozenset[str]  # "spokesperson", "adviser": an apposition that makes its name a person
    utterance_nouns: frozenset[str]  # "statement", "brief": "X's statement said" quotes X
    person_nouns: frozenset[str]  # "actor", "champion": a definite description of a person ("the actor said")

    @functools.cached_property
    def person_roles(self) -> frozenset[str]:
        """Words that make a name in apposition a person: roles, titles, gendered nouns."""
        return self.role_nouns | self.titles | self.female_cues | self.male_cues

    @functools.cached_property
    def canonical_alias(self) -> Mapping[str, str]:
        """Lower-cased alias -> canonical name ("u.s." -> "United States")."""
        return MappingProxyType({a: name for name, aliases in self.aliases.items() for a in aliases})

    def to_dict(self) -> dict:
        """Every list as JSON data: word lists as sorted lists, mappings as objects."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = sorted(value) if isinstance(value, frozenset) else {k: value[k] for k in sorted(value)}
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> Lexicon:
        """The lexicon `to_dict` gave; every list must be there, and no other."""
        names = {f.name for f in fields(cls)}
        if set(data) != names:
            missing, unknown = sorted(names - set(data)), sorted(set(data) - names)
            raise ValueError(f"not a newsflow lexicon: missing lists {missing}, unknown lists {unknown}")
        return cls(
            **{
                f.name: frozenset(data[f.name])
                if f.type.startswith("frozenset")
                else MappingProxyType(dict(data[f.name]))
                for f in fields(cls)
            }
        )


def _read_words(path: Path) -> set[str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line.lower() for line in lines if line and not line.startswith("#")}


def _read_mapping(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object (a mapping), got {type(data).__name__}")
    return data


def _load_list(name: str, folders: list[Path]) -> frozenset[str] | Mapping:
    txt = [f / f"{name}.txt" for f in folders if (f / f"{name}.txt").is_file()]
    if txt:
        return frozenset(set().union(*(_read_words(p) for p in txt)))
    merged: dict = {}
    for path in (f / f"{name}.json" for f in folders):
        if path.is_file():
            for key, value in _read_mapping(path).items():
                if isinstance(value, list):
                    merged[key] = sorted({*merged.get(key, []), *(v.lower() for v in value)})
                else:
                    merged[key] = value
    return MappingProxyType(merged)


@functools.lru_cache(maxsize=8)
def load_lexicon(extra: str | None = None) -> Lexicon:
    """The packaged word lists, extended by the files of the folder `extra` (if given)."""
    folders = [PACKAGED]
    if extra:
        folder = Path(extra).expanduser()
        if not folder.is_dir():
            raise FileNotFoundError(f"lexicon folder {extra!r} does not exist: give a folder of .txt/.json word lists")
        known = {f.name for f in fields(Lexicon)}
        unknown = sorted(p.stem for p in folder.iterdir() if p.suffix in (".txt", ".json") and p.stem not in known)
        if unknown:
            raise ValueError(f"unknown word lists in {extra}: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        folders.append(folder)
    return Lexicon(**{f.name: _load_list(f.name, folders) for f in fields(Lexicon)})
