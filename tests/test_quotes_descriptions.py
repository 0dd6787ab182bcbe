"""Tests of tasks/nlp/quotes/speakers.py with the nominal speakers of phrases.py: speakers written
as descriptions, titles and pronouns, linked to a person or organisation only on evidence in the
text (issue 10); the real spaCy model, no mocks. Speaker attribution in general:
test_quotes_speakers.py."""

from __future__ import annotations

from newsflow.tasks.nlp.rows import quote_rows

from .support import one

# ------------------------------------------------------------ nominal speakers, linked on evidence


def test_a_generic_nominal_speaker_links_only_on_evidence(quotes_of):
    rows = quotes_of(
        "Brightwell Foods and Harlow Mills opened plants in Ohio last year. Prices fell in May. "
        "The company said demand was weak."
    )
    q = one(rows, "demand was weak")
    assert q["speaker_name"] == "The company" and q["speaker_entity_id"] is None
    rows = quotes_of(
        "Brightwell Foods, a food company based in Ohio, opened a plant last year beside Harlow Mills. "
        "The company said demand was weak."
    )
    assert one(rows, "demand was weak")["speaker_name"] == "Brightwell Foods"


def test_a_nominal_person_links_through_a_predicate_or_apposition(quotes_of):
    rows = quotes_of(
        "Ana Ruiz is the minister for housing. Tom Berg, a developer, disagreed with her plans. "
        "The minister said the rules would stay."
    )
    q = one(rows, "the rules would stay")
    assert q["speaker_name"] == "Ana Ruiz"
    rows = quotes_of("Tom Berg met reporters on Monday. The minister said the rules would stay.")
    q = one(rows, "the rules would stay")
    assert q["speaker_entity_id"] is None and q["speaker_name"] != "Tom Berg"


def test_a_possessed_statement_quotes_its_owner(quotes_of):
    q = one(quotes_of("Maria Lopez's statement said the deal was unfair."), "the deal was unfair")
    assert q["speaker_name"] == "Maria Lopez" and q["speaker_entity_id"] is not None


# ------------------------------------------------------------ descriptions, titles, pronouns (issue 10)


def test_a_description_refers_back_to_the_person_just_named(quotes_of):
    text = (
        "Film star Tom Baxter held a dinner in Boston on Friday to raise money for the old theatre.\n\n"
        "The Leeds-born actor said that the building was in a very poor state."
    )
    row = one(quotes_of(text), "poor state")
    assert row["speaker"] == "The Leeds-born actor"
    assert row["speaker_name"] == "Tom Baxter"
    assert row["speaker_entity_id"] is not None


def test_a_description_makes_no_guess_between_two_people(quotes_of):
    text = (
        "The award was shared by Ann Lee and Rosa Diaz at a ceremony in Madrid.\n\n"
        "The winner said that the prize had come as a complete surprise."
    )
    row = one(quotes_of(text), "complete surprise")
    assert row["speaker_entity_id"] is None
    assert row["speaker_name"] == "The winner"


def test_an_apposition_the_parse_hangs_on_a_place(quotes_of):
    text = "“We are deeply outraged at the ban,” the play's organiser in Kenya, Grace Otieno, told the BBC."
    row = one(quotes_of(text), "outraged")
    assert row["speaker_name"] == "Grace Otieno"


def test_a_title_in_apposition_and_the_pronoun_after_it(quotes_of):
    text = (
        "A great deal of evidence shows the plan will work, according to the Archbishop of Wales, John Davies. "
        "“It will help families,” he said."
    )
    rows = quotes_of(text)
    assert one(rows, "evidence shows")["speaker_name"] == "John Davies"
    assert one(rows, "help families")["speaker_name"] == "John Davies"


def test_a_co_title_links_to_the_person_written_with_it(quotes_of):
    text = (
        "Labour co-chairman Peter Gray spoke in Leeds on Monday.\n\n"
        "The Labour co-chairman said that the party would win the next election."
    )
    assert one(quotes_of(text), "next election")["speaker_name"] == "Peter Gray"


def test_the_same_pronoun_already_resolved_carries_on(quotes_of):
    text = (
        "Tom Baxter said that there was one man he would love to play on screen, the boxer Joe Frazier. "
        "He said that the fighter was a true hero of his childhood."
    )
    assert one(quotes_of(text), "true hero")["speaker_name"] == "Tom Baxter"


