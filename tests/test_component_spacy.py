"""newsflow's components as spaCy expects them: saved with the pipeline, word lists through
`initialize`, scored by `nlp.evaluate`, honest `requires`, errors that name the component, and
extension names that cannot be taken over silently. Blank pipelines with hand-set parses where
no model is needed; the real model for the standard pipeline and the seed's gold."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

import newsflow.tasks.nlp.lexicon as lexicon_module
from newsflow.tasks.clean import body_text
from newsflow.tasks.nlp.lexicon import Lexicon, load_lexicon
from newsflow.tasks.nlp.lexicon.pipe import ComponentError
from newsflow.tasks.nlp.metric import score
from newsflow.tasks.nlp.rows import quote_rows
from newsflow.tasks.nlp.scorer import gold_example

GOLD = Path(__file__).parent / "gold" / "seed"
SEED_TEXT = GOLD / "input" / "000_1eea282a58a9ee57.txt"
SEED_GOLD = GOLD / "gold" / "000_1eea282a58a9ee57.json"

# "Jane Smith said the plan would fail." with "said" as given, parsed by hand.
WORDS = ["Jane", "Smith", "said", "that", "the", "plan", "would", "fail", "."]
PARSE = {
    "heads": [1, 2, 2, 7, 5, 7, 7, 2, 2],
    "deps": ["compound", "nsubj", "ROOT", "mark", "det", "nsubj", "aux", "ccomp", "punct"],
    "pos": ["PROPN", "PROPN", "VERB", "SCONJ", "DET", "NOUN", "AUX", "VERB", "PUNCT"],
    "tags": ["NNP", "NNP", "VBD", "IN", "DT", "NN", "MD", "VB", "."],
    "ents": ["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O", "O", "O"],
}


def parsed(nlp, verb: str = "said", lemma: str = "say") -> Doc:
    words = [verb if w == "said" else w for w in WORDS]
    lemmas = [lemma if w == verb else w for w in words]
    return Doc(nlp.vocab, words=words, lemmas=lemmas, **PARSE)


def quotes(doc: Doc) -> list[tuple]:
    spans = doc.spans["quotes"]
    return [(q.text, q.label_, q._.speaker_name, None if q._.cue is None else q._.cue.text) for q in spans]


def blank(**config) -> spacy.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("newsflow_entities", config=config)
    nlp.add_pipe("newsflow_quotes", config=config)
    return nlp


@pytest.fixture
def fresh_lexicon_cache():
    """`load_lexicon` caches per folder name: start and end each test without what it cached."""
    load_lexicon.cache_clear()
    yield
    load_lexicon.cache_clear()


@pytest.fixture
def my_words(tmp_path) -> Path:
    folder = tmp_path / "my_words"
    folder.mkdir()
    (folder / "speech_verbs.txt").write_text("reckon\n", encoding="utf-8")
    return folder


def test_a_lexicon_round_trips_through_json():
    lex = load_lexicon()
    again = Lexicon.from_dict(json.loads(json.dumps(lex.to_dict())))
    assert again == lex and again.person_roles == lex.person_roles
    with pytest.raises(ValueError, match="missing lists"):
        Lexicon.from_dict({"speech_verbs": []})


def test_a_hand_parsed_doc_gets_its_quote_in_a_blank_pipeline():
    nlp = blank()
    assert quotes(nlp(parsed(nlp))) == [("the plan would fail", "indirect", "Jane Smith", "said")]


def test_a_saved_pipeline_brings_its_word_lists(tmp_path, my_words, monkeypatch, fresh_lexicon_cache):
    nlp = blank(lexicon=str(my_words))
    expected = quotes(nlp(parsed(nlp, "reckoned", "reckon")))
    assert expected == [("the plan would fail", "indirect", "Jane Smith", "reckoned")]
    nlp.to_disk(tmp_path / "pipeline")
    assert (tmp_path / "pipeline" / "newsflow_quotes" / "lexicon.json").is_file()
    shutil.rmtree(my_words)  # the user's folder is not needed any more
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(lexicon_module, "PACKAGED", empty)  # nor are the packaged lists
    load_lexicon.cache_clear()
    assert not load_lexicon().speech_verbs  # what reading them now would give
    loaded = spacy.load(tmp_path / "pipeline")
    assert quotes(loaded(parsed(loaded, "reckoned", "reckon"))) == expected
    assert quotes(loaded(parsed(loaded))) == [("the plan would fail", "indirect", "Jane Smith", "said")]


def test_to_bytes_and_from_bytes_carry_the_word_lists(my_words, fresh_lexicon_cache):
    nlp = blank(lexicon=str(my_words))
    data = nlp.to_bytes()
    plain = blank()
    assert quotes(plain(parsed(plain, "reckoned", "reckon"))) == []
    plain.from_bytes(data)
    assert quotes(plain(parsed(plain, "reckoned", "reckon")))[0][3] == "reckoned"


def test_a_pipeline_saved_without_word_lists_keeps_those_of_its_config(tmp_path):
    nlp = blank()
    nlp.to_disk(tmp_path / "pipeline")
    for name in ("newsflow_entities", "newsflow_quotes"):
        (tmp_path / "pipeline" / name / "lexicon.json").unlink()
    loaded = spacy.load(tmp_path / "pipeline")
    assert quotes(loaded(parsed(loaded)))[0][0] == "the plan would fail"


def test_word_lists_come_through_initialize(my_words, fresh_lexicon_cache):
    config = spacy.blank("en").config
    config["nlp"]["pipeline"] = ["newsflow_entities", "newsflow_quotes"]
    config["components"] = {
        "newsflow_entities": {"factory": "newsflow_entities"},
        "newsflow_quotes": {"factory": "newsflow_quotes"},
    }
    config["initialize"]["components"] = {"newsflow_quotes": {"lexicon": str(my_words)}}
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    assert quotes(nlp(parsed(nlp, "reckoned", "reckon"))) == []
    nlp.initialize()
    assert quotes(nlp(parsed(nlp, "reckoned", "reckon")))[0][3] == "reckoned"
    nlp.get_pipe("newsflow_quotes").initialize(lexicon=None)  # back to the config's (no folder)
    assert quotes(nlp(parsed(nlp, "reckoned", "reckon"))) == []


def test_analyze_pipes_finds_no_problem_in_the_standard_pipeline(nlp):
    analysis = nlp.analyze_pipes()
    assert analysis["problems"] == {name: [] for name in nlp.pipe_names}
    summary = analysis["summary"]
    assert {"token.tag", "token.pos", "token.lemma", "token.dep"} <= set(summary["newsflow_quotes"]["requires"])
    assert {"quote_f", "speaker_acc"} <= set(summary["newsflow_quotes"]["scores"])


def test_analyze_pipes_reports_what_a_blank_pipeline_lacks():
    problems = blank().analyze_pipes()["problems"]
    assert {"token.tag", "token.pos", "token.lemma", "token.dep", "doc.ents"} <= set(problems["newsflow_entities"])
    assert {"token.tag", "token.pos", "token.lemma", "doc.sents"} <= set(problems["newsflow_quotes"])


def test_a_key_error_in_a_rule_surfaces_as_newsflows_error_not_e109(spacy_nlp, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("speaker")

    monkeypatch.setattr("newsflow.tasks.nlp.quotes.component.extract_quotes", broken)
    with pytest.raises(ComponentError, match=r"newsflow_quotes failed on the document starting .*KeyError") as info:
        spacy_nlp("“It is over,” Smith said.")
    assert "E109" not in str(info.value) and isinstance(info.value.__cause__, KeyError)


def test_other_errors_keep_their_type_with_the_component_named(spacy_nlp, monkeypatch):
    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr("newsflow.tasks.nlp.entities.component.extract_entities", broken)
    with pytest.raises(IndexError) as info:
        spacy_nlp("“It is over,” Smith said.")
    assert any("'newsflow_entities'" in note for note in info.value.__notes__)


def test_the_error_handler_gets_a_key_error_too(nlp, monkeypatch, caplog):
    """The run's pipeline logs a failing document and goes on; a KeyError used to escape as E109."""

    def broken(*args, **kwargs):
        raise KeyError("speaker")

    monkeypatch.setattr("newsflow.tasks.nlp.quotes.component.extract_quotes", broken)
    doc = nlp("“It is over,” Smith said.")
    assert doc._.table_rows["quotes"] == []
    assert "newsflow_quotes failed" in caplog.text and "ComponentError" in caplog.text


