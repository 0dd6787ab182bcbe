"""End to end: the real flow (real Prefect, spaCy, GX) into a temporary folder, read back with
pyarrow and DuckDB."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable

from newsflow.schemas.tables import TABLES
from newsflow.tasks import storage
from newsflow.tasks.config import load_settings
from newsflow.tasks.validate import ValidationFailed

from .support import REPO, SEED


def snapshot(output: Path) -> dict:
    """Every published file and its bytes' identity (inode + size + mtime)."""
    return {
        str(p.relative_to(output)): (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns)
        for name in TABLES
        for p in sorted((output / name).glob("*.parquet"))
    }


@pytest.fixture(scope="module")
def published(tmp_path_factory, prefect_api):
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    base = tmp_path_factory.mktemp("e2e")
    (base / "input").mkdir()
    shutil.copy(SEED, base / "input" / SEED.name)
    summary = newsflow(SettingsForm(input=base / "input", output=str(base / "output"), n_process=1))
    return base, summary


def test_seed_run_publishes_the_six_tables_with_their_schemas(published):
    base, summary = published
    out = base / "output"
    assert summary["published"] and summary["new_documents"] == 1 and summary["validation"] == "passed"
    for name, schema in TABLES.items():  # every table a Delta table, read back with its schema
        table = DeltaTable(str(out / name)).to_pyarrow_dataset(filesystem=storage.tables._filesystem(str(out / name)))
        assert table.schema.names == schema.names, name
        assert storage.read_published(out, name).schema.equals(schema, check_metadata=False), name
    quotes = storage.read_published(out, "quotes").to_pylist()
    assert summary["rows"]["quotes"] == len(quotes)
    assert summary["statements"] == len({q["statement_id"] for q in quotes}) < len(quotes)  # pieces joined
    docs = storage.read_published(out, "documents").to_pylist()
    assert docs[0]["title"] == "Russia scoffs at U.S. demand that it pull troops from Venezuela"
    assert docs[0]["text"].startswith("Russia is dismissing") and docs[0]["source"] == SEED.name


def test_the_summary_profiles_every_phase_and_they_add_up_to_the_run(published):
    _, summary = published
    phases = summary["phases"]
    assert list(phases) == [
        "startup",
        "read_clean",
        "analysis",
        "people",
        "validation",
        "publish",
        "report",
        "other",
    ]
    assert all(seconds >= 0 for seconds in phases.values())
    assert phases["analysis"] > 0 and phases["validation"] > 0 and phases["publish"] > 0 and phases["report"] > 0
    assert summary["report"].endswith("index.html") and Path(summary["report"]).is_file()
    assert abs(sum(phases.values()) - summary["seconds"]) < 0.3  # rounded to 0.01 s each, the total to 0.1 s


def test_every_span_slices_back_read_with_duckdb(published):
    out = published[0] / "output"
    for table in ("mentions", "quotes"):
        bad = duckdb.sql(f"""
            SELECT count(*) FROM read_parquet('{out}/{table}/**/*.parquet') t
            JOIN read_parquet('{out}/documents/**/*.parquet') d USING (doc_id)
            WHERE substring(d.text, t.start_char + 1, t.end_char - t.start_char) <> t.text""").fetchall()[0][0]
        assert bad == 0, table
    speakers = dict(
        duckdb.sql(f"""SELECT speaker_name, count(*) FROM read_parquet('{out}/quotes/*.parquet')
                                   GROUP BY 1""").fetchall()
    )
    assert speakers.get("Maria Zakharova", 0) >= 4 and speakers.get("Konstantin Kosachev", 0) >= 4


def test_every_statement_id_is_published_and_names_a_quote_of_its_document(published):
    quotes = storage.read_published(published[0] / "output", "quotes").to_pylist()
    assert quotes and all(q["statement_id"] is not None for q in quotes)
    ids = {(q["doc_id"], q["quote_id"]) for q in quotes}
    assert all((q["doc_id"], q["statement_id"]) in ids for q in quotes)
    pieces = [q for q in quotes if q["statement_id"] != q["quote_id"]]  # Kosachev's quote broken by its cue
    assert [q["text"][:15] for q in pieces] == ["And the withdra"]


def test_zakharova_is_one_person_with_her_full_name(published):
    out = published[0] / "output"
    rows = duckdb.sql(f"""SELECT e.name, e.label, count(*) FROM read_parquet('{out}/mentions/*.parquet') m
                          JOIN read_parquet('{out}/entities/*.parquet') e USING (doc_id, entity_id)
                          WHERE m.text LIKE '%Zakharova%' GROUP BY 1, 2""").fetchall()
    assert [(name, label) for name, label, _ in rows] == [("Maria Zakharova", "PERSON")]


def test_validation_results_are_kept_as_json_and_data_docs(published):
    out = published[0] / "output"
    summary = json.loads((out / "validation" / "latest" / "summary.json").read_text())
    assert (
        summary["failures"] == [] and summary["suites_run"] == 10
    )  # 4 per chunk, rejects, sources, people, person_entities, and the report's 2 aggregates
    assert (out / "validation" / "latest" / "gx/uncommitted/data_docs/local_site/index.html").is_file()


