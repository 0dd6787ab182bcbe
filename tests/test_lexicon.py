"""The word lists: data files shipped with the package, consistent with each other, extensible."""

from __future__ import annotations

import pytest

from newsflow.tasks import clean
from newsflow.tasks.nlp import credits
from newsflow.tasks.nlp.lexicon import PACKAGED, load_lexicon


def test_every_list_is_a_packaged_data_file_and_loads():
    lex = load_lexicon()
    assert "say" in lex.speech_verbs and "reject" in lex.attitude_verbs
    assert lex.canonical_alias["u.s."] == "United States"
    assert {p.stem for p in PACKAGED.glob("*.txt")} | {p.stem for p in PACKAGED.glob("*.json")} == set(
        lex.__dataclass_fields__
    )


def test_titles_hold_every_abbreviation_and_match_as_written():
    """Names are compared lower-cased without their full stop: "Sen." matches "sen"."""
    lex = load_lexicon()
    assert set(lex.abbreviated_titles) <= lex.titles
    for words in (lex.titles, lex.female_cues, lex.male_cues, lex.speech_verbs, lex.female_names, lex.male_names):
        assert not [w for w in words if "." in w or " " in w or w != w.lower()]


def test_a_name_is_in_at_most_one_gender_list():
    lex = load_lexicon()
    assert not lex.female_names & lex.male_names
    assert not lex.female_cues & lex.male_cues


def test_an_extra_folder_extends_lists_and_mappings(tmp_path):
    (tmp_path / "speech_verbs.txt").write_text("reckon\n", encoding="utf-8")
    (tmp_path / "aliases.json").write_text('{"United States": ["the states"]}', encoding="utf-8")
    lex = load_lexicon(str(tmp_path))
    assert {"reckon", "say"} <= lex.speech_verbs
    assert lex.canonical_alias["the states"] == lex.canonical_alias["u.s."] == "United States"


def test_a_wrong_folder_or_list_name_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_lexicon(str(tmp_path / "missing"))
    (tmp_path / "speach_verbs.txt").write_text("reckon\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown word lists .*speach_verbs"):
        load_lexicon(str(tmp_path))


def test_photo_credits_are_defined_once():
    assert clean.is_credit is credits.is_credit
    assert credits.is_credit("(Jane Doe/AFP)") and credits.credit_like_spans("Protesters march (Jane Doe / AFP)")


def test_name_and_head_word_lists_are_lower_case_single_words():
    lex = load_lexicon()
    for words in (
        lex.name_particles,
        lex.name_suffixes,
        lex.place_heads,
        lex.org_heads,
        lex.role_nouns,
        lex.utterance_nouns,
        lex.post_nominals,
        set(lex.thing_nouns),
    ):
        assert words and not [w for w in words if " " in w or "." in w or w != w.lower()]
    assert {"de", "van", "bin", "al"} <= lex.name_particles
    assert {"station", "mall", "square", "park"} <= lex.place_heads
    assert not lex.place_heads & lex.org_heads
    assert set(lex.thing_nouns.values()) <= {"ORG", "PRODUCT", "WORK_OF_ART"}
    assert not set(lex.thing_nouns) & lex.role_nouns  # a class noun never names a person
