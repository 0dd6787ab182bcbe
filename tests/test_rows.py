"""tasks/nlp/rows.py: the quotes table's rows built from the quote spans."""

from __future__ import annotations

from newsflow.schemas.tables import QUOTE_TYPES, QUOTES

# --------------------------------------------------------------------------- rows


def test_rows_have_exactly_the_quote_columns_and_slice_back(quotes_of):
    text = "Maria Zakharova said on Tuesday, “We will not withdraw.”\n\nShe said the troops were invited."
    rows = quotes_of(text)
    assert rows
    for row in rows:
        assert list(row) == [c for c in QUOTES.names if c != "doc_id"]
        assert text[row["start_char"] : row["end_char"]] == row["text"]
        assert row["type"] in QUOTE_TYPES
        assert row["quote_id"].startswith("q_")


def test_quote_ids_are_stable_across_runs(quotes_of):
    text = "“It is over,” Smith said. He added that the talks had failed."
    assert [r["quote_id"] for r in quotes_of(text)] == [r["quote_id"] for r in quotes_of(text)]
