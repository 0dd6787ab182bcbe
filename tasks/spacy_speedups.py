"""Faster stand-ins for two of spaCy's rule components, with the same results, as registered spaCy
components: `newsflow_lemmatizer` and `newsflow_attribute_ruler`. `speed_up` puts them in place
of a loaded pipeline's own (same names, configs, tables and patterns).

A component profile of the medium English model over BBC news (1/7 of the corpus, 137k tokens;
see docs/performance.md) found two of the model's rule components costing more than
its parser:

- the rule **lemmatizer** (3.2 s, parser 2.3 s): for a word form it has not cached, it tests each
  candidate lemma with `form in index`, where `index` is a *list* (57,528 nouns, 20,993
  adjectives): a linear scan per candidate. `CachedLemmatizer` tests them against frozensets of
  those lists, built on first use beside the lookups (which stay lists, as spaCy saves them).
  spaCy then still spent ~5 µs a token in Python (its cache holds only the forms it had to
  derive); `CachedLemmatizer` looks every token's (form, part of speech, morphology) up at once
  and sets the lemmas with one `Doc.from_array`.
- the **attribute ruler** (2.5 s): 179 patterns run through spaCy's `Matcher` on every token,
  though almost all of them test one token's tag, lowercase form or dependency label.
  `IndexedAttributeRuler` finds the same matches by looking each token's (tag, lower, dep, ...)
  up in a table of which rules apply, built once per distinct combination, and writes the rules'
  attributes in spaCy's order through the Token's setters. Patterns it cannot read that way
  (operators, other attributes, regexes on them, extension attributes) leave the matching to
  spaCy's `Matcher`; rules that set other attributes than LEMMA, POS, TAG, MORPH, DEP and NORM
  (extension attributes, lexical flags, heads, ...) leave the Doc to spaCy's `set_annotations`.
  A regex test is run once per distinct value, not once per token.

Both leave every token attribute as spaCy sets it (checked token by token over the BBC corpus
and in tests/test_spacy_speedups.py). A sped-up pipeline saves and loads as any other
(`nlp.to_disk`, `spacy.load`): its config names the two factories, which spaCy finds through
newsflow's `spacy_factories` entry points wherever newsflow is installed, and the lookups tables
and patterns are written in spaCy's own format.

Not handled (spaCy's own component stays): lookup-mode lemmatizers; lemmatizers of another class
than the one `newsflow_lemmatizer` stands in for (English's `EnglishLemmatizer`, elsewhere spaCy's
plain `Lemmatizer`; French's, Dutch's, ... rules differ); subclasses of spaCy's `AttributeRuler`;
disabled components.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy
from spacy.attrs import DEP, IDS, LEMMA, MORPH, NORM, ORTH, POS, TAG
from spacy.errors import Errors, Warnings
from spacy.lang.en import English
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc, MorphAnalysis, Token
from spacy.util import SimpleFrozenList
from thinc.api import Model

# Token attributes a pattern may test, read with Doc.to_array as the Matcher reads them.
READABLE = {"ORTH", "TEXT", "LOWER", "NORM", "TAG", "DEP", "IS_SPACE"}
# Attributes a rule may set that the Token's setters write as spaCy's ruler does (on the token
# only: its writes to the lexeme ignore these), by setter.
WRITABLE = {LEMMA: "lemma", POS: "pos", TAG: "tag", MORPH: "morph", DEP: "dep", NORM: "norm_"}
UNKNOWN = numpy.iinfo(numpy.uint64).max  # stands for every value no pattern names
MAX_COMBINATIONS = 200_000  # a lookup table is cleared past this many keys


class CachedLemmatizer(Lemmatizer):
    """spaCy's Lemmatizer, faster in rule mode: the lemma of a (form, POS, morphology) is worked out
    once by `rule_lemmatize` (which depends on nothing else) and looked up after; a candidate form
    is tested against a frozenset of its `lemma_index` list. Other modes run spaCy's code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._forget()

    def _forget(self) -> None:
        """Drop what was derived from the lookups (they were replaced)."""
        self.cache = {}
        self._lemmas: dict[tuple[int, int, int], int] = {}  # (orth, pos, morph) -> lemma
        self._index_sets: dict[str, tuple[Any, frozenset]] = {}  # part of speech -> (its list, as a set)

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule" or len(doc) == 0 or doc.vocab is not self.vocab:  # the lemmas' strings are ours
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables(Errors.E1004)
        error_handler = self.get_error_handler()
        try:
            known = self._lemmas
            if len(known) > MAX_COMBINATIONS:
                known.clear()
            values = doc.to_array([ORTH, POS, MORPH, LEMMA])
            lemmas = values[:, 3].copy()
            for i, (orth, pos, morph, lemma) in enumerate(values.tolist()):
                if lemma and not self.overwrite:
                    continue
                found = known.get((orth, pos, morph))
                if found is None:
                    found = known[(orth, pos, morph)] = self.vocab.strings.add(self.lemmatize(doc[i])[0])
                lemmas[i] = found
            doc.from_array([LEMMA], lemmas)
            return doc
        except Exception as e:
            return error_handler(self.name, self, [doc], e)

    def _index(self, univ_pos: str, words: Any) -> frozenset:
        """A part of speech's `lemma_index` words (`words`, the table's list) as a set, made once
        per list."""
        known = self._index_sets.get(univ_pos)
        if known is None or known[0] is not words:
            known = self._index_sets[univ_pos] = (words, frozenset(words or ()))
        return known[1]

    def rule_lemmatize(self, token: Token) -> list[str]:
        """spaCy's `Lemmatizer.rule_lemmatize` (3.8), except that `form in index` tests a
        frozenset (`_index`), not the table's list."""
        cache_key = (token.orth, token.pos, token.morph.key)
        if cache_key in self.cache:
            return self.cache[cache_key]
        string = token.text
        univ_pos = token.pos_.lower()
        if univ_pos in ("", "eol", "space"):
            if univ_pos == "":
                warnings.warn(Warnings.W108, stacklevel=1)  # as spaCy warns
            return [string.lower()]
        if self.is_base_form(token):
            return [string.lower()]
        index_table = self.lookups.get_table("lemma_index", {})
        exc_table = self.lookups.get_table("lemma_exc", {})
        rules_table = self.lookups.get_table("lemma_rules", {})
        words = index_table.get(univ_pos)
        if not any((words, exc_table.get(univ_pos), rules_table.get(univ_pos))):
            return [string] if univ_pos == "propn" else [string.lower()]
        index = self._index(univ_pos, words)
        exceptions = exc_table.get(univ_pos, {})
        rules = rules_table.get(univ_pos, {})
        orig = string
        string = string.lower()
        forms: list[str] = []
        oov_forms = []
        for old, new in rules:
            if string.endswith(old):
                form = string[: len(string) - len(old)] + new
                if not form:
                    pass
                elif form in index or not form.isalpha():
                    if form in index:
                        forms.insert(0, form)
                    else:
                        forms.append(form)
                else:
                    oov_forms.append(form)
        forms = list(dict.fromkeys(forms))
        for form in exceptions.get(string, []):
            if form not in forms:
                forms.insert(0, form)
        if not forms:
            forms.extend(oov_forms)
        if not forms:
            forms.append(orig)
        self.cache[cache_key] = forms
        return forms

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        lookups: Lookups | None = None,
    ) -> None:
        super().initialize(get_examples, nlp=nlp, lookups=lookups)
        self._forget()

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = SimpleFrozenList()) -> CachedLemmatizer:
        super().from_disk(path, exclude=exclude)
        self._forget()
        return self

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()) -> CachedLemmatizer:
        super().from_bytes(bytes_data, exclude=exclude)
        self._forget()
        return self


