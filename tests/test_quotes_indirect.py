"""tasks/nlp/quotes/indirect.py and cues.py: indirect and mixed quotes, their reporting verbs and
speech nouns, on realistic sentences with the real model."""

from __future__ import annotations

import pytest

from .support import one

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


def test_clause_opening_with_a_partial_quote_is_one_mixed_quote(quotes_of):
    """Rule `clause-opens-with-a-quote`."""
    rows = quotes_of("The mayor said that “we need more time” before the council votes on the budget.")
    row = one(rows, "more time")
    assert row["type"] == "mixed"
    assert row["text"] == "“we need more time” before the council votes on the budget"
    assert row["speaker_name"] == "mayor" or row["speaker"] == "The mayor"


@pytest.mark.parametrize("opening, closing", [("“", "”"), ('"', '"'), ("''", "''"), ("``", "''")])
def test_two_character_marks_make_the_same_mixed_quotes_as_typographic_ones(quotes_of, opening, closing):
    """Rule `two-character-marks`: newswires that write double marks as two apostrophes (the New
    York Times' archive text) or as `` and '' get the whole reported clause too, not the quoted
    words alone (or, with the cue after the clause, nothing)."""
    words = "is increasing the tax liability at the top,"
    text = (
        f"A priority of the plan {opening}is a fairer tax code,{closing} said Mr. Burman.\n\n"
        f"Her proposals send a clear message that a top priority {opening}{words}{closing} Mr. Kamin said."
    )
    rows = quotes_of(text)
    first, second = one(rows, "fairer tax code"), one(rows, "tax liability")
    assert (first["type"], second["type"]) == ("mixed", "mixed")
    assert first["text"] == f"A priority of the plan {opening}is a fairer tax code,{closing}"
    assert second["text"] == f"Her proposals send a clear message that a top priority {opening}{words}{closing}"
    assert (first["speaker_name"], second["speaker_name"]) == ("Burman", "Kamin")


def test_a_question_asked_of_someone_is_reported_by_its_asker(quotes_of):
    """Rule `asked-if`: the parser hangs "if she would ..." on "asked" as a condition when an
    object comes between them; it is the question asked (as "asked whether" already was)."""
    row = one(quotes_of("The host asked Senator Jane Roe if she would support the nominee."), "support the nominee")
    assert row["text"] == "if she would support the nominee"
    assert (row["speaker"], row["cue"]) == ("The host", "ask")
    row = one(quotes_of("Matt Lauer asked whether she had practiced her speech."), "practiced")
    assert row["text"] == "whether she had practiced her speech"
    assert not quotes_of("The committee will meet again if the council asks for a review.")


def test_a_quote_that_opens_a_clause_before_its_cue_is_one_mixed_quote(quotes_of):
    """Rule `quote-opens-a-clause-before-its-cue`: the clause runs on from the closing mark, so
    the quote is the clause, not the marked words; '“...,” X said' stays a direct quote."""
    text = (
        "The president spoke on Sunday.\n\n“I held and hugged” grieving family members before laying flowers "
        "at a memorial for the victims, he said."
    )
    row = one(quotes_of(text), "held and hugged")
    assert row["type"] == "mixed"
    assert row["text"] == text[text.index("“") : text.index(", he said")]
    assert row["speaker"] == "he"
    row = one(quotes_of("“We are ready,” chairman John Smith said."), "ready")
    assert (row["type"], row["text"]) == ("direct", "We are ready,")


def test_interrogative_subjects_ask_and_report_nothing(quotes_of):
    """Rule `no-wh-speaker` (issue 21): "Who", "Which official" are never speakers."""
    assert not quotes_of("Who said the new bridge would be finished by June?")
    assert not quotes_of("Which official told the council that the depot would close?")
    row = one(quotes_of("The coach, who said the team would win, left early."), "team would win")
    assert row["speaker"] == "who" and row["speaker_name"] == "The coach"


def test_report_frames_other_than_a_clause(quotes_of):
    """Rule `report-frames`: "called for", "called on ... to", "called X a Y", "suggested
    V-ing", "talking about V-ing"; not when the subject cannot speak, nor a topic ("talked
    about taxes")."""
    row = one(quotes_of("Mayor Ana Ruiz called for an inquiry into the flooding."), "inquiry")
    assert row["text"] == "an inquiry into the flooding" and row["speaker_name"] == "Ana Ruiz"
    row = one(quotes_of("Mayor Ana Ruiz called on the governor to release the funds."), "release")
    assert row["text"] == "the governor to release the funds" and row["cue"] == "call"
    row = one(quotes_of("Mayor Ana Ruiz called the budget a disgrace."), "disgrace")
    assert row["text"] == "the budget a disgrace"
    row = one(quotes_of("Mayor Ana Ruiz suggested raising the parking fee."), "parking")
    assert row["text"] == "raising the parking fee"
    row = one(quotes_of("Mayor Ana Ruiz is talking about building a new school."), "school")
    assert row["text"] == "building a new school"
    assert not quotes_of("Mayor Ana Ruiz talked about taxes.")
    assert not quotes_of("The council called the meeting for Tuesday.")


def test_confessed_that(quotes_of):
    row = one(quotes_of("The treasurer, Tom Reed, confessed that he had lost the receipts."), "receipts")
    assert row["speaker_name"] == "Tom Reed" and row["cue"] == "confess"


