"""The sourcing benchmark's figures (issue 30) over statements: named-person statements found,
precision over every statement predicted, and the source's name in full."""

from newsflow.tasks.nlp.metric import all_scores
from newsflow.tasks.nlp.metric.sourcing import sourcing_scores

# Made up. Three statements of named people (Okafor's in two pieces, Tate's, Lee's) and one of the
# council, which is not a person.
ARTICLE = (
    "Council votes on the depot\n\n"
    "“We will rebuild,” Mayor Robin Okafor said. “It will take years.”\n\n"
    "“The depot stays,” Jordan Tate said.\n\n"
    "The council said the vote was final.\n\n"
    "Sam Lee said the buses would run on time."
)
GOLD = {
    "a.txt": {
        "speaker_mode": "canonical",
        "people": ["Robin Okafor", "Jordan Tate", "Sam Lee"],
        "quotes": [
            {"text": "We will rebuild,", "speaker": "Robin Okafor", "cue": "say", "statement": 1},
            {"text": "It will take years.", "speaker": "Robin Okafor", "cue": None, "statement": 1},
            {"text": "The depot stays,", "speaker": "Jordan Tate", "cue": "say", "statement": 2},
            {"text": "the vote was final", "speaker": "The council", "cue": "say", "statement": 3},
            {"text": "the buses would run on time", "speaker": "Sam Lee", "cue": "say", "statement": 4},
        ],
    }
}


def row(text: str, statement: str, speaker_name: str | None) -> dict:
    return {"quote_id": f"q-{text[:8]}", "statement_id": statement, "text": text, "speaker_name": speaker_name}


PREDICTED = {
    "a.txt": [
        row("We will rebuild,", "s1", "Robin Okafor"),
        row("It will take years.", "s1", "Robin Okafor"),
        row("The depot stays,", "s2", "Tate"),  # found, but named by surname only: not the name
        row("the vote was final", "s3", "The council"),
        row("Council votes on the depot", "s4", None),  # not a statement
    ]
}


def test_the_three_figures_count_named_people_found_every_statement_and_full_names(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    scores = sourcing_scores(PREDICTED, GOLD, tmp_path)
    # Named-person statements: Okafor's (one, its two pieces), Tate's, Lee's; Lee's is missed.
    assert (scores["sourcing_n_named"], scores["sourcing_n_found"]) == (3, 2)
    assert scores["sourcing_found"] == 2 / 3
    # Four statements predicted, three of them the gold's (the council's counts here).
    assert (scores["sourcing_n_pred"], scores["sourcing_precision"]) == (4, 3 / 4)
    assert scores["sourcing_name_acc"] == 1 / 2
    # What `newsflow eval --json` lists to read: the surname-only name and the statement missed.
    assert [(m["kind"], m["gold"], m["predicted"]) for m in scores["sourcing_misses"]] == [
        ("wrong_name", "Jordan Tate", "Tate"),
        ("not_found", "Sam Lee", None),
    ]


def test_surface_gold_and_gold_without_people_have_no_sourcing_figures(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    surface = {"a.txt": GOLD["a.txt"] | {"speaker_mode": "surface"}}
    unlisted = {"a.txt": {k: v for k, v in GOLD["a.txt"].items() if k != "people"}}
    assert sourcing_scores(PREDICTED, surface, tmp_path) == {}
    assert sourcing_scores(PREDICTED, unlisted, tmp_path) == {}


def test_eval_with_statements_reports_the_sourcing_figures(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    empty: dict = {"a.txt": set()}
    scores = all_scores(PREDICTED, GOLD, people=empty, person_ids=empty, genders={}, people_ids={}, statements=tmp_path)
    assert scores["sourcing_found"] == 2 / 3 and scores["sourcing_precision"] == 3 / 4
    without = all_scores(PREDICTED, GOLD, people=empty, person_ids=empty, genders={}, people_ids={})
    assert "sourcing_found" not in without
