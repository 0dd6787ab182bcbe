"""The run report, from published tables made here (no flow run): what its queries count, with
and without the people tables of issue 16, which documents it marks as new, that the page
escapes text from the articles and loads nothing, and `newsflow report`. In a browser, over a
real run: tests/test_reports_browser.py."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from newsflow.schemas.tables import PIPELINE_VERSION, from_rows
from newsflow.tasks import storage
from newsflow.tasks.report import has_people, queries, render, write_report

from .support import REPO, unpublish

SCRIPT = "<script>alert(1)</script>"
ANALYTICS = (REPO / "docs" / "analytics.md").read_text()


def document(doc_id: str, outlet: str | None, day: str | None, title: str = "A title") -> dict:
    published = datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None
    return {
        "doc_id": doc_id,
        "source": f"{doc_id}.txt",
        "title": title,
        "text": "Text.",
        "n_words": 1,
        "outlet": outlet,
        "published_at": published,
        "authors": [],
        "pipeline_version": PIPELINE_VERSION,
    }


def entity(doc_id: str, name: str, label: str = "PERSON") -> dict:
    return {
        "doc_id": doc_id,
        "entity_id": f"e_{name}",
        "name": name,
        "label": label,
        "n_mentions": 1,
        "gender_cues": [],
    }


def quote(doc_id: str, n: int, speaker: str | None) -> dict:
    return {
        "doc_id": doc_id,
        "quote_id": f"q{n}",
        "text": "Words.",
        "type": "direct",
        "start_char": 0,
        "end_char": 5,
        "speaker_name": speaker,
        "speaker_entity_id": f"e_{speaker}" if speaker else None,
    }


def publish(root: Path, documents: list[dict], entities: list[dict], quotes: list[dict], rejects=()) -> str:
    """Stage and swap the rows as one run would; its run id."""
    run_id = storage.new_run_id()
    staging = storage.staging_url(root, run_id)
    for name, rows in (("documents", documents), ("entities", entities), ("quotes", quotes), ("rejects", rejects)):
        storage.stage_table(staging, name, "c00000" if name != "rejects" else "rejects", from_rows(name, list(rows)))
    storage.publish(root, staging, run_id, {})
    # As newsflow wrote outputs before the people tables (issue 21): add_people adds them by hand.
    unpublish(root, "people", "person_entities")
    return run_id


@pytest.fixture
def output(tmp_path: Path) -> tuple[Path, str]:
    """Two runs: the first publishes a Harbour Gazette article, the second a Valley Courier one
    (with a speaker named in markup) and a rejected file."""
    root = tmp_path / "out"
    publish(
        root,
        [document("d1", "Harbour Gazette", "2026-02-03")],
        [entity("d1", "Donald Trump"), entity("d1", "Oslo", "GPE")],
        [quote("d1", 1, "Donald Trump"), quote("d1", 2, "Donald Trump"), quote("d1", 3, None)],
    )
    run_id = publish(
        root,
        [document("d2", f"The {SCRIPT} Courier", "2026-03-05", title=f"Orchard {SCRIPT} <img src=x onerror=alert(1)>")],
        [entity("d2", "Trump"), entity("d2", f"Ann {SCRIPT}")],
        [quote("d2", 1, "Trump"), quote("d2", 2, f"Ann {SCRIPT}")],
        [{"doc_id": "r1", "source": f"{SCRIPT}.pdf", "stage": "ingest", "reason": "not a text file: it is a PDF"}],
    )
    return root, run_id


def add_people(root: Path) -> None:
    """The contract's people tables, as issue 16 publishes them: "Trump" and "Donald Trump" one person."""
    people = pa.table(
        {
            "person_id": ["p_trump", "p_ann"],
            "name": ["Donald Trump", f"Ann {SCRIPT}"],
            "aliases": [["Trump"], []],
            "gender": ["male", "female"],
            "gender_evidence": ["honorific", "pronoun"],
            "n_documents": pa.array([2, 1], pa.int32()),
            "n_quotes": pa.array([3, 1], pa.int32()),
            "first_published": pa.array([None, None], pa.timestamp("us", tz="UTC")),
            "last_published": pa.array([None, None], pa.timestamp("us", tz="UTC")),
        }
    )
    links = from_rows(
        "person_entities",
        [
            {"doc_id": "d1", "entity_id": "e_Donald Trump", "person_id": "p_trump"},
            {"doc_id": "d2", "entity_id": "e_Trump", "person_id": "p_trump"},
            {"doc_id": "d2", "entity_id": f"e_Ann {SCRIPT}", "person_id": "p_ann"},
        ],
    )
    run_id = storage.published_version(root)
    staging = storage.staging_url(root, run_id + "-people")
    for name, table in (("people", people), ("person_entities", links)):
        storage.stage_table(staging, name, "people", table, keep_empty=True)
    # The same run's tables, the people tables added (whole: their state columns are left null here).
    storage.publish(root, staging, run_id, {"people": storage.ALL, "person_entities": storage.ALL})


def rows(root: Path, run_id: str, name: str) -> list[dict]:
    with duckdb.connect() as connection:
        queries.register_report(connection, root, run_id, has_people(root, run_id))
        return queries.run_report_query(connection, name)


