"""Name parts: where a person's name starts and ends in the text, and its surname.

Plain functions over spaCy's tokens; the lists they use (particles, suffixes, titles) are data
files of the Lexicon. Handled: titles and role words glued before a name ("organizer Jane Doe",
"Council member Ana Ruiz": a name starts after its last lower-case word that is not a particle
like "de", "van", "bin", "al"); a possessive fragment ("'s Carter"); a verb the model took in
("Said Ellis"); a dash inside a span ("Scott - Brentley Vinson" is two names); a nickname in
quotes ('Marcia "Cia" Price'); a generational suffix (", Jr.", "Sr."); a first name the model left
out right before the name ("Nell" of "Nell Carden Grey"); letters after a name for an office or
honour ("Jane Doe MP", "John Roe QC"); first names sharing a surname ("Sarah
and Timothy Rogers": "Sarah" is Sarah Rogers). Not handled: names written surname first, or
joined by other words than "and".
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from newsflow.tasks.nlp.lexicon import Lexicon

DASHES = {"-", "--", "—", "–", "―"}
OPEN_QUOTES = {'"', "“", "'", "‘"}
CLOSE_QUOTES = {'"', "”", "'", "’"}


def core(words: tuple[str, ...], lex: Lexicon) -> tuple[str, ...]:
    """The name words without a generational suffix ("john g. roberts jr." -> ... "roberts")."""
    out = list(words)
    while len(out) > 1 and out[-1].rstrip(".") in lex.name_suffixes:
        out.pop()
    return tuple(out)


def surname(words: tuple[str, ...], lex: Lexicon) -> str:
    return core(words, lex)[-1]


def _capitalised(tok: Token) -> bool:
    return tok.text[:1].isupper()


def _initial(tok: Token) -> bool:
    return len(tok.text) == 2 and tok.text[0].isupper() and tok.text[1] == "."


def _title(tok: Token, lex: Lexicon) -> bool:
    """ "Sen.", "President", and any abbreviation of three letters or more ("Del.", "Supt.")."""
    word = tok.lower_.rstrip(".")
    return word in lex.titles or (tok.text.endswith(".") and len(word) >= 3 and word.isalpha())


def _could_be_first_name(tok: Token, lex: Lexicon) -> bool:
    """A listed first name, or a capitalised word the model has no vector for (a rare name, not
    an English word like "Rival" or "Crooked")."""
    return tok.lower_ in lex.female_names or tok.lower_ in lex.male_names or not tok.has_vector


def name_segments(span: Span, lex: Lexicon) -> list[tuple[int, int]]:
    """Token ranges of the person names inside a PERSON span: split at a dash, each part started
    after its last lower-case non-particle word, possessive and verb; parts with no capitalised
    word left are dropped."""
    doc = span.doc
    parts, start = [], span.start
    for tok in span:
        spaced = tok.i > span.start and (doc[tok.i - 1].whitespace_ or tok.whitespace_)
        if tok.text in DASHES and tok.i > start and spaced:  # "Holtz-Eakin" is one name
            parts.append((start, tok.i))
            start = tok.i + 1
    parts.append((start, span.end))
    out = []
    for s, e in parts:
        for i in range(s, e):
            tok = doc[i]
            glued = i > 0 and not doc[i - 1].whitespace_  # "Ki-moon", "Geun-hye"
            lower_word = tok.is_alpha and tok.text[:1].islower() and tok.lower_ not in lex.name_particles and not glued
            if lower_word or tok.lower_ in ("'s", "’s"):
                s = i + 1
        while s < e - 1 and (doc[s].pos_ in ("VERB", "AUX") or doc[s].is_punct or _title(doc[s], lex)):
            s += 1
        if s < e - 1 and _inverted_said(doc, s, e):
            s += 1  # "Said Ellis: ..." (the model tags "Said" as a proper noun)
        while e > s and (doc[e - 1].is_punct and doc[e - 1].text not in CLOSE_QUOTES or doc[e - 1].is_space):
            e -= 1
        while e > s + 1 and doc[e - 1].text.isupper() and doc[e - 1].lower_ in lex.post_nominals:
            e -= 1  # "Joan Treadwell MP"
        if e > s and any(_capitalised(doc[i]) and doc[i].is_alpha for i in range(s, e)):
            out.append((s, e))
    return out


def _inverted_said(doc: Doc, start: int, end: int) -> bool:
    """ "Said Ellis: ...": a reporting verb opening a sentence before the name and a colon after
    it ("Said" may be a first name elsewhere: "Said Jalili, a diplomat, left")."""
    tok = doc[start]
    after = doc[end].text if end < len(doc) else ""
    return tok.text in ("Said", "Says") and (tok.is_sent_start or start == 0) and after == ":"


def extend_name(doc: Doc, start: int, end: int, lex: Lexicon, taken: set[int]) -> tuple[int, int]:
    """A first name the model left out before the name, a nickname in quotes and the surname
    after it, and a generational suffix after it."""
    while (
        start > 0
        and doc[start - 1].pos_ == "PROPN"
        and _capitalised(doc[start - 1])
        and not doc[start - 1].text.isupper()
        and doc[start - 1].tag_ != "NNPS"
        and (start - 1) not in taken
        and not doc[start - 1].ent_type_
        and not _title(doc[start - 1], lex)
        and not doc[start - 1].text.endswith(".")
        and _could_be_first_name(doc[start - 1], lex)
        and not doc[start - 1].whitespace_.count("\n")
        and end - start < 4
    ):
        start -= 1
    i = end
    if i + 3 < len(doc) and doc[i].text in OPEN_QUOTES and doc[i + 2].text in CLOSE_QUOTES and _capitalised(doc[i + 1]):
        j = i + 3
        while j < len(doc) and j - i < 5 and doc[j].pos_ == "PROPN" and _capitalised(doc[j]) and j not in taken:
            j += 1
        if j > i + 3:
            end = j  # 'Marcia "Cia" Price'
    if end < len(doc) and doc[end].text == "." and doc[end - 1].lower_ in lex.name_suffixes:
        return start, end + 1  # "Harry F. Byrd Sr."
    i = end + (1 if end < len(doc) and doc[end].text == "," else 0)
    if i < len(doc) and doc[i].lower_.rstrip(".") in lex.name_suffixes and _capitalised(doc[i]):
        end = i + 1
        if end < len(doc) and doc[end].text == "." and not doc[i].text.endswith("."):
            end += 1
    return start, end


def shared_surname_first_name(doc: Doc, start: int, lex: Lexicon) -> tuple[int, int] | None:
    """ "Sarah and Timothy Rogers": the tokens of "Sarah" (a known first name, maybe with an
    initial, "Charles G."), when the name at `start` follows "and"."""
    if start < 2 or doc[start - 1].lower_ != "and":
        return None
    end = start - 1
    first = end - 1
    if _initial(doc[first]) and first > 0:
        first -= 1
    word = doc[first].lower_
    if not (_capitalised(doc[first]) and (word in lex.female_names or word in lex.male_names)):
        return None
    if first > 0 and _capitalised(doc[first - 1]) and doc[first - 1].pos_ == "PROPN":
        return None  # "Barack Obama and Joe Biden": a full name of its own
    return first, end
