"""`newsflow_attribute_ruler`: spaCy's attribute ruler with the same annotations, matching
through a lookup table (see `newsflow.tasks.nlp.speedups` for why and what is not handled)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy
from spacy.attrs import DEP, IDS, LEMMA, MORPH, NORM, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, MorphAnalysis

from newsflow.tasks.nlp.lemmatizer import MAX_COMBINATIONS

# Token attributes a pattern may test, read with Doc.to_array as the Matcher reads them.
READABLE = {"ORTH", "TEXT", "LOWER", "NORM", "TAG", "DEP", "IS_SPACE"}
# Attributes a rule may set that the Token's setters write as spaCy's ruler does (on the token
# only: its writes to the lexeme ignore these), by setter.
WRITABLE = {LEMMA: "lemma", POS: "pos", TAG: "tag", MORPH: "morph", DEP: "dep", NORM: "norm_"}
UNKNOWN = numpy.iinfo(numpy.uint64).max  # stands for every value no pattern names


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


@Language.factory(
    "newsflow_attribute_ruler",
    assigns=["token.tag", "token.pos", "token.morph", "token.lemma"],
    default_config={"validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}},
)
def make_attribute_ruler(nlp: Language, name: str, validate: bool, scorer: Callable | None) -> IndexedAttributeRuler:
    """spaCy's `attribute_ruler` factory with `IndexedAttributeRuler`."""
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)
