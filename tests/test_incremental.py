"""Runs over a folder that changes between them, end to end (the real flow, in-process): an article
edited in place replaces its earlier document, duplicates and removed files stay accounted for
in `sources`, a rejected file that is fixed becomes a document, a failed re-scrape keeps the last
good document, and after any sequence of runs the tables equal a fresh run's over the files as
they are now, plus the documents of files since removed or broken."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsflow.tasks import storage

from .support import SEED, unpublish

ANALYSED = ("documents", "mentions", "entities", "quotes")
UNSHARED = ("first_seen", "last_seen", "modified", "file_id")  # when the runs ran and the files were written


def rows(out: Path, name: str, drop: tuple[str, ...] = ()) -> list[dict]:
    """A published table's rows in a canonical order, without the columns `drop`."""
    table = [{k: v for k, v in r.items() if k not in drop} for r in storage.read_published(out, name).to_pylist()]
    return sorted(table, key=lambda r: [(v is None, str(v)) for v in r.values()])


def by_source(out: Path) -> dict[str, dict]:
    return {r["source"]: r for r in storage.read_published(out, "sources").to_pylist()}


def state(out: Path) -> dict[str, list[dict]]:
    """What a run publishes, less when the sources were seen (which depends on when the runs ran)
    and the files' stat (on when they were written)."""
    return {name: rows(out, name) for name in (*ANALYSED, "rejects")} | {"sources": rows(out, "sources", UNSHARED)}


def quotes(out: Path) -> list[tuple]:
    return sorted((q["text"], q["type"], q["speaker_name"], q["cue"]) for q in rows(out, "quotes"))


def edited_seed() -> str:
    text = SEED.read_text()
    edited = text.replace("Russia is dismissing", "Russia is flatly dismissing", 1)
    assert edited != text
    return edited


def test_publishing_the_seed_editing_one_sentence_and_rerunning_leaves_one_document(run_flow, tmp_path, caplog):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    first = run_flow(folder, out)
    seed_quotes = quotes(out)
    [old] = by_source(out).values()
    assert first["sources"] == {"document": 1, "duplicate": 0, "rejected": 0} and len(seed_quotes) >= 11  # its gold

    (folder / "a.txt").write_text(edited_seed())
    with caplog.at_level(logging.INFO):
        second = run_flow(folder, out)
    [new] = by_source(out).values()
    assert f"updated: a.txt (replaces {old['doc_id']})" in caplog.messages
    assert second["published"] and second["updated"] == 1 and second["removed_documents"] == 1
    assert new["doc_id"] != old["doc_id"] and new["first_seen"] == old["first_seen"] < new["last_seen"]
    assert new["sha256"] == hashlib.sha256((folder / "a.txt").read_bytes()).hexdigest()
    assert [d["doc_id"] for d in rows(out, "documents")] == [new["doc_id"]]
    assert quotes(out) == seed_quotes  # the seed's quotes, once (their offsets moved on by the edit)
    for name in ANALYSED:
        assert {r["doc_id"] for r in rows(out, name)} == {new["doc_id"]}, name

    run_flow(folder, tmp_path / "fresh")
    assert state(out) == state(tmp_path / "fresh")

    again = run_flow(folder, out)  # nothing changed: nothing published, not even the sources
    assert not again["published"] and by_source(out)["a.txt"] == new


def test_two_files_with_one_content_then_one_edited_keep_both_documents(run_flow, tmp_path, caplog):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    shutil.copy(SEED, folder / "b.txt")
    first = run_flow(folder, out)
    assert first["duplicates"] == 1 and first["sources"] == {"document": 1, "duplicate": 1, "rejected": 0}
    seed_id = by_source(out)["a.txt"]["doc_id"]
    n_quotes = len(rows(out, "quotes"))
    assert {s: (r["status"], r["doc_id"]) for s, r in by_source(out).items()} == {
        "a.txt": ("document", seed_id),
        "b.txt": ("duplicate", seed_id),
    }

    (folder / "a.txt").write_text(edited_seed())
    with caplog.at_level(logging.INFO):
        second = run_flow(folder, out)
    sources = by_source(out)
    assert f"updated: a.txt ({seed_id} stays: b.txt has that content too)" in caplog.messages
    assert second["updated"] == 1 and second["removed_documents"] == 0
    assert {s: r["status"] for s, r in sources.items()} == {"a.txt": "document", "b.txt": "document"}
    documents = {d["doc_id"]: d["source"] for d in rows(out, "documents")}
    assert documents == {sources["a.txt"]["doc_id"]: "a.txt", seed_id: "b.txt"}  # the seed's row moved to b.txt
    assert len(rows(out, "quotes")) == 2 * n_quotes  # the seed and its edited copy, each once
    run_flow(folder, tmp_path / "fresh")
    assert state(out) == state(tmp_path / "fresh")


