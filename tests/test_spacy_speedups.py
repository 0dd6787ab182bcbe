"""The faster lemmatizer index and attribute ruler leave every token as spaCy's own would."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.pipeline import AttributeRuler

from newsflow.tasks.clean import clean_body
from newsflow.tasks.spacy_speedups import CachedLemmas, IndexedAttributeRuler, RuleTable, Unreadable

from .conftest import REPO

ATTRS = [LEMMA, POS, TAG, MORPH, DEP, HEAD]
# Text that takes the English model's rarer attribute rules: "ain't", "y'all", "nothin'",
# existential "there is", contractions, spaces, a negated auxiliary.
ODD = (
    "Y'all ain't seen nothin' yet, there is more.  She didn't go, and they're gone.\n\n"
    "There were three of 'em. I gotta say, we're gonna win -- it's got to be.  \t He's done."
)


def _texts() -> list[str]:
    inputs = sorted(p for p in (REPO / "tests" / "gold").rglob("input/*.txt"))
    return [ODD] + [clean_body(p.read_text(encoding="utf-8"))[1] for p in inputs]


def test_same_token_annotations_as_spacy(nlp, spacy_nlp):
    """Real articles through the sped-up model and the stock one: every token's lemma, POS, tag,
    morphology, dependency and head are equal."""
    assert type(nlp.get_pipe("attribute_ruler")) is IndexedAttributeRuler
    assert type(spacy_nlp.get_pipe("attribute_ruler")) is AttributeRuler
    assert isinstance(nlp.get_pipe("lemmatizer"), CachedLemmas)
    assert not isinstance(spacy_nlp.get_pipe("lemmatizer"), CachedLemmas)
    assert nlp.get_pipe("attribute_ruler")._table is not None, "the model's patterns are read by the table"
    texts = _texts()
    assert len(texts) >= 5
    ours = nlp.pipe(texts)
    theirs = spacy_nlp.pipe(texts)
    tokens = 0
    for mine, stock in zip(ours, theirs, strict=True):
        assert numpy.array_equal(mine.to_array(ATTRS), stock.to_array(ATTRS)), mine.text[:60]
        tokens += len(mine)
    assert tokens > 1000
    # "ai n't": the model's two-token rule whose second token is a regex, applied by the table
    assert [(t.text, t.lemma_) for t in nlp(ODD)][1:3] == [("ai", "be"), ("n't", "not")]


def test_lemma_index_holds_sets(nlp):
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert isinstance(index.get("noun"), frozenset) and "house" in index.get("noun")


def _ruler(cls: type, nlp: spacy.Language, patterns: list[dict]) -> AttributeRuler:
    ruler = cls(nlp.vocab)
    ruler.add_patterns(patterns)
    return ruler


PATTERNS = [
    {"patterns": [[{"TAG": {"IN": ["NN", "NNS"]}, "LOWER": {"NOT_IN": ["rain"]}}]], "attrs": {"MORPH": "Odd=Yes"}},
    {"patterns": [[{"LOWER": {"REGEX": "^s.*e$"}}]], "attrs": {"LEMMA": "S-WORD"}},
    {"patterns": [[{"LOWER": "the"}, {"TAG": "JJ"}]], "attrs": {"POS": "X"}, "index": -1},
    {"patterns": [[{"DEP": "nsubj"}, {"IS_SPACE": False}]], "attrs": {"LEMMA": "SUBJ"}, "index": 0},
    {"patterns": [[{"TEXT": "Simone"}]], "attrs": {"LEMMA": "later-wins"}},
]


def test_rule_table_matches_the_matcher(spacy_nlp):
    """Sets, negated sets, regexes, two-token patterns, negative indices and rule order:
    the same matches and annotations as spaCy's Matcher."""
    stock = _ruler(AttributeRuler, spacy_nlp, PATTERNS)
    fast = _ruler(IndexedAttributeRuler, spacy_nlp, PATTERNS)
    with spacy_nlp.select_pipes(disable=["newsflow_entities", "newsflow_quotes"]):
        docs = list(spacy_nlp.pipe(_texts() + ["Simone said the old house is safe, and the green fields some were."]))
    for doc in docs:
        assert fast.match(doc) == stock.match(doc)
        a, b = stock(doc.copy()), fast(doc.copy())
        assert numpy.array_equal(a.to_array(ATTRS), b.to_array(ATTRS))
    last = docs[-1]
    assert fast(last.copy())[0].lemma_ == "later-wins", "a later rule overrides an earlier one"
    assert any(t.lemma_ == "S-WORD" for t in fast(last.copy()))


def test_unreadable_patterns_fall_back_to_the_matcher(spacy_nlp):
    patterns = [{"patterns": [[{"LOWER": "very", "OP": "+"}, {"TAG": "JJ"}]], "attrs": {"LEMMA": "VERY"}}]
    fast = _ruler(IndexedAttributeRuler, spacy_nlp, patterns)
    with pytest.raises(Unreadable):
        RuleTable(fast)
    doc = spacy_nlp.make_doc("It was very very good.")
    doc = spacy_nlp.get_pipe("tagger")(spacy_nlp.get_pipe("tok2vec")(doc))
    assert [t.lemma_ for t in fast(doc)][2] == "VERY"
    assert fast._table is None and not fast._readable


def test_a_target_outside_the_match_raises_spacys_error(spacy_nlp):
    patterns = [{"patterns": [[{"LOWER": "good"}]], "attrs": {"LEMMA": "x"}, "index": 2}]
    doc = spacy_nlp.make_doc("It was good.")
    for cls in (AttributeRuler, IndexedAttributeRuler):
        with pytest.raises(ValueError, match="E1001.*outside of matched span"):
            _ruler(cls, spacy_nlp, patterns)(doc)
