"""The `newsflow_quotes` spaCy component: quotes as spans in `doc.spans["quotes"]`.

Each span's label is its type (`direct`, `indirect`, `mixed`); its extensions say who said it:
`._.speaker` and `._.cue` are Spans of the same Doc (or None), `._.speaker_name`,
`._.speaker_entity_id`, `._.speaker_title` and `._.method` are strings. All of it is kept as
plain data on the Doc (Span extensions are stored in `doc.user_data`), so it serialises with
`doc.to_bytes()` and crosses spaCy's worker processes as it is.

A span holds whole tokens: a quote whose ends fall inside a token (about 1 in 1,000: "N.C"
of the token "N.C.", a tweet's markup) is cut to the tokens inside it, or widened to the tokens
it touches when cutting would lose a letter or digit.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span

from newsflow.tasks.entities import read_entities
from newsflow.tasks.lexicon import Lexicon, load_lexicon
from newsflow.tasks.quotes.extract import extract_quotes
from newsflow.tasks.quotes.records import Quote

SPANS_KEY = "quotes"


def _span_reference(name: str) -> dict:
    """A Span extension whose value is another Span of the same Doc, kept as char offsets."""

    def key(span: Span) -> tuple:
        return ("._.", name, span.start_char, span.end_char)

    def get(span: Span) -> Span | None:
        chars = span.doc.user_data.get(key(span))
        return span.doc.char_span(chars[0], chars[1]) if chars else None

    def set_(span: Span, value: Span | None) -> None:
        span.doc.user_data[key(span)] = None if value is None else (value.start_char, value.end_char)

    return {"getter": get, "setter": set_}


for _name in ("speaker", "cue"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, **_span_reference(_name))
for _name in ("speaker_name", "speaker_entity_id", "speaker_title", "method"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


class QuoteExtractor(Pipe):
    """Finds quotes and their speakers (see `newsflow.tasks.quotes`). Needs `newsflow_entities`
    before it in the pipeline: speakers resolve to its entities."""

    def __init__(
        self, nlp: Language, name: str = "newsflow_quotes", *, spans_key: str = SPANS_KEY, lexicon: str | None = None
    ) -> None:
        self.name = name
        self.spans_key = spans_key
        self.lexicon: Lexicon = load_lexicon(lexicon)

    def __call__(self, doc: Doc) -> Doc:
        # No catch-all here: spaCy hands an exception to the component's error handler
        # (`set_error_handler`), which raises by default.
        quotes = extract_quotes(doc, read_entities(doc), self.lexicon)
        text = doc.text  # Doc.text joins every token: once per document, not once per quote
        doc.spans[self.spans_key] = [span for span in (quote_span(doc, q, text) for q in quotes) if span is not None]
        return doc


def quote_span(doc: Doc, quote: Quote, text: str | None = None) -> Span | None:
    """The quote as a Span with its speaker and cue; None when no whole token lies inside it.
    `text`: `doc.text`, when the caller has it."""
    span = whole_tokens(doc, quote.start_char, quote.end_char, quote.type, text)
    if span is None:
        return None
    if quote.speaker is not None and quote.speaker_start is not None:
        end = quote.speaker_start + len(quote.speaker)
        span._.speaker = doc.char_span(quote.speaker_start, end, alignment_mode="expand")
    if quote.cue_start is not None:
        span._.cue = doc.char_span(quote.cue_start, quote.cue_end, alignment_mode="expand")
    span._.speaker_name = quote.speaker_name
    span._.speaker_entity_id = quote.speaker_entity_id
    span._.speaker_title = quote.speaker_title
    span._.method = quote.method
    return span


def whole_tokens(doc: Doc, start: int, end: int, label: str, text: str | None = None) -> Span | None:
    """The tokens inside [start, end), or, when that would lose a letter or digit of it (a quote
    ending in "N.C" of the token "N.C."), the tokens it touches. `text`: `doc.text`, if known."""
    span = doc.char_span(start, end, label=label, alignment_mode="contract")
    text = doc.text if text is None else text
    if span is None or any(c.isalnum() for c in text[start : span.start_char] + text[span.end_char : end]):
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
    return span if span is not None and span.text else None


def cue_lemma(cue: Span | None) -> str | None:
    """The reporting verb's lemma ("say"), or "according to"."""
    if cue is None:
        return None
    if cue[0].lower_ == "according":
        return "according to"
    return cue[0].lemma_.lower()


@Language.factory(
    "newsflow_quotes",
    assigns=[
        "doc.spans",
        "span._.speaker",
        "span._.speaker_name",
        "span._.speaker_entity_id",
        "span._.speaker_title",
        "span._.cue",
        "span._.method",
    ],
    requires=["doc.sents", "token.dep", "token.lemma", "span._.entity_id", "doc._.entity_index"],
    default_config={"spans_key": SPANS_KEY, "lexicon": None},
)
def make_quote_extractor(nlp: Language, name: str, spans_key: str, lexicon: str | None) -> QuoteExtractor:
    """`spans_key`: where the quotes go in `doc.spans`; `lexicon`: a folder of word lists that
    extend the packaged ones (see newsflow.tasks.lexicon)."""
    return QuoteExtractor(nlp, name, spans_key=spans_key, lexicon=lexicon)
