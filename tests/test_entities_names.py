"""Tests of tasks/nlp/entities/names.py: a candidate span cut to the person's name
(`name_segments`), on the real parse."""

from __future__ import annotations

from spacy.tokens import Span

from newsflow.tasks.nlp.entities.names import name_segments
from newsflow.tasks.nlp.lexicon import load_lexicon


def test_an_inverted_said_before_a_name_is_cut_off(entities_nlp):
    """The model sometimes takes "Said" of "Said Pryce: ..." into the name; the span is set here
    as it does, on the real parse, and the name segment starts after it."""
    doc = entities_nlp('"It is hard," said Ryan Pryce. Said Pryce: "I doubt it." Said Jalili, a diplomat, left.')
    said = [t.i for t in doc if t.text == "Said"]
    pryce = Span(doc, said[0], said[0] + 2, label="PERSON")
    jalili = Span(doc, said[1], said[1] + 2, label="PERSON")
    lex = load_lexicon()
    assert [doc[s:e].text for s, e in name_segments(pryce, lex)] == ["Pryce"]
    assert [doc[s:e].text for s, e in name_segments(jalili, lex)] == ["Said Jalili"]
