"""The quotes package (tasks/nlp/quotes/) as a whole: quote extraction on realistic sentences and
on the gold sets, through the spaCy component and `quote_rows`, with the real model (no mocks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsflow.schemas.tables import QUOTE_TYPES, QUOTES
from newsflow.tasks.nlp.evaluate import body_text, load_gold, not_quote_hits, score, word_f1, words
from newsflow.tasks.nlp.rows import quote_rows

from .support import one

GOLD = Path(__file__).parent / "gold"


def predict_gold_set(spacy_nlp, folder: Path) -> dict[str, list[dict]]:
    paths = sorted((folder / "input").glob("*.txt"))
    texts = [body_text(p.read_text(encoding="utf-8")) for p in paths]
    return {p.name: quote_rows(doc) for p, doc in zip(paths, spacy_nlp.pipe(texts), strict=True)}


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


# --------------------------------------------------------------------------- indirect and mixed


def test_indirect_said_that(quotes_of):
    row = one(quotes_of("Police Chief Maria Ortiz said that the suspect had been arrested on Friday."), "suspect")
    assert row["text"] == "the suspect had been arrested on Friday"
    assert row["type"] == "indirect"
    assert row["speaker_name"] == "Maria Ortiz"


def test_indirect_saying_takes_the_clause_subject(quotes_of):
    text = "Russia is dismissing the demand, saying that their presence in the country is fully legitimate."
    row = one(quotes_of(text), "presence")
    assert row["text"] == "their presence in the country is fully legitimate"
    assert row["speaker_name"] == "Russia"
    assert row["cue"] == "say"


def test_told_reporters_and_other_speech_verbs(quotes_of):
    rows = quotes_of(
        "Governor Tom Wolf told reporters the budget would pass by June. "
        "Economists warned that the deficit could double."
    )
    assert one(rows, "budget would pass")["speaker_name"] == "Tom Wolf"
    assert one(rows, "deficit")["speaker"] == "Economists"
    assert one(rows, "deficit")["cue"] == "warn"


def test_according_to(quotes_of):
    row = one(quotes_of("According to the Pentagon, the strike killed three militants."), "militants")
    assert row["speaker_name"] == "Pentagon"
    assert row["method"] == "according_to"


def test_negated_reporting_verb_is_not_a_quote(quotes_of):
    rows = quotes_of("Zakharova did not say how many Russian military experts had gone to Venezuela.")
    assert not any("experts" in r["text"] for r in rows)


def test_directive_verbs_report_the_infinitive(quotes_of):
    rows = quotes_of("The health agency warned parents not to leave children alone near pools.")
    row = one(rows, "leave children")
    assert row["text"] == "not to leave children alone near pools"
    assert row["speaker_name"] == "The health agency" and row["cue"] == "warn"
    row = one(quotes_of("Union leader Pat Moran urged members to reject the pay offer."), "reject")
    assert row["text"] == "to reject the pay offer" and row["speaker_name"] == "Pat Moran"
    assert not quotes_of("The company hired engineers to build a new plant.")
    rows = quotes_of("The report came out a day after the union warned the council not to sell the depot.")
    assert [r["text"] for r in rows] == ["not to sell the depot"]


def test_speech_nouns_report_their_that_clause(quotes_of):
    row = one(quotes_of("Council leader Ana Ruiz issued a warning on Friday that the library would close."), "library")
    assert row["text"] == "the library would close"
    assert row["speaker_name"] == "Ana Ruiz" and row["type"] == "indirect"
    rows = quotes_of("The board met in March. Tom Berg's admission that the accounts were wrong shocked investors.")
    assert one(rows, "accounts were wrong")["speaker_name"] == "Tom Berg"
    row = one(quotes_of("Farmers dismissed comments by Pat Moran that the harvest had been poor."), "harvest")
    assert row["speaker_name"] == "Pat Moran"


def test_a_speech_noun_that_is_not_the_subjects_own_is_no_quote(quotes_of):
    rows = quotes_of("Officials rejected the claim that the water was unsafe. The claim that prices fell is old.")
    assert not any("water was unsafe" in r["text"] or "prices fell" in r["text"] for r in rows), rows


def test_a_clause_interrupted_by_its_cue_is_one_quote(quotes_of):
    row = one(quotes_of("The new bridge, says the transport agency, will open in the spring."), "bridge")
    assert row["text"] == "The new bridge, says the transport agency, will open in the spring"
    assert row["speaker_name"] == "the transport agency" and row["cue"] == "say"
    row = one(quotes_of("Ticket prices, coach Dana Whitfield said on Monday, would stay the same."), "Ticket")
    assert row["speaker_name"] == "Dana Whitfield"
    rows = quotes_of('"The bridge," she said, "will open in the spring."')
    assert [r["type"] for r in rows] == ["direct", "direct"]


def test_a_refused_reporting_verb_reports_nothing(quotes_of):
    rows = quotes_of("The mayor refused to say whether the pool would reopen. Tom Berg declined to comment.")
    assert not any("pool would reopen" in r["text"] for r in rows), rows


def test_said_in_a_report_that_with_a_long_clause_subject(quotes_of):
    text = (
        "The Harbour Trust said in a report that city ferries and buses for commuters in the northern "
        "districts are among the oldest in the country."
    )
    row = one(quotes_of(text), "ferries")
    assert row["text"].startswith("city ferries") and row["text"].endswith("oldest in the country")
    assert row["speaker_name"] == "Harbour Trust"


def test_mixed_quote_inside_reported_clause(quotes_of):
    text = "Maria Zakharova said the deployment was “in strict accordance” with the constitution."
    row = one(quotes_of(text), "strict accordance")
    assert row["type"] == "mixed"
    assert row["text"] == "the deployment was “in strict accordance” with the constitution"
    assert row["speaker_name"] == "Maria Zakharova"


def test_partial_quotes_after_non_speech_cues(quotes_of):
    text = (
        "Konstantin Kosachev defended the cooperation as “fully legitimate.”\n\n"
        "He rejected the demands as “totally unacceptable” and invited the U.S. to “set a good example.”"
    )
    rows = quotes_of(text)
    assert one(rows, "fully legitimate")["cue"] == "defend"
    assert one(rows, "totally unacceptable")["cue"] == "reject"
    assert one(rows, "set a good example")["cue"] == "invite"
    assert {r["speaker_name"] for r in rows} == {"Konstantin Kosachev"}
    assert one(rows, "totally unacceptable")["speaker"] == "He"


def test_passive_agent_is_the_speaker(quotes_of):
    text = "The proposal was described by Senator Mitch McConnell as “a gift to the trial lawyers.”"
    row = one(quotes_of(text), "trial lawyers")
    assert row["speaker_name"] == "Mitch McConnell"
    assert row["method"] == "passive"


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n\n", "“", "”", '"' * 300, "“ ” " * 200, "He said “" + "x " * 5000, "‘’'" * 100, "word " * 20000],
)
def test_never_raises_and_always_slices_back(quotes_of, text):
    for row in quotes_of(text):
        assert text[row["start_char"] : row["end_char"]] == row["text"]


# --------------------------------------------------------------------------- gold


def test_seed_gold(spacy_nlp):
    predicted = predict_gold_set(spacy_nlp, GOLD / "seed")
    result = score(predicted, GOLD / "seed" / "gold")
    assert result["e2e_f1"] >= 0.9, result["misses"]
    assert not not_quote_hits(predicted, load_gold(GOLD / "seed" / "gold"))


def test_seed_cues_types_and_titles(spacy_nlp):
    predicted = predict_gold_set(spacy_nlp, GOLD / "seed")["000_1eea282a58a9ee57.txt"]
    gold = load_gold(GOLD / "seed" / "gold")["000_1eea282a58a9ee57.txt"]["quotes"]
    for g in gold:
        row = max(predicted, key=lambda q: word_f1(words(q["text"]), words(g["text"])))
        assert row["cue"] == g["cue"], (g["text"], row["cue"])
        assert row["speaker"] == g["speaker_surface"], (g["text"], row["speaker"])
        assert row["speaker_name"] == g["speaker"]
    assert one(predicted, "strict accordance")["speaker_title"] == "Russian Foreign Ministry spokeswoman"


def test_extra_gold(spacy_nlp):
    predicted = predict_gold_set(spacy_nlp, GOLD / "extra")
    result = score(predicted, GOLD / "extra" / "gold")
    assert result["quote_f1"] >= 0.85, result["misses"]
    assert result["e2e_f1"] >= 0.8, result["misses"]
    assert not not_quote_hits(predicted, load_gold(GOLD / "extra" / "gold"))
