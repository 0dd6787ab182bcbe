"""tasks/nlp/entities/cluster.py: mentions grouped into one entity per person, place or
organisation, and content-derived entity ids."""

from __future__ import annotations

from newsflow.tasks.nlp.entities import entity_id

from .support import by_name, people_of


def test_surname_joins_full_name_and_label_is_repaired(seed):
    _, mentions, entities = seed
    zak = by_name(entities)["Maria Zakharova"]
    assert zak["label"] == "PERSON"  # the small model tags "Zakharova" alone as ORG
    assert zak["n_mentions"] == 4
    assert {m["text"] for m in mentions if m["entity_id"] == zak["entity_id"]} == {"Maria Zakharova", "Zakharova"}
    assert by_name(entities)["Konstantin Kosachev"]["n_mentions"] == 2


def test_country_aliases_cluster(seed):
    _, mentions, entities = seed
    us = by_name(entities)["United States"]
    assert us["label"] == "GPE"
    assert {m["text"] for m in mentions if m["entity_id"] == us["entity_id"]} == {"U.S.", "United States", "America"}


def test_entity_ids_are_shared_across_documents(rows_of):
    _, a = rows_of("Maria Zakharova spoke on Tuesday. Zakharova was angry.")
    _, b = rows_of("Zakharova spoke again. Maria Zakharova left Moscow.")
    ida = by_name(a)["Maria Zakharova"]["entity_id"]
    assert ida == by_name(b)["Maria Zakharova"]["entity_id"] == entity_id("PERSON", "Maria Zakharova")


def test_two_people_sharing_a_surname_stay_apart(rows_of):
    text = (
        "Coach Bob Jones has led the Tigers for ten years. Jones said the season was over. "
        "Star forward Tom Jones scored twice on Saturday. Jones was named player of the game."
    )
    mentions, entities = rows_of(text)
    bob, tom = by_name(entities)["Bob Jones"], by_name(entities)["Tom Jones"]
    assert bob["entity_id"] != tom["entity_id"]
    surnames = [m for m in mentions if m["text"] == "Jones"]
    assert [m["entity_id"] for m in surnames] == [bob["entity_id"], tom["entity_id"]]


def test_mr_before_a_surname_skips_a_woman_of_that_name(rows_of):
    mentions, entities = rows_of(
        "On Tuesday, the candidate's daughter Ivanka Trump spoke about the plan. "
        "Mr. Trump later said it would cost nothing."
    )
    ivanka = by_name(entities)["Ivanka Trump"]
    later = [m for m in mentions if m["text"] == "Trump"]
    assert later and later[0]["entity_id"] != ivanka["entity_id"]
    assert later[0]["entity_id"] == by_name(entities)["Trump"]["entity_id"]
    assert by_name(entities)["Trump"]["label"] == "PERSON"


def test_hyphenated_surname_joins_full_name(rows_of):
    mentions, entities = rows_of(
        "Press secretary Karine Jean-Pierre spoke on Monday. “We are reviewing it,” Jean-Pierre said."
    )
    kjp = by_name(entities)["Karine Jean-Pierre"]
    assert kjp["label"] == "PERSON"
    assert kjp["n_mentions"] == 2


def test_nickname_in_quotes_is_one_person(rows_of):
    mentions, entities = rows_of(
        'Rep. Robert "Bobby" Tremblay opened the hearing. Later, Bobby Tremblay thanked the '
        "volunteers, and Tremblay left."
    )
    people = [e for e in entities if e["label"] == "PERSON"]
    assert [p["name"] for p in people] == ['Robert "Bobby" Tremblay']
    assert people[0]["n_mentions"] == 3


def test_compound_surnames_particles_and_suffixes_join_the_full_name(rows_of):
    people = people_of(
        rows_of,
        "Mayor Luis de la Vega met Enrique Soto Mendez and Judge Harold P. Grant Jr. on Monday. "
        "De la Vega said the talks went well. Soto Mendez agreed, and Grant said nothing.",
    )
    assert {"Luis de la Vega", "Enrique Soto Mendez", "Harold P. Grant Jr."} <= people
    assert not people & {"De la Vega", "Soto Mendez", "Grant", "Grant Jr."}


def test_first_names_sharing_a_surname(rows_of):
    people = people_of(rows_of, "Late on Saturday, Sarah and Timothy Rowntree drove home from the coast.")
    assert {"Sarah Rowntree", "Timothy Rowntree"} <= people


def test_two_first_names_joined_by_and_share_no_surname(rows_of):
    people = people_of(rows_of, "Viewers of the Tom and Jill show were upset, said Rita Moss.")
    assert "Tom Jill" not in people and "Rita Moss" in people


def test_a_first_name_alone_joins_the_full_name_whatever_its_label(nlp):
    """'Shannon said' after 'Shannon Miller': the model labels the lone 'Shannon' a work of art
    or an organisation, but the lexicon knows it as a first name; the quote's speaker is the person."""
    text = 'Shannon Miller coaches the team. The club has won twice. "We train hard," Shannon said.'
    model = nlp.make_doc(text)
    for _, component in nlp.pipeline[: nlp.pipe_names.index("ner") + 1]:
        model = component(model)
    assert any(e.text == "Shannon" and e.label_ != "PERSON" for e in model.ents)  # the model's label
    rows = nlp(text)._.table_rows
    ids = {m["text"]: m["entity_id"] for m in rows["mentions"]}
    assert ids["Shannon"] == ids["Shannon Miller"]
    (quote,) = rows["quotes"]
    assert (quote["speaker"], quote["speaker_name"]) == ("Shannon", "Shannon Miller")
