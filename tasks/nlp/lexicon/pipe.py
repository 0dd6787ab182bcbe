"""The spaCy side of the word lists (`newsflow.tasks.nlp.lexicon`): `LexiconPipe`, the base class
of newsflow's components, which keeps its `Lexicon` with the pipeline when it is saved, and the
Doc and Span extensions they write (`claim` registers them and refuses another package's of the
same name). Apart from `Lexicon` itself, so that code that only reads the word lists (the person
registry, in the flow's process) does not import spaCy."""

from __future__ import annotations

import srsly
from spacy import util
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span

from newsflow.tasks.nlp.lexicon import Lexicon, load_lexicon


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