def test_a_lede_description_is_the_person_named_next(quotes_of):
    text = (
        "Plans to cut bus fares across the region should be dropped, the transport secretary has said.\n\n"
        "Karen Moss said that the cost of the scheme was far too high for the council."
    )
    row = one(quotes_of(text), "bus fares")
    assert row["speaker_name"] == "Karen Moss"


def test_the_company_is_the_organisation_the_article_is_about(quotes_of):
    text = (
        "Acme Corp reported higher profits on Tuesday, helped by its online shop. Acme Corp also owns "
        "a chain of garden centres. Shares in its rival Bolt Industries fell 2%.\n\n"
        "The company said that it would hire 200 more staff next year."
    )
    assert one(quotes_of(text), "200 more staff")["speaker_name"] == "Acme Corp"


def test_a_possessive_pronoun_owns_the_message(quotes_of):
    text = (
        "Business leader Digby Smith urged the chancellor to cut taxes before the election. "
        "His message said: “Please do not give the money away.”"
    )
    assert one(quotes_of(text), "give the money away")["speaker_name"] == "Digby Smith"


def _parsed(spacy_nlp, ents: list[str]):
    """A parse as the model gives it for "Jon Thoday produced the show. Mr Thoday said the idea was
    old.", with the entity labels `ents` (IOB, per token): the name taken for a date is a case
    the model really produces."""
    from spacy.tokens import Doc

    words = ["Jon", "Thoday", "produced", "the", "show", ".", "Mr", "Thoday", "said", "the", "idea", "was", "old", "."]
    tags = ["NNP", "NNP", "VBD", "DT", "NN", ".", "NNP", "NNP", "VBD", "DT", "NN", "VBD", "JJ", "."]
    pos = [
        "PROPN",
        "PROPN",
        "VERB",
        "DET",
        "NOUN",
        "PUNCT",
        "PROPN",
        "PROPN",
        "VERB",
        "DET",
        "NOUN",
        "AUX",
        "ADJ",
        "PUNCT",
    ]
    lemmas = ["Jon", "Thoday", "produce", "the", "show", ".", "Mr", "Thoday", "say", "the", "idea", "be", "old", "."]
    heads = [1, 2, 2, 4, 2, 2, 7, 8, 8, 10, 11, 8, 11, 8]
    deps = [
        "compound",
        "nsubj",
        "ROOT",
        "det",
        "dobj",
        "punct",
        "compound",
        "nsubj",
        "ROOT",
        "det",
        "nsubj",
        "ccomp",
        "acomp",
        "punct",
    ]
    doc = Doc(spacy_nlp.vocab, words=words, tags=tags, pos=pos, lemmas=lemmas, heads=heads, deps=deps, ents=ents)
    for name in ("newsflow_entities", "newsflow_quotes"):
        doc = spacy_nlp.get_pipe(name)(doc)
    return quote_rows(doc)


def test_a_surname_the_model_took_for_a_date_links_to_the_person(spacy_nlp):
    rows = _parsed(spacy_nlp, ["B-PERSON", "I-PERSON"] + ["O"] * 5 + ["B-DATE"] + ["O"] * 6)
    row = one(rows, "the idea was old")
    assert row["speaker_name"] == "Jon Thoday"
    assert row["speaker_entity_id"] is not None


def test_a_name_after_an_honorific_is_a_speaker_even_as_a_date(spacy_nlp):
    # the entities component makes "Mr Thoday" a person (and finds his full name); he speaks
    rows = _parsed(spacy_nlp, ["O", "B-DATE"] + ["O"] * 5 + ["B-DATE"] + ["O"] * 6)
    row = one(rows, "the idea was old")
    assert row["speaker_name"] == "Jon Thoday"
    assert row["speaker_entity_id"] is not None


def test_wh_words_are_never_speakers(quotes_of):
    """Rule `no-wh-speaker` (issue 21): interrogative and demonstrative pronouns name nobody."""
    rows = quotes_of("“The bridge will open in June,” said who? Nobody knows. “It is late,” said what?")
    assert all(r["speaker"] not in ("who", "what", "Who", "What") for r in rows)
    assert all(r["speaker"] != "That" for r in quotes_of("That said, the bridge will open in June."))
    rows = quotes_of("The bridge will open in June. Whom did the engineers tell that the work was late?")
    assert all((r["speaker"] or "").lower() not in ("whom", "who", "which", "what", "that") for r in rows)


