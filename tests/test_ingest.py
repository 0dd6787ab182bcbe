import os
from pathlib import Path

from newsflow.tasks.discover import discover
from newsflow.tasks.ingest import decode, read_document
from newsflow.tasks.records import RawDocument, Reject


def test_discover_is_recursive_sorted_and_rejects_outside_symlinks(tmp_path: Path):
    root = tmp_path / "in"
    (root / "b" / "c").mkdir(parents=True)
    (root / "z.txt").write_text("z")
    (root / "b" / "c" / "a file é.txt").write_text("a")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    os.symlink(outside, root / "link.txt")
    os.symlink(root / "z.txt", root / "inside-link.txt")
    files, rejects = discover(root)
    assert files == ["b/c/a file é.txt", "inside-link.txt", "z.txt"]
    assert [(r.source, r.stage) for r in rejects] == [("link.txt", "discover")]
    assert "outside the input folder" in rejects[0].reason


def test_single_file_input(tmp_path: Path):
    f = tmp_path / "one.txt"
    f.write_text("x")
    assert discover(f) == (["one.txt"], [])


def test_binary_empty_and_unsupported_files_are_rejected_with_reasons(tmp_path: Path):
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj")
    (tmp_path / "empty.txt").write_bytes(b"  \n\t ")
    (tmp_path / "data.csv").write_text("a,b\n1,2")
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 10)
    reasons = {n: read_document(tmp_path, n, 10**6) for n in ("doc.pdf", "empty.txt", "data.csv", "blob.txt")}
    assert all(isinstance(r, Reject) and r.stage == "ingest" for r in reasons.values())
    assert "looks like a PDF" in reasons["doc.pdf"].reason
    assert "empty" in reasons["empty.txt"].reason
    assert "unsupported file type '.csv'" in reasons["data.csv"].reason
    assert "binary" in reasons["blob.txt"].reason


def test_size_limit_rejects_before_reading(tmp_path: Path):
    (tmp_path / "big.txt").write_text("word " * 1000)
    r = read_document(tmp_path, "big.txt", max_bytes=100)
    assert isinstance(r, Reject) and "above the limit" in r.reason


def test_decoding_utf8_bom_utf16_and_cp1252():
    assert decode("“hé”".encode()) == ("“hé”", "utf-8")
    assert decode(b"\xef\xbb\xbfhi")[0] == "hi"
    assert decode("hé".encode("utf-16"))[0] == "hé"
    text, enc = decode("“Café” – naïve résumé, he said.".encode("cp1252"))
    assert text == "“Café” – naïve résumé, he said." and enc.replace("_", "") in ("cp1252", "windows1252")


def test_a_text_file_is_read(tmp_path: Path):
    (tmp_path / "a.html").write_text("<p>Hello</p>")
    r = read_document(tmp_path, "a.html", 10**6)
    assert isinstance(r, RawDocument) and r.fmt == "html" and r.raw_id.startswith("r_")


def test_an_output_folder_inside_the_input_is_not_read_as_articles(tmp_path: Path):
    root = tmp_path / "in"
    (root / "out" / ".newsflow").mkdir(parents=True)
    (root / "out" / "validation").mkdir()
    (root / "out" / "validation" / "index.html").write_text("<p>Data Docs</p>")
    (root / "article.txt").write_text("x")
    assert discover(root, skip=root / "out") == (["article.txt"], [])
    files, _ = discover(root)
    assert "out/validation/index.html" in files  # without `skip`, it would be read
