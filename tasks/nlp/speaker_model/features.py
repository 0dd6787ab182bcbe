"""Candidate speakers of a quote and the features the ranker scores them by.

Candidates: the rules' choice, the person/organisation/group/country mentions and the speaker
pronouns outside quotation marks in the quote's sentences and the two sentences before and after
it, the nominal subjects of the cue and of verbs in the quote's own sentences. Features are
numbers about position and grammar only (distances, dependency relations, labels, the rules'
method, counts): no word of any text is stored in the model.

Not handled: speakers further than two sentences from the quote (the rules' choice is kept for
them), group speakers ("A and B said" is A or B), and speakers that are no noun, pronoun or name.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Token

from newsflow.tasks.nlp.quotes.index import DocIndex
from newsflow.tasks.nlp.quotes.pronouns import PRONOUNS_F, PRONOUNS_IT, PRONOUNS_M, PRONOUNS_PL, SPEAKER_PRONOUNS
from newsflow.tasks.nlp.quotes.records import Quote

SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")
METHODS = ("cue", "passive", "according_to", "pronoun", "adjacency", "byline", "none")
KINDS = ("PERSON", "ORG", "NORP", "GPE", "pron_fm", "pron_pl", "pron_it", "pron_other", "nominal")
DEPS = ("nsubj", "nsubjpass", "dobj", "pobj", "poss", "compound", "appos", "conj", "attr", "ROOT")
TYPES = ("direct", "indirect", "mixed")
SENTENCES_AROUND = 2

FEATURES = (
    "is_rule",
    "rule_has_surface",
    "rule_has_entity",
    *(f"method_{m}" for m in METHODS),
    *(f"kind_{k}" for k in KINDS),
    *(f"dep_{d}" for d in DEPS),
    *(f"type_{t}" for t in TYPES),
    "has_cue",
    "subject_of_cue",
    "child_of_cue",
    "agent_of_cue",
    "head_is_verb",
    "head_is_speech_verb",
    "tok_to_quote_start",
    "tok_to_quote_end",
    "tok_gap",
    "after_quote",
    "tok_to_cue",
    "sent_offset",
    "same_sentence_as_cue",
    "para_offset",
    "prev_speaker",
    "prev_speaker_entity",
    "entity_mentions",
    "entity_rank",
    "entity_gender_fits",
    "persons_between",
    "quote_tokens",
    "n_candidates",
    "order_before",
    "order_after",
    "title_case",
)


@dataclass(frozen=True)
class Candidate:
    """One possible speaker of a quote: its token (what `speaker_from_token` resolves), the words
    as written and the entity it belongs to, when it is a named mention."""

    token: Token
    surface: str
    entity_id: str | None
    is_rule: bool


def speaker_token(quote: Quote, idx: DocIndex) -> Token | None:
    """The token the rules' speaker ends on (its head for a name: the last word), when written."""
    if quote.speaker is None or quote.speaker_start is None:
        return None
    toks = idx.tokens_in(quote.speaker_start, quote.speaker_start + len(quote.speaker))
    return idx.doc[toks[-1]] if len(toks) else None


def cue_token(quote: Quote, idx: DocIndex) -> Token | None:
    if quote.cue_start is None:
        return None
    toks = idx.tokens_in(quote.cue_start, max(quote.cue_end or 0, quote.cue_start + 1))
    return idx.doc[toks[0]] if len(toks) else None


def _sentence_window(quote: Quote, idx: DocIndex) -> tuple[int, int, range]:
    toks = idx.tokens_in(quote.start_char, quote.end_char)
    first = toks[0] if len(toks) else min(len(idx.doc) - 1, idx.tokens_in(0, quote.start_char).stop)
    last = toks[-1] if len(toks) else first
    s0, s1 = idx.sent_of[first], idx.sent_of[last]
    lo = max(0, s0 - SENTENCES_AROUND)
    hi = min(len(idx.sents) - 1, s1 + SENTENCES_AROUND)
    return s0, s1, range(idx.sents[lo].start, idx.sents[hi].end)


def candidates(quote: Quote, idx: DocIndex) -> list[Candidate]:
    """The quote's candidate speakers, the rules' choice first when it has one."""
    if not len(idx.doc):
        return []
    rule_tok = speaker_token(quote, idx)
    cue = cue_token(quote, idx)
    s0, s1, window = _sentence_window(quote, idx)
    found: dict[object, Candidate] = {}
    if rule_tok is not None:
        m = idx.mention(rule_tok)
        key = ("m", idx.tok_mention[rule_tok.i]) if m is not None else ("t", rule_tok.i)
        found[key] = Candidate(rule_tok, quote.speaker, m.entity_id if m else None, True)
    in_sentences = range(idx.sents[s0].start, idx.sents[s1].end)
    for i in window:
        if quote.start_char <= idx.tok_starts[i] < quote.end_char or idx.in_quote(idx.tok_starts[i]):
            continue
        tok = idx.doc[i]
        m_i = idx.tok_mention[i]
        if m_i >= 0:
            m = idx.ents.mentions[m_i]
            if m.label not in SPEAKER_LABELS or ("m", m_i) in found:
                continue
            last = idx.tokens_in(m.start_char, m.end_char)
            found[("m", m_i)] = Candidate(idx.doc[last[-1]] if len(last) else tok, m.text, m.entity_id, False)
        elif tok.lower_ in SPEAKER_PRONOUNS and tok.pos_ == "PRON":
            found.setdefault(("t", i), Candidate(tok, tok.text, None, False))
        elif tok.pos_ in ("NOUN", "PROPN") and tok.dep_ in ("nsubj", "nsubjpass"):
            if (cue is not None and tok.head.i == cue.i) or i in in_sentences:
                found.setdefault(("t", i), Candidate(tok, tok.text, None, False))
    return list(found.values())


