"""What a document itself says about the gender of the people it names: `entities.gender_cues`.

Evidence, one item per occurrence, as "<kind>:<gender>" (kinds: `schemas.tables.ARTICLE_EVIDENCE`):
- `honorific`: "Mr", "Mrs", "Ms", "Miss", "Sir", "Dame", "Lady", "Lord", "Madam" right before a
  mention ("Mrs Doe", "Mr. Doe");
- `role_noun`: a gendered role or kin noun of the lexicon (`female_cues`, `male_cues`: "spokeswoman",
  "chairman", "actress", "wife") right before a mention ("spokeswoman Ann Vale", "her husband John")
  or in apposition to it ("Ann Vale, a spokeswoman for ..."; "the chairman, John Doe");
- `pronoun`: a quote whose speaker is written "she"/"he" (or "her"/"his": "his office said") and
  was resolved to the entity (`pronoun_cues`, over the quote rows);
- `coreference`: the first gendered pronoun after a mention, in the rest of its sentence or the
  next one, in the same paragraph and outside quotation marks, that the text ties to it
  (`following_pronoun`): a subject ("she"), a possessive ("her", "his") or a reflexive
  ("herself"); only when nothing could be its antecedent instead: no mention of another person
  before it in the mention's sentence or in between, no person noun in between ("her husband
  said he", "told the nominee, who began his speech"), no other gendered pronoun before it
  ("met with her"). Weaker than the others (`newsflow.tasks.people.gender`): "Shelby said he
  refused" may be about someone else.

Not evidence: a gendered word further away or joined by "of" ("the wife of John Doe" says nothing
of John Doe), first names (a statistic, applied across documents by `newsflow.tasks.people`),
pronouns inside quotation marks, object pronouns, and pronouns after a mention that is a
possessor ("John Doe's lawyer said she": the lawyer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from spacy.tokens import Doc, Span, Token

from newsflow.tasks.nlp.doc_text import doc_text
from newsflow.tasks.nlp.lexicon import Lexicon

# The English honorifics, with the gender they say (a closed class: titles of address, not roles).
HONORIFICS: Mapping[str, str] = {
    "mr": "male",
    "mister": "male",
    "sir": "male",
    "lord": "male",
    "mrs": "female",
    "ms": "female",
    "miss": "female",
    "dame": "female",
    "lady": "female",
    "madam": "female",
    "madame": "female",
}
PRONOUNS: Mapping[str, str] = {"she": "female", "he": "male", "her": "female", "his": "male"}
# Pronouns that may refer back to a person named before them (see `following_pronoun`).
SUBJECTS: Mapping[str, str] = {"she": "female", "he": "male"}
POSSESSIVES: Mapping[str, str] = {"her": "female", "his": "male"}
REFLEXIVES: Mapping[str, str] = {"herself": "female", "himself": "male"}
OBJECTS = {"her", "him"}
QUOTE_OPEN, QUOTE_CLOSE, QUOTE_EITHER = "“«", "”»", '"'


def _word_gender(word: str, lex: Lexicon) -> tuple[str, str] | None:
    """("honorific" | "role_noun", gender) for a word before or beside a name, else None."""
    word = word.lower().rstrip(".")
    if word in HONORIFICS:
        return "honorific", HONORIFICS[word]
    if word in lex.female_cues:
        return "role_noun", "female"
    if word in lex.male_cues:
        return "role_noun", "male"
    return None


def mention_cues(doc: Doc, span: Span, lex: Lexicon) -> list[str]:
    """The evidence around one PERSON mention."""
    cues = []
    first = _word_gender(span[0].text, lex) if len(span) > 1 else None
    if first is not None and first[0] == "honorific":  # a mention that kept its "Mr"
        cues.append(first)
    elif span.start > 0:
        before = _word_gender(doc[span.start - 1].text, lex)
        if before is not None:
            cues.append(before)
    root = span.root
    appositions = [c for c in root.children if c.dep_ == "appos"]
    if root.dep_ == "appos" and root.head.i < span.start:
        appositions.append(root.head)
    for tok in appositions:
        found = _word_gender(tok.text, lex)
        if found is not None and found[0] == "role_noun":
            cues.append(found)
    return [f"{kind}:{gender}" for kind, gender in cues]


def gender_cues(doc: Doc, mentions: Iterable, lex: Lexicon) -> dict[str, list[str]]:
    """entity_id → the evidence of its PERSON mentions (mentions: `entities.cluster.Mention`s)."""
    out: dict[str, list[str]] = {}
    mentions = list(mentions)
    person_at = _person_tokens(doc, mentions)
    for m in mentions:
        if m.label != "PERSON":
            continue
        span = doc.char_span(m.start_char, m.end_char)
        if span is None:
            continue
        cues = mention_cues(doc, span, lex)
        pronoun = following_pronoun(span, person_at, lex)
        if pronoun is not None:
            cues.append(f"coreference:{pronoun}")
        if cues:
            out.setdefault(m.entity_id, []).extend(cues)
    return out


def _person_tokens(doc: Doc, mentions: Sequence) -> dict[int, tuple[int, int]]:
    """Token index → (start, end) character offsets of the PERSON mention it is in."""
    out = {}
    for m in mentions:
        if m.label == "PERSON":
            span = doc.char_span(m.start_char, m.end_char, alignment_mode="expand")
            for tok in span if span is not None else ():
                out[tok.i] = (m.start_char, m.end_char)
    return out


def _pronoun_gender(tok: Token) -> str | None:
    """The gender of a pronoun that may refer back to a person named before it: a subject, a
    possessive or a reflexive (an object may be anyone: "McConnell met with her"); else None."""
    word = tok.lower_
    if word in SUBJECTS and tok.dep_ in ("nsubj", "nsubjpass"):
        return SUBJECTS[word]
    if word in POSSESSIVES and tok.dep_ == "poss":
        return POSSESSIVES[word]
    return REFLEXIVES.get(word)


def _inside_quotes(text: str, char: int) -> bool:
    """Whether `char` of `text` is between quotation marks, counting from the start of its paragraph."""
    text = text[text.rfind("\n", 0, char) + 1 : char]
    opened = sum(text.count(c) for c in QUOTE_OPEN) - sum(text.count(c) for c in QUOTE_CLOSE)
    return opened > 0 or sum(text.count(c) for c in QUOTE_EITHER) % 2 == 1


def following_pronoun(span: Span, person_at: Mapping[int, tuple[int, int]], lex: Lexicon) -> str | None:
    """The gender of the first pronoun after a PERSON mention that the text ties to it (the
    `coreference` evidence of the module), else None. `person_at`: `_person_tokens`."""
    doc = span.doc
    head = span.root
    if any(c.dep_ == "case" for c in head.children) or _inside_quotes(doc_text(doc), span.start_char):
        return None  # "John Doe's lawyer said she": the lawyer; a name inside a quotation
    sent = span.sent
    if any(i in person_at and person_at[i] != person_at.get(span.start) for i in range(sent.start, span.start)):
        return None  # "Ann Vale met Tom Reyes. She said": another person named before, in its sentence
    end = doc[sent.end].sent.end if sent.end < len(doc) else sent.end
    depth, straight = 0, False  # curly quotation marks nest ("he calls “hell”"); straight ones alternate
    for tok in doc[span.end : end]:
        if "\n" in tok.text or (tok.i in person_at and tok.i not in range(span.start, span.end)):
            return None  # a new paragraph; another mention, of someone else or the same person
        if tok.text in QUOTE_OPEN or tok.text in QUOTE_CLOSE or tok.text == QUOTE_EITHER:
            depth += (tok.text in QUOTE_OPEN) - (tok.text in QUOTE_CLOSE)
            straight ^= tok.text == QUOTE_EITHER
            continue
        if depth > 0 or straight:
            continue
        gender = _pronoun_gender(tok)
        if gender is not None:
            return gender
        if tok.lower_ in PRONOUNS or tok.lower_ in OBJECTS or tok.lower_ in REFLEXIVES:
            return None  # a gendered pronoun the text does not tie to the mention ("met with her")
        if tok.pos_ == "NOUN" and tok.lower_ in lex.person_roles and tok.dep_ != "appos" and tok.head.i != head.i:
            return None  # "her husband said he", "said to the nominee, who began his speech"
    return None


def pronoun_cues(quotes: Sequence[Mapping]) -> dict[str, list[str]]:
    """entity_id → "pronoun:<gender>" for each quote row whose speaker is "she"/"he" resolved to it."""
    out: dict[str, list[str]] = {}
    for q in quotes:
        speaker, eid = q.get("speaker"), q.get("speaker_entity_id")
        if speaker and eid and speaker.lower() in PRONOUNS:
            out.setdefault(eid, []).append(f"pronoun:{PRONOUNS[speaker.lower()]}")
    return out
