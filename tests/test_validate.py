import os
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.schemas.tables import PIPELINE_VERSION, from_rows
from newsflow.tasks.checks import check_columns
from newsflow.tasks.storage import Run, new_run_id, stage_table
from newsflow.tasks.validate import ChunkValidation, Validator, validate_staged
from newsflow.tasks.workers import WorkerLost

TEXT = "Maria Zakharova said it was fine."


def tables(**changes) -> dict:
    base = {
        "documents": [
            {
                "doc_id": "d1",
                "source": "a.txt",
                "title": None,
                "text": TEXT,
                "n_words": 6,
                "pipeline_version": PIPELINE_VERSION,
            }
        ],
        "entities": [
            {
                "doc_id": "d1",
                "entity_id": "e1",
                "name": "Maria Zakharova",
                "label": "PERSON",
                "n_mentions": 1,
                "gender_cues": [],
            }
        ],
        "mentions": [
            {
                "doc_id": "d1",
                "start_char": 0,
                "end_char": 15,
                "text": "Maria Zakharova",
                "label": "PERSON",
                "entity_id": "e1",
            }
        ],
        "quotes": [
            {
                "doc_id": "d1",
                "quote_id": "q1",
                "text": "it was fine",
                "type": "indirect",
                "start_char": 21,
                "end_char": 32,
                "speaker": "Maria Zakharova",
                "speaker_name": "Maria Zakharova",
                "speaker_entity_id": "e1",
                "cue": "say",
                "method": "cue",
                "speaker_title": None,
                "statement_id": "q1",
            }
        ],
    }
    for name, rows in changes.items():
        base[name] = rows
    return {name: from_rows(name, rows) for name, rows in base.items()}


def source(name: str, status: str, doc_id: str | None, **changes) -> dict:
    seen = datetime(2026, 11, 28, tzinfo=UTC)
    return {
        "source": name,
        "status": status,
        "doc_id": doc_id,
        "sha256": "0" * 64,
        "bytes": 12,
        "first_seen": seen,
        "last_seen": seen,
        **changes,
    }


def test_sources_name_known_documents_once_each_with_a_known_status(tmp_path: Path):
    good = [
        source("a.txt", "document", "d1"),
        source("b.txt", "duplicate", "d1"),
        source("c.txt", "rejected", None),
        source("d.txt", "rejected", "d1", sha256=None, bytes=None),
    ]
    v = Validator(tmp_path / "run3", "run3")
    assert v.validate("sources", {"sources": from_rows("sources", good)}, {"d1"})
    bad = [
        source("a.txt", "document", "d_gone"),
        source("a.txt", "copied", "d1"),
        source("b.txt", "duplicate", None),
        source("c.txt", "rejected", None, first_seen=datetime(2027, 1, 1, tzinfo=UTC), sha256="abc"),
    ]
    assert not v.validate("sources", {"sources": from_rows("sources", bad)}, {"d1"})
    message = v.finish(tmp_path / "latest").message(limit=10)
    for broken in (
        "one row per input file",
        "a document, a duplicate or rejected",
        "is in documents",
        "names the document it stands for",
        "last seen before it is first seen",
        "SHA-256",
    ):
        assert broken in message, broken


def test_check_columns_flag_spans_that_do_not_slice_back():
    t = tables()
    assert check_columns("quotes", t["quotes"], t["documents"], t["entities"])["slices_back"].all()
    bad = tables(quotes=[{**t["quotes"].to_pylist()[0], "start_char": 20}])
    frame = check_columns("quotes", bad["quotes"], bad["documents"], bad["entities"])
    assert not frame["slices_back"].any()


def test_good_tables_pass_and_data_docs_cover_every_suite(tmp_path: Path):
    v = Validator(tmp_path / "run1", "run1")
    assert v.validate("c0", tables())
    assert v.validate("rejects", {"rejects": from_rows("rejects", [])})
    assert v.validate("sources", {"sources": from_rows("sources", [source("a.txt", "document", "d1")])}, {"d1"})
    report = v.finish(tmp_path / "latest")
    assert report.success and report.suites_run == 6
    index = Path(report.data_docs)
    assert index.is_file()
    html = index.read_text()
    for suite in ("documents", "mentions", "entities", "quotes", "rejects", "sources"):
        assert suite in html
    assert (tmp_path / "latest" / "summary.json").is_file()


def test_a_failing_expectation_is_named_with_sample_rows(tmp_path: Path):
    t = tables()
    q = t["quotes"].to_pylist()[0]
    v = Validator(tmp_path / "run2", "run2")
    ok = v.validate("c0", tables(quotes=[{**q, "type": "rumour"}, {**q, "quote_id": "q2", "end_char": 99}]))
    assert not ok
    message = v.finish(tmp_path / "latest").message()
    assert "quote types are direct, indirect or mixed" in message
    assert "slices back" in message and "rumour" in message
    assert "nothing was published" in message


def test_speaker_entity_must_be_an_entity_of_the_document_or_null():
    t = tables()
    q = t["quotes"].to_pylist()[0]
    rows = [{**q, "speaker_entity_id": None}, {**q, "quote_id": "q2", "speaker_entity_id": "e_unknown"}]
    bad = tables(quotes=rows)
    frame = check_columns("quotes", bad["quotes"], bad["documents"], bad["entities"])
    assert frame["speaker_entity_known"].tolist() == [True, False]


