"""Find the input files and decode them to text.

Handles: .txt and .html/.htm files, and files of article records (.jsonl, one JSON object a line;
.json, one object or a list of them; see `read_records`), found recursively (a single file also works), UTF-8 with or
without BOM, UTF-16 with BOM, other encodings detected (cp1252 and Latin-1 are common in news
archives), HTML pages saved as .txt, file names that are not UTF-8, transient read errors
(retried). Everything else becomes a `Reject` saying what to do: empty files, binary files (PDF,
images, archives, ...), unsupported extensions, files above the size limit (never read whole),
hidden files and folders, pipes and devices, and symlinks that point outside the input root
(never followed). Each rejected file gets its own row.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from newsflow.tasks.metadata import clean_url, parse_date, split_authors, text_or_none
from newsflow.tasks.records import Metadata, RawDocument, Reject, SourceFile, content_id, reject_id

TEXT_SUFFIXES = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html"}
RECORD_SUFFIXES = (".jsonl", ".json")
SUPPORTED = ".txt, .html, .jsonl and .json"
# A record's fields for the outlet, the date and the authors, in order of preference.
OUTLET_FIELDS = ("outlet", "sitename", "hostname", "source")
DATE_FIELDS = ("published_at", "date")
AUTHOR_FIELDS = ("authors", "author")
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


_LATIN_FAMILY = {
    "ascii",
    "latin_1",
    "iso8859_1",
    "iso8859_2",
    "iso8859_9",
    "iso8859_15",
    "cp1250",
    "cp1252",
    "cp1254",
    "cp1257",
    "mac_roman",
    "mac_latin2",
    "cp850",
    "cp437",
}


def display_path(rel: str) -> str:
    """`rel` as valid UTF-8 for the tables and logs: bytes of a file name in another encoding
    (a Latin-1 name from an old archive) are shown escaped, e.g. caf\\xe9.txt."""
    return os.fsencode(rel).decode("utf-8", errors="backslashreplace")


def file_reject(rel: str, reason: str, data: bytes | None = None, stage: str = "ingest") -> Reject:
    source = display_path(rel)
    return Reject(reject_id(source, content_id(data) if data is not None else ""), source, stage, reason)


def _read_bytes(path: Path, max_bytes: int, retries: int = 3, delay: float = 0.2) -> tuple[int, bytes | None]:
    """(size, bytes) of a file, or (size, None) above `max_bytes`: never more than `max_bytes` + 1
    bytes are read, even from a file that grows while it is read. Retries transient OS errors
    (network shares, files being written)."""
    for attempt in range(retries):
        try:
            with open(path, "rb") as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > max_bytes:
                    return size, None
                data = handle.read(max_bytes + 1)
                return max(size, len(data)), (data if len(data) <= max_bytes else None)
        except (FileNotFoundError, PermissionError, IsADirectoryError):
            raise
        except OSError:
            if attempt == retries - 1:
                raise
            time.sleep(delay * 2**attempt)
    raise AssertionError("unreachable")


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    if data.startswith(_UTF16_BOMS):
        return None  # UTF-16 text ("Unicode" in Windows Notepad): half its bytes are NUL
    sample = data[:4096]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if sample and controls / len(sample) > 0.10:
        return "binary data"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was read with: UTF-8 (BOM or not) first, then detection."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace"), "utf-16"
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


def _format(suffix: str, text: str) -> str:
    """txt or html by the file name; a whole HTML page saved as .txt is read as HTML."""
    fmt = TEXT_SUFFIXES[suffix]
    return "html" if fmt == "txt" and _HTML_START.match(text[:2048]) else fmt


def read_source(root: Path, rel: str, max_bytes: int) -> tuple[SourceFile, RawDocument | Reject]:
    """Read one input file: its size and the hash of its bytes (for the `sources` table), and its
    decoded text, or why it cannot be used."""
    root = Path(root)
    path = root / rel if root.is_dir() else root
    source = display_path(rel)
    try:
        size, data = _read_bytes(path, max_bytes)
    except OSError as exc:
        reason = f"cannot read the file: {exc.strerror or exc}; check it exists and is readable"
        return SourceFile(source, None, None), file_reject(rel, reason)
    if data is None:
        return SourceFile(source, None, size), file_reject(
            rel,
            f"file is {size / 1e6:.1f} MB, above the limit of {max_bytes / 1e6:.1f} MB "
            "(4 bytes per character of NEWSFLOW_MAX_CHARS): split it, or raise that setting",
        )
    return SourceFile(source, hashlib.sha256(data).hexdigest(), len(data)), _decode_file(rel, path.suffix.lower(), data)


def read_document(root: Path, rel: str, max_bytes: int) -> RawDocument | Reject:
    """Read and decode one input file, or say why it cannot be used."""
    return read_source(root, rel, max_bytes)[1]


def _decode_file(rel: str, suffix: str, data: bytes) -> RawDocument | Reject:
    kind = _binary_kind(data)
    if kind is not None:
        return file_reject(
            rel,
            f"not a text file: it looks like {kind}. newsflow reads {SUPPORTED} articles: "
            "convert it to text, or remove it from the input folder",
            data,
        )
    if suffix not in TEXT_SUFFIXES and suffix not in RECORD_SUFFIXES:
        return file_reject(
            rel,
            f"unsupported file type {suffix or '(no extension)'!r}: newsflow reads "
            f"{SUPPORTED}; rename it if it is an article in plain text",
            data,
        )
    if not data.strip():
        return file_reject(rel, "file is empty (or whitespace only): nothing to analyse", data)
    text, _encoding = decode(data)
    if suffix in RECORD_SUFFIXES:
        return RawDocument(source=display_path(rel), text=text, fmt="json", raw_id=content_id(data))
    fmt = _format(suffix, text)
    return RawDocument(source=display_path(rel), text=text, fmt=fmt, raw_id=content_id(data))


def read_inputs(root: Path, rel: str, max_bytes: int) -> Iterator[tuple[SourceFile, RawDocument | Reject]]:
    """The articles of one input file, each with what the `sources` table records of it: one for a
    .txt or .html file (the file itself); one per record for a .jsonl or .json file (the record,
    `FILE#LINE`, hashed on its own bytes), each read or rejected on its own."""
    if Path(rel).suffix.lower() != ".jsonl":
        file, item = read_source(root, rel, max_bytes)
        if isinstance(item, RawDocument) and item.fmt == "json":
            for record, data in _json_records(item, rel):
                yield (file if record.source == file.source else _record_file(record.source, data)), record
        else:
            yield file, item
        return
    root = Path(root)
    path = root / rel if root.is_dir() else root
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
            problem = _binary_kind(head)
            if problem is not None or not head.strip():
                yield read_source(root, rel, max_bytes)  # its reject says what the file is
                return
            handle.seek(0)
            for number, line in enumerate(handle, 1):
                if line.strip():
                    record = _line_record(line, rel, number, max_bytes)
                    yield _record_file(record.source, line), record
    except OSError as exc:
        yield (
            SourceFile(display_path(rel), None, None),
            file_reject(rel, f"cannot read the file: {exc.strerror or exc}; check it exists and is readable"),
        )


def _record_file(source: str, data: bytes) -> SourceFile:
    return SourceFile(source, hashlib.sha256(data).hexdigest(), len(data))


def _line_record(line: bytes, rel: str, number: int, max_bytes: int) -> RawDocument | Reject:
    source = f"{display_path(rel)}#{number}"
    if len(line) > max_bytes:
        return file_reject(
            source,
            f"line {number} is {len(line) / 1e6:.1f} MB, above the limit of "
            f"{max_bytes / 1e6:.1f} MB: split the article, or raise NEWSFLOW_MAX_CHARS",
            line,
        )
    text, _encoding = decode(line)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return file_reject(
            source,
            f"line {number} of {display_path(rel)} is not valid JSON ({exc.msg} at column "
            f"{exc.colno}): fix or remove that line; the file's other lines are read",
            line,
        )
    return record_document(value, source, content_id(line))


def _json_records(raw: RawDocument, rel: str) -> Iterator[tuple[RawDocument | Reject, bytes]]:
    try:
        value = json.loads(raw.text)
    except json.JSONDecodeError as exc:
        yield (
            Reject(
                reject_id(raw.source, raw.raw_id),
                raw.source,
                "ingest",
                f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}): fix the file, "
                "or write one article per line as .jsonl so that a broken line costs that line only",
            ),
            raw.text.encode(),
        )
        return
    items = value if isinstance(value, list) else [value]
    for number, item in enumerate(items, 1):
        data = json.dumps(item, sort_keys=True, ensure_ascii=False).encode()
        yield record_document(item, f"{raw.source}#{number}", content_id(data)), data


def record_document(value: object, source: str, raw_id: str) -> RawDocument | Reject:
    """One article record: `text` (plain text) or `html` (a page), with optional `title`, `url`,
    `outlet` (or `sitename`, `hostname`, `source`), `published_at` (or `date`), `authors` (a
    list or one string; or `author`) and `language`. Other fields are ignored; a value of the
    wrong kind, a URL that is not absolute http(s) or a date that cannot be read is left unknown."""
    if not isinstance(value, dict):
        kind = type(value).__name__.replace("dict", "object").replace("str", "string")
        return Reject(
            reject_id(source, raw_id),
            source,
            "ingest",
            f"a record must be a JSON object with a text or html field, not a {kind}: fix the record",
        )
    text, html = value.get("text"), value.get("html")
    if isinstance(text, str) and text.strip():
        body, fmt = text, "txt"
    elif isinstance(html, str) and html.strip():
        body, fmt = html, "html"
    else:
        return Reject(
            reject_id(source, raw_id),
            source,
            "ingest",
            'the record has no article: give its text in a "text" field (plain text) or its page in an "html" field',
        )
    meta = Metadata(
        title=text_or_none(value.get("title")),
        url=clean_url(value.get("url")),
        outlet=_first(value, OUTLET_FIELDS, text_or_none),
        published_at=_first(value, DATE_FIELDS, parse_date),
        authors=_first(value, AUTHOR_FIELDS, split_authors) or (),
        language=text_or_none(value.get("language"), 20),
    )
    return RawDocument(source, body, fmt, raw_id, meta, identity=meta.url or source)


def _first(record: dict, fields: tuple[str, ...], read):
    """The first of `fields` that `read` makes something of."""
    for name in fields:
        value = read(record.get(name))
        if value:
            return value
    return None
