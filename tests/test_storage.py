"""The output's storage: Delta tables committed per table, published together by the manifest,
tables ahead of it restored, the lease, upkeep and the migration from the old format."""

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from newsflow.schemas.tables import PIPELINE_VERSION, TABLES, from_rows
from newsflow.tasks import storage
from newsflow.tasks.storage import lease as leases
from newsflow.tasks.storage import upkeep

from .support import doc_row, legacy_output, stage_and_swap

log = logging.getLogger("test")


def published_versions(root: Path) -> dict[str, str]:
    docs = storage.read_published(root, "documents", ["doc_id", "pipeline_version"]).to_pylist()
    return {d["doc_id"]: d["pipeline_version"] for d in docs}


def test_publishes_accumulate_and_every_table_is_a_delta_table_with_its_schema(tmp_path: Path):
    stage_and_swap(tmp_path, [doc_row("d1")])
    stage_and_swap(tmp_path, [doc_row("d2")])
    docs = storage.read_published(tmp_path, "documents")
    assert sorted(docs.column("doc_id").to_pylist()) == ["d1", "d2"]
    manifest = storage.read_manifest(tmp_path)
    for name, schema in TABLES.items():
        table = DeltaTable(str(tmp_path / name))
        assert table.version() == manifest["tables"][name], name
        assert storage.read_published(tmp_path, name).schema.equals(schema, check_metadata=False), name
        assert [f.name for f in table.schema().fields] == schema.names
    assert DeltaTable(str(tmp_path / "documents")).to_pyarrow_table().num_rows == 2  # any Delta reader
    assert storage.manifests(tmp_path) == sorted(storage.manifests(tmp_path)) and len(storage.manifests(tmp_path)) == 2
    assert not storage.staged_parts(storage.staging_url(tmp_path, manifest["run_id"]), "documents")


def test_replaced_documents_lose_their_old_rows_in_one_commit_of_their_keys(tmp_path: Path):
    stage_and_swap(tmp_path, [doc_row("d1", "old", "0.0"), doc_row("d2")])
    before = storage.read_manifest(tmp_path)["tables"]
    stage_and_swap(tmp_path, [doc_row("d1", "new")], replaced={"d1"})
    docs = {r["doc_id"]: r["text"] for r in storage.read_published(tmp_path, "documents").to_pylist()}
    assert docs == {"d1": "new", "d2": "Some text."}
    assert published_versions(tmp_path) == {"d1": PIPELINE_VERSION, "d2": PIPELINE_VERSION}
    after = storage.read_manifest(tmp_path)["tables"]
    assert after["documents"] == before["documents"] + 1  # one commit
    assert {n: v for n, v in after.items() if n != "documents"} == {n: v for n, v in before.items() if n != "documents"}
    [last] = DeltaTable(str(tmp_path / "documents")).history(1)
    assert last["operation"] == "WRITE" and "d2" not in str(last["operationParameters"])  # only d1 rewritten


def test_rows_are_dropped_by_each_tables_key_and_read_back_by_key(tmp_path: Path):
    run_id = storage.new_run_id()
    staging = storage.staging_url(tmp_path, run_id)
    storage.stage_table(staging, "documents", "c00000", from_rows("documents", [doc_row("d1"), doc_row("d2")]))
    rejects = [{"doc_id": f"r_{s}", "source": s, "stage": "ingest", "reason": "x"} for s in ("a.txt", "b.txt")]
    storage.stage_table(staging, "rejects", "rejects", from_rows("rejects", rejects))
    storage.publish(tmp_path, staging, run_id)
    assert storage.published_version(tmp_path) == run_id and storage.is_published(tmp_path, "sources")
    assert storage.run_time(run_id) == storage.Run(str(tmp_path), run_id).started
    run_id = storage.new_run_id()
    storage.publish(
        tmp_path, storage.staging_url(tmp_path, run_id), run_id, {"documents": {"d2"}, "rejects": {"a.txt"}}
    )
    assert storage.read_published(tmp_path, "documents", ["doc_id"]).to_pylist() == [{"doc_id": "d1"}]
    assert storage.read_published(tmp_path, "rejects", ["source"]).to_pylist() == [{"source": "b.txt"}]
    assert storage.read_published(tmp_path, "rejects", ["doc_id"], keys={"b.txt", "c.txt"}).to_pylist() == [
        {"doc_id": "r_b.txt"}
    ]


