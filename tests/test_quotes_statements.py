"""Statements (issue 30): quotes the text presents as one utterance of one speaker share a
`statement_id`, the `quote_id` of the statement's first piece; the same value as the Span extension
`._.statement_id` and in the rows. Real model, both components added by name (no mocks); and the
gold side of `newsflow eval --statements`: gold quotes merged by the same rule over plain text."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.tasks.clean import body_text
from newsflow.tasks.nlp.metric import load_gold, word_f1, words
from newsflow.tasks.nlp.metric.statements import merge_gold_statements, predicted_statements, statement_scores
from newsflow.tasks.nlp.rows import quote_rows

from .support import one

GOLD = Path(__file__).parent / "gold"


def statements(rows: list[dict]) -> list[list[str]]:
    """The quotes' texts grouped by statement, in text order."""
    groups: dict[str, list[str]] = {}
    for r in sorted(rows, key=lambda r: r["start_char"]):
        groups.setdefault(r["statement_id"], []).append(r["text"])
    return list(groups.values())


def test_a_direct_quote_broken_by_its_cue_and_a_full_stop_is_one_statement(quotes_of):
    rows = quotes_of("“We will rebuild the bridge,” Mayor Ana Lopez said. “It will take two years.”")
    assert len(rows) == 2
    assert statements(rows) == [["We will rebuild the bridge,", "It will take two years."]]
    assert rows[0]["statement_id"] == rows[0]["quote_id"]  # the first piece's own id


def test_a_direct_quote_broken_by_its_cue_and_a_comma_is_one_statement(quotes_of):
    rows = quotes_of("“The river is rising,” Tom Baird said, “and the levee will not hold.”")
    assert len(rows) == 2 and len(statements(rows)) == 1
    assert {r["speaker_name"] for r in rows} == {"Tom Baird"}


def test_a_pronoun_cue_between_the_pieces_is_one_statement(quotes_of):
    rows = quotes_of("Tom Baird walked the levee on Monday. “The river is rising,” he said, “and it will not hold.”")
    assert len(rows) == 2 and len(statements(rows)) == 1
    assert {r["speaker_name"] for r in rows} == {"Tom Baird"}


def test_a_quote_left_open_at_its_paragraphs_end_is_one_statement_with_the_next(quotes_of):
    text = (
        "The council met.\n\n“We have waited long enough for this school and we will not wait\n\n"
        "“The children deserve better than a portable classroom,” Maria Chen said."
    )
    rows = quotes_of(text)
    assert len(rows) == 2 and len(statements(rows)) == 1
    assert rows[1]["cue"] == "say" and rows[0]["cue"] is None


def test_a_quotation_after_a_reported_quote_that_ends_its_paragraph_is_a_new_statement(quotes_of):
    """The reported quote's quoted words are closed: the next paragraph's opening mark starts a
    quotation of its own ('“A,” she said. “B.”': one statement), not a continuation of the first."""
    text = (
        'Of the senator, Claire Moss said many voters would find it "very hard to look past" his '
        '"democratic socialism."\n\n"Obviously, he is raising those issues very well," she said. '
        '"I think the governor is a better candidate because of it."'
    )
    rows = quotes_of(text)
    assert [r["type"] for r in rows] == ["mixed", "direct", "direct"], rows
    assert [len(s) for s in statements(rows)] == [1, 2]
    assert {r["speaker_name"] for r in rows} == {"Claire Moss"}


def test_two_speakers_are_two_statements(quotes_of):
    rows = quotes_of("“The budget is balanced,” Mayor Ana Lopez said. “It is not,” Councillor Tom Baird replied.")
    assert [len(s) for s in statements(rows)] == [1, 1]
    assert all(r["statement_id"] == r["quote_id"] for r in rows)