def test_a_rejected_file_fixed_becomes_a_document_and_a_failed_rescrape_keeps_it(run_flow, tmp_path, caplog):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"")
    run_flow(folder, out)
    assert by_source(out)["a.txt"] | dict.fromkeys(UNSHARED) == {
        "source": "a.txt",
        "status": "rejected",
        "doc_id": None,
        "sha256": hashlib.sha256(b"").hexdigest(),
        "bytes": 0,
        "first_seen": None,
        "last_seen": None,
        "modified": None,
        "file_id": None,
    }
    assert [r["source"] for r in rows(out, "rejects")] == ["a.txt"]

    shutil.copy(SEED, folder / "a.txt")  # fixed
    with caplog.at_level(logging.INFO):
        fixed = run_flow(folder, out)
    assert "fixed: a.txt reads now (it was rejected)" in caplog.messages
    assert fixed["new_documents"] == 1 and rows(out, "rejects") == []
    good = by_source(out)["a.txt"]
    assert good["status"] == "document" and [d["doc_id"] for d in rows(out, "documents")] == [good["doc_id"]]
    published = state(out)

    (folder / "a.txt").write_bytes(b"%PDF-1.4\n1 0 obj")  # a failed re-scrape
    broken = run_flow(folder, out)
    assert broken["published"] and broken["sources"] == {"document": 0, "duplicate": 0, "rejected": 1}
    row = by_source(out)["a.txt"]
    assert (row["status"], row["doc_id"], row["bytes"]) == ("rejected", good["doc_id"], 16)
    assert [(r["source"], "PDF" in r["reason"]) for r in rows(out, "rejects")] == [("a.txt", True)]
    for name in ANALYSED:  # the article stays, whole
        assert rows(out, name) == published[name], name

    shutil.copy(SEED, folder / "a.txt")  # re-scraped again: back to where it was
    run_flow(folder, out)
    assert state(out) == published


def test_every_file_is_in_sources_duplicates_and_removed_files_included(run_flow, tmp_path, caplog):
    folder, out = tmp_path / "in", tmp_path / "out"
    (folder / "sub").mkdir(parents=True)
    for name in ("b.txt", "sub/a.txt", "z.txt"):
        shutil.copy(SEED, folder / name)
    (folder / "notes.csv").write_text("a,b\n")
    run_flow(folder, out)
    seed_id = by_source(out)["b.txt"]["doc_id"]
    expected = {
        "b.txt": ("document", seed_id),
        "sub/a.txt": ("duplicate", seed_id),
        "z.txt": ("duplicate", seed_id),
        "notes.csv": ("rejected", None),
    }
    assert {s: (r["status"], r["doc_id"]) for s, r in by_source(out).items()} == expected
    first_read = by_source(out)["z.txt"]["last_seen"]

    (folder / "b.txt").unlink()
    with caplog.at_level(logging.INFO):
        removed = run_flow(folder, out)
    assert removed["published"] and removed["new_documents"] == 0 and removed["removed_documents"] == 0
    sources = by_source(out)
    assert {s: (r["status"], r["doc_id"]) for s, r in sources.items()} == expected | {
        "b.txt": ("duplicate", seed_id),
        "sub/a.txt": ("document", seed_id),
    }
    # last_seen is the last run that read the file: the first, for the removed b.txt and the unchanged z.txt
    assert sources["b.txt"]["last_seen"] == sources["z.txt"]["last_seen"] == first_read
    assert [d["source"] for d in rows(out, "documents")] == ["sub/a.txt"]
    run_flow(folder, tmp_path / "fresh")
    published = state(out)
    published["sources"] = [r for r in published["sources"] if r["source"] != "b.txt"]  # the fresh run never saw it
    assert published == state(tmp_path / "fresh")

    for name in ("sub/a.txt", "z.txt"):
        (folder / name).unlink()
    with caplog.at_level(logging.INFO):
        run_flow(folder, out)
    assert f"no longer in the input: sub/a.txt (its document {seed_id} stays published)" in caplog.messages
    assert [d["source"] for d in rows(out, "documents")] == ["b.txt"]  # kept, under the first of its files
    assert not run_flow(folder, out)["published"]