class CachedEnglishLemmatizer(CachedLemmatizer, EnglishLemmatizer):
    """`CachedLemmatizer` with English's `is_base_form`: what spaCy's `lemmatizer` makes for English."""


class Unreadable(ValueError):
    """A pattern the lookup table cannot express."""


def _token_tests(spec: dict[str, Any], strings: Any) -> list[tuple[Any, str, Any]]:
    """[(column, "==" | "in" | "not in", value id(s))] for one token of a Matcher pattern; a
    column is an attribute's name, or ("REGEX", attribute, pattern) for a 0/1 regex test."""
    tests: list[tuple[Any, str, Any]] = []
    for key, value in spec.items():
        attr = key.upper()
        if attr not in READABLE:
            raise Unreadable(key)
        attr = "ORTH" if attr == "TEXT" else attr
        if attr == "IS_SPACE":
            if not isinstance(value, bool):
                raise Unreadable(spec)
            tests.append((attr, "==", int(value)))
        elif isinstance(value, str):
            tests.append((attr, "==", strings.add(value)))
        elif isinstance(value, dict) and len(value) == 1:
            ((op, operand),) = value.items()
            op = op.upper()
            if op == "REGEX" and isinstance(operand, str):
                tests.append((("REGEX", attr, operand), "==", 1))
            elif op in ("IN", "NOT_IN") and all(isinstance(m, str) for m in operand):
                tests.append((attr, "in" if op == "IN" else "not in", frozenset(strings.add(m) for m in operand)))
            else:
                raise Unreadable(spec)
        else:
            raise Unreadable(spec)
    return tests


