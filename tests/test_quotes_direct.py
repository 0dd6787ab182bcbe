"""tasks/nlp/quotes/direct.py and marks.py: direct quotes and running quotes, on realistic
sentences with the real model."""

from __future__ import annotations

from .support import one

# --------------------------------------------------------------------------- direct quotes


def test_curly_direct_quote_speaker_is_the_cue_subject(quotes_of):
    row = one(quotes_of("“We will not back down,” Senator Elizabeth Warren said on Monday."), "back down")
    assert row["text"] == "We will not back down,"
    assert row["type"] == "direct"
    assert row["speaker_name"] == "Elizabeth Warren"
    assert row["cue"] == "say"
    assert row["method"] == "cue"


def test_straight_quotes_and_inverted_said(quotes_of):
    rows = quotes_of('"The budget is a disaster for working families," said Nancy Pelosi.')
    row = one(rows, "budget")
    assert row["text"] == "The budget is a disaster for working families,"
    assert row["speaker_name"] == "Nancy Pelosi"


def test_quote_introduced_by_colon(quotes_of):
    row = one(quotes_of('Mayor Karen Bass told reporters: "We are not going to let this city burn."'), "burn")
    assert row["speaker_name"] == "Karen Bass"
    assert row["cue"] == "tell"


def test_nested_single_quotes_stay_inside_the_quote(quotes_of):
    text = "“The withdrawal of the ‘global cop’ will help democracy,” Kosachev said."
    row = one(quotes_of(text), "global cop")
    assert row["text"] == "The withdrawal of the ‘global cop’ will help democracy,"


def test_multi_sentence_quote_is_one_quote(quotes_of):
    text = "“We tried. We failed. We will try again next year,” coach Bob Jones said."
    rows = quotes_of(text)
    assert len(rows) == 1
    assert rows[0]["text"] == "We tried. We failed. We will try again next year,"
    assert rows[0]["speaker_name"] == "Bob Jones"
    assert rows[0]["speaker_title"] == "coach"


def test_quote_running_over_two_paragraphs(quotes_of):
    text = (
        "“The plant will close in March and nobody in this town knows what comes next,” said Linda Park, "
        "the union's local president.\n\n"
        "“We have asked for talks three times. Each time the company said no.\n\n"
        "“Now we will take it to the state,” she said."
    )
    rows = quotes_of(text)
    texts = [r["text"] for r in rows]
    assert any(t.startswith("We have asked for talks three times") for t in texts)
    assert all(r["speaker_name"] == "Linda Park" for r in rows), [(r["text"], r["speaker_name"]) for r in rows]
    assert len(rows) == 3


def test_running_quote_named_only_in_its_last_paragraph(quotes_of):
    text = (
        "Mayor John Reed opened the meeting at noon.\n\n"
        "“We cannot keep the pools open all summer. The money is simply not there.\n\n"
        "“I wish it were otherwise,” said Ana Ruiz, the city treasurer."
    )
    rows = quotes_of(text)
    assert len(rows) == 2
    assert [r["speaker_name"] for r in rows] == ["Ana Ruiz", "Ana Ruiz"]
    assert rows[0]["speaker"] is None and rows[1]["speaker"] == "Ana Ruiz"


def test_unbalanced_marks_do_not_swallow_the_text(quotes_of):
    text = "The ministry said “the talks were useful.\n\nSmith said the plan was “dead on arrival.”"
    rows = quotes_of(text)
    assert all(text[r["start_char"] : r["end_char"]] == r["text"] for r in rows)
    assert not any("useful" in r["text"] and "Smith" in r["text"] for r in rows)


def test_running_quote_with_lost_paragraph_breaks_is_one_quote_per_paragraph(quotes_of):
    # scraped pages often join a long quote's paragraphs: each part opens a mark, only the last closes
    text = (
        'Coach Dana Whitfield said: "We trained hard all winter and it showed today. '
        '"The young players surprised me more than anyone. '
        '"Next season we aim for the title."\n\nThe club plays again on Saturday.'
    )
    rows = quotes_of(text)
    assert [r["text"] for r in rows] == [
        "We trained hard all winter and it showed today.",
        "The young players surprised me more than anyone.",
        "Next season we aim for the title.",
    ]
    assert [r["speaker_name"] for r in rows] == ["Dana Whitfield"] * 3
    assert [r["cue"] for r in rows] == ["say", None, None]


def test_lost_paragraph_breaks_named_at_the_end(quotes_of):
    text = (
        'The ferry was late again on Monday. "Nobody tells us anything about the delays. '
        '"We just stand on the pier and wait," said commuter Rob Ellis.'
    )
    rows = quotes_of(text)
    assert [r["speaker_name"] for r in rows] == ["Rob Ellis", "Rob Ellis"]


def test_running_quote_after_its_speakers_quote_keeps_that_speaker(quotes_of):
    # a closing mark left out: the words still belong to the speaker just named, not to the next one
    text = (
        '"Rents will rise again this year," said Ana Ruiz, the housing minister. "Nobody likes it but the '
        'numbers are clear. "We will vote on Friday," added Tom Berg, the opposition leader.'
    )
    rows = quotes_of(text)
    assert one(rows, "Nobody likes it")["speaker_name"] == "Ana Ruiz"
    assert one(rows, "We will vote")["speaker_name"] == "Tom Berg"


def test_names_titles_and_scare_quotes_are_not_quotes(quotes_of):
    text = (
        'The band released the album "Nights We Kept Awake" in May. Fans coined the term "the harbour sound" '
        'for it. The station found four "serious" faults in the old boiler. '
        'The town was known in the 1990s as "a quiet place for artists and fishermen".'
    )
    assert quotes_of(text) == []
    row = one(quotes_of('Mayor Ana Ruiz called the plan "reckless" on Monday.'), "reckless")
    assert row["speaker_name"] == "Ana Ruiz" and row["type"] == "mixed"


def test_a_quote_before_its_cue_keeps_it_when_the_setting_follows(quotes_of):
    """Rule `one-clause-per-cue`: the subject-less clause after the cue is the setting."""
    rows = quotes_of("“We will not give up,” Moran said in an interview with the local radio station aired Monday.")
    assert len(rows) == 1
    assert rows[0]["speaker_name"] == "Moran" and rows[0]["cue"] == "say"


def test_inverted_cue_whose_name_the_parser_took_for_its_object(quotes_of):
    """Rule `inverted-cue-object`: '“...,” tweeted Sen. X'."""
    rows = quotes_of("“The bridge must be rebuilt now,” tweeted Sen. Ana Ruiz (D-Ore.), a former mayor.")
    assert rows[0]["speaker_name"] == "Ana Ruiz" and rows[0]["cue"] == "tweet"