def test_a_statement_id_must_name_a_quote_of_the_same_document_and_is_never_null(tmp_path: Path):
    t = tables()
    q = t["quotes"].to_pylist()[0]
    documents = t["documents"].to_pylist() + [{**t["documents"].to_pylist()[0], "doc_id": "d2"}]
    rows = [
        {**q, "quote_id": "q2", "statement_id": "q1"},  # a later piece of q1's statement
        {**q, "quote_id": "q3", "statement_id": "q9"},  # no such quote
        {**q, "doc_id": "d2", "quote_id": "q4", "statement_id": "q1"},  # q1 is d1's, not d2's
        q,
    ]
    bad = tables(quotes=rows, documents=documents)
    frame = check_columns("quotes", bad["quotes"], bad["documents"], bad["entities"])
    assert frame["statement_known"].tolist() == [True, False, False, True]
    v = Validator(tmp_path / "run3", "run3")
    assert not v.validate("c0", tables(quotes=[{**q, "statement_id": None}]))
    assert "every quotes row has a statement_id" in v.finish(tmp_path / "latest").message()


def test_check_columns_match_python_slicing_with_characters_outside_the_basic_plane():
    """The vectorised checks count code points as Python (and spaCy) do, across several documents."""
    texts = {"d1": "“Ça va” 😀 said Zoë.", "d2": "Plain text here, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 too."}
    docs = [
        {
            "doc_id": d,
            "source": f"{d}.txt",
            "title": None,
            "text": t,
            "n_words": 3,
            "pipeline_version": PIPELINE_VERSION,
        }
        for d, t in texts.items()
    ]
    spans = [("d1", 1, 6), ("d1", 8, 9), ("d1", 15, 18), ("d2", 17, 24), ("d2", 0, 5), ("d2", 3, 3)]
    rows = [
        {"doc_id": d, "start_char": s, "end_char": e, "text": texts[d][s:e], "label": "PERSON", "entity_id": "e1"}
        for d, s, e in spans
    ]
    rows += [{**rows[0], "text": "Ça vb"}, {**rows[3], "start_char": 18, "end_char": 25}, {**rows[1], "doc_id": "dx"}]
    entities = [
        {"doc_id": "d1", "entity_id": "e1", "name": "Zoë", "label": "PERSON", "n_mentions": 1, "gender_cues": []}
    ]
    frame = check_columns(
        "mentions", from_rows("mentions", rows), from_rows("documents", docs), from_rows("entities", entities)
    )
    assert frame["slices_back"].tolist() == [True] * 6 + [False, False, False]
    assert frame["inside_document"].tolist() == [True] * 8 + [False]
    assert frame["doc_known"].tolist() == [True] * 8 + [False]
    assert frame["entity_known"].tolist() == [True, True, True, False, False, False, True, False, False]


def test_chunks_validated_beside_the_analysis_count_in_the_report_and_fail_the_run(tmp_path: Path):
    run = Run(tmp_path, new_run_id())
    docs = [{**tables()["documents"].to_pylist()[0], "authors": []}]
    bad = tables(documents=docs, quotes=[{**tables()["quotes"].to_pylist()[0], "start_char": 22}])  # slices wrong
    for part, chunk in (("c00000", tables(documents=docs)), ("c00001", bad), ("c00002", tables(documents=docs))):
        for name, table in chunk.items():
            stage_table(run.staging, name, part, table)
    stage_table(run.staging, "sources", "sources", from_rows("sources", [source("a.txt", "document", "d1")]))
    early = ChunkValidation(run)
    early.start()
    (validator,) = early.pool.workers
    early.submit("c00000")
    early.submit("c00001")
    report = validate_staged(tmp_path, run.staging, run.run_id, ["c00000", "c00001", "c00002"], {}, early)
    assert early.parts == ["c00000", "c00001"]  # validated in the validator process, beside
    assert not any(t.name.startswith("newsflow-validate") for t in threading.enumerate())
    assert not validator.process.is_alive(), "the validator process ends with the validation"
    assert report.suites_run == 3 * 4 + 2  # three chunks of four tables, the rejects, the sources
    assert not report.success
    assert [(f.table, f.part) for f in report.failures] == [("quotes", "c00001")]
    assert report.data_docs and Path(report.data_docs).exists()


def test_a_validator_process_killed_fails_the_validation_in_one_line(tmp_path: Path):
    """SIGKILL to the validator process (out of memory, an operator): the validate step raises
    `WorkerLost` naming it, at once, and nothing is left running."""
    run = Run(tmp_path, new_run_id())
    docs = [{**tables()["documents"].to_pylist()[0], "authors": []}]
    for name, table in tables(documents=docs).items():
        stage_table(run.staging, name, "c00000", table)
    stage_table(run.staging, "sources", "sources", from_rows("sources", [source("a.txt", "document", "d1")]))
    early = ChunkValidation(run)
    early.start()
    (victim,) = early.pool.pids
    os.kill(victim, signal.SIGKILL)
    started = time.monotonic()
    with pytest.raises(WorkerLost, match=rf"worker newsflow-validator-0 \(pid {victim}\) was killed by SIGKILL"):
        validate_staged(tmp_path, run.staging, run.run_id, ["c00000"], {}, early)
    assert time.monotonic() - started < 30
    assert not any(t.name.startswith("newsflow-validate") for t in threading.enumerate())
