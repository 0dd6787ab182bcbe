"""The README's analytics keep working: it quotes the queries of flows/queries.py as they are,
they answer over tables the flow published, and its pandas code agrees with them."""

import re
import shutil

import pytest

from newsflow.flows.queries import QUERIES, run, views

from .conftest import REPO, SEED

pytestmark = pytest.mark.slow
README = (REPO / "README.md").read_text()
ANALYTICS = README[README.index("## Analytics") :].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def published(tmp_path_factory, prefect_api):
    from newsflow.flows.newsflow import newsflow

    base = tmp_path_factory.mktemp("analytics")
    (base / "input").mkdir()
    shutil.copy(SEED, base / "input" / SEED.name)
    (base / "input" / "bridge.txt").write_text(
        "Mayor opens bridge\n\nThe mayor of Springfield opened the bridge on Monday. "
        "“It is a great day for Springfield,” Jane Smith said.\n")  # fmt: skip
    newsflow(input=str(base / "input"), output=str(base / "output"), n_process=1)
    return base


def test_the_readme_quotes_every_query_verbatim():
    assert views("output") in ANALYTICS
    for name, sql in QUERIES.items():
        assert sql in ANALYTICS, f"the README's {name} query differs from flows/queries.py"


def test_the_queries_answer_over_the_published_tables(published):
    out = published / "output"
    quoted = {r["speaker_name"]: r["quotes"] for r in run("quoted_most", out)}
    assert quoted["Maria Zakharova"] >= 4 and quoted["Konstantin Kosachev"] >= 4
    per_document = {r["source"]: r["quotes"] for r in run("quotes_per_document", out)}
    assert set(per_document) == {SEED.name, "bridge.txt"} and per_document[SEED.name] >= 8
    co_mentioned = {(r["speaker_name"], r["entity"]) for r in run("co_mentioned", out)}
    assert ("Maria Zakharova", "Venezuela") in co_mentioned
    mentioned = {r["name"]: r["mentions"] for r in run("mentioned_most", out)}
    assert mentioned["Venezuela"] >= 5


def test_the_readme_pandas_code_agrees_with_duckdb(published, monkeypatch):
    code = re.search(r"```python\n(.*?)```", ANALYTICS, re.S).group(1)
    monkeypatch.chdir(published)  # the README's paths are relative: output/quotes, …
    names: dict = {}
    exec(code, names)
    for row in run("quoted_most", "output"):
        assert names["quoted_most"][row["speaker_name"]] == row["quotes"]
    for row in run("quotes_per_document", "output"):
        assert names["quotes_per_document"].set_index("source").loc[row["source"], "quotes"] == row["quotes"]
    for row in run("co_mentioned", "output"):
        key = (row["speaker_name"], row["entity"], row["label"])
        assert names["co_mentioned"].loc[key].to_dict() == {"documents": row["documents"], "mentions": row["mentions"]}
