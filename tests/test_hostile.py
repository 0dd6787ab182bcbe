"""Whatever lands in the input folder: every file ends as a document, a duplicate or a `rejects`
row with a reason a person can act on, and `sources` names each with its status; nothing crashes
the run or stalls it.

The files are generated here, one per kind of trouble, and go through the real code: first
read and clean (`read_clean`, no Prefect), then the whole flow, run again, and run with one new file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

import pytest

from newsflow.tasks import storage
from newsflow.tasks.bookkeeping import reject_row
from newsflow.tasks.config import load_settings
from newsflow.tasks.discover import discover
from newsflow.tasks.read_clean import read_clean


def article(topic: str) -> str:
    return (
        f"{topic.capitalize()} reopens after repairs\n\nThe {topic} in Bergen reopened on Monday after "
        f"two years of repairs, city officials said.\n\n“It is a good day for the city,” Mayor Anna Berg "
        f"said at the ceremony for the {topic}.\n"
    )


PAGE = (
    "<!DOCTYPE html><html><head><title>Site | Ferry</title><script>var x = '“not this”';</script></head>"
    "<body><nav><p>Home</p></nav><h1>Ferry line opens</h1><article><p>The new ferry line opened on "
    "Friday, the operator said.</p><p>“We expect 2,000 passengers a day,” Chief Executive Lars Holm "
    "said.</p></article></body></html>"
)

DOCUMENT, DUPLICATE = "document", "duplicate"


def hostile_folder(root: Path, outside: Path) -> dict[str, str]:
    """Write the hostile inputs under `root`; returns each entry's expected fate: DOCUMENT,
    DUPLICATE, or the words its reject reason must contain."""
    files: dict[str, bytes] = {
        "plain.txt": article("bridge").encode(),
        "crlf.txt": article("tunnel").replace("\n", "\r\n").encode(),
        "bom.txt": b"\xef\xbb\xbf" + article("library").encode(),
        "latin1.txt": article("café").replace("“", '"').replace("”", '"').encode("latin-1"),
        "cp1252.txt": (article("museum") + "Tickets cost €5 – half price.\n").encode("cp1252"),
        "utf16.txt": article("stadium").encode("utf-16"),
        "mojibake.txt": (article("harbour") + "They don’t mind.\n".encode().decode("cp1252") + "\n").encode(),
        "nul bytes.txt": article("market").replace("repairs", "re\x00pairs\x00").encode(),
        "quotes unbalanced.txt": (article("school") + 'He said “no end. And " stray ” marks ‘ here.\n').encode(),
        "quotes hundreds.txt": (article("park") + " ".join(['"yes," he said.'] * 150 + ["“"] * 200) + "\n").encode(),
        "page.html": PAGE.encode(),
        "page saved as text.txt": PAGE.replace("Ferry line opens", "Bus line opens").encode(),
        "name with spaces é ü.txt": article("zoo").encode(),
        "plain.txt copy.txt": article("bridge").encode(),
        "plain.txt with crlf.txt": article("bridge").replace("\n", "\r\n").encode(),
        "empty.txt": b"",
        "empty too.txt": b"",
        "whitespace.txt": b" \r\n\t \n",
        "binary.txt": bytes(range(256)) * 40,
        "scan.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        "scan as text.txt": b"%PDF-1.4\n1 0 obj",
        "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        "notes.docx": b"PK\x03\x04\x14\x00\x06\x00",
        "data.csv": b"a,b\n1,2\n",
        ".DS_Store": b"\x00\x00\x00\x01Bud1\x00\x00",
        "big 5mb.txt": b"word " * 1_000_000,
        "one line 1mb.txt": b"(Photo / AP) " + b"it is / by WASHINGTON " * 45_000,
        "punctuation run.txt": b"Storm warning\n\nThe storm came. " + b'"' * 50_000 + b"\n",
        "deep.html": b"<b>" * 150_000 + b"</i>" * 150_000,
        "boilerplate only.txt": b"Advertisement\n\n(Photo: AFP / Getty Images)\n",
    }
    expected = {name: DOCUMENT for name in files}
    expected.update(
        {
            "plain.txt copy.txt": DUPLICATE,
            "plain.txt with crlf.txt": DUPLICATE,
            "plain.txt link.txt": DUPLICATE,
            "empty.txt": "empty",
            "empty too.txt": "empty",
            "whitespace.txt": "empty",
            "binary.txt": "looks like binary data",
            "scan.pdf": "looks like a PDF",
            "scan as text.txt": "looks like a PDF",
            "photo.jpg": "looks like a JPEG",
            "notes.docx": "looks like a ZIP",
            "data.csv": "unsupported file type '.csv'",
            ".DS_Store": "hidden file",
            ".cache": "hidden folder",
            "big 5mb.txt": "5.0 MB, above the limit",
            "one line 1mb.txt": "above the limit of 300,000",
            "punctuation run.txt": "50,000 punctuation marks",
            "deep.html": "no article text",
            "boilerplate only.txt": "no article text",
            "outside link.txt": "outside the input folder",
            "broken link.txt": "broken symlink",
            "loop.txt": "symlink loop",
            "pipe.txt": "not a regular file",
            "linked folder": "symlinked folder",
            "caf\\xe9 latin-1 name.txt": DOCUMENT,
        }
    )
    root.mkdir()
    for name, data in files.items():
        (root / name).write_bytes(data)
    (root / ".cache").mkdir()
    (root / ".cache" / "article.txt").write_text(article("cache"))
    (root / "sub").mkdir()
    os.symlink(root / "sub", root / "linked folder")
    os.symlink(root / "plain.txt", root / "plain.txt link.txt")
    outside.write_text(article("secret"))
    os.symlink(outside, root / "outside link.txt")
    os.symlink(root / "missing.txt", root / "broken link.txt")
    os.symlink(root / "loop.txt", root / "loop.txt")
    os.mkfifo(root / "pipe.txt")
    with open(os.path.join(os.fsencode(root), b"caf\xe9 latin-1 name.txt"), "wb") as handle:
        handle.write(article("opera").encode())
    return expected


@pytest.fixture
def hostile(tmp_path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "in"
    return root, hostile_folder(root, tmp_path / "secret.txt")


def assert_every_entry_accounted_for(
    expected: dict[str, str], documents: list[dict], rejects: list[dict], sources: list[dict]
) -> None:
    """Each entry once in `sources`, with the status its expected fate gives, and the documents
    and rejects tables agreeing with it."""
    status = {s["source"]: s["status"] for s in sources}
    assert len(status) == len(sources), "an entry has two rows in sources"
    assert set(status) == set(expected), "an entry was dropped or invented"
    duplicates = [name for name, fate in status.items() if fate == DUPLICATE]
    fate = {d["source"]: DOCUMENT for d in documents} | {name: DUPLICATE for name in duplicates}
    fate |= {r["source"]: r["reason"] for r in rejects}
    assert len(fate) == len(documents) + len(duplicates) + len(rejects), "an entry has two fates"
    assert set(fate) == set(expected), "an entry was dropped or invented"
    for name, want in expected.items():
        assert fate[name] == want if want in (DOCUMENT, DUPLICATE) else want in fate[name], (name, fate[name])
        assert status[name] == (want if want in (DOCUMENT, DUPLICATE) else "rejected"), (name, status[name])
    doc_ids = {d["doc_id"] for d in documents}
    assert all((s["doc_id"] in doc_ids) == (s["status"] != "rejected") for s in sources)


def test_every_hostile_input_ends_as_a_document_a_duplicate_or_a_reject(hostile, tmp_path, caplog):
    root, expected = hostile
    logger = logging.getLogger("test-hostile")
    started = time.monotonic()
    files, discover_rejects = discover(root)
    run = storage.Run(tmp_path / "out", storage.new_run_id())
    with caplog.at_level(logging.INFO, logger="test-hostile"):
        prepared = read_clean(files, discover_rejects, run, load_settings(env={}, input=root), logger=logger)
    assert time.monotonic() - started < 60, "reading and cleaning the hostile folder took minutes"
    documents = storage.read_staged(run.staging, "documents", "c00000").to_pylist()
    sources = storage.read_staged(run.staging, "sources", "sources").to_pylist()
    duplicates = {
        r.getMessage().split(" has the same content as ")[0]
        for r in caplog.records
        if "has the same content as" in r.getMessage()
    }
    assert duplicates == {s["source"] for s in sources if s["status"] == DUPLICATE}
    rejects = storage.read_staged(run.staging, "rejects", "rejects").to_pylist()
    assert rejects == [reject_row(r) for r in prepared.rejects]
    assert_every_entry_accounted_for(expected, documents, rejects, sources)
    read = {s["source"]: (s["sha256"], s["bytes"]) for s in sources}
    assert read["empty.txt"] == (hashlib.sha256(b"").hexdigest(), 0) and read["big 5mb.txt"] == (None, 5_000_000)
    assert read["pipe.txt"] == read[".cache"] == (None, None)  # not files: never read
    assert all(r["doc_id"] for r in rejects) and len({r["doc_id"] for r in rejects}) == len(rejects)
    texts = {d["source"]: d["text"] for d in documents}
    assert "café" in texts["latin1.txt"] and "€5 – half" in texts["cp1252.txt"]
    assert "don’t" in texts["mojibake.txt"] and "\x00" not in texts["nul bytes.txt"]
    assert "reopened on Monday" in texts["utf16.txt"] and "\r" not in texts["crlf.txt"]
    assert texts["page saved as text.txt"].startswith("The new ferry line")
    assert "<" not in texts["page saved as text.txt"]
    titles = {d["source"]: d["title"] for d in documents}
    assert titles["page.html"] == "Ferry line opens" and titles["bom.txt"] == "Library reopens after repairs"


def test_hostile_folder_through_the_flow_then_again_then_with_one_new_file(hostile, run_flow, tmp_path, caplog):
    root, expected = hostile
    out = tmp_path / "out"
    summary = run_flow(root, out)
    assert summary["published"] and summary["validation"] == "passed"
    documents = storage.read_published(out, "documents").to_pylist()
    rejects = storage.read_published(out, "rejects").to_pylist()
    assert summary["duplicates"] == 3
    sources = storage.read_published(out, "sources").to_pylist()
    assert_every_entry_accounted_for(expected, documents, rejects, sources)
    assert summary["sources"] == {
        status: sum(s["status"] == status for s in sources) for status in ("document", "duplicate", "rejected")
    }
    tables = {
        name: storage.read_published(out, name) for name in ("documents", "rejects", "quotes", "mentions", "sources")
    }

    again = run_flow(root, out)  # the same input: no row changes, no reject is added twice
    assert not again["published"] and again["new_documents"] == 0 and again["rows"]["rejects"] == 0
    assert all(storage.read_published(out, name).equals(table) for name, table in tables.items())

    (root / "new one.txt").write_text(article("lighthouse"))
    with caplog.at_level(logging.INFO):
        third = run_flow(root, out)
    assert third["new_documents"] == 1 and third["already_published"] == len(documents)
    assert "processing 1 new document (not published before): new one.txt" in caplog.messages
    assert storage.read_published(out, "rejects").equals(tables["rejects"])
    assert storage.read_published(out, "documents").num_rows == len(documents) + 1
