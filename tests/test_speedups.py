"""The faster lemmatizer and attribute ruler leave every token as spaCy's own would, and a
pipeline that has them saves and loads."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap

import numpy
import pytest
import spacy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token

from newsflow.tasks.clean import clean_body
from newsflow.tasks.nlp.attribute_ruler import IndexedAttributeRuler, RuleTable, RuleWrites, Unreadable
from newsflow.tasks.nlp.lemmatizer import CachedEnglishLemmatizer, CachedLemmatizer

from .support import REPO

ATTRS = [LEMMA, POS, TAG, MORPH, DEP, HEAD]
SAVED_ATTRS = [*ATTRS, ENT_IOB, ENT_TYPE]
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
    morphology, dependency and head are equal (newsflow's paragraph sentences, which change the
    parse on purpose, left out of the comparison: tests/test_paragraphs.py)."""
    stock_names = [name for name in nlp.pipe_names if name != "newsflow_paragraphs"]
    assert stock_names[: len(spacy_nlp.pipe_names)] == spacy_nlp.pipe_names, "replaced in place, by name"
    assert type(nlp.get_pipe("attribute_ruler")) is IndexedAttributeRuler
    assert type(spacy_nlp.get_pipe("attribute_ruler")) is AttributeRuler
    assert type(nlp.get_pipe("lemmatizer")) is CachedEnglishLemmatizer
    assert type(spacy_nlp.get_pipe("lemmatizer")) is EnglishLemmatizer
    for name, factory in (("lemmatizer", "newsflow_lemmatizer"), ("attribute_ruler", "newsflow_attribute_ruler")):
        ours, stock = dict(nlp.get_pipe_config(name)), dict(spacy_nlp.get_pipe_config(name))
        assert ours.pop("factory") == factory and stock.pop("factory") == name
        assert ours == stock, "the same settings (mode, overwrite, model, scorer, validate)"
    assert nlp.get_pipe("attribute_ruler")._table is not None, "the model's patterns are read by the table"
    texts = _texts()
    assert len(texts) >= 5
    with nlp.select_pipes(disable=["newsflow_paragraphs"]):
        ours = list(nlp.pipe(texts))
    theirs = spacy_nlp.pipe(texts)
    tokens = 0
    for mine, stock in zip(ours, theirs, strict=True):
        assert numpy.array_equal(mine.to_array(ATTRS), stock.to_array(ATTRS)), mine.text[:60]
        tokens += len(mine)
    assert tokens > 1000
    # "ai n't": the model's two-token rule whose second token is a regex, applied by the table
    assert [(t.text, t.lemma_) for t in nlp(ODD)][1:3] == [("ai", "be"), ("n't", "not")]


def test_lemmatizer_keeps_spacys_tables_and_tests_sets(nlp, spacy_nlp):
    """The lookups stay lists (as spaCy saves them); the sets beside them give the same lemmas."""
    lemmatizer = nlp.get_pipe("lemmatizer")
    index = lemmatizer.lookups.get_table("lemma_index")
    assert isinstance(index["noun"], list) and "house" in index["noun"]
    as_set = lemmatizer._index("noun", index["noun"])
    assert isinstance(as_set, frozenset) and as_set == set(index["noun"])
    assert lemmatizer._index("noun", index["noun"]) is as_set, "made once"
    copy = spacy.blank("en").add_pipe("newsflow_lemmatizer")
    assert type(copy) is CachedEnglishLemmatizer
    copy.from_bytes(lemmatizer.to_bytes(exclude=["vocab"]), exclude=["vocab"])
    assert copy.lookups.to_bytes() == spacy_nlp.get_pipe("lemmatizer").lookups.to_bytes()
    stock = spacy_nlp.get_pipe("lemmatizer")
    with spacy_nlp.select_pipes(disable=["lemmatizer", "ner", "newsflow_entities", "newsflow_quotes"]):
        tokens = [t for doc in spacy_nlp.pipe(_texts()) for t in doc]
    assert [copy.lemmatize(t) for t in tokens] == [stock.lemmatize(t) for t in tokens]


def test_lemmatizer_factory_follows_the_language():
    """English gets English's base-form rule, as from spaCy's own `lemmatizer` factory."""
    assert type(spacy.blank("en").add_pipe("newsflow_lemmatizer")) is CachedEnglishLemmatizer
    assert type(spacy.blank("de").add_pipe("newsflow_lemmatizer")) is CachedLemmatizer
    assert type(spacy.blank("en").add_pipe("newsflow_attribute_ruler")) is IndexedAttributeRuler


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


def test_rules_setting_other_attributes_go_through_spacys_loop():
    """An extension attribute (or any attribute the Token's setters do not write as spaCy does)
    takes the Doc to spaCy's own set_annotations: same result, later rules still winning."""
    if not Token.has_extension("newsflow_test_mark"):
        Token.set_extension("newsflow_test_mark", default=None)
    blank = spacy.blank("en")
    patterns = [
        {"patterns": [[{"LOWER": "house"}]], "attrs": {"LEMMA": "first", "_": {"newsflow_test_mark": "x"}}},
        {"patterns": [[{"LOWER": "house"}]], "attrs": {"LEMMA": "second", "POS": "NOUN"}},
        {"patterns": [[{"LOWER": "the"}]], "attrs": {"NORM": "THE"}},
    ]
    stock, fast = _ruler(AttributeRuler, blank, patterns), _ruler(IndexedAttributeRuler, blank, patterns)
    a, b = stock(blank("The house, the House.")), fast(blank("The house, the House."))
    assert [(t.lemma_, t.pos_, t.norm_, t._.newsflow_test_mark) for t in a] == [
        (t.lemma_, t.pos_, t.norm_, t._.newsflow_test_mark) for t in b
    ]
    assert (b[1].lemma_, b[1]._.newsflow_test_mark, b[0].norm_) == ("second", "x", "THE")
    assert not fast._writes.complete and fast._writes.writes[0] is None
    only_fast = _ruler(IndexedAttributeRuler, blank, patterns[1:])
    only_fast(blank("The house."))
    assert only_fast._writes.complete