def test_a_second_run_changes_nothing_and_a_new_file_is_processed_alone(published, run_flow):
    base, _ = published
    out = base / "output"
    before = snapshot(out)
    again = run_flow(base / "input", out)
    assert not again["published"] and again["new_documents"] == 0 and again["already_published"] == 1
    assert snapshot(out) == before
    (base / "input" / "new.txt").write_text(
        "Mayor opens bridge\n\nThe mayor opened the bridge on Monday. “It is a great day,” Jane Smith said.\n"
    )
    third = run_flow(base / "input", out)
    assert third["published"] and third["new_documents"] == 1 and third["already_published"] == 1
    assert storage.read_published(out, "documents").num_rows == 2
    # earlier files stay as they were; sources gains the new file's row only (the unchanged file is not
    # read: its row and last_seen stay), people and person_entities are written whole (a function of all
    # documents)
    whole = ("sources/", "people/", "person_entities/")
    assert {p for p in before if not p.startswith(whole)} <= set(snapshot(out))
    assert {s["source"]: s["status"] for s in storage.read_published(out, "sources").to_pylist()} == {
        SEED.name: "document",
        "new.txt": "document",
    }


STRICT_HOOK = """
import os
if os.environ.get("NFTEST_STRICT_DOCUMENTS"):  # a rule made to fail, in the validator process
    import newsflow.schemas.expectations as suites_module

    original = suites_module.suites

    def strict(*args, **kwargs):
        import great_expectations.expectations as gxe

        out = original(*args, **kwargs)
        out["documents"].append(
            gxe.ExpectColumnValuesToBeBetween(
                column="n_words", max_value=5, description="documents are at most five words (a rule made to fail)"
            )
        )
        return out

    suites_module.suites = strict
"""


def test_a_failing_expectation_publishes_nothing(published, run_flow, monkeypatch, tmp_path):
    """An expectation the new document fails, added to the suites of the validator process (which
    runs them: `tasks/validate.py`) by a start-up hook: the run fails and publishes nothing."""
    base, _ = published
    out = tmp_path / "output"
    shutil.copytree(base / "output", out, symlinks=True)
    before = snapshot(out)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(STRICT_HOOK)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), *filter(None, [os.environ.get("PYTHONPATH")])]))
    monkeypatch.setenv("NFTEST_STRICT_DOCUMENTS", "1")
    (base / "input2").mkdir(exist_ok=True)
    (base / "input2" / "other.txt").write_text("Council meets\n\nThe council met on Tuesday to discuss the budget.\n")
    with pytest.raises(ValidationFailed, match="at most five words"):
        run_flow(base / "input2", out)
    assert snapshot(out) == before
    assert storage.read_published(out, "documents").num_rows == 2
    summary = json.loads((out / "validation" / "latest" / "summary.json").read_text())
    assert summary["failures"][0]["description"].startswith("documents are at most five words")


def test_rejects_are_published_with_reasons(run_flow, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.7 binary")
    shutil.copy(SEED, folder / "copy one.txt")
    shutil.copy(SEED, folder / "copy two.txt")
    summary = run_flow(folder, tmp_path / "out")
    assert summary["new_documents"] == 1 and summary["duplicates"] == 1
    rejects = {r["source"]: r for r in storage.read_published(tmp_path / "out", "rejects").to_pylist()}
    assert set(rejects) == {"empty.txt", "scan.pdf"}
    assert "empty" in rejects["empty.txt"]["reason"] and "PDF" in rejects["scan.pdf"]["reason"]


def test_the_flow_takes_settings_built_once_and_waits_for_the_lock_as_they_say(prefect_api, tmp_path):
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    settings = load_settings(env={}, input=folder, output=tmp_path / "out", n_process=1, lock_timeout=120)
    held = threading.Event()

    def hold_the_lock() -> None:
        with storage.Lease(settings.output, "holder"):
            held.set()
            time.sleep(2)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    held.wait()
    summary = newsflow(SettingsForm(input=folder, output=str(tmp_path / "out"), n_process=1, lock_timeout=120))
    holder.join()
    assert summary["published"] and summary["input"] == str(folder) and summary["new_documents"] == 1


@pytest.mark.slow
def test_command_line_run_and_its_errors(tmp_path):
    newsflow = [sys.executable, "-m", "newsflow.flows.cli"]
    ok = subprocess.run(
        [*newsflow, "run", "--input", str(SEED), "--output", str(tmp_path / "out"), "--n-process", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ok.returncode == 0, ok.stderr[-2000:]
    summary = json.loads(ok.stdout[ok.stdout.index("{") :])
    assert summary["published"] is True
    # The command line's run counts its start-up (imports, the model, Prefect's API) among its phases.
    assert summary["phases"]["startup"] > 0.5
    assert abs(sum(summary["phases"].values()) - summary["seconds"]) < 0.3
    bad = subprocess.run(
        [*newsflow, "run", "--input", str(tmp_path / "missing"), "--output", str(tmp_path / "o2")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert bad.returncode != 0
    assert bad.stderr.strip().splitlines()[-1].startswith("newsflow run:")
    assert f"input {tmp_path / 'missing'} does not exist: pass an existing file or folder with --input" in bad.stderr
    assert not (tmp_path / "o2").exists()  # checked before the run touches its output
    helptext = subprocess.run([*newsflow, "run", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "--task-runner" in helptext.stdout and "--input" in helptext.stdout