def _people(*names):
    row = {"aliases": [], "gender": "unknown", "n_documents": 1, "n_quotes": 0}
    return from_rows("people", [{**row, "person_id": n, "name": n} for n in names])


def test_a_publish_rewrites_only_the_keys_it_drops_or_stages(tmp_path: Path):
    for names, drop in ((("p1", "p2", "p3"), set()), (("p4",), {"p3"})):
        run_id = storage.new_run_id()
        staging = storage.staging_url(tmp_path, run_id)
        storage.stage_table(staging, "people", "people", _people(*names), keep_empty=True)
        storage.publish(tmp_path, staging, run_id, {"people": drop})
    assert sorted(r["person_id"] for r in storage.read_published(tmp_path, "people").to_pylist()) == ["p1", "p2", "p4"]
    append, delete = DeltaTable(str(tmp_path / "people")).history(2)  # newest first
    assert delete["operation"] == "DELETE" and append["operationParameters"]["mode"] == "Append"
    predicate = delete["operationParameters"]["predicate"]
    assert "p3" in predicate and "p1" not in predicate and "p4" not in predicate


def test_a_large_change_is_committed_in_batches_that_readers_see_together(tmp_path: Path, monkeypatch):
    """delta-rs overflows its stack on an `IN` list of ~30,000 keys: a change of more keys than
    `MAX_PREDICATE_KEYS` is several commits, and the manifest names the last."""
    monkeypatch.setattr(storage.tables, "MAX_PREDICATE_KEYS", 5)
    stage_and_swap(tmp_path, [doc_row(f"d{i:02d}") for i in range(12)])
    before = DeltaTable(str(tmp_path / "documents")).version()
    ids = {f"d{i:02d}" for i in range(12)}
    stage_and_swap(tmp_path, [doc_row(d, text="Edited.") for d in sorted(ids)], ids)  # each replaced
    after = DeltaTable(str(tmp_path / "documents")).version()
    assert after - before == 3  # 12 keys: batches of 5, 5 and 2
    assert storage.read_manifest(tmp_path)["tables"]["documents"] == after
    assert {r["text"] for r in storage.read_published(tmp_path, "documents").to_pylist()} == {"Edited."}
    assert storage.read_published(tmp_path, "documents").num_rows == 12


def test_all_replaces_a_table_and_its_schema_and_an_older_table_gains_new_columns(tmp_path: Path):
    """`ALL` (a registry rebuilt whole) replaces every row and the table's columns; a keyed write to a
    table of an older schema first adds the missing columns, null in the rows it keeps."""
    old = pa.schema([f for f in TABLES["person_entities"] if f.name in ("doc_id", "entity_id", "person_id")])
    old_rows = pa.table({"doc_id": ["d1", "d2"], "entity_id": ["e1", "e2"], "person_id": ["p1", "p2"]}, schema=old)
    write_deltalake(str(tmp_path / "person_entities"), old_rows)
    assert not storage.has_columns(tmp_path, "person_entities", ["person_key"])  # nothing published yet
    links = from_rows("person_entities", [{"doc_id": "d3", "entity_id": "e3", "person_id": "p3", "person_key": "ng"}])
    run_id = storage.new_run_id()
    staging = storage.staging_url(tmp_path, run_id)
    storage.stage_table(staging, "person_entities", "people", links)
    storage.publish(tmp_path, staging, run_id, {"person_entities": storage.ALL})
    assert storage.has_columns(tmp_path, "person_entities", TABLES["person_entities"].names)
    assert storage.read_published(tmp_path, "person_entities").to_pylist() == links.to_pylist()
    # A published table of the older schema: a keyed write keeps its other rows, null in the new columns.
    legacy = tmp_path / "legacy"
    write_deltalake(str(legacy / "person_entities"), old_rows)
    storage.publish(legacy, storage.staging_url(legacy, "r0"), "r0")  # a manifest naming the old table
    assert storage.read_published(legacy, "person_entities").column("person_key").null_count == 2
    run_id = storage.new_run_id()
    staging = storage.staging_url(legacy, run_id)
    storage.stage_table(staging, "person_entities", "people", links)
    storage.publish(legacy, staging, run_id, {"person_entities": {"ng"}})
    rows = sorted(storage.read_published(legacy, "person_entities").to_pylist(), key=lambda r: r["doc_id"])
    assert [(r["doc_id"], r["person_key"]) for r in rows] == [("d1", None), ("d2", None), ("d3", "ng")]


