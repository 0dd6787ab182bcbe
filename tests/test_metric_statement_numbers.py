"""Gold statements by the `statement` numbers of statement-level gold (issue 30), falling back to
the rule of `merge_gold_statements` when a quote of the file is unnumbered."""

from newsflow.tasks.nlp.metric.statements import gold_statements, numbered_gold_statements, statement_scores

# Made up: the rule would merge the first two pieces and keep the third apart (a cue of its own
# after a paragraph break); the numbers say the annotator read all three as one statement, and the
# last two sentences as two statements although nothing but a cue clause lies between them.
ARTICLE = (
    "Council votes on the depot\n\n"
    "“We will rebuild,” Mayor Robin Okafor said. “It will take years.”\n\n"
    "“Nobody should doubt that,” she said.\n\n"
    "“The depot stays,” Jordan Tate said. “The vote is final.”"
)


def quote(text: str, speaker: str, statement: int | None, cue: str | None = None) -> dict:
    q = {"text": text, "speaker": speaker, "cue": cue, "type": "direct"}
    return q if statement is None else q | {"statement": statement}


NUMBERED = [
    quote("It will take years.", "Robin Okafor", 1),  # out of text order: put in place
    quote("We will rebuild,", "Robin Okafor", 1, "say"),
    quote("Nobody should doubt that,", "Robin Okafor", 1, "say"),
    quote("The depot stays,", "Jordan Tate", 2, "say"),
    quote("The vote is final.", "Jordan Tate", 3),
]


def test_numbered_gold_quotes_group_by_their_statement_in_text_order():
    merged = numbered_gold_statements(NUMBERED, ARTICLE)
    assert [(q["text"], q["speaker"], q["cue"]) for q in merged] == [
        ("We will rebuild, It will take years. Nobody should doubt that,", "Robin Okafor", "say"),
        ("The depot stays,", "Jordan Tate", "say"),
        ("The vote is final.", "Jordan Tate", None),
    ]
    assert gold_statements(NUMBERED, ARTICLE) == merged


def test_gold_with_an_unnumbered_quote_falls_back_to_the_rule():
    partly = [*NUMBERED[:4], quote("The vote is final.", "Jordan Tate", None)]
    assert numbered_gold_statements(partly, ARTICLE) is None
    assert [q["text"] for q in gold_statements(partly, ARTICLE)] == [
        "We will rebuild, It will take years.",
        "Nobody should doubt that,",
        "The depot stays, The vote is final.",
    ]
    flagged = [q | {"statement": True} for q in NUMBERED]  # a bool is not a statement number
    assert numbered_gold_statements(flagged, ARTICLE) is None


def test_statement_scores_use_the_numbers(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    texts = ["We will rebuild,", "It will take years.", "Nobody should doubt that,", "The depot stays,"]
    rows = [
        {"quote_id": f"q{i}", "statement_id": "s1" if i < 3 else "s2", "text": t, "start_char": ARTICLE.index(t)}
        | {"speaker_name": "Robin Okafor" if i < 3 else "Jordan Tate"}
        for i, t in enumerate(texts)
    ]
    gold = {"a.txt": {"quotes": NUMBERED, "speaker_mode": "canonical"}}
    scores = statement_scores({"a.txt": rows}, gold, tmp_path)
    assert (scores["statement_n_gold"], scores["statement_n_pred"], scores["statement_n_matched"]) == (3, 2, 2)
    assert scores["statement_e2e_f1"] == 0.8
