"""People across documents (newsflow.tasks.people.identity): the rules of the package docstring,
each on names written for the test, over real name parsing and the packaged word lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsflow.tasks.nlp.lexicon import load_lexicon
from newsflow.tasks.people.identity import DocContext, PersonEntity, cluster_people
from newsflow.tasks.people.names import compatible, parse

LEX = load_lexicon()


def people(*entities: tuple, context: dict | None = None) -> list[set[tuple[str, str]]]:
    """The groups of (doc_id, name) the rules make of `entities` ((doc_id, name[, cues]) each)."""
    rows = [PersonEntity(e[0], f"e{i}", e[1], tuple(e[2]) if len(e) > 2 else ()) for i, e in enumerate(entities)]
    return sorted(
        ({(e.doc_id, e.name) for e in p.entities} for p in cluster_people(rows, context or {}, LEX)),
        key=lambda g: sorted(g),
    )


def together(groups: list[set], *members: tuple[str, str]) -> bool:
    return any(set(members) <= g for g in groups)


def test_parse_folds_spelling_and_sets_parts_apart():
    assert parse("Donald J. Trump", LEX).signature == parse("DONALD John Trump", LEX).signature
    assert parse("José Núñez", LEX).signature == parse("Jose Nunez", LEX).signature
    roberts = parse("John G. Roberts Jr.", LEX)
    assert (roberts.first, roberts.middles, roberts.surname, roberts.suffix) == ("john", ("g",), "roberts", "jr")
    assert parse("Bill de Blasio", LEX).surname == "de blasio"
    assert parse("Al Gore", LEX).base == ("al", "gore")  # "al" is a particle only inside a name
    assert parse('Robert C. "Bobby" Scott', LEX).nickname == "bobby"
    assert parse("Obama", LEX).first is None
    assert not compatible(parse("George W. Bush", LEX), parse("George H. W. Bush", LEX))
    assert compatible(parse("George Bush", LEX), parse("George H. W. Bush", LEX))


def test_variants_of_one_name_are_one_person():
    groups = people(
        ("d1", "Donald Trump"), ("d2", "Donald J. Trump"), ("d3", "Donald John Trump"), ("d4", "DONALD TRUMP")
    )
    assert len(groups) == 1
    assert len(people(("d1", "Ana María Peña"), ("d2", "Ana Maria Pena"))) == 1
    assert len(people(("d1", "John G. Roberts Jr."), ("d2", "John Roberts"))) == 1


def test_two_people_of_one_surname_are_never_merged():
    groups = people(("d1", "Bill Clinton"), ("d2", "Hillary Clinton"), ("d3", "Bill Clinton"))
    assert len(groups) == 2
    assert together(groups, ("d1", "Bill Clinton"), ("d3", "Bill Clinton"))


def test_a_document_naming_two_forms_apart_keeps_them_apart():
    groups = people(
        ("d1", "Donald Trump"), ("d1", "Donald Trump Jr."), ("d2", "Donald Trump Jr."), ("d3", "Donald J. Trump")
    )
    assert not together(groups, ("d1", "Donald Trump"), ("d1", "Donald Trump Jr."))
    assert together(groups, ("d1", "Donald Trump Jr."), ("d2", "Donald Trump Jr."))
    assert together(groups, ("d1", "Donald Trump"), ("d3", "Donald J. Trump"))  # the suffix-less person


def test_middle_initials_that_differ_are_two_people_and_the_bare_name_joins_the_more_named():
    groups = people(
        ("d1", "George W. Bush"), ("d2", "George H. W. Bush"), ("d3", "George Bush"), ("d4", "George W. Bush")
    )
    assert len(groups) == 2
    assert together(groups, ("d1", "George W. Bush"), ("d3", "George Bush"))


def test_a_nickname_paired_in_an_article_and_a_hypocorism_join_the_full_name():
    assert len(people(("d1", 'Robert C. "Bobby" Scott'), ("d2", "Bobby Scott"))) == 1
    assert len(people(("d1", "Joseph R. Biden Jr."), ("d2", "Joe Biden"))) == 1
    # A short name that could be two people's stays apart from both.
    assert len(people(("d1", "Stephen Vale"), ("d2", "Steven Vale"), ("d3", "Steve Vale"))) == 3
    # Not on a pairing the dataset gives but that sets the names apart: two first names, two
    # genders, each other's nickname.
    for a, b in (("John Miller", "Jonathan Miller"), ("Andy Roe", "Andrea Roe"), ("Ian Hart", "John Hart")):
        assert len(people(("d1", a), ("d2", b))) == 2, (a, b)
    assert len(people(("d1", "Chris Vale"), ("d2", "Christopher Vale"))) == 1


def test_a_one_word_name_joins_the_only_full_name_person_with_that_surname():
    groups = people(("d1", "Barack Obama"), ("d2", "Obama"), ("d3", "Obama", ["honorific:male"]))
    assert len(groups) == 1


def test_a_one_word_name_with_two_candidates_stays_its_own_person_unless_its_document_tells():
    groups = people(
        ("d1", "Bill Clinton", ["honorific:male"]),
        ("d2", "Hillary Clinton", ["honorific:female"]),
        ("d3", "Clinton"),
        ("d4", "Clinton", ["honorific:female"]),
        ("d5", "Clinton", ["honorific:male"]),
    )
    assert together(groups, ("d2", "Hillary Clinton"), ("d4", "Clinton"))
    assert together(groups, ("d1", "Bill Clinton"), ("d5", "Clinton"))
    assert {("d3", "Clinton")} in groups


def test_a_one_word_name_prefers_the_suffix_less_person_and_a_dominant_one():
    assert together(
        people(("d1", "Donald Trump"), ("d2", "Donald Trump Jr."), ("d1", "Donald Trump Jr."), ("d3", "Trump")),
        ("d1", "Donald Trump"),
        ("d3", "Trump"),
    )
    many = [(f"d{i}", "Ada Moreau") for i in range(12)] + [("x1", "Luc Moreau"), ("x2", "Moreau")]
    assert together(people(*many), ("d0", "Ada Moreau"), ("x2", "Moreau"))


def test_outlet_and_time_tell_a_one_word_name_apart():
    day = datetime(2016, 9, 1, tzinfo=UTC)
    context = {
        "d1": DocContext("Daily Planet", day),
        "d2": DocContext("Gazette", datetime(2004, 1, 1, tzinfo=UTC)),
        "d3": DocContext("Daily Planet", datetime(2004, 1, 1, tzinfo=UTC)),
        "d4": DocContext("Gazette", day),
    }
    groups = people(("d1", "Nadia Okafor"), ("d2", "Okafor"), ("d3", "Okafor"), ("d4", "Okafor"), context=context)
    assert together(groups, ("d1", "Nadia Okafor"), ("d3", "Okafor"), ("d4", "Okafor"))
    assert {("d2", "Okafor")} in groups  # another outlet, twelve years before


@pytest.mark.parametrize("added", [("d9", "Donald J. Trump"), ("d9", "Donald Trump"), ("d9", "Trump")])
def test_an_id_stays_when_a_document_adds_a_spelling(added):
    base = [("d1", "Donald Trump"), ("d2", "Donald J. Trump"), ("d3", "Melania Trump")]

    def ids(entities):
        rows = [PersonEntity(d, f"e{i}", n) for i, (d, n) in enumerate(entities)]
        return {e.doc_id: p.person_id for p in cluster_people(rows, {}, LEX) for e in p.entities}

    before, after = ids(base), ids([*base, added])
    assert all(after[d] == before[d] for d in before)
    assert after["d9"] == before["d1"] or added[1] == "Trump"


def test_a_split_changes_ids_only_of_the_people_it_splits():
    rows = [PersonEntity("d1", "e1", "George Bush"), PersonEntity("d2", "e1", "George W. Bush")]
    before = {e.doc_id: p.person_id for p in cluster_people(rows, {}, LEX) for e in p.entities}
    rows.append(PersonEntity("d3", "e1", "George H. W. Bush"))
    after = {e.doc_id: p.person_id for p in cluster_people(rows, {}, LEX) for e in p.entities}
    assert before["d1"] == before["d2"]
    assert len({after["d1"], after["d2"], after["d3"]}) >= 2
