"""The `newsflow_quotes` spaCy component: quotes as spans in `doc.spans["quotes"]`.

Each span's label is its type (`direct`, `indirect`, `mixed`); its extensions say who said it:
`._.speaker` and `._.cue` are Spans of the same Doc (or None), `._.speaker_name`,
`._.speaker_entity_id`, `._.speaker_title` and `._.method` are strings, and `._.statement_id`
names the statement the quote is part of (`newsflow.tasks.nlp.quotes.statements`): the `quote_id`
of its first piece, as in the `quotes` table. All of it is kept as
plain data on the Doc (Span extensions are stored in `doc.user_data`), so it serialises with
`doc.to_bytes()` and crosses spaCy's worker processes as it is.

A span holds whole tokens: a quote whose ends fall inside a token (about 1 in 1,000: "N.C"
of the token "N.C.", a tweet's markup) is cut to the tokens inside it, or widened to the tokens
it touches when cutting would lose a letter or digit.

Extension names: the shared contract reads `q._.speaker`, `q._.speaker_name`, `q._.cue`, so the
names stay as they are (no `newsflow_` prefix, which would break every reader of them after a
release of aliases). What is fixed is the silence: an extension of the same name that another
package registered first used to win unnoticed, and newsflow's values went into it (or its
getter answered instead). Every newsflow getter carries a mark (`newsflow.tasks.nlp.lexicon.pipe.claim`);
creating the component checks that each name it writes is newsflow's and raises
`ExtensionConflict` naming the other registration otherwise. Values are stored where spaCy keeps
a plain `default=None` extension's (`doc.user_data[("._.", name, start_char, end_char)]`), so
Docs serialise as before.

The component saves its word lists with the pipeline, takes them from `nlp.initialize` too, and
is scored by `nlp.evaluate` with the project's quote metric (`newsflow.tasks.nlp.scorer`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from newsflow.tasks.nlp.content_model import load_check
from newsflow.tasks.nlp.doc_text import doc_text
from newsflow.tasks.nlp.entities import read_entities
from newsflow.tasks.nlp.lexicon.pipe import LexiconPipe, claim, reference, stored
from newsflow.tasks.nlp.quotes.extract import ObjectProposer, SpeakerRanker, extract_quotes
from newsflow.tasks.nlp.quotes.records import Quote
from newsflow.tasks.nlp.quotes.statements import statement_ids

SPANS_KEY = "quotes"
# The scorer `nlp.evaluate` scores the quotes with: registered by `newsflow.tasks.nlp.scorer` (an
# entry point, so spaCy finds it without this module importing the scorer, which stands above it)
# under this name; the weights of the figures it reports.
SCORER = "newsflow.quote_scorer.v1"
# The learned speaker ranker (newsflow.tasks.nlp.speaker_model, registered by entry point so that
# this package does not import it): made once per process with the component.
SPEAKER_RANKER = "newsflow.speaker_ranker.v1"
# The learned proposer of contents the clause rules miss (newsflow.tasks.nlp.object_model, by entry
# point too): made once per process with the component.
OBJECT_PROPOSER = "newsflow.object_proposer.v1"
SCORE_WEIGHTS = {"quote_f": 1.0, "quote_p": 0.0, "quote_r": 0.0, "speaker_acc": 0.0}

# (class, name, getter and setter): what the component writes, registered at import when free.
EXTENSIONS = [
    (Span, "speaker", reference("speaker")),
    (Span, "cue", reference("cue")),
    *(
        (Span, name, stored(name))
        for name in ("speaker_name", "speaker_entity_id", "speaker_title", "method", "statement_id")
    ),
]
claim(EXTENSIONS, component=None)


class QuoteExtractor(LexiconPipe):
    """Finds quotes and their speakers (see `newsflow.tasks.nlp.quotes`). Needs `newsflow_entities`
    before it in the pipeline: speakers resolve to its entities."""

    def __init__(
        self,
        nlp: Language,
        name: str = "newsflow_quotes",
        *,
        spans_key: str = SPANS_KEY,
        lexicon: str | None = None,
        scorer=None,
        content_check: bool = False,
        speaker_ranker: SpeakerRanker | None = None,
        object_proposer: ObjectProposer | None = None,
    ) -> None:
        claim(EXTENSIONS, component=name)
        self.name = name
        self.spans_key = spans_key
        self.lexicon_folder = lexicon
        self.scorer = scorer
        self.speaker_ranker = speaker_ranker
        self.object_proposer = object_proposer
        self.cfg = {"spans_key": spans_key}  # what `Pipe.score` hands the scorer
        # the learned veto of candidate quotes (newsflow.tasks.nlp.content_model), read once per process
        self.content_check = load_check() if content_check else None

    def __call__(self, doc: Doc) -> Doc:
        # No catch-all here: spaCy hands an exception to the component's error handler
        # (`set_error_handler`), which raises by default; `run` names the component in it.
        return self.run(doc, self._annotate)

    def _annotate(self, doc: Doc) -> Doc:
        quotes = extract_quotes(doc, read_entities(doc), self.lexicon, self.speaker_ranker, self.object_proposer)
        spans = [span for span in (quote_span(doc, q) for q in quotes) if span is not None]
        if self.content_check is not None:
            spans = self.content_check.keep(doc, spans, self.lexicon)
        for span, statement in zip(spans, statement_ids(spans), strict=True):
            span._.statement_id = statement
        doc.spans[self.spans_key] = spans
        return doc


def quote_span(doc: Doc, quote: Quote) -> Span | None:
    """The quote as a Span with its speaker and cue; None when no whole token lies inside it."""
    span = whole_tokens(doc, quote.start_char, quote.end_char, quote.type)
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


def whole_tokens(doc: Doc, start: int, end: int, label: str) -> Span | None:
    """The tokens inside [start, end), or, when that would lose a letter or digit of it (a quote
    ending in "N.C" of the token "N.C."), the tokens it touches."""
    span = doc.char_span(start, end, label=label, alignment_mode="contract")
    text = doc_text(doc)
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
        "span._.statement_id",
    ],
    requires=[
        "doc.sents",
        "doc.ents",
        "token.tag",
        "token.pos",
        "token.lemma",
        "token.dep",
        "token.head",
        "span._.entity_id",
        "doc._.entity_index",
    ],
    default_config={
        "spans_key": SPANS_KEY,
        "lexicon": None,
        "scorer": {"@scorers": SCORER},
        "content_check": False,
        "speaker_ranker": {"@misc": SPEAKER_RANKER},
        "object_proposer": {"@misc": OBJECT_PROPOSER},
    },
    default_score_weights=dict(SCORE_WEIGHTS),
)
def make_quote_extractor(
    nlp: Language,
    name: str,
    spans_key: str,
    lexicon: str | None,
    scorer,
    content_check: bool,
    speaker_ranker: SpeakerRanker | None,
    object_proposer: ObjectProposer | None,
) -> QuoteExtractor:
    """`spans_key`: where the quotes go in `doc.spans`; `lexicon`: a folder of word lists that
    extend the packaged ones (see newsflow.tasks.nlp.lexicon); `scorer`: what `nlp.evaluate` scores
    the quotes with (newsflow.tasks.nlp.scorer); `content_check`: whether the learned check
    (newsflow.tasks.nlp.content_model) vetoes the rules' candidates (off by default: on the dev
    sets it leaves quote F1 where the rules have it, its README; it costs about a tenth of the
    parse); `speaker_ranker`: what rescores the rules' speakers (newsflow.tasks.nlp.speaker_model),
    None for the rules alone; `object_proposer`: what proposes the contents a verb's object
    reports ("accused him of ...", newsflow.tasks.nlp.object_model), None for the rules alone."""
    return QuoteExtractor(
        nlp,
        name,
        spans_key=spans_key,
        lexicon=lexicon,
        scorer=scorer,
        content_check=content_check,
        speaker_ranker=speaker_ranker,
        object_proposer=object_proposer,
    )