def test_an_office_with_descriptive_words_is_the_person_just_written(quotes_of):
    """Rule `salient-description`: "the veteran Oregon senator" is the person the sentence before
    is about; a bare "the senator" with no holder written stays a description."""
    text = (
        "Ana Ruiz toured the flooded valley on Tuesday.\n"
        "Later, the veteran Oregon senator said that the levees had to be rebuilt."
    )
    assert one(quotes_of(text), "levees")["speaker_name"] == "Ana Ruiz"
    text = "Ana Ruiz toured the flooded valley on Tuesday.\nLater, the senator said that the levees had to be rebuilt."
    assert one(quotes_of(text), "levees")["speaker_name"] == "the senator"


def test_a_main_clause_pronoun_after_a_fronted_phrase_skips_the_name_inside_it(quotes_of):
    """Rule `pronoun-after-fronted-adjunct`."""
    text = (
        "Finance minister Tom Reed arrived in Oslo on Thursday.\n"
        "At a dinner hosted by the banker Erik Lund on Friday, he said that rates would stay low."
    )
    assert one(quotes_of(text), "rates")["speaker_name"] == "Tom Reed"


def test_a_pronoun_takes_the_description_the_text_ties_to_a_person(quotes_of):
    """Rule `pronoun-to-description`: "the minister" (of "Minister Ana Ruiz") before "she"."""
    text = (
        "Union leader Maria Lund met Health Minister Ana Ruiz on Monday.\n"
        "The minister toured two hospitals on Tuesday. She said that the wards would reopen."
    )
    assert one(quotes_of(text), "wards")["speaker_name"] == "Ana Ruiz"


def test_those_described_speak(quotes_of):
    """Rule `those-described`: "those surveyed said" is a speaker, not a bare demonstrative."""
    row = one(quotes_of("Again, those surveyed said the bridge should be rebuilt first."), "bridge")
    assert row["speaker"] == "those surveyed"


def test_a_partisan_description_is_the_person_just_written(quotes_of):
    """Rule `partisan-description`: "the Republican said" after a sentence about a person."""
    text = "Tom Reed toured the flooded valley on Tuesday. “We will rebuild,” the Republican said."
    assert one(quotes_of(text), "rebuild")["speaker_name"] == "Tom Reed"


def test_a_news_outlet_is_the_organisation_just_written(quotes_of):
    text = "The Daily Courier reported the story on Monday. The levee failed twice, according to the news outlet."
    row = one(quotes_of(text), "levee")
    assert row["speaker_name"] != "the news outlet"


def test_a_statement_speaks_for_whoever_issued_it(quotes_of):
    """Rule `statement-issuer`: "X issued a statement saying" quotes X, not "a statement"."""
    text = "Minutes later, the council issued a statement saying that the depot would stay open."
    row = one(quotes_of(text), "depot")
    assert row["speaker"] == "the council"


def test_a_name_the_parser_gave_to_a_relative_clause_still_speaks(quotes_of):
    """Rule `subject-swallowed-by-a-clause`."""
    text = "Ruiz, meanwhile, who sits on the budget panel, said that the depot would close in May."
    assert one(quotes_of(text), "depot")["speaker_name"] == "Ruiz"


def test_a_share_of_a_poll_speaks(quotes_of):
    """Rule `poll-share-speaks`: "60 percent of voters said", "Two in three said"."""
    assert one(quotes_of("Sixty percent of voters said the bridge should be rebuilt."), "bridge")["speaker"] == (
        "Sixty percent of voters"
    )
    assert one(quotes_of("Two in three said they would vote again."), "vote")["speaker"] == "Two in three"


def test_a_bare_office_takes_the_person_an_earlier_description_with_its_word_was_tied_to(quotes_of):
    """Rule `description-chain`: "the senator" after "the independent Colorado senator", which the
    text tied to Maria Lopez, is Maria Lopez; with no such description before, it stays as written."""
    text = (
        "Maria Lopez spoke to voters in Denver on Tuesday.\n\n"
        '"We will win this state," the independent Colorado senator said.\n\n'
        "Reporters asked about the polls, which showed a close race.\n\n"
        '"That would be me, yes," the senator said.'
    )
    rows = quotes_of(text)
    assert one(rows, "We will win this state")["speaker_name"] == "Maria Lopez"
    late = one(rows, "That would be me")
    assert late["speaker_name"] == "Maria Lopez" and late["speaker_entity_id"] is not None
    rows = quotes_of(
        "Maria Lopez spoke to voters in Denver on Tuesday.\n\n"
        "Reporters asked about the polls, which showed a close race.\n\n"
        '"That would be me, yes," the senator said.'
    )
    assert one(rows, "That would be me")["speaker_entity_id"] is None
