"""Tests of tasks/nlp/quotes/marks.py: quotation marks paired into marked spans
(`find_marked_spans`), on text alone (no model)."""

from __future__ import annotations

from newsflow.tasks.nlp.quotes import find_marked_spans


def test_an_unclosed_mark_inside_a_clause_does_not_run_on():
    text = 'The mayor called the plan "reckless. Residents disagree with him. "We need the road," said Tom Berg.'
    spans = [text[m.start : m.end] for m in find_marked_spans(text)]
    assert spans == ["We need the road,"]


def test_marks_pair_within_paragraphs_only():
    text = "He said “yes.\n\nShe said no."
    assert find_marked_spans(text) == []