def test_a_paragraph_continuing_a_quote_with_no_cue_is_the_same_statement(quotes_of):
    text = (
        "The council met on Monday.\n\n"
        "“We have waited long enough for this school,” Maria Chen said.\n\n"
        "“The children deserve better than a portable classroom.”"
    )
    rows = quotes_of(text)
    assert len(rows) == 2 and len(statements(rows)) == 1
    assert one(rows, "children")["speaker_name"] == "Maria Chen"


def test_an_indirect_quote_then_a_direct_quote_with_a_new_cue_are_two_statements(quotes_of):
    text = "Maria Chen said the school would open in May. “We are ready,” she added."
    rows = quotes_of(text)
    assert {r["type"] for r in rows} == {"indirect", "direct"}
    assert {r["speaker_name"] for r in rows} == {"Maria Chen"}
    assert len(statements(rows)) == 2


def test_the_span_extension_and_the_rows_agree(spacy_nlp):
    doc = spacy_nlp("“We will rebuild the bridge,” Mayor Ana Lopez said. “It will take two years.”")
    spans = list(doc.spans["quotes"])
    rows = quote_rows(doc)
    assert [s._.statement_id for s in spans] == [r["statement_id"] for r in rows]
    assert len({s._.statement_id for s in spans}) == 1
    again = type(doc)(doc.vocab).from_bytes(doc.to_bytes())  # serialised with the Doc
    assert [s._.statement_id for s in again.spans["quotes"]] == [s._.statement_id for s in spans]


def test_the_seed_keeps_its_quotes_and_groups_only_kosachevs_broken_quote(spacy_nlp):
    """The seed's 11 gold quotes (and its 2 optional ones) with their speakers: Zakharova's
    '“Some liken ...,” Zakharova said. The United States “acts ...”' stays two statements (a new
    sentence with its own subject holds the second piece), 'She said ...' after her mixed quote has
    a cue of its own; Kosachev's '“A list ...,” Kosachev said on Facebook. “And the withdrawal ...”'
    is one statement, and his three partial quotes, each with its own verb, are three."""
    path = GOLD / "seed" / "input" / "000_1eea282a58a9ee57.txt"
    rows = quote_rows(spacy_nlp(body_text(path.read_text(encoding="utf-8"))))
    gold = load_gold(GOLD / "seed" / "gold")["000_1eea282a58a9ee57.txt"]
    assert len(rows) == len(gold["quotes"]) + len(gold["optional_quotes"]) == 13
    for g in gold["quotes"]:
        row = max(rows, key=lambda r: word_f1(words(r["text"]), words(g["text"])))
        assert word_f1(words(row["text"]), words(g["text"])) == 1.0 and row["speaker_name"] == g["speaker"]
    grouped = [s for s in statements(rows) if len(s) > 1]
    assert grouped == [[one(rows, "A list of countries")["text"], one(rows, "global cop")["text"]]]
    assert len(statements(rows)) == 12


# --------------------------------------------------------------------------- gold statements

ARTICLE = (
    "Officials met on Monday.\n\n"
    "“The river is rising,” Tom Baird said on the radio. “The levee will not hold.”\n\n"
    "“We need sandbags.”\n\n"
    "Ana Lopez said the city was ready. “We have pumps,” she added.\n\n"
    "“Nobody told us,” a resident said. The mayor “has done nothing.”"
)


def gold_quote(text: str, speaker: str | None, cue: str | None = None) -> dict:
    return {"text": text, "speaker": speaker, "cue": cue}


def test_gold_pieces_around_a_cue_clause_and_a_continuation_paragraph_merge():
    quotes = [
        gold_quote("The levee will not hold.", "Tom Baird"),  # out of text order: sorted by place
        gold_quote("The river is rising,", "Tom Baird", "say"),
        gold_quote("We need sandbags.", "Tom Baird"),
    ]
    merged = merge_gold_statements(quotes, ARTICLE)
    assert [q["text"] for q in merged] == ["The river is rising, The levee will not hold. We need sandbags."]
    assert merged[0]["cue"] == "say"


