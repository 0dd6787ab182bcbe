"""Plain text to a clean `Document`: normalise, split into paragraphs, drop what is not the article."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

import ftfy

from newsflow.tasks.clean.byline import is_byline, text_metadata
from newsflow.tasks.clean.debris import Removal, drop_end_matter, remove_debris
from newsflow.tasks.clean.page import read_page
from newsflow.tasks.nlp.credits import is_credit
from newsflow.tasks.records import Document, Metadata, RawDocument, Reject, reject_id

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")  # every kind of space but the line break
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .'-]{2,40}(?:,\s*[A-Z][\w.]+)?\s*"
    r"(?:\((?:AP|Reuters|AFP|CNN|UPI|Bloomberg|CP|The Canadian Press)\))?"
    r"\s*[-–—]{1,2}\s+)(?=[A-Z“\"])"
)
_BOILERPLATE = re.compile(
    r"^(?:advertisement|advertising|sponsored( content)?|share( this( article| story)?)?"
    r"|share on (?:facebook|twitter|linkedin|whatsapp).*|(?:tweet|email|print|comments?)"
    r"|(?:click|tap) here\b.*|sign up\b.*|subscribe\b.*"
    r"|follow us\b.*|(?:©|\(c\)|copyright)\s.*|all rights reserved\.?"
    r"|(?:published|updated|posted)\s*:?\s+\d.*|(?:facebook|twitter|whatsapp|email)"
    r"(?:\s*[|/·•]\s*(?:facebook|twitter|whatsapp|email|linkedin|print|pinterest|reddit))+)\s*$",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?…:;\"”’)]$")
# Rule `line-paragraphs`: nobody wraps lines this long by hand. A block of lines separated by
# single line breaks, one of them (before its last) longer than this, is a run of paragraphs that
# were written one per line, not one paragraph wrapped at a fixed width.
MAX_WRAPPED_LINE = 100
# spaCy's tokenizer splits a run of punctuation one mark at a time, rescanning the rest: its time
# grows with the square of the run (~30 s for 16,000 quotation marks in a row, hours for 300,000).
MAX_SYMBOL_RUN = 200
_SYMBOL_RUN = re.compile(rf"[^\w\s]{{{MAX_SYMBOL_RUN + 1},}}")


def normalise_text(text: str) -> str:
    """Repair mojibake, NFC, drop control characters, unify line ends and spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=True, normalization="NFC")
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return text


def split_blocks(text: str) -> list[list[str]]:
    """Blocks (paragraphs) of stripped, space-normalised lines. Without blank lines in the
    text, each line is its own block."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if not any(not line for line in lines[1:-1]) and len([x for x in lines if x]) > 1:
        return [[line] for line in lines if line]
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def block_paragraphs(block: list[str]) -> list[str]:
    """A block's paragraphs: its lines joined (a paragraph wrapped at a fixed width), or each line
    its own paragraph when one before the last is longer than any hand-wrapped line (paragraphs
    one per line under a title and a blank line, as some article exports write them: joined,
    a heading line and the reported speech after it became one sentence)."""
    if len(block) > 1 and max(len(line) for line in block[:-1]) > MAX_WRAPPED_LINE:
        return list(block)
    return [" ".join(block)]


def is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.match(line))


def looks_like_headline(line: str) -> bool:
    words = line.split()
    if not 1 <= len(words) <= 30:
        return False
    if not _TERMINAL.search(line):
        return True
    capitalised = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return capitalised / len(words) >= 0.7


def strip_dateline(paragraph: str) -> str:
    """Only the paragraph's start is searched: a dateline is short, and the pattern's cost
    grows with the square of what it is given."""
    match = _DATELINE.match(paragraph[:200])
    return paragraph[match.end() :] if match else paragraph


def clean_body(text: str, removed: list[Removal] | None = None) -> tuple[str | None, str]:
    """(title, body) of a plain-text article; what cleaning took goes to `removed`, when given."""
    blocks = split_blocks(normalise_text(text))
    title = None
    if len(blocks) > 1 and len(blocks[0]) == 1 and looks_like_headline(blocks[0][0]) and not is_byline(blocks[0][0]):
        title = blocks[0][0]
        blocks = blocks[1:]
    kept_blocks: list[list[str]] = []
    for block in blocks:
        if is_credit(block[-1]) and sum(len(line.split()) for line in block) <= 80:
            _note(removed, "caption_with_credit" if len(block) > 1 else "photo_credit", "\n".join(block), "")
            continue  # a photo caption with its credit line, or a bare credit
        kept = [line for line in (_clean_line(line, removed) for line in block) if line]
        if kept:
            kept_blocks.append(kept)
    drop_end_matter(kept_blocks, removed)
    paragraphs = [part for block in kept_blocks for part in block_paragraphs(block)]
    if paragraphs:
        first = paragraphs[0]
        paragraphs[0] = strip_dateline(first)
        _note(removed, "dateline", first, paragraphs[0])
    return title, "\n\n".join(p for p in paragraphs if p)


def body_text(raw: str) -> str:
    """The body of a decoded plain-text article exactly as the flow hands it to spaCy (`clean_body`'s
    body): what gold quotes and the dev loop's parses are taken from."""
    return clean_body(raw)[1]


