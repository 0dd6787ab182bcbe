"""The output folder's storage: staged parts, versions swapped in atomically, the lock, leftovers."""

import logging
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from newsflow.schemas.tables import PIPELINE_VERSION, TABLES, from_rows
from newsflow.tasks import storage

from .support import doc_row, stage_and_swap


def published_versions(root: Path) -> dict[str, str]:
    docs = storage.read_published(root, "documents", ["doc_id", "pipeline_version"]).to_pylist()
    return {d["doc_id"]: d["pipeline_version"] for d in docs}


def test_swaps_accumulate_and_every_table_reads_with_its_schema(tmp_path: Path):
    stage_and_swap(tmp_path, [doc_row("d1")])
    stage_and_swap(tmp_path, [doc_row("d2")])
    docs = storage.read_published(tmp_path, "documents")
    assert sorted(docs.column("doc_id").to_pylist()) == ["d1", "d2"]
    for name, schema in TABLES.items():
        table = ds.dataset(str(tmp_path / name), format="parquet").to_table()
        assert table.schema.equals(schema, check_metadata=False), name
    assert not (storage.Layout(tmp_path).state / "staging").exists() or not any(
        (storage.Layout(tmp_path).state / "staging").iterdir()
    )


def test_replaced_documents_lose_their_old_rows(tmp_path: Path):
    stage_and_swap(tmp_path, [doc_row("d1", "old", "0.0"), doc_row("d2")])
    stage_and_swap(tmp_path, [doc_row("d1", "new")], replaced={"d1"})
    docs = {r["doc_id"]: r["text"] for r in storage.read_published(tmp_path, "documents").to_pylist()}
    assert docs == {"d1": "new", "d2": "Some text."}
    assert published_versions(tmp_path) == {"d1": PIPELINE_VERSION, "d2": PIPELINE_VERSION}


def test_rows_are_dropped_by_each_tables_key_and_read_back_by_key(tmp_path: Path):
    run_id = storage.new_run_id()
    staging = storage.Layout(tmp_path).staging(run_id)
    storage.stage_table(staging, "documents", "c00000", from_rows("documents", [doc_row("d1"), doc_row("d2")]))
    rejects = [{"doc_id": f"r_{n}", "source": f"{n}.txt", "stage": "ingest", "reason": "file is empty"} for n in "ab"]
    storage.stage_table(staging, "rejects", "rejects", from_rows("rejects", rejects))
    storage.swap(tmp_path, staging, run_id)
    assert storage.published_version(tmp_path) == run_id and storage.is_published(tmp_path, "sources")
    assert storage.run_time(run_id) == storage.Run(tmp_path, run_id).started
    run_id = storage.new_run_id()
    storage.swap(
        tmp_path, storage.Layout(tmp_path).staging(run_id), run_id, {"documents": {"d2"}, "rejects": {"a.txt"}}
    )
    assert storage.read_published(tmp_path, "documents", ["doc_id"]).to_pylist() == [{"doc_id": "d1"}]
    assert storage.read_published(tmp_path, "rejects", ["source"]).to_pylist() == [{"source": "b.txt"}]
    assert storage.read_published(tmp_path, "rejects", ["doc_id"], keys={"b.txt", "c.txt"}).to_pylist() == [
        {"doc_id": "r_b"}
    ]


def test_a_half_built_version_is_invisible_and_cleaned_up(tmp_path: Path):
    stage_and_swap(tmp_path, [doc_row("d1")])
    before = storage.read_published(tmp_path, "documents")
    layout = storage.Layout(tmp_path)
    (layout.versions / "99999999T000000Z-dead.tmp" / "documents").mkdir(parents=True)
    (layout.staging("dead") / "documents").mkdir(parents=True)
    removed = storage.clean_leftovers(tmp_path)
    assert any("dead" in r for r in removed)
    assert not (layout.versions / "99999999T000000Z-dead.tmp").exists()
    assert storage.read_published(tmp_path, "documents").equals(before)


def test_old_versions_are_pruned(tmp_path: Path):
    for i in range(4):
        stage_and_swap(tmp_path, [doc_row(f"d{i}")])
    storage.clean_leftovers(tmp_path)
    assert len(list(storage.Layout(tmp_path).versions.iterdir())) == storage.KEEP_VERSIONS
    assert storage.read_published(tmp_path, "documents").num_rows == 4


def test_a_second_run_on_a_locked_output_says_so(tmp_path: Path):
    with storage.output_lock(tmp_path):
        with pytest.raises(storage.OutputLocked, match="another newsflow run"):
            with storage.output_lock(tmp_path, timeout=0.2):
                pass
    with storage.output_lock(tmp_path):  # released
        pass


def test_a_foreign_folder_in_place_of_a_table_is_not_overwritten(tmp_path: Path):
    (tmp_path / "quotes").mkdir()
    with pytest.raises(FileExistsError, match="move it away"):
        stage_and_swap(tmp_path, [doc_row("d1")])


def test_parts_are_written_with_zstd_and_the_fixed_schema(tmp_path: Path):
    import pyarrow.parquet as pq

    path = storage.write_part(
        tmp_path / "x" / "part-a.parquet",
        pa.table({"doc_id": ["a"], "source": ["s"], "stage": ["ingest"], "reason": ["because it is"]}),
        TABLES["rejects"],
    )
    meta = pq.ParquetFile(path).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert pq.read_schema(path).equals(TABLES["rejects"], check_metadata=False)
    assert not list(path.parent.glob("*.tmp"))
    assert os.path.getsize(path) > 0


def test_a_run_holds_the_lock_cleans_leftovers_first_and_leaves_no_staging(tmp_path: Path):
    stage_and_swap(tmp_path, [doc_row("d1")])
    (storage.Layout(tmp_path).staging("dead") / "documents").mkdir(parents=True)
    log = logging.getLogger("test-storage")
    with storage.open_run(tmp_path, 0.0, log) as run:
        assert not storage.Layout(tmp_path).staging("dead").exists()
        with pytest.raises(storage.OutputLocked):
            with storage.output_lock(tmp_path):
                pass
        storage.stage_table(run.staging, "documents", "c00000", from_rows("documents", [doc_row("d2")]))
    assert not run.staging.exists()  # a run that published nothing leaves nothing
    assert published_versions(tmp_path) == {"d1": PIPELINE_VERSION}
    with pytest.raises(RuntimeError, match="boom"):
        with storage.open_run(tmp_path, 0.0, log) as failed:
            storage.stage_table(failed.staging, "documents", "c00000", from_rows("documents", [doc_row("d3")]))
            raise RuntimeError("boom")
    assert failed.staging.exists()  # kept for the next run to remove, under the lock