def test_the_docs_quote_the_report_queries_verbatim():
    for name, sql in queries.REPORT_QUERIES.items():
        assert sql in ANALYTICS, f"docs/analytics.md's report query {name} differs from flows/queries.py"


def test_without_the_people_tables_speakers_count_by_entity_and_gender_is_not_available(output):
    root, run_id = output
    assert not has_people(root)
    assert rows(root, run_id, "totals") == [
        {"documents": 2, "new_documents": 1, "quotes": 5, "outlets": 2, "rejects": 1, "new_rejects": 1}
    ]
    quoted = {r["name"]: (r["quotes"], r["new_quotes"]) for r in rows(root, run_id, "people_quoted_most")}
    assert quoted == {"Donald Trump": (2, 0), "Trump": (1, 1), f"Ann {SCRIPT}": (1, 1)}
    weeks = {
        (r["outlet"], r["week"]): (r["quotes"], r["new_quotes"]) for r in rows(root, run_id, "quotes_per_outlet_week")
    }
    assert weeks == {("Harbour Gazette", "2026-02-02"): (3, 0), (f"The {SCRIPT} Courier", "2026-03-02"): (2, 2)}
    unknown = {
        (r["outlet"], r["documents"]): r["unknown_share"] for r in rows(root, run_id, "unknown_speaker_share_new")
    }
    assert unknown == {
        ("Harbour Gazette", "all documents"): round(1 / 3, 3),
        (f"The {SCRIPT} Courier", "all documents"): 0,
        (f"The {SCRIPT} Courier", "new in this run"): 0,
    }
    named = {r["outlet"]: (r["named"], r["quoted"]) for r in rows(root, run_id, "people_named_quoted")}
    assert named == {"Harbour Gazette": (1, 1), f"The {SCRIPT} Courier": (2, 2)}
    assert rows(root, run_id, "people_quoted_by_gender") == []
    assert rows(root, run_id, "rejects_by_reason") == [
        {"stage": "ingest", "reason": "not a text file", "files": 1, "new_files": 1}
    ]
    assert "gender: not available" in render(root, run_id)


def test_with_the_people_tables_aliases_merge_and_genders_count(output):
    root, run_id = output
    add_people(root)
    assert has_people(root)
    quoted = {r["name"]: (r["quotes"], r["new_quotes"]) for r in rows(root, run_id, "people_quoted_most")}
    assert quoted == {"Donald Trump": (3, 1), f"Ann {SCRIPT}": (1, 1)}
    genders = {(r["outlet"], r["gender"]): r["people"] for r in rows(root, run_id, "people_quoted_by_gender")}
    assert genders == {
        ("Harbour Gazette", "male"): 1,
        (f"The {SCRIPT} Courier", "female"): 1,
        (f"The {SCRIPT} Courier", "male"): 1,
    }
    named = {r["outlet"]: (r["named"], r["quoted"]) for r in rows(root, run_id, "people_named_quoted")}
    assert named == {"Harbour Gazette": (1, 1), f"The {SCRIPT} Courier": (2, 2)}
    html = render(root, run_id)
    assert "gender: not available" not in html
    assert re.search(r'id="women-share">.*?<svg', html, re.S)


def test_the_page_escapes_article_text_and_loads_nothing(output):
    root, run_id = output
    html = render(root, run_id, {"phases": {"startup": 1.0, "analysis": 2.5, "report": 0.0}})
    assert "<script" not in html and "<img" not in html
    assert "Orchard &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<svg") == 6 and "gender: not available" in html  # every other chart draws
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the page loads nothing from anywhere"
    assert "default-src 'none'" in html


def test_newsflow_report_rebuilds_the_report_of_any_output(output):
    root, run_id = output
    page = write_report(root, run_id, {"phases": {"startup": 1.5, "analysis": 2.0}})
    assert page == root / "reports" / run_id / "index.html" and (root / "reports" / "latest").resolve() == page.parent
    page.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.flows.cli", "report", "--output", str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(page) and page.is_file()
    assert "Not recorded" not in page.read_text()  # the phases saved with the run's report


def test_newsflow_report_on_an_empty_folder_says_what_to_do(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "newsflow.flows.cli", "report", "--output", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and "nothing is published" in done.stderr and "newsflow run" in done.stderr


def test_every_chart_spec_is_valid_vega_lite(output):
    from newsflow.tasks.report import charts, report_rows

    root, run_id = output
    add_people(root)
    found = report_rows(root, run_id)
    made = [
        charts.quotes_per_outlet_week(found["quotes_per_outlet_week"]),
        charts.people_quoted_most(found["people_quoted_most"]),
        charts.unknown_speaker_share(found["unknown_speaker_share_new"]),
        charts.people_named_quoted(found["people_named_quoted"]),
        charts.women_share(found["people_quoted_by_gender"]),
        charts.rejects_by_reason(found["rejects_by_reason"]),
        charts.phases({"startup": 1.0, "analysis": 2.0}),
    ]
    for chart in made:
        assert chart is not None and "<svg" in charts.svg(chart, validate=True)
