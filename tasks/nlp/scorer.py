"""`nlp.evaluate` for the quotes: the scorer `newsflow.quote_scorer.v1`, with the project's metric.

The `newsflow_quotes` component names this scorer in its default config, so `nlp.evaluate(examples)`
reports `quote_p`, `quote_r`, `quote_f` and `speaker_acc` beside spaCy's own scores. The figures
are `newsflow.tasks.nlp.metric.score` (the metric of `shared/eval/README.md`), not a second metric:
this module only turns spaCy `Example`s into its input. Each example is one document:

- predicted: the component's spans as the `quotes` table's rows (`newsflow.tasks.nlp.rows.quote_rows`),
  which is what `newsflow eval` scores;
- reference: the gold quotes as spans in `reference.spans[spans_key]` with the gold speaker in
  `._.speaker_name` (or, when it is None, the text of `._.speaker`); optional quotes (neither
  rewarded nor penalised) in `reference.spans[spans_key + "_optional"]`; a speaker's aliases in
  `reference.user_data[("newsflow", "speaker_aliases", start_char, end_char)]` and the gold set's
  `speaker_mode` in `reference.user_data[("newsflow", "speaker_mode")]`.

`gold_example(nlp, text, gold)` builds such an Example from a gold file's record.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from newsflow.tasks.nlp.metric import score
from newsflow.tasks.nlp.quotes.component import SCORER, SPANS_KEY
from newsflow.tasks.nlp.rows import quote_rows


def optional_key(spans_key: str) -> str:
    return spans_key + "_optional"


def _aliases_key(span: Span) -> tuple:
    return ("newsflow", "speaker_aliases", span.start_char, span.end_char)


def reference_quote(span: Span) -> dict:
    """A reference span as a gold quote of `newsflow.tasks.nlp.metric`."""
    speaker = span._.speaker_name or (span._.speaker.text if span._.speaker is not None else None)
    return {"text": span.text, "speaker": speaker, "aliases": span.doc.user_data.get(_aliases_key(span), [])}


def reference_gold(doc: Doc, spans_key: str = SPANS_KEY) -> dict:
    """The reference Doc as one gold file's record."""
    record = {
        "quotes": [reference_quote(s) for s in doc.spans.get(spans_key, [])],
        "optional_quotes": [reference_quote(s) for s in doc.spans.get(optional_key(spans_key), [])],
    }
    mode = doc.user_data.get(("newsflow", "speaker_mode"))
    return record if mode is None else {**record, "speaker_mode": mode}


def score_quotes(examples: Iterable[Example], spans_key: str = SPANS_KEY) -> dict:
    """`newsflow.tasks.nlp.metric.score` over the examples, one document each; returns its figures
    and counts (misses aside)."""
    predicted, gold = {}, {}
    for i, eg in enumerate(examples):
        predicted[str(i)] = quote_rows(eg.predicted, spans_key)
        gold[str(i)] = reference_gold(eg.reference, spans_key)
    result = score(predicted, gold)
    result.pop("misses")
    return result


def quote_scorer(examples: Iterable[Example], *, spans_key: str = SPANS_KEY, **kwargs) -> dict[str, float]:
    """Quote precision, recall, F1 (`quote_p`, `quote_r`, `quote_f`) and the share of matched
    quotes with the right speaker (`speaker_acc`). Other keyword arguments (spaCy passes the
    component's labels and the `nlp.evaluate` settings) are ignored."""
    result = score_quotes(examples, spans_key)
    return {
        "quote_p": result["quote_p"],
        "quote_r": result["quote_r"],
        "quote_f": result["quote_f1"],
        "speaker_acc": result["speaker_acc"],
    }


@registry.scorers(SCORER)
def make_quote_scorer():
    return quote_scorer


def gold_example(nlp: Language, text: str, gold: dict, spans_key: str = SPANS_KEY) -> Example:
    """An Example for `nlp.evaluate`: `text` to parse, and a reference Doc that carries the gold
    record's quotes (a gold file of `newsflow.tasks.nlp.metric`). A gold quote must appear in
    `text` word for word."""
    reference = nlp.make_doc(text)
    sets = ((spans_key, gold.get("quotes", [])), (optional_key(spans_key), gold.get("optional_quotes", [])))
    for key, quotes in sets:
        spans, taken = [], set()
        for quote in quotes:
            start = text.find(quote["text"])
            while start >= 0 and (start, key) in taken:  # the same words quoted twice: the next place they appear
                start = text.find(quote["text"], start + 1)
            taken.add((start, key))
            end = start + len(quote["text"])
            span = None if start < 0 else reference.char_span(start, end, alignment_mode="expand")
            if span is None:
                raise ValueError(f"gold quote not in the text: {quote['text']!r}")
            span._.speaker_name = quote.get("speaker")
            if quote.get("aliases"):
                reference.user_data[_aliases_key(span)] = list(quote["aliases"])
            spans.append(span)
        reference.spans[key] = spans
    if "speaker_mode" in gold:
        reference.user_data[("newsflow", "speaker_mode")] = gold["speaker_mode"]
    return Example(nlp.make_doc(text), reference)