def test_a_new_pipeline_version_analyses_everything_again_removed_files_included(run_flow, tmp_path, monkeypatch):
    import newsflow.schemas.expectations
    import newsflow.tasks.bookkeeping
    import newsflow.tasks.read_clean

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    (folder / "b.txt").write_text(edited_seed())
    for module in (newsflow.tasks.bookkeeping, newsflow.tasks.read_clean, newsflow.schemas.expectations):
        monkeypatch.setattr(module, "PIPELINE_VERSION", "2000.1.1")
    run_flow(folder, out)
    before = state(out)
    (folder / "b.txt").unlink()
    monkeypatch.undo()
    summary = run_flow(folder, out)
    assert summary["new_documents"] == 2 and summary["replaced"] == 2
    versions = {d["pipeline_version"] for d in rows(out, "documents")}
    assert versions == {newsflow.tasks.read_clean.PIPELINE_VERSION}
    after = state(out)
    assert [{**d, "pipeline_version": None} for d in after["documents"]] == [
        {**d, "pipeline_version": None} for d in before["documents"]
    ]
    assert {name: after[name] for name in ANALYSED[1:]} == {name: before[name] for name in ANALYSED[1:]}


def test_documents_analysed_again_are_staged_in_full_chunks_not_one_by_one(run_flow, tmp_path, monkeypatch, caplog):
    """A new pipeline version and one new file: the run reads one file but analyses three published
    documents again; they go in one chunk (of `chunk_size` documents), not one chunk each."""
    import newsflow.schemas.expectations
    import newsflow.tasks.bookkeeping
    import newsflow.tasks.read_clean

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for i, text in enumerate(ARTICLES[:3]):
        (folder / f"{i}.txt").write_text(text)
    for module in (newsflow.tasks.bookkeeping, newsflow.tasks.read_clean, newsflow.schemas.expectations):
        monkeypatch.setattr(module, "PIPELINE_VERSION", "2000.1.1")
    run_flow(folder, out)
    monkeypatch.undo()
    (folder / "3.txt").write_text(ARTICLES[3])
    with caplog.at_level(logging.INFO):
        summary = run_flow(folder, out)
    assert summary["new_documents"] == 4 and summary["replaced"] == 3 and summary["unchanged_files"] == 3
    assert any("4 new documents to analyse in 2 chunks" in m for m in caplog.messages), caplog.messages


# -- any sequence of runs over a changing folder --------------------------------------------------

ARTICLES = [
    "Bridge reopens\n\nThe bridge in Bergen reopened on Monday. “It is a good day,” Mayor Anna Berg said.\n",
    "Bridge reopens\n\nThe bridge in Bergen reopened on Tuesday. “It is a good day,” Mayor Anna Berg said.\n",
    "Ferry line opens\n\nThe ferry line opened on Friday. “We expect many passengers,” Lars Holm said.\n",
    "Council meets\n\nThe council met on Tuesday. Mayor Anna Berg said the budget would pass.\n",
]
BROKEN = [b"", b"%PDF-1.4\n1 0 obj"]
NAMES = ["a.txt", "b.txt", "c.txt"]
article = st.sampled_from(ARTICLES).map(str.encode)
op = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(NAMES), article),  # a new file, or one edited in place
    st.tuples(st.just("copy"), st.sampled_from(NAMES), st.sampled_from(NAMES)),  # a duplicate
    st.tuples(st.just("delete"), st.sampled_from(NAMES)),
    st.tuples(st.just("write"), st.sampled_from(NAMES), st.sampled_from(BROKEN)),  # a failed re-scrape
)
first_folder = st.lists(article, min_size=2, max_size=3).map(
    lambda texts: [("write", NAMES[i], text) for i, text in enumerate(texts)]
)
# Each example: the first folder, then 1–2 batches of changes, a run after each (and a fresh run to
# compare with, and one more run that must change nothing): about five runs of a few seconds.
sequences = st.tuples(first_folder, st.lists(st.lists(op, min_size=1, max_size=3), min_size=1, max_size=2)).map(
    lambda first_and_changes: [first_and_changes[0], *first_and_changes[1]]
)
SEQUENCES = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=5,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def apply(folder: Path, step: tuple) -> None:
    kind, name, *rest = step
    path = folder / name
    if kind == "write":
        path.write_bytes(rest[0])
    elif kind == "delete":
        path.unlink(missing_ok=True)
    elif (folder / rest[0]) != path and path.exists():
        shutil.copy(path, folder / rest[0])


