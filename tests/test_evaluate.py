"""The metric of ../shared/eval/README.md, on hand-made predictions with known answers."""

from newsflow.tasks.nlp.metric import (
    doc_key,
    document_paths,
    gender_scores,
    people_scores,
    score,
    speaker_right,
    word_f1,
    words,
)
from newsflow.tasks.nlp.metric.people import wilson_interval


def gold_set(*quotes, mode="canonical", optional=()) -> dict:
    return {"a.txt": {"speaker_mode": mode, "quotes": list(quotes), "optional_quotes": list(optional)}}


def test_words_are_lowercase_multisets_and_f1_is_over_them():
    assert words("The U.S. said, the end") == {"the": 2, "u": 1, "s": 1, "said": 1, "end": 1}
    assert word_f1(words("a b c d"), words("a b")) == 2 * 1 * 0.5 / 1.5


def test_match_needs_word_f1_of_one_half_and_pairs_one_to_one():
    gold = gold_set({"text": "we will not withdraw our troops", "speaker": "Maria Zakharova"})
    preds = {
        "a.txt": [
            {"text": "we will not withdraw our troops", "speaker_name": "Maria Zakharova"},
            {"text": "we will not withdraw", "speaker_name": "Maria Zakharova"},  # second match: not paired
            {"text": "something else entirely", "speaker_name": None},
        ]
    }
    s = score(preds, gold)
    assert (s["n_matched"], s["n_pred"], s["n_gold"]) == (1, 3, 1)
    assert s["quote_p"] == 1 / 3 and s["quote_r"] == 1.0 and s["speaker_acc"] == 1.0


def test_optional_quotes_count_nowhere():
    gold = gold_set({"text": "alpha beta gamma", "speaker": "X"}, optional=[{"text": "delta epsilon", "speaker": "Y"}])
    s = score({"a.txt": [{"text": "delta epsilon", "speaker_name": "Y"}]}, gold)
    assert (s["n_pred"], s["n_gold"], s["n_matched"]) == (0, 1, 0)


def test_speaker_is_judged_on_the_last_word_against_the_gold_words_and_aliases():
    gold = {"speaker": "Maria Zakharova", "aliases": ["the spokeswoman"]}
    assert speaker_right({"speaker_name": "Zakharova"}, gold, "canonical")
    assert speaker_right({"speaker_name": None, "speaker": "the spokeswoman"}, gold, "canonical")
    assert not speaker_right({"speaker_name": "Maria Smith"}, gold, "canonical")
    assert not speaker_right({"speaker_name": "the"}, {"speaker": "the ministry"}, "canonical")
    assert speaker_right({"speaker_name": None}, {"speaker": None}, "canonical")
    assert not speaker_right({"speaker_name": "Someone"}, {"speaker": None}, "canonical")
    # surface mode compares the speaker as written, not the resolved name
    assert speaker_right({"speaker": "she", "speaker_name": "Maria Zakharova"}, {"speaker": "She"}, "surface")
    assert not speaker_right({"speaker": None, "speaker_name": "Maria Zakharova"}, {"speaker": "She"}, "surface")


def test_lenient_variant_matches_on_coverage():
    gold = gold_set({"text": "one two three four five six seven eight nine ten", "speaker": "X"})
    s = score({"a.txt": [{"text": "one two three", "speaker_name": "X"}]}, gold)  # F1 0.46, coverage 0.3
    assert s["n_matched"] == 0 and s["lenient_n_matched"] == 1


def test_documents_named_by_path_keep_their_folder():
    assert doc_key("a.txt") == "a" and doc_key("business/001.txt") == "business/001"
    assert document_paths({"a.txt": {}, "b.txt": {}}) is None  # a flat set: the whole input folder
    assert document_paths({"sport/001.txt": {}, "business/001.txt": {}}) == ["business/001.txt", "sport/001.txt"]
    gold = {
        "business/001.txt": {"quotes": [{"text": "profits rose sharply this year", "speaker": "Ann Lee"}]},
        "sport/001.txt": {"quotes": [{"text": "we played well today", "speaker": "Bo Kim"}]},
    }
    preds = {
        "business/001.txt": [{"text": "profits rose sharply this year", "speaker_name": "Ann Lee"}],
        "sport/001.txt": [{"text": "we played well today", "speaker_name": "Bo Kim"}],
    }
    s = score(preds, gold)
    assert (s["n_matched"], s["n_pred"], s["n_gold"], s["n_right_speaker"]) == (2, 2, 2, 2)


def test_people_and_sources_lists_are_scored_as_the_eval_readme_says():
    gold = {"a.txt": {"quotes": [], "people": ["Maria  Zakharova", "Podesta", "Sandra Oh"], "sources": ["Podesta"]}}
    people = {"a.txt": {"maria zakharova", "John Podesta", "Oh"}}
    quotes = {
        "a.txt": [
            {"speaker_name": "John Podesta", "speaker_entity_id": "p1"},
            {"speaker_name": "Russia", "speaker_entity_id": "g1"},  # not a PERSON entity
        ]
    }
    s = people_scores(people, quotes, gold, person_ids={"a.txt": {"p0", "p1", "p2"}})
    # white space folded and case ignored; a bare surname and a full name are different names
    assert (s["people_p"], s["people_r"]) == (1 / 3, 1 / 3)
    assert (s["sources_p"], s["sources_r"]) == (0.0, 0.0)
    quotes["a.txt"].append({"speaker_name": "Podesta", "speaker_entity_id": "p2"})
    s = people_scores(people, quotes, gold, person_ids={"a.txt": {"p0", "p1", "p2"}})
    assert (s["sources_p"], s["sources_r"]) == (0.5, 1.0)


def test_the_wilson_interval_of_a_share():
    low, high = wilson_interval(20, 100)
    assert round(low, 3) == 0.133 and round(high, 3) == 0.289  # the textbook figures for 20 of 100
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and 0.27 < high < 0.28
    low, high = wilson_interval(10, 10)
    assert 0.72 < low < 0.73 and high == 1.0  # never empty at the edges, never beyond [0, 1]
    few, many = wilson_interval(3, 4), wilson_interval(300, 400)
    assert few[1] - few[0] > many[1] - many[0]  # more sources, a narrower interval
    assert wilson_interval(0, 0) is None


def test_the_share_of_women_among_the_sources_with_its_interval():
    gold = {
        "a.txt": {"quotes": [], "sources_female": ["Ann Vale"], "sources_male": ["Tom Reyes", "Ed Park"]},
        "b.txt": {"quotes": [], "sources_female": ["Sara Lind"], "sources_male": []},
    }
    quotes = {
        "a.txt": [{"speaker_name": n, "speaker_entity_id": e} for n, e in (("Ann Vale", "e1"), ("Tom Reyes", "e2"))],
        "b.txt": [{"speaker_name": "Sara Lind", "speaker_entity_id": "e3"}],
    }
    genders = {"a.txt": {"e1": "female", "e2": "male"}, "b.txt": {"e3": "unknown"}}
    s = gender_scores(quotes, gold, genders)
    assert s["women_share_gold"] == 0.5 and s["women_share_pred"] == 0.5
    assert (s["women_share_gold_low"], s["women_share_gold_high"]) == wilson_interval(2, 4)
    assert (s["women_share_pred_low"], s["women_share_pred_high"]) == wilson_interval(1, 2)
    assert (s["sources_female_p"], s["sources_female_r"]) == (1.0, 0.5)
