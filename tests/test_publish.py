import os
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from newsflow.schemas.tables import PIPELINE_VERSION, TABLES, from_rows
from newsflow.tasks import publish as store


def doc_row(doc_id: str, text: str = "Some text.", version: str = PIPELINE_VERSION) -> dict:
    return {"doc_id": doc_id, "source": f"{doc_id}.txt", "title": None, "text": text, "n_words": 2,
            "pipeline_version": version}  # fmt: skip


def stage_and_publish(root: Path, rows: list[dict], replaced=frozenset()) -> None:
    run_id = store.new_run_id()
    staging = store.Layout(root).staging(run_id)
    store.stage_table(staging, "documents", "c00000", from_rows("documents", rows))
    store.publish(root, staging, run_id, set(replaced))


def test_publish_accumulates_and_every_table_reads_with_its_schema(tmp_path: Path):
    stage_and_publish(tmp_path, [doc_row("d1")])
    stage_and_publish(tmp_path, [doc_row("d2")])
    docs = store.read_published(tmp_path, "documents")
    assert sorted(docs.column("doc_id").to_pylist()) == ["d1", "d2"]
    for name, schema in TABLES.items():
        table = ds.dataset(str(tmp_path / name), format="parquet").to_table()
        assert table.schema.equals(schema, check_metadata=False), name
    assert not (store.Layout(tmp_path).state / "staging").exists() or not any(
        (store.Layout(tmp_path).state / "staging").iterdir()
    )


def test_replaced_documents_lose_their_old_rows(tmp_path: Path):
    stage_and_publish(tmp_path, [doc_row("d1", "old", "0.0"), doc_row("d2")])
    stage_and_publish(tmp_path, [doc_row("d1", "new")], replaced={"d1"})
    docs = {r["doc_id"]: r["text"] for r in store.read_published(tmp_path, "documents").to_pylist()}
    assert docs == {"d1": "new", "d2": "Some text."}
    assert store.published_ids(tmp_path)[0] == {"d1": PIPELINE_VERSION, "d2": PIPELINE_VERSION}


def test_a_half_built_version_is_invisible_and_cleaned_up(tmp_path: Path):
    stage_and_publish(tmp_path, [doc_row("d1")])
    before = store.read_published(tmp_path, "documents")
    layout = store.Layout(tmp_path)
    (layout.versions / "99999999T000000Z-dead.tmp" / "documents").mkdir(parents=True)
    (layout.staging("dead") / "documents").mkdir(parents=True)
    removed = store.clean_leftovers(tmp_path)
    assert any("dead" in r for r in removed)
    assert not (layout.versions / "99999999T000000Z-dead.tmp").exists()
    assert store.read_published(tmp_path, "documents").equals(before)


def test_old_versions_are_pruned(tmp_path: Path):
    for i in range(4):
        stage_and_publish(tmp_path, [doc_row(f"d{i}")])
    store.clean_leftovers(tmp_path)
    assert len(list(store.Layout(tmp_path).versions.iterdir())) == store.KEEP_VERSIONS
    assert store.read_published(tmp_path, "documents").num_rows == 4


def test_a_second_run_on_a_locked_output_says_so(tmp_path: Path):
    with store.output_lock(tmp_path):
        with pytest.raises(store.OutputLocked, match="another newsflow run"):
            with store.output_lock(tmp_path, timeout=0.2):
                pass
    with store.output_lock(tmp_path):  # released
        pass


def test_a_foreign_folder_in_place_of_a_table_is_not_overwritten(tmp_path: Path):
    (tmp_path / "quotes").mkdir()
    with pytest.raises(FileExistsError, match="move it away"):
        stage_and_publish(tmp_path, [doc_row("d1")])


def test_parts_are_written_with_zstd_and_the_fixed_schema(tmp_path: Path):
    import pyarrow.parquet as pq

    path = store.write_part(tmp_path / "x" / "part-a.parquet", pa.table({"doc_id": ["a"], "source": ["s"],
                            "stage": ["ingest"], "reason": ["because it is"]}), TABLES["rejects"])  # fmt: skip
    meta = pq.ParquetFile(path).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert pq.read_schema(path).equals(TABLES["rejects"], check_metadata=False)
    assert not list(path.parent.glob("*.tmp"))
    assert os.path.getsize(path) > 0
