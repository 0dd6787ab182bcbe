"""Read & clean and its bookkeeping: rows built from the schemas, rejects that keep the published
columns, each file standing for its content, files read alike by the workers and here."""

import json
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

from newsflow.schemas.tables import PIPELINE_VERSION, TABLES
from newsflow.tasks import storage
from newsflow.tasks.bookkeeping import (
    Seen,
    balanced_chunk_size,
    document_row,
    legacy_sources,
    plan_sources,
    reject_row,
    source_row,
)
from newsflow.tasks.config import load_settings
from newsflow.tasks.discover import discover
from newsflow.tasks.read_clean import expected_documents, read_clean
from newsflow.tasks.records import Document, Reject, SourceFile
from newsflow.tasks.storage import upkeep

from .support import doc_row, legacy_output


def test_a_document_row_has_the_schema_columns():
    doc = Document("d1", "a.txt", "Title", "Some text.", 2)
    row = document_row(doc)
    assert list(row) == TABLES["documents"].names
    assert row == {
        "doc_id": "d1",
        "source": "a.txt",
        "title": "Title",
        "text": "Some text.",
        "n_words": 2,
        "url": None,
        "outlet": None,
        "published_at": None,
        "authors": [],
        "dateline": None,
        "language": None,
        "pipeline_version": PIPELINE_VERSION,
    }


def test_a_reject_has_a_reject_id_published_under_the_rejects_doc_id_column():
    assert [f.name for f in fields(Reject)] == ["reject_id", "source", "stage", "reason"]
    assert TABLES["rejects"].names == ["doc_id", "source", "stage", "reason"]
    reject = Reject("r_1", "scan.pdf", "ingest", "a PDF, not a text file")
    assert reject_row(reject) == {
        "doc_id": "r_1",
        "source": "scan.pdf",
        "stage": "ingest",
        "reason": "a PDF, not a text file",
    }


def test_chunks_are_balanced_over_the_task_slots():
    assert balanced_chunk_size(1000, 6, 2) == 3
    assert balanced_chunk_size(2, 6, 1) == 2
    assert balanced_chunk_size(1000, 0, 4) == 1


def test_chunks_count_the_records_of_a_jsonl_file(tmp_path: Path):
    """One `.jsonl` file of 300 records is 300 documents to balance, not one (which made chunks of a
    single document: a run adding a file of 1,000 records staged and validated 1,000 chunks)."""
    records = "".join(json.dumps({"text": f"Article {i}."}) + "\n" for i in range(300))
    (tmp_path / "many.jsonl").write_text(records)
    (tmp_path / "one.txt").write_text("One article.")
    assert expected_documents(tmp_path, ["many.jsonl", "one.txt"]) == 301
    assert expected_documents(tmp_path / "many.jsonl", ["many.jsonl"]) == 300
    assert expected_documents(tmp_path, ["gone.jsonl"]) == 1  # unreadable: read, and rejected, later
    assert balanced_chunk_size(1000, expected_documents(tmp_path, ["many.jsonl"]), 2) == 150


def test_read_and_clean_stages_every_new_reject_once(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / ".hidden.txt").write_text("Hidden\n\nA hidden file.\n")
    (folder / "ok.txt").write_text("Bridge opens\n\nThe bridge opened on Monday, officials said.\n")
    settings = load_settings(env={}, input=folder, output=tmp_path / "out")
    files, discover_rejects = discover(folder)
    first = storage.Run(settings.output, storage.new_run_id())
    prepared = read_clean(files, discover_rejects, first, settings)
    assert prepared.n_new == 1 and prepared.changed
    assert {r.source for r in prepared.rejects} == {"empty.txt", ".hidden.txt"}
    staged = storage.read_staged(first.staging, "rejects", "rejects").to_pylist()
    assert staged == [reject_row(r) for r in prepared.rejects]
    sources = storage.read_staged(first.staging, "sources", "sources").to_pylist()
    assert [(s["source"], s["status"], s["last_seen"]) for s in sources] == [
        (".hidden.txt", "rejected", first.started),
        ("empty.txt", "rejected", first.started),
        ("ok.txt", "document", first.started),
    ]
    storage.publish(first.root, first.staging, first.run_id, prepared.drops)
    again = storage.Run(settings.output, storage.new_run_id())
    prepared = read_clean(files, discover_rejects, again, settings)
    assert not prepared.rejects and not prepared.changed and prepared.n_already_published == 1
    assert storage.read_staged(again.staging, "rejects", "rejects").num_rows == 0
    # ok.txt is unchanged (not read), the hidden and empty files as they were: no sources row changes
    assert prepared.n_unchanged == 2 and not prepared.sources_staged
    assert storage.read_staged(again.staging, "sources", "sources").num_rows == 0


T0, T1 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)


def seen(name: str, doc_id: str | None, rejected: bool = False) -> Seen:
    reject = Reject(f"r_{name}", name, "ingest", "file is empty (or whitespace only)") if rejected else None
    return Seen(SourceFile(name, "0" * 64, 10), doc_id, reject)


