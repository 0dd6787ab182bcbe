"""Article metadata in: record files (.jsonl/.json), bylines and datelines of plain text, and
the documents table's new columns, through the real flow and back from Parquet."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.flows import queries
from newsflow.tasks import storage
from newsflow.tasks.clean import clean_document
from newsflow.tasks.ingest import read_inputs, record_document
from newsflow.tasks.metadata import clean_url, parse_date, split_authors
from newsflow.tasks.records import RawDocument, Reject

ARTICLES = [
    {
        "url": "https://harbour.example.org/2026/02/ferry",
        "outlet": "The Harbour Gazette",
        "published_at": "2026-02-03T09:30:00-05:00",
        "authors": ["Ann Poe", "Ben Stoll"],
        "language": "en",
        "title": "Ferry returns to the island",
        "text": "The island ferry returned to service on Tuesday after a winter overhaul.\n\n"
        "“We missed it every day,” said Clara Mendes, who runs the island bakery.",
        "tracking_id": 991,
    },
    {
        "url": "https://valley.example.com/news/orchard",
        "sitename": "Valley Courier",
        "date": "March 5, 2026",
        "authors": "Dan Irwin and Eva Holt",
        "title": "Orchard wins regional prize",
        "text": "A family orchard near Milltown won the regional fruit prize on Saturday.\n\n"
        "“The frost nearly ruined us,” grower Tom Baird said.",
    },
    {
        "url": "https://valley.example.com/news/library",
        "source": "Valley Courier",
        "published_at": "2026-03-09",
        "authors": ["Eva Holt"],
        "title": "Library extends its hours",
        "text": "The Milltown library will open on Sundays from April, the town council decided.\n\n"
        "“Students asked for it,” librarian Nora Quist said.",
    },
]


def write_jsonl(path: Path, records: list, broken: str | None = None) -> None:
    lines = [json.dumps(r) for r in records]
    if broken is not None:
        lines.insert(1, broken)
    path.write_text("\n".join(lines) + "\n")


def test_dates_authors_and_urls_are_normalised():
    assert parse_date("2026-02-03T09:30:00-05:00") == datetime(2026, 2, 3, 14, 30, tzinfo=UTC)
    assert parse_date("March 5, 2026") == datetime(2026, 3, 5, tzinfo=UTC)
    assert parse_date("2026-03-09") == datetime(2026, 3, 9, tzinfo=UTC)
    assert parse_date("next Tuesday-ish") is None and parse_date(20260203) is None
    assert parse_date("2999-01-01") is None  # later than tomorrow: a mistake, left unknown
    assert split_authors("By Dan Irwin and Eva Holt") == ("Dan Irwin", "Eva Holt")
    assert split_authors(["Ann Poe", "", 3, " Ben  Stoll "]) == ("Ann Poe", "Ben Stoll")
    assert clean_url("https://a.example.org/x?y=1") == "https://a.example.org/x?y=1"
    assert clean_url("/relative/path") is None and clean_url("ftp://a.example.org/") is None


def test_a_jsonl_file_gives_one_document_per_line_and_a_reject_per_broken_line(tmp_path: Path):
    write_jsonl(tmp_path / "feed.jsonl", ARTICLES, broken='{"text": "cut off')
    files, items = zip(*read_inputs(tmp_path, "feed.jsonl", 10**6), strict=True)
    assert [i.source for i in items] == ["feed.jsonl#1", "feed.jsonl#2", "feed.jsonl#3", "feed.jsonl#4"]
    assert [f.source for f in files] == [i.source for i in items]  # each record is a source of its own
    assert len({f.sha256 for f in files}) == 4 and all(f.bytes for f in files)
    broken = items[1]
    assert isinstance(broken, Reject) and broken.stage == "ingest" and "line 2 of feed.jsonl" in broken.reason
    docs = [clean_document(i, 10**5) for i in items if isinstance(i, RawDocument)]
    first = docs[0]
    assert first.url == ARTICLES[0]["url"] and first.identity == ARTICLES[0]["url"]
    assert first.outlet == "The Harbour Gazette" and first.authors == ("Ann Poe", "Ben Stoll")
    assert first.published_at == datetime(2026, 2, 3, 14, 30, tzinfo=UTC) and first.language == "en"
    assert first.title == "Ferry returns to the island" and first.text.startswith("The island ferry")
    assert docs[1].outlet == "Valley Courier" and docs[1].authors == ("Dan Irwin", "Eva Holt")
    assert docs[2].outlet == "Valley Courier" and docs[2].published_at == datetime(2026, 3, 9, tzinfo=UTC)


def test_a_json_file_holds_one_record_or_a_list(tmp_path: Path):
    (tmp_path / "one.json").write_text(json.dumps(ARTICLES[0]))
    (tmp_path / "list.json").write_text(json.dumps(ARTICLES[1:] + ["not an article"]))
    (tmp_path / "bad.json").write_text('[{"text": "x"},')
    assert [i.source for _, i in read_inputs(tmp_path, "one.json", 10**6)] == ["one.json#1"]
    items = [i for _, i in read_inputs(tmp_path, "list.json", 10**6)]
    assert [type(i).__name__ for i in items] == ["RawDocument", "RawDocument", "Reject"]
    assert "JSON object" in items[2].reason
    ((_, bad),) = read_inputs(tmp_path, "bad.json", 10**6)
    assert isinstance(bad, Reject) and bad.source == "bad.json" and "line 1" in bad.reason


def test_a_record_without_an_article_is_rejected_and_odd_fields_are_left_unknown():
    assert isinstance(record_document({"title": "Only a title"}, "f.jsonl#1", "r_1"), Reject)
    raw = record_document(
        {"text": "Body text here.", "url": "not a url", "date": "someday", "authors": 7}, "f.jsonl#2", "r_2"
    )
    assert raw.meta.url is None and raw.meta.published_at is None and raw.meta.authors == ()
    assert raw.identity == "f.jsonl#2" and raw.fmt == "txt"


def test_a_text_with_a_byline_and_a_dateline_gives_authors_and_dateline_and_starts_at_the_body():
    text = (
        "Ferry service resumes\n\nBy Jane Doe and John Roe\n\n"
        "HALIFAX (Reuters) — The harbour ferry ran again on Monday after a week of storms.\n\n"
        "“We are back,” the operator said."
    )
    doc = clean_document(RawDocument("ferry.txt", text, "txt", "r_f"), 10**5)
    assert doc.authors == ("Jane Doe", "John Roe") and doc.dateline == "HALIFAX (Reuters)"
    assert doc.outlet == "Reuters" and doc.title == "Ferry service resumes"
    assert doc.text.startswith("The harbour ferry ran again")
    agency = clean_document(RawDocument("cp.txt", "Jane Doe, The Canadian Press\n\nOTTAWA — MPs met.", "txt", "r"), 999)
    assert agency.authors == ("Jane Doe",) and agency.outlet == "The Canadian Press" and agency.text == "MPs met."
    plain = clean_document(RawDocument("p.txt", "Storm ends\n\nThe storm ended.", "txt", "r_p"), 10**5)
    assert plain.authors == () and plain.dateline is None and plain.outlet is None


@pytest.mark.slow
def test_three_records_become_three_documents_with_their_metadata(run_flow, tmp_path: Path):
    (tmp_path / "input").mkdir()
    write_jsonl(tmp_path / "input" / "feed.jsonl", ARTICLES, broken="{not json")
    summary = run_flow(tmp_path / "input", tmp_path / "output")
    assert summary["new_documents"] == 3 and summary["rows"]["rejects"] == 1
    docs = storage.read_published(tmp_path / "output", "documents").to_pylist()
    by_url = {d["url"]: d for d in docs}
    assert set(by_url) == {a["url"] for a in ARTICLES}
    ferry = by_url[ARTICLES[0]["url"]]
    assert ferry["source"] == "feed.jsonl#1" and ferry["outlet"] == "The Harbour Gazette"
    assert ferry["authors"] == ["Ann Poe", "Ben Stoll"] and ferry["language"] == "en"
    assert ferry["published_at"] == datetime(2026, 2, 3, 14, 30, tzinfo=UTC)
    rejects = storage.read_published(tmp_path / "output", "rejects").to_pylist()
    assert [r["source"] for r in rejects] == ["feed.jsonl#2"]
    with queries.connect(tmp_path / "output") as connection:  # DuckDB over the published Delta tables
        months = connection.sql(
            "SELECT outlet, strftime(published_at, '%Y-%m') AS month, count(*) AS n "
            "FROM documents GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert months == [("The Harbour Gazette", "2026-02", 1), ("Valley Courier", "2026-03", 2)]