def readable(data: bytes) -> bool:
    return data not in BROKEN


@SEQUENCES
@given(sequences)
def test_any_sequence_of_runs_equals_a_fresh_run_plus_the_documents_of_files_removed_or_broken(run_flow, runs):
    with tempfile.TemporaryDirectory() as tmp:
        folder, out, combined = Path(tmp) / "in", Path(tmp) / "out", Path(tmp) / "combined"
        folder.mkdir()
        last_seen: dict[str, bytes] = {}  # each file as the last run read it
        last_good: dict[str, bytes] = {}  # … and as it last read as an article
        for steps in runs:
            for step in steps:
                apply(folder, step)
            run_flow(folder, out)
            now = {p.name: p.read_bytes() for p in folder.iterdir()}
            last_seen |= now
            last_good |= {name: data for name, data in now.items() if readable(data)}
        current = {p.name: p.read_bytes() for p in folder.iterdir()}
        gone = {name: data for name, data in last_good.items() if not readable(current.get(name, b""))}
        # A fresh run over the files as they are now, plus the removed or broken files' last good
        # versions under ~/ (which sorts after every name here, as their rows come after the input's).
        shutil.copytree(folder, combined)
        (combined / "~").mkdir()
        for name, data in gone.items():
            (combined / "~" / name).write_bytes(data)
        run_flow(combined, Path(tmp) / "fresh")
        fresh = Path(tmp) / "fresh"

        def documents(output: Path) -> list[dict]:
            return sorted(
                ({**d, "source": d["source"].removeprefix("~/")} for d in rows(output, "documents")),
                key=lambda d: d["doc_id"],
            )

        assert documents(out) == documents(fresh)
        for name in ANALYSED[1:]:
            assert rows(out, name) == rows(fresh, name), name

        sources, reference = by_source(out), by_source(fresh)
        assert set(sources) == set(last_seen)
        for name, row in sources.items():
            kept = reference[f"~/{name}"]["doc_id"] if name in gone else None
            assert (row["sha256"], row["bytes"]) == (hashlib.sha256(last_seen[name]).hexdigest(), len(last_seen[name]))
            if not readable(last_seen[name]):
                assert (row["status"], row["doc_id"]) == ("rejected", kept), name
            else:
                like = reference[name] if name in current else reference[f"~/{name}"]
                assert (row["status"], row["doc_id"]) == (like["status"], like["doc_id"]), name
        rejected = {name for name, data in last_seen.items() if not readable(data)}
        assert {r["source"] for r in rows(out, "rejects")} == rejected
        assert [r for r in rows(out, "rejects") if r["source"] in current] == rows(fresh, "rejects")

        assert not run_flow(folder, out)["published"]  # and a run over the same folder changes nothing


def test_an_output_published_before_the_sources_table_gains_one_and_keeps_its_documents(run_flow, tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    (folder / "b.txt").write_text(ARTICLES[2])
    run_flow(folder, out)
    before = {d["source"]: d["doc_id"] for d in rows(out, "documents")}
    unpublish(out, "sources")  # as an earlier newsflow published it
    (folder / "b.txt").unlink()
    (folder / "a.txt").write_text(edited_seed())
    summary = run_flow(folder, out)
    assert summary["updated"] == 1 and summary["removed_documents"] == 1
    sources = by_source(out)
    assert (sources["b.txt"]["status"], sources["b.txt"]["doc_id"], sources["b.txt"]["sha256"]) == (
        "document",
        before["b.txt"],
        None,
    )
    assert sources["b.txt"]["first_seen"] == sources["a.txt"]["first_seen"] < sources["a.txt"]["last_seen"]
    documents = {d["source"]: d["doc_id"] for d in rows(out, "documents")}
    assert documents == {"a.txt": sources["a.txt"]["doc_id"], "b.txt": before["b.txt"]}
