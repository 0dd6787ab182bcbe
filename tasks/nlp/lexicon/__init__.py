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

import srsly
from spacy import util
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span

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


class ComponentError(RuntimeError):
    """A newsflow component failed on a document (the message names the component)."""


class LexiconPipe(Pipe):
    """What both newsflow components share: their word lists, read on first use from the packaged
    folder and the `lexicon` folder of the config (or of `initialize`), or restored from a saved
    pipeline; `to_disk`/`from_disk`/`to_bytes`/`from_bytes` of those lists; and errors that say
    which component failed."""

    name: str
    lexicon_folder: str | None = None
    _lexicon: Lexicon | None = None

    @property
    def lexicon(self) -> Lexicon:
        """The lists in use. Read when first needed, not at creation: a saved pipeline brings its
        own (`from_disk`), and the user's folder named in its config need not exist any more.
        So a `lexicon` folder that does not exist is reported here (first document, or
        `initialize`), not by `add_pipe`: spaCy creates a saved pipeline's components from its
        config before it loads what they saved."""
        if self._lexicon is None:
            self._lexicon = load_lexicon(self.lexicon_folder)
        return self._lexicon

    @lexicon.setter
    def lexicon(self, value: Lexicon) -> None:
        self._lexicon = value

    def initialize(self, get_examples=None, *, nlp=None, lexicon: str | None = None) -> None:
        """Read the word lists again: the packaged ones extended by the folder `lexicon` (from
        `[initialize.components.NAME]`), or, when it is None, by the config's `lexicon` folder."""
        self._lexicon = load_lexicon(lexicon if lexicon is not None else self.lexicon_folder)

    def run(self, doc: Doc, rule) -> Doc:
        """`rule(doc)`, with its errors naming this component. A KeyError becomes a ComponentError:
        spaCy's `Language.__call__` reports any KeyError out of a component as E109 ("not
        initialized"), skipping its error handler. Other errors keep their type, with a note."""
        try:
            return rule(doc)
        except KeyError as error:
            raise ComponentError(f"{self.name} failed on {_start(doc)}: KeyError: {error}") from error
        except Exception as error:
            error.add_note(f"in the spaCy component {self.name!r}, on {_start(doc)}")
            raise

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return util.to_bytes({"lexicon": lambda: srsly.json_dumps(self.lexicon.to_dict())}, exclude)

    def from_bytes(self, bytes_data: bytes, *, exclude=tuple()) -> LexiconPipe:
        util.from_bytes(bytes_data, {"lexicon": lambda b: self._restore(srsly.json_loads(b))}, exclude)
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        util.to_disk(path, {"lexicon.json": lambda p: srsly.write_json(p, self.lexicon.to_dict())}, exclude)

    def from_disk(self, path, *, exclude=tuple()) -> LexiconPipe:
        """A pipeline saved without the lists (by an older newsflow) keeps those of its config."""
        util.from_disk(path, {"lexicon.json": lambda p: p.is_file() and self._restore(srsly.read_json(p))}, exclude)
        return self

    def _restore(self, data: dict) -> None:
        self._lexicon = Lexicon.from_dict(data)


def _start(doc: Doc) -> str:
    return f"the document starting {doc.text[:60]!r}"


# --------------------------------------------------------------------------- extensions

MARK = "_newsflow_extension"  # set on newsflow's extension getters and setters: the name they serve


class ExtensionConflict(ValueError):
    """Another package registered a Doc or Span extension under a name a newsflow component writes."""


def _marked(fn, name: str):
    setattr(fn, MARK, name)
    return fn


def _key(obj: Doc | Span, name: str) -> tuple:
    """Where spaCy keeps a `default=` extension's value: newsflow keeps its values there too."""
    if isinstance(obj, Doc):
        return ("._.", name, None, None)
    return ("._.", name, obj.start_char, obj.end_char)


def _doc(obj: Doc | Span) -> Doc:
    return obj if isinstance(obj, Doc) else obj.doc


def stored(name: str) -> dict:
    """A plain value (None until set), stored as a `default=None` extension's would be."""

    def get(obj):
        return _doc(obj).user_data.get(_key(obj, name))

    def set_(obj, value) -> None:
        _doc(obj).user_data[_key(obj, name)] = value

    return {"getter": _marked(get, name), "setter": _marked(set_, name)}


def reference(name: str) -> dict:
    """A Span extension whose value is another Span of the same Doc, kept as char offsets."""

    def get(span: Span) -> Span | None:
        chars = span.doc.user_data.get(_key(span, name))
        return span.doc.char_span(chars[0], chars[1]) if chars else None

    def set_(span: Span, value: Span | None) -> None:
        span.doc.user_data[_key(span, name)] = None if value is None else (value.start_char, value.end_char)

    return {"getter": _marked(get, name), "setter": _marked(set_, name)}


def computed(name: str, getter) -> dict:
    """A read-only extension computed by `getter`."""
    return {"getter": _marked(getter, name)}


def claim(extensions: list[tuple[type, str, dict]], component: str | None) -> None:
    """Register each (Doc or Span class, name, getter/setter) that is not registered yet. With a
    `component` name (at the component's creation), raise ExtensionConflict for a name that holds
    another package's extension: its values would be read instead of newsflow's, or newsflow's
    written into it, without a word."""
    for cls, name, kwargs in extensions:
        if not cls.has_extension(name):
            cls.set_extension(name, **kwargs)
            continue
        default, method, getter, setter = cls.get_extension(name)
        ours = method is None and default is None and getattr(getter, MARK, None) == name
        if component is None or ours:
            continue
        owner = next((f"{f.__module__}.{f.__qualname__}" for f in (getter, method) if f is not None), None)
        raise ExtensionConflict(
            f"{component}: the {cls.__name__} extension `._.{name}` is already registered, not by newsflow "
            f"({'by ' + owner if owner else f'default={default!r}'}); {component} writes its results there. "
            f"Register that extension under another name, or remove it "
            f"(`{cls.__name__}.remove_extension({name!r})`) before adding {component}."
        )
