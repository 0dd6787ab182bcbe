"""Inputs checked without reading them, end to end (the real flow, real Delta tables read back): a
file whose size, mtime and file id match its sources row is not opened, --rehash reads it; a file
touched is hashed again and only its stat changes; a .jsonl file's unchanged records are not read
and an appended record is the only new document; an output written before the stat columns gains
them on its next run."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake
from hypothesis import given
from hypothesis import strategies as st

from newsflow.schemas.tables import TABLES
from newsflow.tasks import storage
from newsflow.tasks.unchanged import SourceIndex, Stat, file_column, file_of, reading_order, stat_of

from .support import SEED, table_contents, write_articles

STAT = ("modified", "file_id")


def by_source(out: Path) -> dict[str, dict]:
    return {r["source"]: r for r in storage.read_published(out, "sources").to_pylist()}


def analysed(out: Path) -> dict[str, list[tuple]]:
    """Every table but sources, row for row."""
    return {name: rows for name, rows in table_contents(out).items() if name != "sources"}


def test_a_file_that_looks_unchanged_is_not_opened_and_rehash_reads_it(run_flow, tmp_path):
    folder, out = write_articles(tmp_path / "in", 2), tmp_path / "out"
    run_flow(folder, out)
    before, tables = by_source(out), analysed(out)
    target = folder / "article-1.txt"
    st = target.stat()
    # Its bytes replaced by as many unreadable ones (a PDF), its mtime restored, and its permissions
    # taken away: a run that opened it would reject it.
    target.write_bytes(b"%PDF-1.4\n" + b"\0" * (st.st_size - 9))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    target.chmod(0)
    try:
        again = run_flow(folder, out)
        assert again["unchanged_files"] == 2 and not again["published"]
        assert again["rows"] == {"documents": 0, "rejects": 0}
        assert by_source(out) == before and analysed(out) == tables
        assert storage.read_published(out, "rejects").num_rows == 0

        rehashed = run_flow(folder, out, rehash=True)
        assert rehashed["unchanged_files"] == 0 and rehashed["published"]
        [reject] = storage.read_published(out, "rejects").to_pylist()
        assert reject["source"] == "article-1.txt"
        row = by_source(out)["article-1.txt"]
        # a failed re-scrape: rejected, standing for its last good document, whose rows stay
        assert (row["status"], row["doc_id"]) == ("rejected", before["article-1.txt"]["doc_id"])
        assert row["last_seen"] > before["article-1.txt"]["last_seen"]
        assert analysed(out)["documents"] == tables["documents"]
    finally:
        target.chmod(0o644)


def test_a_touched_file_is_hashed_again_and_only_its_stat_changes(run_flow, tmp_path):
    folder, out = write_articles(tmp_path / "in", 2), tmp_path / "out"
    run_flow(folder, out)
    before, tables = by_source(out), analysed(out)
    target = folder / "article-0.txt"
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))  # touched: new mtime, same bytes

    touched = run_flow(folder, out)
    assert touched["published"] and touched["new_documents"] == 0 and touched["unchanged_files"] == 1
    after = by_source(out)
    assert after["article-1.txt"] == before["article-1.txt"]  # not read: its row untouched
    old, new = before["article-0.txt"], after["article-0.txt"]
    assert new["modified"] == stat_of(target).modified != old["modified"] and new["last_seen"] > old["last_seen"]
    same = {k: v for k, v in old.items() if k not in ("modified", "last_seen")}
    assert {k: new[k] for k in same} == same  # same hash, same document, same file
    assert analysed(out) == tables

    again = run_flow(folder, out)
    assert again["unchanged_files"] == 2 and not again["published"]


def records(texts: list[str]) -> str:
    return "".join(json.dumps({"text": t, "url": f"https://example.org/{i}"}) + "\n" for i, t in enumerate(texts))


def test_a_jsonl_file_unchanged_is_not_read_and_an_appended_record_is_the_only_new_document(run_flow, tmp_path):
    articles = [p.read_text() for p in sorted(write_articles(tmp_path / "articles", 4).iterdir())]
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    feed = folder / "feed.jsonl"
    feed.write_text(records(articles[:3]))
    shutil.copy(SEED, folder / "seed.txt")
    first = run_flow(folder, out)
    assert first["new_documents"] == 4
    before = by_source(out)
    assert {s for s in before} == {"feed.jsonl#1", "feed.jsonl#2", "feed.jsonl#3", "seed.txt"}
    stat = stat_of(feed)
    assert {(before[f"feed.jsonl#{i}"]["modified"], before[f"feed.jsonl#{i}"]["file_id"]) for i in (1, 2, 3)} == {
        (stat.modified, stat.file_id)
    }  # each record carries its file's stat

    again = run_flow(folder, out)
    assert again["unchanged_files"] == 2 and not again["published"] and by_source(out) == before

    with feed.open("a") as handle:
        handle.write(records(articles)[len(records(articles[:3])) :])
    appended = run_flow(folder, out)
    assert appended["published"] and appended["new_documents"] == 1 and appended["unchanged_files"] == 1
    assert appended["updated"] == 0 and appended["removed_documents"] == 0
    after = by_source(out)
    assert after["seed.txt"] == before["seed.txt"]
    for i in (1, 2, 3):  # read again (the file changed): same document, the file's new stat
        old, new = before[f"feed.jsonl#{i}"], after[f"feed.jsonl#{i}"]
        assert (new["doc_id"], new["sha256"], new["status"]) == (old["doc_id"], old["sha256"], old["status"])
        assert new["modified"] == stat_of(feed).modified and new["last_seen"] > old["last_seen"]
    assert after["feed.jsonl#4"]["status"] == "document"
    documents = {d["doc_id"] for d in storage.read_published(out, "documents", ["doc_id"]).to_pylist()}
    assert documents == {r["doc_id"] for r in after.values()} and len(documents) == 5


def old_format(out: Path) -> None:
    """The output as newsflow wrote it before sources had `modified` and `file_id`: the table
    rewritten without them, and the manifest naming that version."""
    url = storage.table_url(out, "sources")
    rows = storage.read_published(out, "sources").drop_columns(list(STAT))
    write_deltalake(url, rows, mode="overwrite", schema_mode="overwrite")
    manifest = storage.read_manifest(out)
    manifest["tables"]["sources"] = DeltaTable(url).version()
    data = json.dumps(manifest).encode()
    storage.location.put(storage.url_of(out), f"{storage.tables.HISTORY}{manifest['run_id']}.json", data)
    storage.location.put(storage.url_of(out), storage.tables.MANIFEST, data)


def test_an_output_without_the_stat_columns_gains_them_on_its_next_run(run_flow, tmp_path):
    folder, out = write_articles(tmp_path / "in", 2), tmp_path / "out"
    run_flow(folder, out)
    old_format(out)
    url = storage.table_url(out, "sources")
    assert not set(STAT) & set(DeltaTable(url).schema().to_arrow().names)
    before, tables = by_source(out), analysed(out)
    assert {(r["modified"], r["file_id"]) for r in before.values()} == {(None, None)}  # read as unknown

    upgraded = run_flow(folder, out)  # every file read once (its stat unknown), then recorded
    assert upgraded["published"] and upgraded["unchanged_files"] == 0 and upgraded["new_documents"] == 0
    assert set(STAT) <= set(DeltaTable(url).schema().to_arrow().names)
    after = by_source(out)
    for name, row in after.items():
        stat = stat_of(folder / name)
        assert (row["modified"], row["file_id"], row["doc_id"]) == (stat.modified, stat.file_id, before[name]["doc_id"])
    assert analysed(out) == tables
    assert run_flow(folder, out)["unchanged_files"] == 2


def test_a_file_is_unchanged_only_when_its_size_mtime_and_id_all_match(tmp_path):
    (tmp_path / "a.txt").write_text("some bytes\n")
    stat = stat_of(tmp_path / "a.txt")

    def row(source: str, size: int | None, modified=stat.modified, file_id=stat.file_id, sha="0" * 64) -> dict:
        row = {"source": source, "status": "document", "doc_id": "d", "sha256": sha, "bytes": size}
        return row | {"modified": modified, "file_id": file_id, "last_seen": stat.modified}

    def unchanged(*rows: dict, stats: dict[str, Stat]) -> set[str]:
        schema = pa.schema([TABLES["sources"].field(c) for c in rows[0]])
        return SourceIndex(pa.Table.from_pylist(list(rows), schema=schema)).unchanged(stats)

    assert unchanged(row("a.txt", 11), stats={"a.txt": stat}) == {"a.txt"}
    assert unchanged(row("a.txt", 12), stats={"a.txt": stat}) == set()
    assert unchanged(row("a.txt", 11, file_id="1:2"), stats={"a.txt": stat}) == set()
    assert unchanged(row("a.txt", 11, modified=None), stats={"a.txt": stat}) == set()  # an old output's row
    assert unchanged(row("a.txt", 11, sha=None), stats={"a.txt": stat}) == set()  # never hashed: read again
    feed = Stat(30, stat.modified, stat.file_id)  # a .jsonl file of two records of 10 and 20 bytes
    assert unchanged(row("f.jsonl#1", 10), row("f.jsonl#2", 20), stats={"f.jsonl": feed}) == {"f.jsonl"}
    assert (
        unchanged(row("f.jsonl#1", 10), row("f.jsonl#2", 20), stats={"f.jsonl": Stat(31, feed.modified, feed.file_id)})
        == set()
    )


# Sources as runs write them (files, records `FILE#LINE`) and near misses: digits without `#`, `#`
# without digits, other suffixes, upper case, non-ASCII names.
PIECES = st.sampled_from(["a", "b/", "é", "7", "12", "#", "#3", ".json", ".JSONL", ".jsonl", ".txt", ".Json", " "])


@given(st.lists(PIECES, max_size=6).map("".join))
def test_file_of_one_source_is_the_column_rule(source):
    """`file_of` (plain Python, per source) and `file_column` (Arrow kernels, per column) agree."""
    assert file_of(source) == file_column(pa.array([source], pa.string()))[0].as_py()


def test_records_sort_by_file_then_line():
    assert file_of("feed/day.jsonl#12") == "feed/day.jsonl" and file_of("notes#12.txt") == "notes#12.txt"
    assert sorted(["f.jsonl#10", "f.jsonl#9", "e.txt"], key=reading_order) == ["e.txt", "f.jsonl#9", "f.jsonl#10"]