def test_used_components_pickle(nlp):
    """As spaCy's own do, after a Doc (their lookup caches filled); unpickled (with a Vocab of
    their own), they annotate a Doc of the pipeline's Vocab as the pipeline's do."""
    nlp("Y'all ain't seen nothin' yet.")
    copies = {name: pickle.loads(pickle.dumps(nlp.get_pipe(name))) for name in ("attribute_ruler", "lemmatizer")}
    assert {name: type(c) for name, c in copies.items()} == {
        "attribute_ruler": IndexedAttributeRuler,
        "lemmatizer": CachedEnglishLemmatizer,
    }
    with nlp.select_pipes(enable=["tok2vec", "tagger", "parser"]):
        doc = nlp(ODD)
    mine, theirs = doc.copy(), doc.copy()
    for name in ("attribute_ruler", "lemmatizer"):
        mine, theirs = nlp.get_pipe(name)(mine), copies[name](theirs)
    assert numpy.array_equal(mine.to_array(ATTRS), theirs.to_array(ATTRS))
    assert [t.lemma_ for t in theirs][1:4] == ["be", "not", "see"]
    assert type(copies["attribute_ruler"]._writes) is RuleWrites, "remade from the rules"


# --- saving and loading: the pipeline newsflow runs, through nlp.to_disk and spacy.load ---


@pytest.fixture(scope="module")
def saved(nlp, tmp_path_factory):
    """The pipeline newsflow runs, saved by spaCy."""
    path = tmp_path_factory.mktemp("pipeline")
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="module")
def reloaded(saved):
    import newsflow.tasks.nlp.components  # noqa: F401  (registers newsflow_rows, which has no entry point)

    return spacy.load(saved)


def _quotes(doc: Doc) -> list[tuple]:
    """What newsflow_quotes wrote: each quote's text, place and type, and who said it."""

    def place(span):
        return None if span is None else (span.start_char, span.end_char, span.text)

    return [
        (
            q.text,
            q.start_char,
            q.end_char,
            q.label_,
            place(q._.speaker),
            place(q._.cue),
            q._.speaker_name,
            q._.speaker_entity_id,
            q._.speaker_title,
            q._.method,
        )
        for q in doc.spans["quotes"]
    ]


def _entities(doc: Doc) -> tuple:
    return [(e.start_char, e.end_char, e.label_, e._.entity_id) for e in doc.ents], doc._.entity_index


def test_saved_pipeline_reloads_with_the_same_annotations(nlp, reloaded):
    """Saved with nlp.to_disk and loaded with spacy.load: the same components, and on the gold
    articles the same token annotations, entities, quotes and table rows."""
    assert reloaded.pipe_names == nlp.pipe_names
    assert type(reloaded.get_pipe("lemmatizer")) is CachedEnglishLemmatizer
    assert type(reloaded.get_pipe("attribute_ruler")) is IndexedAttributeRuler
    assert isinstance(reloaded.get_pipe("lemmatizer").lookups.get_table("lemma_index")["noun"], list)
    texts = _texts()
    quotes = 0
    with nlp.select_pipes(disable=["newsflow_rows"]), reloaded.select_pipes(disable=["newsflow_rows"]):
        for mine, back in zip(nlp.pipe(texts), reloaded.pipe(texts), strict=True):
            assert numpy.array_equal(mine.to_array(SAVED_ATTRS), back.to_array(SAVED_ATTRS)), mine.text[:60]
            assert _entities(mine) == _entities(back), mine.text[:60]
            assert _quotes(mine) == _quotes(back), mine.text[:60]
            quotes += len(mine.spans["quotes"])
    assert quotes > 10
    assert reloaded.get_pipe("attribute_ruler")._table is not None, "the reloaded patterns are read by the table"
    for mine, back in zip(nlp.pipe(texts), reloaded.pipe(texts), strict=True):
        assert mine._.table_rows == back._.table_rows


def test_saved_pipeline_loads_with_only_spacy_imported(nlp, saved):
    """A fresh interpreter that imports only spaCy finds newsflow's factories by their entry points.
    newsflow_rows is newsflow's own (registered by newsflow.tasks.nlp.components, no entry point): left out."""
    code = textwrap.dedent("""
        import json, sys
        import spacy
        nlp = spacy.load(sys.argv[1], exclude=["newsflow_rows"])
        doc = nlp("Y'all ain't seen nothin' yet, the chairman said.")
        print(json.dumps({
            "pipes": nlp.pipe_names,
            "classes": {name: f"{type(p).__module__}.{type(p).__qualname__}" for name, p in nlp.pipeline},
            "lemmas": [t.lemma_ for t in doc],
        }))
    """)
    done = subprocess.run(
        [sys.executable, "-c", code, str(saved)], capture_output=True, text=True, cwd=saved, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["pipes"] == [name for name in nlp.pipe_names if name != "newsflow_rows"]
    assert found["classes"]["lemmatizer"] == "newsflow.tasks.nlp.lemmatizer.CachedEnglishLemmatizer"
    assert found["classes"]["attribute_ruler"] == "newsflow.tasks.nlp.attribute_ruler.IndexedAttributeRuler"
    assert found["classes"]["newsflow_quotes"] == "newsflow.tasks.nlp.quotes.component.QuoteExtractor"
    assert found["lemmas"][1:4] == ["be", "not", "see"]
