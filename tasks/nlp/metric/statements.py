"""Statement-level scores (`newsflow eval --statements`): the quote metric of `quotes.py`, exactly,
over statements instead of quotes. A predicted statement is the quotes that share a
`statement_id`, joined in text order. A gold statement is the gold quotes that share a
`"statement"` number (`numbered_gold_statements`) when every quote of the gold file carries one
(the statement-level gold of `eval/gold/statements*`); otherwise gold quotes merged by the rule of
`merge_gold_statements` (older gold gives no statement numbers; a file numbered only in part
falls back to the rule as a whole).
"""

from __future__ import annotations

import re
from pathlib import Path

from newsflow.tasks.nlp.metric.quotes import score

MAX_CLAUSE_WORDS = 12  # words of an attribution clause between two pieces ("Kosachev said on Facebook")
PRONOUNS = {"he", "she", "they", "it", "i", "we"}
# Titles and abbreviations whose full stop ends no sentence (lower case, without it).
ABBREVIATIONS = frozenset(
    "mr mrs ms dr sen rep gov gen lt col sgt capt prof rev st jr sr mt ft no vs inc corp co ltd".split()
)
CLOSING, OPENING = {"”", "»", '"'}, {"“", "„", "«", '"'}
# Double marks written as two characters (the New York Times' archive text: ''A,'' he said):
# '' closes, and opens too; `` opens.
TWO_CHAR_CLOSING, TWO_CHAR_OPENING = ("''",), ("''", "``")
# The quote metric's figures and their names at statement level.
FIGURES = {
    "quote_p": "statement_p",
    "quote_r": "statement_r",
    "quote_f1": "statement_f1",
    "speaker_acc": "statement_speaker_acc",
    "e2e_f1": "statement_e2e_f1",
    "n_pred": "statement_n_pred",
    "n_gold": "statement_n_gold",
    "n_matched": "statement_n_matched",
}


def predicted_statements(quotes: list[dict]) -> list[dict]:
    """One document's quote rows grouped by `statement_id` (a row without one is its own
    statement), in text order: the pieces' texts joined with a space, the first piece's speaker."""
    groups: dict[str, list[dict]] = {}
    for i, q in enumerate(sorted(quotes, key=lambda q: q.get("start_char") or 0)):
        groups.setdefault(q.get("statement_id") or q.get("quote_id") or f"#{i}", []).append(q)
    return [dict(pieces[0], text=" ".join(p.get("text") or "" for p in pieces)) for pieces in groups.values()]


def _fold(value: str | None) -> str:
    return " ".join((value or "").lower().split())


def _speaker_words(q: dict) -> set[str]:
    """The words that show a clause is this quote's attribution: its speaker's names as written
    (`speaker_surface` in the seed's gold, `surface_speaker` in polnear-train's: "the businessman"),
    its cue as written ("replied") and the personal pronouns."""
    names = [q.get("speaker"), q.get("speaker_surface"), q.get("surface_speaker"), q.get("cue")]
    names += q.get("aliases") or []
    return {w for n in names for w in re.findall(r"\w+", (n or "").lower())} | PRONOUNS


def _sentence_ends(clause: str) -> bool:
    """A sentence ends inside `clause`: ., ! or ? before white space, not after a title or an
    initial ("Mr. Trump said", "Sen. Ted Cruz", "John F. Kennedy")."""
    for m in re.finditer(r"(\S*)[.!?]\s", clause):
        word = m.group(1).lower().lstrip("(\"'“‘")
        if m.group(0)[len(m.group(1))] == "." and (
            word in ABBREVIATIONS or re.fullmatch(r"[a-z]|([a-z]\.)+[a-z]", word)
        ):
            continue
        return True
    return False


