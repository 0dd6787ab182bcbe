"""newsflow's spaCy components, registered on import: `newsflow_entities`, `newsflow_quotes` (usable
in any spaCy pipeline), `newsflow_paragraphs` (before the parser: a paragraph break ends a
sentence) and `newsflow_rows`, which turns their spans into table rows. Imported by
`load_pipeline` (`newsflow.tasks.nlp.pipeline`), so that a process that only sends documents to
the workers never imports spaCy."""

from __future__ import annotations

import numpy
from spacy.language import Language
from spacy.tokens import Doc

import newsflow.tasks.nlp.entities.component  # noqa: F401  (registers the newsflow_entities factory)
import newsflow.tasks.nlp.paragraphs  # noqa: F401  (registers the newsflow_paragraphs factory)
import newsflow.tasks.nlp.quotes.component  # noqa: F401  (registers the newsflow_quotes factory)
from newsflow.tasks.nlp.rows import doc_rows

if not Doc.has_extension("table_rows"):
    Doc.set_extension("table_rows", default=None)


@Language.component("newsflow_rows", requires=["doc.spans", "doc.ents"], assigns=["doc._.table_rows"])
def rows_component(doc: Doc) -> Doc:
    """`doc._.table_rows` = the document's rows; the spans, user data and tok2vec tensor the Doc
    carries are dropped, so that a batch holds no more than the tables need (and a Doc sent by
    `nlp.pipe(n_process=...)` from spaCy's own workers carries only its rows)."""
    rows = doc_rows(doc)
    doc.spans.clear()
    doc.user_data.clear()
    doc.tensor = numpy.zeros((0,), dtype="float32")
    doc._.table_rows = rows
    return doc
