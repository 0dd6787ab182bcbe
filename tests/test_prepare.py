"""Prepare's rows are built from the schemas, and its rejects keep the published columns."""

from dataclasses import fields
from pathlib import Path

from newsflow.schemas.tables import PIPELINE_VERSION, TABLES
from newsflow.tasks import storage
from newsflow.tasks.config import load_settings
from newsflow.tasks.ingest import discover
from newsflow.tasks.prepare import balanced_chunk_size, document_row, prepare, reject_row
from newsflow.tasks.records import Document, Reject


def test_a_document_row_has_the_schema_columns():
    doc = Document("d1", "a.txt", "Title", "Some text.", 2)
    row = document_row(doc)
    assert list(row) == TABLES["documents"].names
    assert row == {"doc_id": "d1", "source": "a.txt", "title": "Title", "text": "Some text.", "n_words": 2,
                   "url": None, "outlet": None, "published_at": None, "authors": [], "dateline": None,
                   "language": None, "pipeline_version": PIPELINE_VERSION}  # fmt: skip


def test_a_reject_has_a_reject_id_published_under_the_rejects_doc_id_column():
    assert [f.name for f in fields(Reject)] == ["reject_id", "source", "stage", "reason"]
    assert TABLES["rejects"].names == ["doc_id", "source", "stage", "reason"]
    reject = Reject("r_1", "scan.pdf", "ingest", "a PDF, not a text file")
    assert reject_row(reject) == {"doc_id": "r_1", "source": "scan.pdf", "stage": "ingest",
                                  "reason": "a PDF, not a text file"}  # fmt: skip


def test_chunks_are_balanced_over_the_task_slots():
    assert balanced_chunk_size(1000, 6, 2) == 3
    assert balanced_chunk_size(2, 6, 1) == 2
    assert balanced_chunk_size(1000, 0, 4) == 1


def test_prepare_stages_every_new_reject_once(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / ".hidden.txt").write_text("Hidden\n\nA hidden file.\n")
    (folder / "ok.txt").write_text("Bridge opens\n\nThe bridge opened on Monday, officials said.\n")
    settings = load_settings(env={}, input=folder, output=tmp_path / "out")
    files, discover_rejects = discover(folder)
    first = storage.Run(settings.output, storage.new_run_id())
    prepared = prepare(files, discover_rejects, first, settings)
    assert prepared.n_new == 1 and prepared.changed
    assert {r.source for r in prepared.rejects} == {"empty.txt", ".hidden.txt"}
    staged = storage.read_staged(first.staging, "rejects", "rejects").to_pylist()
    assert staged == [reject_row(r) for r in prepared.rejects]
    storage.swap(first.root, first.staging, first.run_id)
    again = storage.Run(settings.output, storage.new_run_id())
    prepared = prepare(files, discover_rejects, again, settings)
    assert not prepared.rejects and not prepared.changed and prepared.n_already_published == 1
    assert storage.read_staged(again.staging, "rejects", "rejects").num_rows == 0