def test_gold_quotes_with_a_cue_of_their_own_another_speaker_or_a_subject_between_stay_apart():
    quotes = [
        gold_quote("the city was ready", "Ana Lopez", "say"),
        gold_quote("We have pumps,", "Ana Lopez", "add"),  # a cue of its own
        gold_quote("Nobody told us,", "a resident", "say"),
        gold_quote("has done nothing.", "a resident"),  # "The mayor" opens a new sentence
    ]
    assert [q["text"] for q in merge_gold_statements(quotes, ARTICLE)] == [q["text"] for q in quotes]
    other = [
        gold_quote("The river is rising,", "Tom Baird", "say"),
        gold_quote("The levee will not hold.", "Ana Lopez"),
    ]
    assert len(merge_gold_statements(other, ARTICLE)) == 2
    own_cue = "Ana Lopez said the city was ready. She said the pumps worked."  # the clause is the second's cue
    reported = [
        gold_quote("the city was ready", "Ana Lopez", "say"),
        gold_quote("the pumps worked", "Ana Lopez", "say"),
    ]
    assert len(merge_gold_statements(reported, own_cue)) == 2


def test_gold_quotes_not_found_in_the_text_or_with_no_speaker_or_no_text_stay_as_they_are():
    quotes = [
        gold_quote("The river is rising,", None, "say"),
        gold_quote("The levee will not hold.", None),
        gold_quote("“A,” “B” joined by the annotator", "Tom Baird"),
    ]
    assert merge_gold_statements(quotes, ARTICLE) == quotes
    assert merge_gold_statements(quotes[:2], None) == quotes[:2]


def test_a_gold_continuation_with_a_new_cue_after_a_paragraph_break_stays_apart():
    quotes = [gold_quote("The levee will not hold.", "Tom Baird"), gold_quote("We need sandbags.", "Tom Baird", "say")]
    assert len(merge_gold_statements(quotes, ARTICLE)) == 2