def _kind(c: Candidate, idx: DocIndex) -> str:
    low = c.token.lower_
    if c.entity_id is not None:
        m = idx.mention(c.token)
        return m.label if m is not None and m.label in SPEAKER_LABELS else "nominal"
    if low in PRONOUNS_F | PRONOUNS_M:
        return "pron_fm"
    if low in PRONOUNS_PL:
        return "pron_pl"
    if low in PRONOUNS_IT:
        return "pron_it"
    return "pron_other" if low in SPEAKER_PRONOUNS else "nominal"


def _pronoun_fits(pronoun: str, gender: str | None) -> float:
    """A he/she pronoun against the gender of the nearest person named before it: 1 when they
    agree, -1 when not, 0 when that gender is unknown."""
    if gender is None:
        return 0.0
    return 1.0 if gender == ("f" if pronoun in PRONOUNS_F else "m") else -1.0


@dataclass(frozen=True)
class DocStats:
    """What every quote of a document shares: mentions per entity, and where persons are named."""

    counts: dict[str, int]
    ranked: list[int]
    persons: list[tuple[int, str]]  # (start char, entity id) of each PERSON mention, in order


def doc_stats(idx: DocIndex) -> DocStats:
    counts: dict[str, int] = {}
    for m in idx.ents.mentions:
        counts[m.entity_id] = counts.get(m.entity_id, 0) + 1
    persons = [(m.start_char, m.entity_id) for m in idx.ents.mentions if m.label == "PERSON"]
    return DocStats(counts, sorted(counts.values(), reverse=True), persons)


def feature_rows(
    quote: Quote, prev: Quote | None, cands: list[Candidate], idx: DocIndex, stats: DocStats
) -> list[list[float]]:
    """One row of `FEATURES` per candidate."""
    doc = idx.doc
    toks = idx.tokens_in(quote.start_char, quote.end_char)
    q0 = toks[0] if len(toks) else 0
    q1 = toks[-1] if len(toks) else q0
    cue = cue_token(quote, idx)
    s0 = idx.sent_of[q0] if len(doc) else 0
    para = idx.para_of(quote.start_char)
    counts, ranked = stats.counts, stats.ranked
    person_starts = [s for s, _ in stats.persons]
    prev_tok = speaker_token(prev, idx) if prev is not None else None
    prev_last = prev.speaker.split()[-1].lower() if prev is not None and prev.speaker else None
    before = sorted((c.token.i for c in cands if c.token.i < q0), reverse=True)
    after = sorted(c.token.i for c in cands if c.token.i > q1)
    speech = idx.lex.speech_verbs
    rows = []
    for c in cands:
        t = c.token
        kind = _kind(c, idx)
        ent = idx.entities.get(c.entity_id) if c.entity_id else None
        gender = None
        if kind == "pron_fm":
            k = bisect.bisect_left(person_starts, t.idx) - 1
            e = idx.entities.get(stats.persons[k][1]) if k >= 0 else None
            gender = e.gender if e else None
        dep = t.dep_ if t.dep_ in DEPS else "other"
        head = t.head
        agent = t.dep_ == "pobj" and head.lower_ in ("by", "to") and cue is not None and head.head.i == cue.i
        lo, hi = sorted((t.idx, quote.start_char))
        row = [
            float(c.is_rule),
            float(quote.speaker is not None),
            float(quote.speaker_entity_id is not None),
            *(float(quote.method == m) for m in METHODS),
            *(float(kind == k) for k in KINDS),
            *(float(dep == d) for d in DEPS),
            *(float(quote.type == ty) for ty in TYPES),
            float(cue is not None),
            float(cue is not None and head.i == cue.i and t.dep_ in ("nsubj", "nsubjpass")),
            float(cue is not None and head.i == cue.i),
            float(agent),
            float(head.pos_ in ("VERB", "AUX")),
            float(head.lemma_.lower() in speech),
            float(t.i - q0),
            float(t.i - q1),
            float(min(abs(t.i - q0), abs(t.i - q1))),
            float(t.i > q1),
            float(t.i - cue.i) if cue is not None else 999.0,
            float(idx.sent_of[t.i] - s0),
            float(cue is not None and idx.sent_of[t.i] == idx.sent_of[cue.i]),
            float(idx.para_of(t.idx) - para),
            float(prev_tok is not None and prev_tok.i == t.i or (prev_last is not None and t.lower_ == prev_last)),
            float(prev is not None and c.entity_id is not None and c.entity_id == prev.speaker_entity_id),
            float(counts.get(c.entity_id, 0)) if c.entity_id else 0.0,
            float(ranked.index(counts[c.entity_id])) if c.entity_id in counts else 99.0,
            _pronoun_fits(t.lower_, gender) if kind == "pron_fm" else _entity_gender(ent),
            float(bisect.bisect_left(person_starts, hi) - bisect.bisect_left(person_starts, lo)),
            float(len(toks)),
            float(len(cands)),
            float(before.index(t.i)) if t.i in before else -1.0,
            float(after.index(t.i)) if t.i in after else -1.0,
            float(t.text[:1].isupper()),
        ]
        rows.append(row)
    return rows


def _entity_gender(ent) -> float:
    if ent is None or ent.label != "PERSON":
        return 0.0
    return {"f": 1.0, "m": 2.0}.get(ent.gender or "", 3.0)