def _clean_line(line: str, removed: list[Removal] | None) -> str:
    for name, drop in (("byline", is_byline), ("boilerplate", is_boilerplate), ("photo_credit", is_credit)):
        if drop(line):
            _note(removed, name, line, "")
            return ""
    return remove_debris(line, removed)


def _note(removed: list[Removal] | None, rule: str, before: str, after: str) -> None:
    if removed is not None and before != after:
        removed.append(Removal(rule, before, after))


def document_id(title: str | None, text: str, meta: Metadata | None = None) -> str:
    """Content-derived: the same cleaned content gives the same id on every run and machine. The
    metadata counts when there is any (the same story from two outlets is two documents); a
    document without any keeps the id it had before newsflow read metadata."""
    filled = meta.filled() if meta is not None else {}
    extra = "\n\n" + json.dumps(filled, sort_keys=True, default=str, ensure_ascii=False) if filled else ""
    return "d_" + hashlib.sha256(f"{title or ''}\n\n{text}{extra}".encode()).hexdigest()[:32]


def merge_metadata(*sources: Metadata) -> Metadata:
    """Field by field, the first source that knows it: the record, then the page, then the text."""
    fields = {}
    for name in Metadata.__dataclass_fields__:
        fields[name] = next((getattr(m, name) for m in sources if getattr(m, name) not in (None, ())), None)
    return Metadata(**{**fields, "authors": fields["authors"] or ()})


def clean_document(raw: RawDocument, max_chars: int) -> Document | Reject:
    """Clean one decoded article, or reject it with a reason."""
    removed: list[Removal] = []
    page = Metadata()
    if raw.fmt == "html":
        page, body = read_page(raw.text)
        _, text = clean_body(body, removed)
        title = normalise_text(page.title).strip() or None if page.title else None
    else:
        title, text = clean_body(raw.text, removed)
    authors, dateline, outlet = text_metadata(removed)
    found = Metadata(title, authors=authors, dateline=dateline, outlet=outlet)
    meta = merge_metadata(raw.meta, page, found)
    if not text.strip():
        return Reject(
            reject_id(raw.source, raw.raw_id),
            raw.source,
            "clean",
            "no article text left after cleaning (only a headline, captions or boilerplate)",
        )
    if len(text) > max_chars:
        return Reject(
            reject_id(raw.source, raw.raw_id),
            raw.source,
            "clean",
            f"article text has {len(text):,} characters, above the limit of {max_chars:,}: "
            "split it, or raise NEWSFLOW_MAX_CHARS",
        )
    run = _SYMBOL_RUN.search(text)
    if run is not None:
        return Reject(
            reject_id(raw.source, raw.raw_id),
            raw.source,
            "clean",
            f"not article prose: {len(run.group()):,} punctuation marks or symbols in a row at character "
            f"{run.start():,} (spaCy takes minutes over runs of more than {MAX_SYMBOL_RUN}); remove that run",
        )
    m = meta
    return Document(
        document_id(m.title, text, m),
        raw.source,
        m.title,
        text,
        len(text.split()),
        m.url,
        m.outlet,
        m.published_at,
        m.authors,
        m.dateline,
        m.language,
        raw.identity or raw.source,
    )
