"""tasks/nlp/entities/candidates.py: the names found in a document, trimmed of titles,
possessives and letters, with credits, signatures and bio lines left out."""

from __future__ import annotations

from .support import by_name, people_of


def test_photo_credit_is_not_a_person(rows_of):
    text = (
        "Protesters gathered outside parliament on Monday.\n\n(Yuri Cortez / AFP/Getty Images)\n\n"
        "Prime Minister Anna Berg said the vote would go ahead."
    )
    _, entities = rows_of(text)
    people = {e["name"] for e in entities if e["label"] == "PERSON"}
    assert "Yuri Cortez" not in people
    assert "Anna Berg" in people


def test_titles_and_possessives_are_trimmed(rows_of):
    _, entities = rows_of("President Joe Biden’s plan failed. Biden's aides blamed Congress.")
    assert by_name(entities)["Joe Biden"]["n_mentions"] == 2


def test_role_words_glued_to_names_are_trimmed(rows_of):
    people = people_of(
        rows_of,
        "Rally organizer Jane Doe spoke first. Council member Ana Ruiz spoke next, "
        "and Del. Tom Vance closed the evening.",
    )
    assert {"Jane Doe", "Ana Ruiz", "Tom Vance"} <= people
    assert not [p for p in people if p.split()[0] in ("organizer", "Council", "member", "Del.")]


def test_a_dash_inside_a_span_separates_two_names_but_a_hyphen_does_not(rows_of):
    people = people_of(
        rows_of,
        "The officer who shot Keith Lamont - Brentley Vinson, who was placed on leave - said nothing. "
        "Ban Ki-moon watched.",
    )
    assert {"Keith Lamont", "Brentley Vinson", "Ban Ki-moon"} <= people
    assert not [p for p in people if " - " in p]


def test_possessive_fragment_is_no_name(rows_of):
    people = people_of(rows_of, "It was the governor’s Carter Avenue office. Lena Carter said she would move it.")
    assert not [p for p in people if p.startswith(("’s", "'s"))]


def test_staff_credits_and_signatures_name_no_one(rows_of):
    text = (
        "The council approved the budget on Tuesday, Mayor Ellen Park said.\n\n"
        "Tom Reyes.\n\n"
        "(Reporting by Nadia Voss; Editing by Carl Brandt)\n\n"
        "Jamie Lin contributed reporting."
    )
    assert people_of(rows_of, text) == {"Ellen Park"}


def test_letters_after_a_name_are_trimmed(rows_of):
    people = people_of(rows_of, "The report was written with the help of Joan Treadwell MP and two researchers.")
    assert "Joan Treadwell" in people and "Joan Treadwell MP" not in people


def test_an_authors_closing_bio_line_names_no_one(rows_of):
    text = (
        "The city council has voted to close the library, and residents are angry. "
        "Mayor Ellen Park said the budget left no choice.\n\n"
        "Teresa Lindqvist is a professor of public policy at Harbor State University."
    )
    assert people_of(rows_of, text) == {"Ellen Park"}
