"""What the content check knows of a candidate quote: one row of features per quote span.

Read from the quote Span and its Doc only (its label, `._.cue`, `._.speaker`, `._.method`,
`._.speaker_name`, `._.speaker_entity_id`, which the quote rules write), so the same function
serves training and the component, and this package never imports the quote rules.

Categorical features are strings here; `encode` turns them into the integer codes of the
vocabulary the model was trained with (unseen values share the code of "other").
"""

from __future__ import annotations

import bisect
import math

import numpy
from spacy.tokens import Doc, Span

from newsflow.tasks.nlp.doc_text import doc_text
from newsflow.tasks.nlp.lexicon import Lexicon

MARKS = set('"“”„‟«»')
HEDGES = {"may", "might", "could", "would", "perhaps", "possibly", "likely", "reportedly", "allegedly", "probably"}
FIRST_PERSON = {"i", "we", "me", "us", "my", "our", "myself", "ourselves"}
SECOND_PERSON = {"you", "your", "yours", "yourself"}
OPENERS = {"that", "if", "whether", "to", "how", "why", "what", "when", "who", "because"}

CATEGORICAL = [
    "type",
    "cue",
    "cue_class",
    "method",
    "speaker_label",
    "cue_tag",
    "opener",
    "root_pos",
    "root_dep",
    "root_tag",
]
NUMERIC = [
    "n_words",
    "log_chars",
    "has_speaker",
    "has_speaker_name",
    "has_entity",
    "has_cue",
    "marks_inside",
    "marked_around",
    "fully_marked",
    "question",
    "ends_question",
    "title_ratio",
    "digit_ratio",
    "scare",
    "n_sents",
    "sent_position",
    "char_position",
    "sent_coverage",
    "cue_distance",
    "cue_before",
    "cue_inside",
    "speaker_distance",
    "speaker_before",
    "negated",
    "cue_negated",
    "hedges",
    "modals",
    "first_person",
    "second_person",
    "has_verb",
    "n_quotes",
    "quote_index",
    "gap_before",
    "gap_after",
    "same_speaker_before",
    "same_speaker_after",
    "paragraph_start",
]
FEATURES = CATEGORICAL + NUMERIC


def cue_class(lemma: str | None, lex: Lexicon) -> str:
    """Which word list the cue comes from: the kinds of report differ in how often they are speech."""
    if lemma is None:
        return "none"
    if lemma == "according to":
        return "according"
    for name in ("directive_verbs", "attitude_verbs", "delivery_verbs", "speech_verbs"):
        if lemma in getattr(lex, name):
            return name.split("_")[0]
    if lemma in lex.speech_nouns:
        return "noun"
    return "other"


def _speaker_label(speaker: Span | None) -> str:
    if speaker is None:
        return "none"
    root = speaker.root
    if root.pos_ == "PRON":
        return "pron_" + root.lower_
    return root.ent_type_ or root.pos_.lower()


def _distance(quote: Span, other: Span | None) -> tuple[float, float]:
    """Tokens between the quote and `other` (0 when they touch or overlap), and whether `other`
    comes first; (-1, -1) when there is no `other`."""
    if other is None:
        return -1.0, -1.0
    if other.end <= quote.start:
        return float(quote.start - other.end), 1.0
    if other.start >= quote.end:
        return float(other.start - quote.end), 0.0
    return 0.0, 0.5


def _speaker_key(span: Span) -> str | None:
    return span._.speaker_entity_id or span._.speaker_name or (span._.speaker.text if span._.speaker else None)


