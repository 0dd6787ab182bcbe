"""tasks/nlp/object_model: the learned proposer of contents a verb's object reports, on the real
model and the shipped proposer."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .support import one


def test_candidates_are_objects_and_what_follows_them(spacy_nlp):
    from newsflow.tasks.nlp.object_model.candidates import object_candidates

    doc = spacy_nlp("Senator Jane Roe accused the governor of hiding the audit from voters.")
    spans = {(c.kind, doc[c.start : c.end + 1].text, doc[c.verb].lemma_) for c in object_candidates(doc)}
    assert ("dobj", "the governor of hiding the audit from voters", "accuse") in spans
    doc = spacy_nlp("The mayor announced her resignation on Friday.")
    spans = {(c.kind, doc[c.start : c.end + 1].text) for c in object_candidates(doc)}
    assert spans == {("dobj", "her resignation"), ("dobj+", "her resignation on Friday")}
    assert not object_candidates(spacy_nlp("Who accused the governor?"))  # no subject that names anyone


def test_an_accusation_is_an_indirect_quote_of_its_accuser(quotes_of):
    row = one(quotes_of("Senator Jane Roe accused the governor of hiding the audit from voters."), "governor")
    assert row["text"] == "the governor of hiding the audit from voters"
    assert (row["type"], row["cue"], row["speaker_name"]) == ("indirect", "accuse", "Jane Roe")
    assert one(quotes_of("Officials denied the charges."), "charges")["cue"] == "deny"


def test_an_action_reports_nothing_and_the_rules_quotes_stay(quotes_of):
    assert quotes_of("The team won the game on Sunday.") == []
    rows = quotes_of("“We will win,” she said.")
    assert [(r["type"], r["text"]) for r in rows] == [("direct", "We will win,")]


def test_the_proposer_is_a_setting(spacy_nlp):
    """`object_proposer: null` leaves the rules alone; the threshold is the proposer's setting."""
    import spacy

    from newsflow.tasks.nlp.pipeline import resolve_model
    from newsflow.tasks.nlp.rows import quote_rows

    from .support import MODEL

    text = "Senator Jane Roe accused the governor of hiding the audit from voters."
    rules = spacy.load(resolve_model(MODEL))
    rules.add_pipe("newsflow_entities")
    rules.add_pipe("newsflow_quotes", config={"object_proposer": None})
    assert quote_rows(rules(text)) == []
    strict = spacy.load(resolve_model(MODEL))
    strict.add_pipe("newsflow_entities")
    strict.add_pipe(
        "newsflow_quotes", config={"object_proposer": {"@misc": "newsflow.object_proposer.v1", "threshold": 0.999}}
    )
    assert quote_rows(strict(text)) == []


def test_the_shipped_proposer_predicts_with_numpy_alone():
    """Loading and running it imports no scikit-learn (a worker's start stays light)."""
    code = (
        "import sys\n"
        "from newsflow.tasks.nlp.object_model.proposer import load_proposer\n"
        "p = load_proposer()\n"
        "assert 0 < p.threshold < 1 and len(p.trees.features) > 100, p.threshold\n"
        "assert 'sklearn' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("threshold", [0.0, 0.5])
def test_proposals_never_overlap_each_other(spacy_nlp, threshold):
    from newsflow.tasks.nlp.object_model.proposer import load_proposer

    doc = spacy_nlp("The mayor announced her resignation and accused the council of blocking her plans for the park.")
    spans = load_proposer(threshold=threshold)(doc)
    assert len({verb for _, _, verb in spans}) == len(spans)  # one per verb
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # in order, apart