def _attribution_only(between: str, a: dict, b: dict) -> bool:
    """`between` is punctuation, marks and whitespace around at most one attribution clause: one
    sentence of at most MAX_CLAUSE_WORDS words with a word of the speaker (or a pronoun) in it,
    after a closing quotation mark and before an opening one (a clause before an unmarked quote is
    that quote's own: 'She said ...')."""
    clause = re.sub(r"^\W+|\W+$", "", between)
    if not clause:
        return True
    before, after = between[: between.index(clause)], between[between.index(clause) + len(clause) :]
    closed = set(before) & CLOSING or any(m in before for m in TWO_CHAR_CLOSING)
    if not closed or not (set(after) & OPENING or any(m in after for m in TWO_CHAR_OPENING)):
        return False
    if "\n" in clause or len(re.findall(r"\w+", clause)) > MAX_CLAUSE_WORDS or _sentence_ends(clause):
        return False
    return bool(set(re.findall(r"\w+", clause.lower())) & (_speaker_words(a) | _speaker_words(b)))


def _edge(text: str | None, marks: set[str], at: int) -> str:
    """The quotation mark at the start (`at` 0) or end (-1) of a gold quote's text, if one is there
    (a two-character one too: '' at either edge, `` at the start)."""
    text = (text or "").strip()
    pair = text[:2] if at == 0 else text[-2:]
    if pair in (TWO_CHAR_OPENING if at == 0 else TWO_CHAR_CLOSING):
        return pair
    return text[at] if text and text[at] in marks else ""


def _left_open(between: str) -> bool:
    """A paragraph break and an opening mark only, no closing mark: the first quote's paragraph
    left it open and the next paragraph re-opens it (the multi-paragraph convention, one quote).
    The metric stands apart from the pipeline, so this mirrors, not imports, its `runs_on`."""
    head, newline, tail = between.rpartition("\n")
    return bool(newline) and not head.strip() and (tail.strip() in OPENING or tail.strip() in TWO_CHAR_OPENING)


def merge_gold_statements(quotes: list[dict], text: str | None) -> list[dict]:
    """A document's gold quotes merged into statements, by the rule newsflow's `statement_id`
    follows, as far as plain text shows it.

    Each quote is found in the article `text` (its exact words; the first occurrence after the
    previous quote found, else anywhere); the quotes found are taken in text order, and a quote
    is merged into the one before it when both name the same `speaker` (equal after folding case
    and white space; a quote with no speaker is never merged), the later one has no `cue` or the
    same cue, and what lies between them is only punctuation, quotation marks and white space
    around at most one attribution clause: a single sentence of at most 12 words holding a word of
    the speaker's names or a personal pronoun, between a closing and an opening quotation mark
    ('“A,” Kosachev said on Facebook. “B.”'; in 'X said A. She said B.' the clause is B's own); a
    paragraph break may lie between them (around that clause, not inside it) only when the later
    quote has no cue (a continuation). A quote left open at its paragraph's end (nothing but white
    space to the paragraph break, then an opening mark: the multi-paragraph convention) merges
    with the next whatever its cue.
    Gold texts that keep their quotation marks (PolNeAR's '"A,"', or "''A,''" where the article
    writes double marks as two apostrophes) are read as if the marks at their edges lay between
    the pieces; a piece that ends with a closing mark is not left open.
    Two pieces of one quote of the shared gold that our gold split at its cue (both carry the same
    `shared_text`) merge whatever lies between them. An attribution clause is known by the
    speaker's names as written (`speaker`, `aliases`, `speaker_surface` or `surface_speaker`), its
    `cue` or a pronoun; a full stop after a title or an initial ("Mr. Trump said") ends no sentence.
    A merged statement's text is its pieces' texts joined with a space; its speaker, cue and
    other keys are the first piece's.

    Does not handle: quotes whose text is not written as such in the article (PolNeAR joins the
    pieces of a discontinuous quote, '“A,” “B”', which is then already one statement), a cue
    after both pieces with a subject written before the second ('The U.S. “acts ...”' stays
    apart), a later piece whose own cue of the same verb follows it ('“A,” she said. “B,” she
    said.' merges: the cue's place is not known), surface speakers that differ for one person
    ("Pat Caddell", then "Caddell"), and any parse of the clause: it is judged by its words alone.
    Without `text`, nothing merges.
    """
    if not text:
        return [dict(q) for q in quotes]
    found: list[tuple[int, int, dict]] = []
    unfound: list[dict] = []
    after = 0
    for q in quotes:
        words = q.get("text") or ""
        at = text.find(words, after) if words else -1
        at = text.find(words) if at < 0 and words else at
        if at < 0:
            unfound.append(dict(q))
            continue
        found.append((at, at + len(words), q))
        after = at + len(words)
    found.sort(key=lambda x: (x[0], x[1]))
    merged: list[tuple[int, int, dict]] = []
    for start, end, q in found:
        if merged:
            _, last_end, last = merged[-1]
            same = last.get("speaker") and _fold(last.get("speaker")) == _fold(q.get("speaker"))
            cue_ok = not q.get("cue") or _fold(q.get("cue")) == _fold(last.get("cue"))
            between = text[last_end:start] if start >= last_end else None
            para_ok = between is not None and ("\n" not in between or not q.get("cue"))
            # PolNeAR's gold texts keep their quotation marks: a mark at a piece's edge lies
            # between the pieces as much as one outside them.
            closing = _edge(last.get("text"), CLOSING, -1)
            opening = _edge(q.get("text"), OPENING, 0)
            framed = None if between is None else closing + between + opening
            left_open = framed is not None and not closing and _left_open(between + opening)
            # one quote of the shared gold that our gold split at its cue (`shared_text`: the
            # text they were both corrected from)
            split = bool(last.get("shared_text")) and last.get("shared_text") == q.get("shared_text")
            if same and (split or left_open or cue_ok and para_ok and _attribution_only(framed, last, q)):
                merged[-1] = (merged[-1][0], end, dict(last, text=f"{last['text']} {q['text']}"))
                continue
        merged.append((start, end, dict(q)))
    return [q for _, _, q in merged] + unfound