def quote_features(doc: Doc, spans: list[Span], lex: Lexicon) -> list[dict]:
    """One dict of FEATURES per quote span (spans in text order)."""
    text = doc_text(doc)
    n_chars = max(len(text), 1)
    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    sent_starts = [s.start for s in sents]
    rows = []
    for i, span in enumerate(spans):
        cue, speaker = span._.cue, span._.speaker
        lemma = None
        if cue is not None:
            lemma = "according to" if cue[0].lower_ == "according" else cue[0].lemma_.lower()
        toks = [t for t in span if not t.is_punct and not t.is_space]
        n_words = len(toks)
        alpha = [t for t in toks if t.is_alpha]
        lowers = [t.lower_ for t in toks]
        first = next((t for t in span if not t.is_punct and t.text not in MARKS), span[0])
        before = text[max(0, span.start_char - 2) : span.start_char]
        after = text[span.end_char : span.end_char + 2]
        inside = sum(1 for c in span.text if c in MARKS)
        sent_i = max(0, bisect.bisect_right(sent_starts, span.start) - 1)
        sent = sents[sent_i]
        cue_d, cue_first = _distance(span, cue)
        sp_d, sp_first = _distance(span, speaker)
        prev, nxt = (spans[i - 1] if i else None), (spans[i + 1] if i + 1 < len(spans) else None)
        key = _speaker_key(span)
        root = span.root
        rows.append(
            {
                "type": span.label_,
                "cue": lemma or "none",
                "cue_class": cue_class(lemma, lex),
                "method": span._.method or "none",
                "speaker_label": _speaker_label(speaker),
                "cue_tag": cue[0].tag_ if cue is not None else "none",
                "opener": first.lower_ if first.lower_ in OPENERS else ("mark" if span.text[:1] in MARKS else "other"),
                "root_pos": root.pos_,
                "root_dep": root.dep_,
                "root_tag": root.tag_,
                "n_words": n_words,
                "log_chars": math.log1p(len(span.text)),
                "has_speaker": float(speaker is not None),
                "has_speaker_name": float(bool(span._.speaker_name)),
                "has_entity": float(bool(span._.speaker_entity_id)),
                "has_cue": float(cue is not None),
                "marks_inside": inside,
                "marked_around": sum(1 for c in before + after if c in MARKS),
                "fully_marked": float(
                    (span.text[:1] in MARKS or before[-1:] in MARKS) and (span.text[-1:] in MARKS or after[:1] in MARKS)
                ),
                "question": float("?" in span.text),
                "ends_question": float(span.text.rstrip(" \"”'’").endswith("?")),
                "title_ratio": sum(1 for t in alpha if t.is_title) / len(alpha) if alpha else 0.0,
                "digit_ratio": sum(1 for t in toks if t.like_num) / n_words if n_words else 0.0,
                "scare": float(n_words <= 3),
                "n_sents": sum(1 for s in sent_starts if span.start < s < span.end) + 1,
                "sent_position": sent_i / len(sents),
                "char_position": span.start_char / n_chars,
                "sent_coverage": len(span) / max(len(sent), 1),
                "cue_distance": cue_d,
                "cue_before": cue_first,
                "cue_inside": float(cue is not None and span.start <= cue.start and cue.end <= span.end),
                "speaker_distance": sp_d,
                "speaker_before": sp_first,
                "negated": float(any(t.dep_ == "neg" for t in span)),
                "cue_negated": float(cue is not None and any(c.dep_ == "neg" for c in cue[0].children)),
                "hedges": sum(1 for w in lowers if w in HEDGES),
                "modals": sum(1 for t in toks if t.tag_ == "MD"),
                "first_person": sum(1 for w in lowers if w in FIRST_PERSON),
                "second_person": sum(1 for w in lowers if w in SECOND_PERSON),
                "has_verb": float(any(t.pos_ in ("VERB", "AUX") for t in span)),
                "n_quotes": len(spans),
                "quote_index": i / len(spans),
                "gap_before": _gap(text, prev, span),
                "gap_after": _gap(text, span, nxt),
                "same_speaker_before": float(prev is not None and key is not None and _speaker_key(prev) == key),
                "same_speaker_after": float(nxt is not None and key is not None and _speaker_key(nxt) == key),
                "paragraph_start": float(
                    text[max(0, span.start_char - 3) : span.start_char].strip(" \"“'") == ""
                    or "\n" in text[max(0, span.start_char - 3) : span.start_char]
                ),
            }
        )
    return rows


def _gap(text: str, a: Span | None, b: Span | None) -> float:
    """log(1 + characters between two quotes), -1 when one is missing."""
    if a is None or b is None:
        return -1.0
    return math.log1p(max(0, b.start_char - a.end_char))


def encode(rows: list[dict], vocab: dict[str, dict[str, int]]) -> numpy.ndarray:
    """Rows of FEATURES as numbers: categorical values as their code in `vocab` (0: unseen)."""
    return numpy.array(
        [[float(vocab[f].get(r[f], 0)) for f in CATEGORICAL] + [float(r[f]) for f in NUMERIC] for r in rows],
        dtype="float64",
    ).reshape(len(rows), len(FEATURES))