class RuleTable:
    """The attribute ruler's patterns as lookups: which rules match at each token of a Doc."""

    def __init__(self, ruler: AttributeRuler) -> None:
        strings = ruler.vocab.strings
        self.strings = strings
        self.match_ids = [strings[str(i)] for i in range(len(ruler.attrs))]  # the Matcher's key per rule
        named: dict[Any, set[int]] = {}
        raw = []
        for rule_id in range(len(ruler.attrs)):
            for pattern in ruler.matcher.get(str(rule_id))[1]:
                if not pattern or any(not isinstance(spec, dict) for spec in pattern):
                    raise Unreadable(pattern)
                token_tests = [_token_tests(spec, strings) for spec in pattern]
                raw.append((rule_id, token_tests))
                for tests in token_tests:
                    for col, _op, value in tests:
                        named.setdefault(col, set()).update(value if isinstance(value, frozenset) else {value})
        plain = sorted(c for c in named if isinstance(c, str))
        regexes = [(c[1], re.compile(c[2])) for c in named if not isinstance(c, str)]
        self.read = sorted({*plain, *(attr for attr, _ in regexes)})  # attributes read per Doc
        self.read_ids = [IDS[a] for a in self.read]
        self.regexes = [(self.read.index(attr), regex) for attr, regex in regexes]  # (column read, regex)
        self.plain = [(self.read.index(a), numpy.fromiter(sorted(named[a]), dtype=numpy.uint64)) for a in plain]
        self.regex_hits: list[dict[int, int]] = [{} for _ in self.regexes]  # value id -> 0/1, per regex
        column = {c: i for i, c in enumerate([*plain, *(("REGEX", a, r.pattern) for a, r in regexes)])}
        self.patterns = [
            (rule_id, [[(column[c], op, v) for c, op, v in tests] for tests in token_tests])
            for rule_id, token_tests in raw
        ]
        self.starts: dict[tuple[int, ...], tuple[int, ...]] = {}  # token key -> patterns matching there

    @staticmethod
    def _passes(tests: list[tuple[int, str, Any]], key: tuple[int, ...]) -> bool:
        for col, op, value in tests:
            found = key[col]
            if (found == value) if op == "==" else (found in value) if op == "in" else (found not in value):
                continue
            return False
        return True

    def _starting_at(self, key: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """For a token's key: the one-token rules that match it, and the longer patterns whose
        first token it matches."""
        found = self.starts.get(key)
        if found is None:
            if len(self.starts) > MAX_COMBINATIONS:
                self.starts.clear()
            first = [i for i, (_rule, tests) in enumerate(self.patterns) if self._passes(tests[0], key)]
            singles = tuple(sorted({self.patterns[i][0] for i in first if len(self.patterns[i][1]) == 1}))
            found = self.starts[key] = (singles, tuple(i for i in first if len(self.patterns[i][1]) > 1))
        return found

    def keys(self, doc: Doc) -> list[tuple[int, ...]]:
        """Each token's tested attributes (a value no pattern names replaced by UNKNOWN), then
        one 0/1 per regex test."""
        if not self.read or len(doc) == 0:
            return [()] * len(doc)
        values = doc.to_array(self.read_ids).reshape(len(doc), len(self.read))
        columns = [numpy.where(numpy.isin(values[:, i], known), values[:, i], UNKNOWN) for i, known in self.plain]
        distinct_in: dict[int, tuple[numpy.ndarray, numpy.ndarray]] = {}  # per column read: its values, where
        for (col, regex), hits in zip(self.regexes, self.regex_hits, strict=True):
            if len(hits) > MAX_COMBINATIONS:
                hits.clear()
            if col not in distinct_in:
                distinct_in[col] = numpy.unique(values[:, col], return_inverse=True)
            distinct, where = distinct_in[col]
            for value in distinct.tolist():
                if value not in hits:
                    hits[value] = int(bool(regex.search(self.strings[value])))
            columns.append(numpy.array([hits[v] for v in distinct.tolist()], dtype=numpy.uint64)[where])
        return list(zip(*(c.tolist() for c in columns), strict=True))

    def matches(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """What AttributeRuler.match returns: (rule id, match id, start, end), sorted, each once."""
        keys = self.keys(doc)
        match_ids = self.match_ids
        found = []
        longer = set()
        starts = self.starts
        for start, key in enumerate(keys):
            singles, multis = starts.get(key) or self._starting_at(key)
            for rule_id in singles:
                found.append((rule_id, match_ids[rule_id], start, start + 1))
            for p in multis:
                rule_id, tests = self.patterns[p]
                end = start + len(tests)
                if end <= len(keys) and all(self._passes(t, keys[start + j]) for j, t in enumerate(tests[1:], 1)):
                    longer.add((rule_id, match_ids[rule_id], start, end))
        found.extend(longer)
        found.sort()
        return found


class RuleWrites:
    """Per attribute-ruler rule, the Token setters and values that apply it (None for a rule that
    sets anything but WRITABLE). Pickles as the rules it was made from: a MorphAnalysis does not."""

    def __init__(self, vocab: Any, rules: list[dict]) -> None:
        self.vocab, self.rules = vocab, rules
        self.writes = [self._token_writes(attrs) for attrs in rules]
        self.complete = None not in self.writes

    def _token_writes(self, attrs: dict) -> list[tuple[str, Any]] | None:
        writes = []
        for attr, value in attrs.items():
            if attr not in WRITABLE:
                return None
            if attr == MORPH:  # `add` put it in the morphology table: its analysis sets `value`
                if self.vocab.morphology.add(self.vocab.strings[value]) != value:
                    return None
                value = MorphAnalysis.from_id(self.vocab, value)
            elif attr == NORM:
                value = self.vocab.strings[value]
            writes.append((WRITABLE[attr], value))
        return writes

    def __reduce__(self) -> tuple[type, tuple[Any, list[dict]]]:
        return RuleWrites, (self.vocab, self.rules)


class IndexedAttributeRuler(AttributeRuler):
    """spaCy's AttributeRuler (same patterns, same annotations) matching through a `RuleTable`."""

    _table: RuleTable | None = None
    _readable = True
    _writes: RuleWrites | None = None

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        if self._table is None and self._readable:
            try:
                self._table = RuleTable(self)
            except Unreadable:
                self._readable = False
        if self._table is None:
            return super().match(doc)
        return self._table.matches(doc)

    def set_annotations(self, doc: Doc, matches: list[tuple[int, int, int, int]]) -> None:
        """spaCy's loop, without a Span per match: each rule's attributes go to its target token,
        in the order of `matches`, through the Token's setters (which write what spaCy writes)."""
        if self._writes is None:
            self._writes = RuleWrites(self.vocab, self.attrs)
        writes = self._writes.writes
        if doc.vocab is not self.vocab or (
            not self._writes.complete and any(writes[rule_id] is None for rule_id, *_ in matches)
        ):  # a Token refuses another Vocab's MorphAnalysis; a rule sets other attributes: spaCy's own loop
            super().set_annotations(doc, matches)
            return
        indices = self.indices
        for match in matches:
            rule_id, _match_id, start, end = match
            index = indices[rule_id]
            target = (start if index >= 0 else end) + index
            if not start <= target < end:
                super().set_annotations(doc, [match])  # raises spaCy's error naming the pattern
            token = doc[target]
            for name, value in writes[rule_id]:
                setattr(token, name, value)

    def add(self, patterns: Iterable[Any], attrs: dict, index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._table, self._readable, self._writes = None, True, None  # rebuilt on the next Doc

    def clear(self) -> None:
        super().clear()
        self._table, self._readable, self._writes = None, True, None


LEMMATIZER_CONFIG = {
    "model": None,
    "mode": "rule",
    "overwrite": False,
    "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"},
}
LEMMATIZER_META: dict[str, Any] = {
    "assigns": ["token.lemma"],
    "requires": ["token.pos"],
    "default_config": LEMMATIZER_CONFIG,
    "default_score_weights": {"lemma_acc": 1.0},
}


@Language.factory("newsflow_lemmatizer", **LEMMATIZER_META)
def make_lemmatizer(
    nlp: Language, model: Model | None, name: str, mode: str, overwrite: bool, scorer: Callable | None
) -> CachedLemmatizer:
    """spaCy's `lemmatizer` factory with `CachedLemmatizer`; rule mode by default."""
    return CachedLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


@English.factory("newsflow_lemmatizer", **LEMMATIZER_META)
def make_english_lemmatizer(
    nlp: Language, model: Model | None, name: str, mode: str, overwrite: bool, scorer: Callable | None
) -> CachedEnglishLemmatizer:
    """English's `lemmatizer` factory with `CachedEnglishLemmatizer`."""
    return CachedEnglishLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


@Language.factory(
    "newsflow_attribute_ruler",
    assigns=["token.tag", "token.pos", "token.morph", "token.lemma"],
    default_config={"validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}},
)
def make_attribute_ruler(nlp: Language, name: str, validate: bool, scorer: Callable | None) -> IndexedAttributeRuler:
    """spaCy's `attribute_ruler` factory with `IndexedAttributeRuler`."""
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


def _config(nlp: Language, name: str) -> dict[str, Any]:
    """The component's config without its factory: the settings the replacement takes."""
    return {key: value for key, value in nlp.get_pipe_config(name).items() if key != "factory"}


def speed_up(nlp: Language) -> None:
    """Replace the pipeline's rule lemmatizer and attribute ruler by newsflow's (same names,
    settings, tables and patterns; see the module doc)."""
    lemmatizer = EnglishLemmatizer if nlp.lang == "en" else Lemmatizer  # what newsflow_lemmatizer stands for here
    for name, pipe in list(nlp.pipeline):
        if type(pipe) is lemmatizer and pipe.mode == "rule":
            nlp.replace_pipe(name, "newsflow_lemmatizer", config=_config(nlp, name)).initialize(lookups=pipe.lookups)
        elif type(pipe) is AttributeRuler:
            nlp.replace_pipe(name, "newsflow_attribute_ruler", config=_config(nlp, name)).add_patterns(pipe.patterns)