def test_nlp_evaluate_gives_the_projects_quote_scores_on_the_seed(spacy_nlp):
    text = body_text(SEED_TEXT.read_text(encoding="utf-8"))
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    example = gold_example(spacy_nlp, text, gold)
    assert [s.text for s in example.reference.spans["quotes"]] == [q["text"] for q in gold["quotes"]]
    scores = spacy_nlp.evaluate([example])
    expected = score({"seed": quote_rows(spacy_nlp(text))}, {"seed": gold})
    assert expected["n_gold"] == 11 and expected["quote_f1"] > 0
    assert {k: scores[k] for k in ("quote_p", "quote_r", "quote_f", "speaker_acc")} == {
        "quote_p": expected["quote_p"],
        "quote_r": expected["quote_r"],
        "quote_f": expected["quote_f1"],
        "speaker_acc": expected["speaker_acc"],
    }
    meta = spacy.Language.get_factory_meta("newsflow_quotes")
    assert meta.default_score_weights == {"quote_f": 1.0, "quote_p": 0.0, "quote_r": 0.0, "speaker_acc": 0.0}


CONFLICT = textwrap.dedent(
    """
    import sys
    import spacy
    from spacy.tokens import Span

    Span.set_extension(sys.argv[1], default=None)   # another package's, registered first
    nlp = spacy.blank("en")
    try:
        nlp.add_pipe("newsflow_entities")
        nlp.add_pipe("newsflow_quotes")
    except Exception as error:
        print(type(error).__name__, error)
    else:
        print("no error")
    """
)


@pytest.mark.parametrize(("name", "component"), [("speaker", "newsflow_quotes"), ("entity_id", "newsflow_entities")])
def test_another_packages_extension_of_the_same_name_is_a_clear_error(tmp_path, name, component):
    done = subprocess.run(
        [sys.executable, "-c", CONFLICT, name], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout.strip().splitlines()[-1]
    assert out.startswith("ExtensionConflict"), out
    assert f"{component}: the Span extension `._.{name}` is already registered, not by newsflow" in out


def test_newsflows_own_extensions_are_no_conflict():
    blank()
    blank()  # a second pipeline in the same process claims the same extensions: no error
