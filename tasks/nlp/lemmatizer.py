"""`newsflow_lemmatizer`: spaCy's rule lemmatizer with the same lemmas, faster (see
`newsflow.tasks.nlp.speedups` for why and what is not handled)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.errors import Errors, Warnings
from spacy.lang.en import English
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token
from spacy.util import SimpleFrozenList
from thinc.api import Model

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