def test_readers_see_the_manifest_not_a_table_committed_past_it_and_the_next_run_restores_it(tmp_path: Path):
    stage_and_swap(tmp_path, [doc_row("d1")])
    published = storage.read_published(tmp_path, "documents")
    write_deltalake(str(tmp_path / "documents"), from_rows("documents", [doc_row("d9")]), mode="append")  # a killed run
    assert storage.read_published(tmp_path, "documents").equals(published)
    with storage.open_run(tmp_path, 0.0, log):
        pass
    assert DeltaTable(str(tmp_path / "documents")).to_pyarrow_table().column("doc_id").to_pylist() == ["d1"]


def test_a_run_holds_the_lease_cleans_leftovers_first_and_leaves_no_staging(tmp_path: Path):
    stage_and_swap(tmp_path, [doc_row("d1")])
    dead = storage.staging_url(tmp_path, "dead")
    storage.stage_table(dead, "documents", "c00000", from_rows("documents", [doc_row("d7")]))
    with storage.open_run(tmp_path, 0.0, log) as run:
        assert not storage.staged_parts(dead, "documents")
        with pytest.raises(storage.OutputLocked, match=f"another newsflow run \\(pid {os.getpid()}\\) is writing"):
            storage.Lease(str(tmp_path), "second").acquire()
        storage.stage_table(run.staging, "documents", "c00000", from_rows("documents", [doc_row("d2")]))
        storage.publish(run.root, run.staging, run.run_id, lease=run.lease)
    assert not storage.staged_parts(run.staging, "documents")
    with pytest.raises(RuntimeError, match="boom"):
        with storage.open_run(tmp_path, 0.0, log) as failed:
            storage.stage_table(failed.staging, "documents", "c00000", from_rows("documents", [doc_row("d3")]))
            raise RuntimeError("boom")
    assert sorted(published_versions(tmp_path)) == ["d1", "d2"]  # the failed run published nothing
    with storage.open_run(tmp_path, 0.0, log):  # released, and the failed run's staging goes
        assert not storage.staged_parts(failed.staging, "documents")


def test_the_lease_waits_is_taken_over_when_stale_and_a_holder_that_lost_it_publishes_nothing(tmp_path: Path):
    root = str(tmp_path)
    first = storage.Lease(root, "first").acquire()
    started = time.monotonic()
    with pytest.raises(storage.OutputLocked, match="pass --lock-timeout SECONDS to wait"):
        storage.Lease(root, "second", timeout=1.0).acquire()
    assert time.monotonic() - started >= 1.0
    first.release()
    second = storage.Lease(root, "second").acquire()
    # a holder gone from this machine (killed) does not block: its record is stale at once
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    second.release()
    generation, _ = leases.newest(root)
    record = {"owner": "killed", "pid": int(dead.stdout), "host": socket.gethostname(), "expires": time.time() + 99}
    storage.location.put(root, leases._key(generation + 1), json.dumps(record).encode(), create=True)
    third = storage.Lease(root, "third").acquire()
    # another machine's live lease blocks until it expires; one that took ours makes us stop
    generation = third.generation
    other = {"owner": "other", "pid": 1, "host": "elsewhere", "expires": time.time() + 99}
    storage.location.put(root, leases._key(generation + 1), json.dumps(other).encode(), create=True)
    with pytest.raises(storage.LeaseLost):
        third._next()
    with pytest.raises(storage.LeaseLost, match="this run publishes nothing"):
        third.check()
    third.release()
    with pytest.raises(storage.OutputLocked, match="pid 1 on elsewhere"):
        storage.Lease(root, "fourth").acquire()
    # a lease another machine stopped renewing expires: the next run takes it over
    generation, _ = leases.newest(root)
    expired = {**other, "expires": time.time() - 1}
    storage.location.put(root, leases._key(generation + 1), json.dumps(expired).encode(), create=True)
    fourth = storage.Lease(root, "fourth").acquire()
    assert leases.newest(root)[1]["owner"] == "fourth"
    fourth.release()


