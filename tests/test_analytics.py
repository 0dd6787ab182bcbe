"""The analytics guide (docs/analytics.md) keeps working: it quotes the queries of flows/queries.py as they are,
they answer over tables the flow published, and its pandas code agrees with them."""

import json
import re
import shutil

import pytest

from newsflow.flows.queries import QUERIES, run

from .support import REPO, SEED

pytestmark = pytest.mark.slow
GUIDE = (REPO / "docs" / "analytics.md").read_text()
ANALYTICS = GUIDE[GUIDE.index("## Analytics") :].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def published(tmp_path_factory, prefect_api):
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    base = tmp_path_factory.mktemp("analytics")
    (base / "input").mkdir()
    shutil.copy(SEED, base / "input" / SEED.name)
    (base / "input" / "bridge.txt").write_text(
        "Mayor opens bridge\n\nThe mayor of Springfield opened the bridge on Monday. "
        "“It is a great day for Springfield,” Jane Smith said.\n"
    )
    (base / "input" / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n")
    newsflow(SettingsForm(input=base / "input", output=str(base / "output"), n_process=1))
    return base


RECORDS = [
    {
        "url": "https://harbour.example.org/a",
        "outlet": "Harbour Gazette",
        "published_at": "2026-02-03",
        "authors": ["Ann Poe"],
        "text": "The ferry returned on Tuesday.\n\n“We missed it,” Clara Mendes said. "
        "“The winter was long,” Clara Mendes added.",
    },
    {
        "url": "https://valley.example.com/b",
        "outlet": "Valley Courier",
        "published_at": "2026-03-05T10:00:00Z",
        "authors": "Ann Poe and Dan Irwin",
        "text": "A Milltown orchard won a prize on Saturday.\n\n“The frost nearly ruined us,” Tom Baird said.",
    },
]


def test_the_readme_quotes_every_query_verbatim():
    assert 'queries.connect("output")' in ANALYTICS and "from newsflow.flows.queries import table" in ANALYTICS
    for name, sql in QUERIES.items():
        assert sql in ANALYTICS, f"docs/analytics.md's {name} query differs from flows/queries.py"


def test_the_queries_answer_over_the_published_tables(published):
    out = published / "output"
    quoted = {r["speaker_name"]: r["quotes"] for r in run("quoted_most", out)}
    assert quoted["Maria Zakharova"] >= 4 and quoted["Konstantin Kosachev"] >= 4
    per_document = {r["source"]: r["quotes"] for r in run("quotes_per_document", out)}
    assert set(per_document) == {SEED.name, "bridge.txt", "feed.jsonl#1", "feed.jsonl#2"}
    assert per_document[SEED.name] >= 8
    co_mentioned = {(r["speaker_name"], r["entity"]) for r in run("co_mentioned", out)}
    assert ("Maria Zakharova", "Venezuela") in co_mentioned
    people = {r["name"]: r for r in run("people_quoted_most", out)}
    assert people["Maria Zakharova"]["gender"] == "female" and people["Maria Zakharova"]["quotes"] >= 4
    assert people["Konstantin Kosachev"]["gender"] == "male"
    mentioned = {r["name"]: r["mentions"] for r in run("mentioned_most", out)}
    assert mentioned["Venezuela"] >= 5


def test_the_statements_query_joins_the_pieces_of_each_statement(published):
    out = published / "output"
    rows = run("statements", out)
    seed = [r for r in rows if r["source"] == SEED.name]
    assert len(seed) == 12 and sum(r["pieces"] for r in seed) == 13  # 13 quotes, 12 statements
    (kosachev,) = [r for r in seed if r["pieces"] > 1]
    assert kosachev["text"].startswith("A list of countries") and " … And the withdrawal" in kosachev["text"]
    assert (kosachev["speaker_name"], kosachev["types"], kosachev["cue"]) == ("Konstantin Kosachev", "direct", "say")
    text = duckdb_text(out, SEED.name)
    assert text[kosachev["start_char"] : kosachev["end_char"]].endswith("constant military presence.")
    feed = [r for r in rows if r["source"] == "feed.jsonl#1"]  # "... Clara Mendes added.": a cue of its own
    assert [r["pieces"] for r in feed] == [1, 1] and [r["cue"] for r in feed] == ["say", "add"]


def duckdb_text(output, source: str) -> str:
    from newsflow.flows.queries import connect

    with connect(output) as connection:
        return connection.execute("SELECT text FROM documents WHERE source = ?", [source]).fetchone()[0]


def test_the_metadata_queries_count_by_outlet_month_and_author(published):
    out = published / "output"
    months = {(r["outlet"], r["month"]): r["quotes"] for r in run("quotes_per_outlet_month", out)}
    assert months[("Harbour Gazette", "2026-02")] == 2 and months[("Valley Courier", "2026-03")] == 1
    assert months[(None, None)] >= 9  # the seed and bridge.txt: no outlet, no date
    top = {(r["outlet"], r["speaker_name"]): r["quotes"] for r in run("top_speakers_per_outlet", out)}
    assert top[("Harbour Gazette", "Clara Mendes")] == 2 and top[("Valley Courier", "Tom Baird")] == 1
    assert top[(None, "Maria Zakharova")] >= 4
    authors = {r["author"]: r for r in run("people_quoted_per_author", out)}
    assert authors["Ann Poe"]["people_quoted"] == 2 and authors["Ann Poe"]["documents"] == 2
    assert authors["Dan Irwin"]["people_quoted"] == 1 and authors["Dan Irwin"]["quotes"] == 1
    women = {r["author"]: r for r in run("women_share_per_author", out)}
    assert (women["Ann Poe"]["women"], women["Ann Poe"]["men"], women["Ann Poe"]["women_share"]) == (1, 1, 0.5)
    assert women["Dan Irwin"]["women_share"] == 0
    by_outlet = {r["outlet"]: r for r in run("women_share_per_outlet_month", out)}
    assert by_outlet["Harbour Gazette"]["women_share"] == 1 and by_outlet["Valley Courier"]["men"] == 1
    assert by_outlet[None]["women"] >= 2  # Maria Zakharova (seed), Jane Smith (bridge.txt)
    share = {r["outlet"]: r for r in run("unknown_speaker_share", out)}
    assert share["Harbour Gazette"]["unknown_share"] == 0 and share["Valley Courier"]["quotes"] == 1
    assert 0 <= share[None]["unknown_share"] <= 1


def test_the_readme_pandas_code_agrees_with_duckdb(published, monkeypatch):
    code = next(c for c in re.findall(r"```python\n(.*?)```", ANALYTICS, re.S) if "import table" in c)
    monkeypatch.chdir(published)  # the guide's paths are relative: output/quotes, …
    names: dict = {}
    exec(code, names)
    for row in run("quoted_most", "output"):
        assert names["quoted_most"][row["speaker_name"]] == row["quotes"]
    for row in run("quotes_per_document", "output"):
        assert names["quotes_per_document"].set_index("source").loc[row["source"], "quotes"] == row["quotes"]
    for row in run("co_mentioned", "output"):
        key = (row["speaker_name"], row["entity"], row["label"])
        assert names["co_mentioned"].loc[key].to_dict() == {"documents": row["documents"], "mentions": row["mentions"]}
