"""The entities package (tasks/nlp/entities/) as a whole: the table rows of the seed, and no text
that makes it raise; the real model through the component."""

from __future__ import annotations

import pytest

from newsflow.schemas.tables import ENTITIES, ENTITY_LABELS, MENTIONS


def test_rows_have_exactly_the_table_columns(seed):
    text, mentions, entities = seed
    assert mentions and entities
    for m in mentions:
        assert list(m) == [c for c in MENTIONS.names if c != "doc_id"]
        assert text[m["start_char"] : m["end_char"]] == m["text"]
        assert m["label"] in ENTITY_LABELS
    for e in entities:
        assert list(e) == [c for c in ENTITIES.names if c != "doc_id"]
        assert e["label"] in ENTITY_LABELS
    ids = {e["entity_id"] for e in entities}
    assert {m["entity_id"] for m in mentions} <= ids
    assert len(ids) == len(entities)


def test_people_named_in_seed(seed):
    _, _, entities = seed
    people = {e["name"] for e in entities if e["label"] == "PERSON"}
    # the article writes "Trump" alone: a person is named by the fullest form the article gives
    assert people == {"Maria Zakharova", "Juan Guaido", "Trump", "Nicolas Maduro", "Konstantin Kosachev"}


@pytest.mark.parametrize("text", ["", "\n\n", "“" * 100, "the " * 5000])
def test_never_raises(rows_of, text):
    mentions, _ = rows_of(text)
    for m in mentions:
        assert text[m["start_char"] : m["end_char"]] == m["text"]