def test_outputs_that_cannot_be_used_fail_before_any_work(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(storage.OutputError, match="holds something else \\(notes.txt\\)"):
        storage.check_output(tmp_path)
    with pytest.raises(storage.OutputError, match="is a file, not a folder"):
        storage.check_output(tmp_path / "notes.txt")
    with pytest.raises(storage.OutputError, match="ftp:// is not supported"):
        storage.check_output("ftp://host/x")
    assert list(tmp_path.iterdir()) == [tmp_path / "notes.txt"]  # nothing written
    assert storage.check_output(tmp_path / "new") == str(tmp_path / "new")


def test_an_old_output_is_migrated_row_for_row_and_a_run_on_one_says_to_migrate(tmp_path: Path):
    docs = [[doc_row("d1"), doc_row("d2")], [{**doc_row("d3"), "source": "d2.txt"}]]
    rejects = [[{"doc_id": "r_1", "source": "scan.pdf", "stage": "ingest", "reason": "a PDF"}]]
    legacy_output(tmp_path, "20261101T000000000000Z-old", {"documents": docs, "rejects": rejects, "quotes": []})
    with pytest.raises(storage.LegacyOutput, match=f"run `newsflow migrate --output {tmp_path}` once"):
        storage.check_output(tmp_path)
    (tmp_path / "documents").unlink()  # a migration interrupted after its first step runs again
    summary = upkeep.migrate(tmp_path)
    assert summary["rows"] == {"documents": 3, "rejects": 1, "quotes": 0} and not (tmp_path / ".newsflow").exists()
    assert storage.published_version(tmp_path) == "20261101T000000000000Z-old"
    assert storage.read_published(tmp_path, "documents").to_pylist() == [
        r for part in docs for r in from_rows("documents", part).to_pylist()
    ]
    assert not storage.is_published(tmp_path, "sources")  # that version had none: the next run makes it
    assert storage.check_output(tmp_path) == str(tmp_path)
    assert upkeep.migrate(tmp_path)["migrated"] is False


def test_maintain_compacts_publishes_the_compacted_versions_and_earlier_runs_still_read(tmp_path: Path):
    for i in range(6):
        stage_and_swap(tmp_path, [doc_row(f"d{i}")])
    first = storage.manifests(tmp_path)[0]
    assert len(DeltaTable(str(tmp_path / "documents")).file_uris()) == 6
    summary = upkeep.maintain(tmp_path, retention_hours=168)
    assert summary["compacted"]["documents"] == {
        "files_before": 6,
        "files_after": 1,
        "version": storage.read_manifest(tmp_path)["tables"]["documents"],
    }
    assert sorted(published_versions(tmp_path)) == [f"d{i}" for i in range(6)]
    as_of_first = storage.read_published(tmp_path, "documents", manifest=storage.read_manifest(tmp_path, first))
    assert as_of_first.column("doc_id").to_pylist() == ["d0"]  # time travel: the tables as of the first run
    summary = upkeep.maintain(tmp_path, retention_hours=0)  # no retention: the small files go
    assert summary["vacuumed"]["documents"] == 6
    assert sorted(published_versions(tmp_path)) == [f"d{i}" for i in range(6)]


def test_object_store_errors_read_as_what_to_do():
    from obstore.exceptions import GenericError

    url = "s3://bucket/out"
    refused = "status code: 403 Forbidden: <Code>InvalidAccessKeyId</Code> The bucket X does not exist"
    assert "refused the credentials" in storage.location.explain(url, GenericError(refused))
    missing = "Server returned non-2xx status code: 404 Not Found: <Code>NoSuchBucket</Code>"
    assert "the bucket does not exist" in storage.location.explain(url, GenericError(missing))
    # a port number that reads like a status code is not one
    unreachable = "Error performing GET http://127.0.0.1:40327/bucket: error sending request: Connection refused"
    assert "cannot reach the object store" in storage.location.explain(url, GenericError(unreachable))


def test_a_held_lease_is_renewed_while_its_run_works(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(leases, "RENEW", 0.05)
    lease = storage.Lease(str(tmp_path), "long run").acquire()
    first = lease.generation
    time.sleep(0.5)
    assert lease.generation > first and not lease.lost
    record = leases.newest(str(tmp_path))[1]
    assert record["owner"] == "long run" and record["expires"] > time.time() + leases.TTL - 5
    lease.release()
    assert leases.newest(str(tmp_path))[1]["released"]
    assert len(storage.location.keys(str(tmp_path), leases.PREFIX)) <= leases.KEEP + 2  # old records go


def test_the_pandas_reader_reads_the_published_version_and_as_of_a_run(tmp_path: Path):
    from newsflow.flows import queries

    stage_and_swap(tmp_path, [doc_row("d1")])
    first = storage.published_version(tmp_path)
    stage_and_swap(tmp_path, [doc_row("d2")])
    assert sorted(queries.table(tmp_path, "documents")["doc_id"]) == ["d1", "d2"]
    assert list(queries.table(tmp_path, "documents", run_id=first)["doc_id"]) == ["d1"]
    assert queries.table(tmp_path / "nothing", "documents") is None


def _publish_quotes(root: Path, doc_id: str, **quote: object) -> None:
    run_id = storage.new_run_id()
    staging = storage.staging_url(root, run_id)
    storage.stage_table(staging, "documents", "c00000", from_rows("documents", [doc_row(doc_id)]))
    row = {"doc_id": doc_id, "quote_id": f"q_{doc_id}", "text": "Some", "type": "direct", "start_char": 0}
    storage.stage_table(staging, "quotes", "c00000", from_rows("quotes", [row | {"end_char": 4} | quote]))
    storage.publish(root, staging, run_id, {"documents": set(), "quotes": set()})


def test_an_output_published_before_statement_id_still_reads_and_gains_the_column(tmp_path: Path, monkeypatch):
    from newsflow.flows.queries import run

    before = pa.schema([f for f in TABLES["quotes"] if f.name != "statement_id"])
    with monkeypatch.context() as patched:  # the quotes table as a newsflow before issue 30 published it
        patched.setitem(TABLES, "quotes", before)
        _publish_quotes(tmp_path, "d1")
    assert "statement_id" not in DeltaTable(str(tmp_path / "quotes")).schema().to_arrow().names
    assert storage.read_published(tmp_path, "quotes").column("statement_id").to_pylist() == [None]
    _publish_quotes(tmp_path, "d2", statement_id="q_d2")  # the next run's commit adds the column first
    assert "statement_id" in DeltaTable(str(tmp_path / "quotes")).schema().to_arrow().names
    rows = {r["doc_id"]: r["statement_id"] for r in storage.read_published(tmp_path, "quotes").to_pylist()}
    assert rows == {"d1": None, "d2": "q_d2"}  # older rows null until their document is processed again
    statements = {r["statement_id"]: r["pieces"] for r in run("statements", tmp_path)}
    assert statements == {"q_d1": 1, "q_d2": 1}  # an older quote is its own statement
