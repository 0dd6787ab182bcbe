"""Faster stand-ins for two of spaCy's rule components, with the same results.

A component profile of the medium English model over BBC news (1/7 of the corpus, 137k tokens;
see the README's performance section) found two of the model's rule components costing more than
its parser:

- the rule **lemmatizer** (3.2 s, parser 2.3 s): for a word form it has not cached, it tests each
  candidate lemma with `form in index`, where `index` is a *list* (57,528 nouns, 20,993
  adjectives): a linear scan per candidate. `lemma_index_as_sets` makes those lists frozensets.
  It then still spent ~5 µs a token in Python (its cache holds only the forms it had to
  derive); `CachedLemmas` looks every token's (form, part of speech, morphology) up at once and
  sets the lemmas with one `Doc.from_array`.
- the **attribute ruler** (2.5 s): 179 patterns run through spaCy's `Matcher` on every token,
  though almost all of them test one token's tag, lowercase form or dependency label.
  `IndexedAttributeRuler` finds the same matches by looking each token's (tag, lower, dep, ...)
  up in a table of which rules apply, built once per distinct combination, and hands them to
  spaCy's own `set_annotations`. Patterns it cannot read that way (operators, regexes, other
  attributes, extension attributes) leave the component to spaCy's matcher.
  A regex test is run once per distinct value, not once per token.

Both leave every token attribute as spaCy sets it (checked token by token over the BBC corpus
and in tests/test_spacy_speedups.py).

Not handled: lookup-mode lemmatizers (spaCy's own code runs), and pipelines whose attribute
ruler is not called `attribute_ruler`. A pipeline sped up this way is for running, not saving:
its lemmatizer's index no longer serialises (`nlp.to_disk`); newsflow never saves one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy
from spacy.attrs import IDS, LEMMA, MORPH, ORTH, POS
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs  # what AttributeRuler itself applies

# Token attributes a pattern may test, read with Doc.to_array as the Matcher reads them.
READABLE = {"ORTH", "TEXT", "LOWER", "NORM", "TAG", "DEP", "IS_SPACE"}
UNKNOWN = numpy.iinfo(numpy.uint64).max  # stands for every value no pattern names
MAX_COMBINATIONS = 200_000  # a lookup table is cleared past this many keys


def lemma_index_as_sets(lemmatizer: Lemmatizer) -> None:
    """Turn a rule lemmatizer's `lemma_index` lists into frozensets: same membership tests, in
    constant time."""
    if not lemmatizer.lookups.has_table("lemma_index"):
        return
    table = lemmatizer.lookups.get_table("lemma_index")
    for key in list(table.keys()):
        if isinstance(table[key], list):
            table[key] = frozenset(table[key])


class CachedLemmas:
    """Mixed into a rule lemmatizer's class: the lemma of a (form, POS, morphology) is worked out
    once by spaCy's `rule_lemmatize` (which depends on nothing else) and looked up after."""

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return super().__call__(doc)
        error_handler = self.get_error_handler()
        try:
            known = self.__dict__.setdefault("_lemmas", {})
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
        self.patterns = [(rule_id, [[(column[c], op, v) for c, op, v in tests] for tests in token_tests])
                         for rule_id, token_tests in raw]  # fmt: skip
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


class IndexedAttributeRuler(AttributeRuler):
    """spaCy's AttributeRuler (same patterns, same annotations) matching through a `RuleTable`."""

    _table: RuleTable | None = None
    _readable = True

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
        """spaCy's loop, without a Span per match: each rule's attributes to its target token, in
        the order of `matches`."""
        for match in matches:
            rule_id, _match_id, start, end = match
            index = self.indices[rule_id]
            target = (start if index >= 0 else end) + index
            if not start <= target < end:
                super().set_annotations(doc, [match])  # raises spaCy's error naming the pattern
            set_token_attrs(doc[target], self.attrs[rule_id])

    def add(self, patterns: Iterable[Any], attrs: dict, index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._table, self._readable = None, True  # rebuilt on the next Doc

    def clear(self) -> None:
        super().clear()
        self._table, self._readable = None, True


def _cached(lemmatizer: type) -> type:
    """The lemmatizer class with `CachedLemmas` mixed in: one class per base, named in this
    module, so that a pipeline still pickles."""
    if issubclass(lemmatizer, CachedLemmas):
        return lemmatizer
    name = f"Cached{lemmatizer.__name__}"
    if name not in globals():
        globals()[name] = type(name, (CachedLemmas, lemmatizer), {"__module__": __name__, "__qualname__": name})
    return globals()[name]


def speed_up(nlp: Language) -> None:
    """Swap in the faster, equivalent lemmatizer and attribute ruler (see the module doc)."""
    for _name, pipe in nlp.pipeline:
        if isinstance(pipe, Lemmatizer) and pipe.mode == "rule":
            lemma_index_as_sets(pipe)
            pipe.__class__ = _cached(type(pipe))
    if "attribute_ruler" in nlp.pipe_names and type(nlp.get_pipe("attribute_ruler")) is AttributeRuler:
        nlp.get_pipe("attribute_ruler").__class__ = IndexedAttributeRuler
