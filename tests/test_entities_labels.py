"""tasks/nlp/entities/labels.py and evidence.py: labels decided from the document (who is a
person, a place, an organisation)."""

from __future__ import annotations

from .support import by_name, people_of


def test_common_noun_is_not_a_country(seed):
    _, mentions, _ = seed
    assert not any(m["text"] == "china" for m in mentions)


def test_person_mislabelled_as_organisation_is_repaired(rows_of):
    _, entities = rows_of("The plan also drew criticism from Marcus Bell, who coaches the football team.")
    assert by_name(entities)["Marcus Bell"]["label"] == "PERSON"


def test_place_and_organisation_heads_are_no_people(rows_of):
    people = people_of(
        rows_of,
        "Commuters waited at King Station for an hour on Friday. Members of the Tamarack Club met "
        "at Hollow Bay before the Lena Ruiz Show began. Dana Whitfield, a spokesperson, said more trains were coming.",
    )
    assert not people & {"King Station", "Tamarack Club", "Hollow Bay", "Lena Ruiz Show"}
    assert "Dana Whitfield" in people


def test_gazetteer_place_in_a_place_context_is_no_person(rows_of):
    people = people_of(
        rows_of,
        "The storm reached Maple Ridge on Monday. Residents in Maple Ridge lost power, "
        "said Omar Haddad, who runs a bakery there.",
    )
    assert "Maple Ridge" not in people and "Omar Haddad" in people


def test_handles_urls_hashtags_and_plurals_are_never_people(rows_of):
    people = people_of(
        rows_of,
        "Ana Kovac, a volunteer, posted updates as @anakovac. Many Canadians and the Hendersons "
        "shared #FloodRelief posts, Kovac wrote at www.example.com on Sunday.",
    )
    assert "Ana Kovac" in people
    assert not [p for p in people if "@" in p or "#" in p or "www" in p or p in ("Canadians", "Hendersons")]


def test_a_person_the_model_calls_an_organisation_is_repaired_from_the_document(rows_of):
    # the model labels the full names ORG and the surnames PERSON
    assert "Lonnie Okafor" in people_of(rows_of, "The museum director, Lonnie Okafor, said it. Okafor smiled.")
    assert "Neera Tanden" in people_of(rows_of, "Trump called Neera Tanden. Ms. Tanden did not reply.")


def test_a_class_noun_before_or_after_a_name_makes_it_no_person(rows_of):
    people = people_of(
        rows_of,
        "Shares in drinks firm Halvorsen Brands fell on Monday after the film Lucy Fairweather flopped. "
        "Lucy Fairweather had cost twice its budget. The Kestrel virus infected thousands of computers, "
        "said Maya Okonkwo, an analyst.",
    )
    assert not people & {"Halvorsen Brands", "Lucy Fairweather", "Kestrel"}
    assert "Maya Okonkwo" in people


def test_a_name_with_a_word_in_capitals_is_no_person(rows_of):
    people = people_of(rows_of, "A flaw was found in Windows Messenger and QTX Messenger, said Ola Berg.")
    assert not people & {"QTX Messenger", "Windows Messenger"}
    assert "Ola Berg" in people


def test_a_name_in_a_list_of_places_is_a_place(rows_of):
    people = people_of(
        rows_of,
        "The party will campaign in Bristol, Leeds, Norwich, Exeter and Penwarren, its chairman Tom Ashby said.",
    )
    assert "Penwarren" not in people and "Tom Ashby" in people


def test_crown_prince_is_a_title(rows_of):
    mentions, entities = rows_of("Crown Prince Felix visited the school. Prince Felix said he enjoyed it.")
    felix = by_name(entities)["Felix"]
    assert felix["label"] == "PERSON" and felix["n_mentions"] == 2
    assert "Crown Prince Felix" not in by_name(entities)


def test_a_surname_in_capitals_in_a_transcript_stays_a_person(rows_of):
    text = (
        "Partial transcript:\n\n"
        '"HOLLOWAY: Governor Ruiz, will you sign the bill?\n\n'
        '"RUIZ: I will, Chris Holloway, as soon as it reaches my desk."'
    )
    assert "Chris Holloway" in people_of(rows_of, text)


def test_a_name_after_an_honorific_is_a_person_even_when_the_model_calls_it_a_date(rows_of):
    # the model reads "Monday" as a day; "Mr Monday" says it is a surname, and "Tom Monday" his full name
    mentions, entities = rows_of(
        "The show is being turned into a musical by producer Tom Monday. He is working with a writer. "
        "Mr Monday said the idea came from a friend."
    )
    tom = by_name(entities)["Tom Monday"]
    assert tom["label"] == "PERSON" and tom["n_mentions"] == 2
    assert {e["name"] for e in entities if e["label"] == "PERSON"} == {"Tom Monday"}


def test_a_nickname_in_quotes_after_an_honorific_is_no_person(rows_of):
    people = people_of(rows_of, 'The rival called her "Miss Crumpet" on air, said Lena Ford.')
    assert people == {"Lena Ford"}


def test_a_classed_name_that_speaks_is_still_no_person(rows_of):
    # the model calls the first mention an organisation and the next two a person
    people = people_of(
        rows_of,
        "The owners of embattled oil giant Kuzmin are to sue the state. Kuzmin said the tax claim was "
        "unlawful, and Kuzmin had filed for bankruptcy in Texas.",
    )
    assert "Kuzmin" not in people