def numbered_gold_statements(quotes: list[dict], text: str | None) -> list[dict] | None:
    """A document's gold quotes grouped by their `statement` field, or None when a quote lacks
    one (an int; a bool is not a number). Pieces are put in text order (the first occurrence
    of their exact words in `text`, after the previous piece's when there is one; a piece not
    found goes after those found, in file order) and joined with a space; the statement's speaker,
    cue and other keys are its first piece's. Statements come in the order of their first piece."""
    if not quotes or not all(
        isinstance(q.get("statement"), int) and not isinstance(q.get("statement"), bool) for q in quotes
    ):
        return None
    placed: list[tuple[int, int, dict]] = []
    after = 0
    for i, q in enumerate(quotes):
        words = q.get("text") or ""
        at = text.find(words, after) if text and words else -1
        at = text.find(words) if at < 0 and text and words else at
        if at >= 0:
            after = at + len(words)
        placed.append((at if at >= 0 else len(text or "") + i, i, q))
    groups: dict[int, list[dict]] = {}
    for _, _, q in sorted(placed, key=lambda x: (x[0], x[1])):
        groups.setdefault(q["statement"], []).append(q)
    return [dict(pieces[0], text=" ".join(p.get("text") or "" for p in pieces)) for pieces in groups.values()]


def gold_statements(quotes: list[dict], text: str | None) -> list[dict]:
    """The statements of a document's gold: by their numbers when all are numbered, else by rule."""
    numbered = numbered_gold_statements(quotes, text)
    return numbered if numbered is not None else merge_gold_statements(quotes, text)


def article_texts(folder: Path, names: list[str]) -> dict[str, str]:
    """The articles the gold names, read from `folder` (the eval's input); a missing or unreadable
    file is left out (its gold quotes then stay apart)."""
    texts = {}
    for name in names:
        try:
            texts[name] = (Path(folder) / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return texts


def statement_scores(quotes: dict[str, list[dict]], gold: dict[str, dict], articles: Path) -> dict:
    """The quote metric over statements (its figures renamed by FIGURES): predicted statements
    from `statement_id`, gold ones by `gold_statements` over the articles in the folder `articles`."""
    texts = article_texts(articles, list(gold))
    merged = {name: g | {"quotes": gold_statements(g.get("quotes", []), texts.get(name))} for name, g in gold.items()}
    predicted = {name: predicted_statements(rows) for name, rows in quotes.items()}
    result = score(predicted, merged)
    return {name: result[key] for key, name in FIGURES.items()}
