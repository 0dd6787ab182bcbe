"""Gender from evidence (newsflow.tasks.people.gender and tasks.nlp.entities.gender), on sentences
written for the test and the real spaCy model; nomquamgender's real data for first names."""

from __future__ import annotations

import pytest

from newsflow.tasks.people.gender import decide, first_name_genders, name_gender


def test_article_evidence_decides_and_says_which():
    assert decide(["honorific:female"], None) == ("female", "honorific")
    assert decide(["pronoun:male", "pronoun:male", "role_noun:male"], None) == ("male", "pronoun")
    assert decide(["role_noun:female"], "john") == ("female", "role_noun")  # the article beats the name
    # An honorific weighs twice: one "Mrs" outweighs one mis-resolved "he".
    assert decide(["honorific:female", "pronoun:male"], None) == ("female", "honorific")


def test_disagreeing_articles_fall_back_to_the_name_only_between_their_sides():
    assert decide(["pronoun:male", "pronoun:female"], None) == ("unknown", None)
    assert decide(["pronoun:male", "pronoun:female"], "maria") == ("female", "first_name")


def test_first_names_only_when_their_records_make_one_gender_likely():
    names = first_name_genders()
    assert names["maria"] == "female" and names["john"] == "male"
    assert "jean" not in names and "kim" not in names  # about as many women as men
    assert decide([], "maria") == ("female", "first_name")
    assert decide([], "jean") == ("unknown", None)
    assert decide([], None) == ("unknown", None)


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("mary", "female"),  # common, 98% women
        ("david", "male"),
        ("shannon", "female"),  # 82% women over 419,375 records: the share is certain enough
        ("tracy", "female"),
        ("ngozi", "female"),  # rare (701 records) but 94% women
        ("leslie", None),  # ambiguous: 58% women
        ("jean", None),
        ("josé", "male"),  # accents folded: the data writes "jose"
        ("zoë", "female"),
        ("anne-sophie", "female"),  # not in the data: its first part
        ("mary ann", "female"),
        ("jean-pierre", "male"),  # in the data as it is
        ("qwzx", None),
        (None, None),
    ],
)
def test_the_calibrated_name_statistic(name, gender):
    assert name_gender(name) == gender


def test_few_records_are_not_enough():
    """A name all of whose bearers are women decides only when enough records stand behind it:
    the 5% quantile of Beta(1 + n, 1) passes 0.8 from n = 13."""
    from scipy.special import betaincinv

    from newsflow.tasks.people.gender import CREDIBILITY, MIN_SHARE

    passes = [n for n in range(1, 40) if betaincinv(n + 1, 1, 1 - CREDIBILITY) >= MIN_SHARE]
    assert passes[0] == 13
    few = [n for n, (count, share) in _records().items() if count == 5 and share == 1.0 and n.isalpha()]
    many = [n for n, (count, share) in _records().items() if count >= 40 and share == 1.0 and n.isalpha()]
    assert few and many
    assert name_gender(few[0]) is None and name_gender(many[0]) == "female"


def _records():
    from newsflow.tasks.people.name_data import name_records

    return name_records()


def test_inference_off_is_unknown_for_everyone():
    assert decide(["honorific:female"], "maria", infer=False) == ("unknown", None)


@pytest.mark.parametrize(
    ("text", "name", "cue"),
    [
        ("Mrs Okafor said the plan would work.", "Okafor", "honorific:female"),
        ("Mr. Vale denied it.", "Vale", "honorific:male"),
        ("Spokeswoman Ann Vale said the talks had stalled.", "Ann Vale", "role_noun:female"),
        ("Tom Reyes, the chairman of the club, resigned on Monday.", "Tom Reyes", "role_noun:male"),
        ('"We will appeal," she said, according to Nadia Okafor\'s lawyer.', None, None),
    ],
)
def test_cues_next_to_a_name(nlp, text, name, cue):
    entities = {e["name"]: e["gender_cues"] for e in nlp(text)._.table_rows["entities"] if e["label"] == "PERSON"}
    if name is None:
        assert all("role_noun" not in c and "honorific" not in c for cues in entities.values() for c in cues)
    else:
        assert cue in entities[name]


