"""What a document itself says about the gender of the people it names: `entities.gender_cues`.

Evidence, one item per occurrence, as "<kind>:<gender>" (kinds: `schemas.tables.ARTICLE_EVIDENCE`):
- `honorific`: "Mr", "Mrs", "Ms", "Miss", "Sir", "Dame", "Lady", "Lord", "Madam" right before a
  mention ("Mrs Doe", "Mr. Doe");
- `role_noun`: a gendered role or kin noun of the lexicon (`female_cues`, `male_cues`: "spokeswoman",
  "chairman", "actress", "wife") right before a mention ("spokeswoman Ann Vale", "her husband John")
  or in apposition to it ("Ann Vale, a spokeswoman for ..."; "the chairman, John Doe");
- `pronoun`: a quote whose speaker is written "she" or "he" and was resolved to the entity
  (`pronoun_cues`, over the quote rows).

Not evidence: a gendered word further away or joined by "of" ("the wife of John Doe" says nothing
of John Doe), first names (a statistic, applied across documents by `newsflow.tasks.people`), and
pronouns outside reported speech.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from spacy.tokens import Doc, Span

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
PRONOUNS: Mapping[str, str] = {"she": "female", "he": "male"}


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
    for m in mentions:
        if m.label != "PERSON":
            continue
        span = doc.char_span(m.start_char, m.end_char)
        if span is None:
            continue
        cues = mention_cues(doc, span, lex)
        if cues:
            out.setdefault(m.entity_id, []).extend(cues)
    return out


def pronoun_cues(quotes: Sequence[Mapping]) -> dict[str, list[str]]:
    """entity_id → "pronoun:<gender>" for each quote row whose speaker is "she"/"he" resolved to it."""
    out: dict[str, list[str]] = {}
    for q in quotes:
        speaker, eid = q.get("speaker"), q.get("speaker_entity_id")
        if speaker and eid and speaker.lower() in PRONOUNS:
            out.setdefault(eid, []).append(f"pronoun:{PRONOUNS[speaker.lower()]}")
    return out
