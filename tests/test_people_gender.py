"""Gender from evidence (newsflow.tasks.people.gender and tasks.nlp.entities.gender), on sentences
written for the test and the real spaCy model; nomquamgender's real data for first names."""

from __future__ import annotations

import pytest

from newsflow.tasks.people.gender import decide, first_name_genders


def test_article_evidence_decides_and_says_which():
    assert decide(["honorific:female"], None) == ("female", "honorific")
    assert decide(["pronoun:male", "pronoun:male", "role_noun:male"], None) == ("male", "pronoun")
    assert decide(["role_noun:female"], "john") == ("female", "role_noun")  # the article beats the name
    # An honorific weighs twice: one "Mrs" outweighs one mis-resolved "he".
    assert decide(["honorific:female", "pronoun:male"], None) == ("female", "honorific")


def test_disagreeing_articles_fall_back_to_the_name_only_between_their_sides():
    assert decide(["pronoun:male", "pronoun:female"], None) == ("unknown", None)
    assert decide(["pronoun:male", "pronoun:female"], "maria") == ("female", "first_name")


def test_first_names_only_above_the_threshold():
    names = first_name_genders()
    assert names["maria"] == "female" and names["john"] == "male"
    assert "jean" not in names and "kim" not in names  # about as many women as men
    assert decide([], "maria") == ("female", "first_name")
    assert decide([], "jean") == ("unknown", None)
    assert decide([], None) == ("unknown", None)


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