def test_statement_scores_count_one_statement_where_quotes_count_pieces(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    first, second = ARTICLE.index("The river"), ARTICLE.index("The levee")
    rows = [
        {"quote_id": "q1", "statement_id": "q1", "text": "The river is rising,", "start_char": first},
        {"quote_id": "q2", "statement_id": "q1", "text": "The levee will not hold.", "start_char": second},
    ]
    for r in rows:
        r["speaker_name"] = "Tom Baird"
    gold = {
        "a.txt": {
            "quotes": [gold_quote("The river is rising, The levee will not hold.", "Tom Baird", "say")],
            "speaker_mode": "canonical",
        }
    }
    assert [s["text"] for s in predicted_statements(rows)] == ["The river is rising, The levee will not hold."]
    scores = statement_scores({"a.txt": rows}, gold, tmp_path)
    assert (scores["statement_f1"], scores["statement_e2e_f1"], scores["statement_n_pred"]) == (1.0, 1.0, 1)


def test_a_gold_quote_left_open_at_its_paragraphs_end_merges_with_the_next_whatever_its_cue():
    text = "“The research is clear.\n\n“Every month we wait hurts,” Paul Grant said.\n\n“We voted.”"
    quotes = [
        gold_quote("The research is clear.", "Paul Grant"),
        gold_quote("Every month we wait hurts,", "Paul Grant", "say"),
        gold_quote("We voted.", "Paul Grant", "say"),  # closed before the break, a cue of its own
    ]
    merged = merge_gold_statements(quotes, text)
    assert [q["text"] for q in merged] == ["The research is clear. Every month we wait hurts,", "We voted."]


def test_gold_texts_that_keep_their_quotation_marks_merge_by_the_same_rule():
    """PolNeAR's gold writes its direct quotes with their marks ('"A," she said. "B."'): the marks
    at the pieces' edges count as lying between them, so the pieces merge as unmarked ones do, and
    a piece closed by its own mark is not left open."""
    text = (
        'Jo Reyes spoke.\n\n"The plan works," she said. "We tested it."\n\n"Then we voted."\n\n"It failed," Reyes said.'
    )
    quotes = [
        gold_quote('"The plan works,"', "Jo Reyes", "say"),
        gold_quote('"We tested it."', "Jo Reyes"),
        gold_quote('"Then we voted."', "Jo Reyes"),  # a continuation paragraph, no cue
        gold_quote('"It failed,"', "Jo Reyes", "say"),  # closed before: a cue of its own, a new statement
    ]
    merged = merge_gold_statements(quotes, text)
    assert [q["text"] for q in merged] == ['"The plan works," "We tested it." "Then we voted."', '"It failed,"']


@pytest.mark.parametrize("opening, closing", [('"', '"'), ("''", "''"), ("``", "''")])
def test_gold_texts_with_two_character_marks_merge_as_with_one_character_ones(opening, closing):
    """The New York Times' archive text writes double marks as two apostrophes ("''A,'' he said on
    ''This Week.'' ''B.''"): its gold pieces merge by the same rule, the title in the attribution
    clause included, and a piece closed by its own mark is not left open."""
    o, c = opening, closing
    text = (
        f"Jo Reyes spoke.\n\n{o}The plan works,{c} she said on NBC's {o}Meet the Press.{c} {o}We tested it.{c}\n\n"
        f"{o}Then we voted.{c}\n\n{o}It failed,{c} Reyes said."
    )
    quotes = [
        gold_quote(f"{o}The plan works,{c}", "Jo Reyes", "say"),
        gold_quote(f"{o}We tested it.{c}", "Jo Reyes"),
        gold_quote(f"{o}Then we voted.{c}", "Jo Reyes"),
        gold_quote(f"{o}It failed,{c}", "Jo Reyes", "say"),
    ]
    merged = merge_gold_statements(quotes, text)
    assert [q["text"] for q in merged] == [
        f"{o}The plan works,{c} {o}We tested it.{c} {o}Then we voted.{c}",
        f"{o}It failed,{c}",
    ]


def test_gold_pieces_around_a_clause_with_a_title_a_description_or_split_from_one_quote_merge():
    """The gold merge reads an attribution clause whose speaker is a title and surname ("Mr.
    Trump said": the title's full stop ends no sentence), or a description written only in the
    gold's `surface_speaker` or `speaker_surface` ("the businessman replied"); and two pieces our
    gold split from one quote of the shared gold (the same `shared_text`) merge whatever lies
    between them. A full stop that does end a sentence still keeps a clause apart."""
    text = (
        "''It's nonsense,'' Mr. Trump said on NBC's ''Meet the Press.'' ''She lies.''\n\n"
        "“There should be systems,” the businessman replied. “We should have a lot of systems.”\n\n"
        "“We won,” Sen. Ted Cruz said in Iowa after a long night of counting. “It was close.”\n\n"
        "“No,” Ann Lee said. Then she left. “Never.”"
    )
    trump = [
        gold_quote("''It's nonsense,''", "Donald J. Trump", "said"),
        gold_quote("''She lies.''", "Donald J. Trump"),
    ]
    described = [
        dict(gold_quote("“There should be systems,”", "Donald Trump", "replied"), surface_speaker="the businessman"),
        dict(gold_quote("“We should have a lot of systems.”", "Donald Trump"), surface_speaker="the businessman"),
    ]
    shared = "“We won,” “It was close.”"
    split = [
        dict(gold_quote("“We won,”", "Ted Cruz", "said"), shared_text=shared),
        dict(gold_quote("“It was close.”", "Ted Cruz"), shared_text=shared),
    ]
    apart = [gold_quote("“No,”", "Ann Lee", "said"), gold_quote("“Never.”", "Ann Lee")]
    merged = merge_gold_statements(trump + described + split + apart, text)
    assert [q["text"] for q in merged] == [
        "''It's nonsense,'' ''She lies.''",
        "“There should be systems,” “We should have a lot of systems.”",
        "“We won,” “It was close.”",
        "“No,”",
        "“Never.”",
    ]
