"""Find the input files and decode them to text.

Handles: .txt and .html/.htm files found recursively (a single file also works), UTF-8 with or
without BOM, other encodings detected (cp1252 and Latin-1 are common in news archives),
transient read errors (retried). Everything else becomes a `Reject` saying what to do:
empty files, binary files (PDF, images, archives, ...), unsupported extensions, files above
the size limit, and symlinks that point outside the input root (never followed).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.records import RawDocument, Reject

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html"}
_MAGIC = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file",
    b"\x7fELF": "a program (ELF)",
}


_LATIN_FAMILY = {"ascii", "latin_1", "iso8859_1", "iso8859_2", "iso8859_9", "iso8859_15", "cp1250", "cp1252",
                 "cp1254", "cp1257", "mac_roman", "mac_latin2", "cp850", "cp437"}  # fmt: skip


def content_id(data: bytes, prefix: str = "r_") -> str:
    return prefix + hashlib.sha256(data).hexdigest()[:32]


def _reject(source: str, reason: str, data: bytes | None = None, stage: str = "ingest") -> Reject:
    return Reject(content_id(data if data is not None else source.encode()), source, stage, reason)


def discover(root: Path) -> tuple[list[str], list[Reject]]:
    """Every regular file under `root` (recursively, sorted), as paths relative to `root`.

    Symlinks are resolved: one pointing outside the root is rejected, never followed.
    `root` may be a single file; its relative path is then its name.
    """
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"input {root} does not exist: pass an existing file or folder with --input")
    if root.is_file():
        return [root.name], []
    real_root = root.resolve()
    files: list[str] = []
    rejects: list[Reject] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        for name in list(dirnames):
            path = here / name
            if path.is_symlink():
                rel = path.relative_to(root).as_posix()
                rejects.append(_reject(rel, "symlinked folder not followed: copy or move its files "
                                            "into the input folder instead", stage="discover"))
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(real_root):
                    rejects.append(_reject(rel, f"symlink points outside the input folder ({target}); "
                                                "it is not followed: copy the file in instead",
                                           stage="discover"))
                    continue
                if not target.is_file():
                    rejects.append(_reject(rel, "broken symlink: its target does not exist", stage="discover"))
                    continue
            files.append(rel)
    return sorted(files), rejects


def _read_bytes(path: Path, retries: int = 3, delay: float = 0.2) -> bytes:
    """Read a file, retrying transient OS errors (network shares, files being written)."""
    for attempt in range(retries):
        try:
            return path.read_bytes()
        except (FileNotFoundError, PermissionError, IsADirectoryError):
            raise
        except OSError:
            if attempt == retries - 1:
                raise
            time.sleep(delay * 2**attempt)
    raise AssertionError("unreachable")


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if sample and controls / len(sample) > 0.10:
        return "binary data"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (BOM or not) first, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = best.encoding if best is not None else "cp1252"
    # Short Western text is ambiguous between the single-byte Latin code pages; news archives
    # almost always mean cp1252 (a superset of Latin-1's printable range), so prefer it there.
    if encoding in _LATIN_FAMILY:
        encoding = "cp1252"
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace"), "cp1252"


def read_document(root: Path, rel: str, max_bytes: int) -> RawDocument | Reject:
    """Read and decode one input file, or say why it cannot be used."""
    root = Path(root)
    path = root / rel if root.is_dir() else root
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        return _reject(rel, f"cannot read the file: {exc.strerror or exc}; check it exists and is readable")
    if size > max_bytes:
        return _reject(rel, f"file is {size / 1e6:.1f} MB, above the limit of {max_bytes / 1e6:.1f} MB: "
                            "split it, or raise --max-chars / NEWSFLOW_MAX_CHARS")
    try:
        data = _read_bytes(path)
    except OSError as exc:
        return _reject(rel, f"cannot read the file: {exc.strerror or exc}; check it exists and is readable")
    kind = _binary_kind(data)
    if kind is not None:
        return _reject(rel, f"not a text file: it looks like {kind}; newsflow reads .txt and .html "
                            "articles, so convert it to text first", data)
    fmt = TEXT_SUFFIXES.get(suffix)
    if fmt is None:
        return _reject(rel, f"unsupported file type {suffix or '(no extension)'!r}: newsflow reads "
                            ".txt and .html; rename it if it is an article in plain text", data)
    if not data.strip():
        return _reject(rel, "file is empty (or whitespace only): nothing to analyse", data)
    text, _encoding = decode(data)
    return RawDocument(source=rel, text=text, fmt=fmt, raw_id=content_id(data))


def read_documents(root: Path, rels: list[str], max_bytes: int) -> Iterator[RawDocument | Reject]:
    for rel in rels:
        yield read_document(root, rel, max_bytes)


@task(name="discover", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def discover_task(root: str) -> tuple[list[str], list[Reject]]:
    return discover(Path(root))