def test_instructions_report_nothing(quotes_of):
    """Rule `no-report-without-content`."""
    assert not quotes_of("Tell them why the new timetable works.")
    assert one(quotes_of("The mayor told them the new timetable works."), "timetable")


def test_as_reported_by(quotes_of):
    """Rule `as-reported`: the passive "as reported by X" reports the clause it is set in."""
    row = one(quotes_of("As reported by the Daily Courier, the mayor was warned of the risk twice."), "warned")
    assert row["text"] == "the mayor was warned of the risk twice"
    assert row["speaker_name"] == "Daily Courier" or row["speaker"] == "the Daily Courier"


def test_circumstance_after_a_cue_is_not_what_was_said(quotes_of):
    """Rule `circumstance-is-not-content`: in its article the parser hung "after the prosecutor
    read ..." on "said" as its complement; a clause opened by "after", "before", "when",
    "because" ... sets the scene of the cue, it reports nothing. And after a quote the cue
    reports on its left, neither does a clause that begins with such a circumstance."""
    text = (
        "The hacker pleaded guilty on Wednesday in a federal court.\n\n"
        '"They\'re all accurate," he said after federal prosecutor Ryan Dickey read a summary of the facts '
        "to which he admitted.\n\nHe will be sentenced in September."
    )
    rows = quotes_of(text)
    assert [r["text"] for r in rows] == ["They're all accurate,"]
    row = one(quotes_of("The mayor said after the vote that the budget was short."), "budget")
    assert row["text"] == "the budget was short"
    # the clause the parser gave the cue begins with a circumstance clause: "called" is its verb
    text = (
        "The committee met on Thursday.\n\n"
        '"Subpoenas are not optional," panel Chairman Rep. Tom Reed (R-Ohio) said after Smith failed to show up '
        'at the second committee hearing he was formally called to in the past two weeks. "Mr. Smith is a '
        'crucial witness."'
    )
    assert [r["text"] for r in quotes_of(text)] == ["Subpoenas are not optional,", "Mr. Smith is a crucial witness."]


def _as_parsed_in_its_article(spacy_nlp, text: str, parse: list[tuple[int, str]], person: tuple[int, int]):
    """The quote rows of `text` with the model's tokens, tags and lemmas but the dependency parse
    the model gave the sentence inside its article (`parse`: each token's head index and label),
    and one PERSON entity over the tokens [start, end)."""
    from spacy.tokens import Doc, Span

    from newsflow.tasks.nlp.rows import quote_rows

    tagged = spacy_nlp(text)
    assert len(tagged) == len(parse)
    doc = Doc(
        spacy_nlp.vocab,
        words=[t.text for t in tagged],
        spaces=[bool(t.whitespace_) for t in tagged],
        tags=[t.tag_ for t in tagged],
        pos=[t.pos_ for t in tagged],
        lemmas=[t.lemma_ for t in tagged],
        heads=[h for h, _ in parse],
        deps=[d for _, d in parse],
    )
    doc.ents = [Span(doc, *person, label="PERSON")]
    for name in ("newsflow_entities", "newsflow_quotes"):
        doc = spacy_nlp.get_pipe(name)(doc)
    return quote_rows(doc)


def test_a_cue_between_commas_that_opens_a_quote_is_not_parenthetical(spacy_nlp):
    """In its article (PolNeAR train, Politico) the model hung the "if" of "When asked ... if the
    revelations led to the attacks" and that clause's subject on "said". Rule
    `parenthetical-cue-not-before-a-quote`: a cue set off by commas whose right comma opens a
    quotation introduces that quote; it is not inside one clause it reports ('The plan, she said,
    will ...'), so the quote is not the whole sentence. And of the two subjects the parser gave
    "said", the one that follows the "if" opens the flattened clause (`opens_a_clause`): the
    speaker is de Blasio, not "the revelations"."""
    text = (
        "When asked by a host if the revelations led to the attacks, de Blasio said, “I have not heard "
        "that particular concern” from officials."
    )
    parse = [
        (1, "advmod"), (15, "advcl"), (1, "agent"), (4, "det"), (2, "pobj"), (15, "mark"), (7, "det"),
        (15, "nsubj"), (7, "acl"), (8, "prep"), (11, "det"), (9, "pobj"), (15, "punct"), (14, "compound"),
        (15, "nsubj"), (15, "ROOT"), (15, "punct"), (15, "punct"), (21, "nsubj"), (21, "aux"), (21, "neg"),
        (15, "ccomp"), (24, "det"), (24, "amod"), (21, "dobj"), (24, "punct"), (24, "prep"), (26, "pobj"),
        (15, "punct"),
    ]  # fmt: skip
    rows = _as_parsed_in_its_article(spacy_nlp, text, parse, (13, 15))
    row = one(rows, "particular concern")
    assert row["text"] == "“I have not heard that particular concern” from officials"
    assert row["speaker"] == "de Blasio"


def test_a_title_before_a_name_both_taken_for_subjects(spacy_nlp):
    """The model made both "chair" and "Costa" subjects of "said": of a title and the name right
    after it, the name speaks."""
    text = "Board chair Andrea Costa said the decision was final."
    parse = [(1, "compound"), (4, "nsubj"), (3, "compound"), (4, "nsubj"), (4, "ROOT"), (6, "det"), (7, "nsubj"),
             (4, "ccomp"), (7, "acomp"), (4, "punct")]  # fmt: skip
    row = one(_as_parsed_in_its_article(spacy_nlp, text, parse, (2, 4)), "decision")
    assert row["speaker"] == "Andrea Costa"