def test_the_wife_of_says_nothing_of_the_husband(nlp):
    entities = nlp("The wife of Tom Reyes, Ann Reyes, said he was innocent.")._.table_rows["entities"]
    cues = {e["name"]: e["gender_cues"] for e in entities if e["label"] == "PERSON"}
    assert not any(c.endswith(":female") for c in cues.get("Tom Reyes", []))


def test_a_pronoun_speaker_is_evidence(nlp):
    rows = nlp('Nadia Okafor runs the shelter. "We are full every night," she said.')._.table_rows
    cues = {e["name"]: e["gender_cues"] for e in rows["entities"] if e["label"] == "PERSON"}
    assert "pronoun:female" in cues["Nadia Okafor"]
    assert all(not e["gender_cues"] for e in rows["entities"] if e["label"] != "PERSON")


def _cues(nlp, text: str) -> dict[str, list[str]]:
    rows = nlp(text)._.table_rows
    return {e["name"]: e["gender_cues"] for e in rows["entities"] if e["label"] == "PERSON"}


@pytest.mark.parametrize(
    ("text", "name", "cue"),
    [
        ("Dana Kowalski runs the clinic. Her waiting list has doubled.", "Dana Kowalski", "coreference:female"),
        ("Priya Nair described herself as an optimist.", "Priya Nair", "coreference:female"),
        ("Tom Reyes left early because his train was late.", "Tom Reyes", "coreference:male"),
    ],
)
def test_a_pronoun_the_text_ties_to_the_person(nlp, text, name, cue):
    assert cue in _cues(nlp, text)[name]


def test_a_pronoun_goes_to_no_one_when_another_person_could_be_meant(nlp):
    # "her" after Ann Vale, with Tom Reyes named in between: neither gets it
    cues = _cues(nlp, "Ann Vale met Tom Reyes on Monday. Her plan was rejected.")
    assert not any(c.startswith("coreference") for c in cues["Tom Reyes"] + cues["Ann Vale"])
    # another woman in between: "her" is not Ann Vale's, nor Sara Lind's (named after Ann Vale)
    cues = _cues(nlp, "Ann Vale praised Sara Lind. Her speech was short.")
    assert not any(c.startswith("coreference") for c in cues["Ann Vale"] + cues["Sara Lind"])
    # a gendered noun in between: "he" is the husband's
    cues = _cues(nlp, "Dana Kowalski said her husband thought he had been cheated.")
    assert cues["Dana Kowalski"].count("coreference:female") == 1
    assert "coreference:male" not in cues["Dana Kowalski"]
    # a possessor is not the antecedent, and a pronoun inside a quotation is someone else's
    assert not _cues(nlp, "Priya Nair's lawyer said he would appeal.")["Priya Nair"]
    assert "coreference:male" not in _cues(nlp, 'Priya Nair said: "He is wrong."')["Priya Nair"]


def test_the_pronoun_evidence_is_weaker_than_the_rest():
    assert decide(["coreference:female", "coreference:female"], "jean") == ("female", "coreference")
    assert decide(["coreference:male", "honorific:female"], None) == ("female", "honorific")
    assert decide(["coreference:male", "pronoun:female"], None) == ("female", "pronoun")  # half a pronoun speaker
    assert decide(["pronoun:female"] + ["coreference:male"] * 4, None) == ("male", "coreference")
    # alone, against the first name: one stray "he" does not outweigh "Veronica"; four do
    assert decide(["coreference:male"], "veronica") == ("female", "first_name")
    assert decide(["coreference:male"] * 3, "veronica") == ("unknown", None)
    assert decide(["coreference:male"] * 4, "veronica") == ("male", "coreference")
