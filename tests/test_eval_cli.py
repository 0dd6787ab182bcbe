"""`newsflow eval` on gold that names its documents by paths relative to --input: the real flow,
spaCy and Parquet, over made-up articles (tests/gold/nested)."""

from __future__ import annotations

import json
import shutil

import pytest

from newsflow.flows.cli import main
from newsflow.tasks.storage import read_published

from .support import REPO

NESTED = REPO / "tests" / "gold" / "nested"


def test_eval_processes_and_scores_only_the_documents_the_gold_names(prefect_api, tmp_path, capsys):
    out = tmp_path / "out"
    argv = [
        "eval",
        "--input",
        str(NESTED / "input"),
        "--gold",
        str(NESTED / "gold"),
        "--output",
        str(out),
        "--n-process",
        "1",
        "--json",
        "--statements",
    ]
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    scores = json.loads(stdout[stdout.index("{") :])
    # only the two named files were processed, under their paths relative to --input
    sources = set(read_published(out, "documents", ["source"]).column("source").to_pylist())
    assert sources == {"city/001.txt", "sport/001.txt"}
    # both "001.txt" are scored, each against its own gold file
    assert scores["n_gold"] == 5
    assert scores["n_matched"] >= 4 and scores["quote_p"] >= 0.8
    assert {m["document"] for m in scores["misses"]} <= {"city/001.txt", "sport/001.txt"}
    # people named and quoted come from the gold `people` and `sources` lists
    assert scores["people_r"] == 1.0 and scores["people_p"] >= 0.75
    assert scores["sources_r"] >= 0.5
    # statements: the gold's articles read under their paths relative to --input
    assert 1 <= scores["statement_n_matched"] <= scores["statement_n_gold"] <= scores["n_gold"]
    assert scores["statement_n_pred"] <= scores["n_pred"] and 0 < scores["statement_f1"] <= 1


def test_eval_says_which_gold_documents_are_missing_from_the_input(tmp_path, capsys):
    shutil.copytree(NESTED / "gold", tmp_path / "gold")
    (tmp_path / "input" / "city").mkdir(parents=True)
    shutil.copy(NESTED / "input" / "city" / "001.txt", tmp_path / "input" / "city" / "001.txt")
    argv = [
        "eval",
        "--input",
        str(tmp_path / "input"),
        "--gold",
        str(tmp_path / "gold"),
        "--output",
        str(tmp_path / "o"),
    ]
    assert main(argv) == 1
    assert "1 gold documents are not files under" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()  # checked before the flow runs


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside/001.txt"])
def test_gold_paths_stay_inside_the_input_folder(name):
    from newsflow.tasks.nlp.metric import document_paths

    with pytest.raises(ValueError, match="not a path relative to the input folder"):
        document_paths({name: {}, "a/b.txt": {}})