def row(name: str, status: str, doc_id: str | None) -> dict:
    return source_row(name, status, doc_id, "0" * 64, 10, T0, T0)


def test_each_file_stands_for_its_content_or_its_last_good_document():
    recorded = {
        "a.txt": row("a.txt", "document", "d1"),
        "b.txt": row("b.txt", "document", "d2"),
        "c.txt": row("c.txt", "document", "d3"),
        "gone.txt": row("gone.txt", "document", "d4"),
        "old.txt": row("old.txt", "rejected", None),
    }
    present = {
        "a.txt": seen("a.txt", "d5"),
        "b.txt": seen("b.txt", None, rejected=True),
        "c.txt": seen("c.txt", "d3"),
        "d.txt": seen("d.txt", "d3"),
        "new.txt": seen("new.txt", None, rejected=True),
    }
    rows, kept = plan_sources(present, {"d5": "a.txt", "d3": "c.txt"}, recorded, T1)
    assert {s: (r["status"], r["doc_id"]) for s, r in rows.items()} == {
        "a.txt": ("document", "d5"),  # edited in place: d1 is no longer stood for
        "b.txt": ("rejected", "d2"),  # a failed re-scrape keeps its last good document
        "c.txt": ("document", "d3"),
        "d.txt": ("duplicate", "d3"),
        "gone.txt": ("document", "d4"),  # removed: kept as it was
        "old.txt": ("rejected", None),
        "new.txt": ("rejected", None),
    }
    assert kept == {"d5": "a.txt", "d3": "c.txt", "d2": "b.txt", "d4": "gone.txt"}
    assert (rows["a.txt"]["first_seen"], rows["a.txt"]["last_seen"]) == (T0, T1)
    assert (rows["new.txt"]["first_seen"], rows["gone.txt"]["last_seen"]) == (T1, T0)


def test_a_document_only_removed_files_keep_is_kept_under_the_first_of_them():
    recorded = {"b.txt": row("b.txt", "document", "d1"), "a.txt": row("a.txt", "duplicate", "d1")}
    rows, kept = plan_sources({}, {}, recorded, T1)
    assert kept == {"d1": "a.txt"} and (rows["a.txt"]["status"], rows["b.txt"]["status"]) == ("document", "duplicate")
    rows, kept = plan_sources({"c.txt": seen("c.txt", "d1")}, {"d1": "c.txt"}, recorded, T1)
    assert kept == {"d1": "c.txt"} and {r["status"] for s, r in rows.items() if s != "c.txt"} == {"duplicate"}


def test_an_output_published_before_the_sources_table_gets_one_from_its_tables(tmp_path: Path):
    # As an earlier newsflow published it, in its own format (no sources table), then migrated:
    # d2.txt edited under the old semantics (both its documents kept, the later one last).
    documents = [[doc_row("d1"), doc_row("d2")], [{**doc_row("d3"), "source": "d2.txt"}]]
    rejects = [reject_row(Reject("r_1", "scan.pdf", "ingest", "a PDF")), reject_row(Reject("r_2", "d1.txt", "x", "y"))]
    legacy_output(tmp_path, storage.new_run_id(), {"documents": documents, "rejects": [rejects]})
    upkeep.migrate(tmp_path)
    at = storage.run_time(storage.published_version(tmp_path))
    recorded = {r["source"]: r for r in legacy_sources(tmp_path)}
    assert {s: (r["status"], r["doc_id"], r["sha256"], r["first_seen"]) for s, r in recorded.items()} == {
        "d1.txt": ("document", "d1", None, at),
        "d2.txt": ("document", "d3", None, at),
        "scan.pdf": ("rejected", None, None, at),
    }


def test_files_read_and_cleaned_by_worker_processes_come_out_as_read_here(tmp_path: Path):
    from newsflow.tasks.reading import FILES_PER_JOB, read_clean_files
    from newsflow.tasks.workers import WorkerPool

    for i in range(3 * FILES_PER_JOB + 5):
        (tmp_path / f"{i:03d}.txt").write_text(f"Headline {i}\n\nMr Smith said the ﬁgures were “fine” {i}.\r\n")
    (tmp_path / "feed.jsonl").write_text('{"text": "A record. It said so."}\nnot json\n')
    (tmp_path / "empty.txt").write_text("")
    files = sorted(p.name for p in tmp_path.iterdir())
    settings = load_settings(input=tmp_path, output=tmp_path / "out")
    here = [list(found) for found in read_clean_files(files, settings)]
    with WorkerPool(2) as pool:
        pooled = [list(found) for found in read_clean_files(files, settings, pool)]
    assert pooled == here
    assert len(here) == len(files) and sum(isinstance(item, Reject) for found in here for _, item in found) == 2
    assert "figures" in here[0][0][1].text  # cleaned (the ligature), not only read
