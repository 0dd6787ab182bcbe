"""The project's metric: the quotes against gold (`quotes`, exactly `shared/eval/README.md`), and
beside it the people named and quoted, their gender and their identity across documents
(`people`), and the quotes grouped into statements (`statements`), over gold sets read by `gold`.

`all_scores` is what `newsflow eval` prints (and `eval/devloop.py` over cached parses);
`score` alone is what spaCy's `nlp.evaluate` reports through `newsflow.tasks.nlp.scorer`.
The metric takes plain predictions (dicts of the tables' rows, by document name) and imports
nothing of the pipeline, so anything that predicts quotes can be scored.
"""

from __future__ import annotations

from pathlib import Path

from newsflow.tasks.nlp.metric.gold import doc_key, document_paths, load_gold
from newsflow.tasks.nlp.metric.people import (
    fold_name,
    gender_scores,
    gold_people,
    identity_scores,
    people_scores,
    person_predictions,
)
from newsflow.tasks.nlp.metric.quotes import not_quote_hits, score, speaker_right, word_f1, words
from newsflow.tasks.nlp.metric.sourcing import sourcing_scores
from newsflow.tasks.nlp.metric.statements import merge_gold_statements, predicted_statements, statement_scores


def all_scores(
    quotes: dict[str, list[dict]],
    gold: dict[str, dict],
    *,
    people: dict[str, set[str]],
    person_ids: dict[str, set[str]],
    genders: dict[str, dict[str, str]],
    people_ids: dict[str, dict[str, str]],
    statements: Path | None = None,
) -> dict:
    """Every figure of a gold set: the quotes (`score`), the people named and quoted
    (`people_scores`), the gender of the people quoted (`gender_scores`) and identity across
    documents (`identity_scores`); a family is absent when no gold document carries its keys.
    With `statements`, the folder of the gold's articles, the quote metric over statements too
    (`statement_scores`: `statement_p`, `statement_r`, `statement_f1`, ...) and the sourcing
    benchmark's figures (`sourcing_scores`: `sourcing_found`, `sourcing_precision`,
    `sourcing_name_acc`, over the gold documents with canonical speakers and `people`)."""
    return (
        score(quotes, gold)
        | people_scores(people, quotes, gold, person_ids)
        | gender_scores(quotes, gold, genders)
        | identity_scores(people_ids, gold)
        | (statement_scores(quotes, gold, statements) if statements is not None else {})
        | (sourcing_scores(quotes, gold, statements) if statements is not None else {})
    )


__all__ = [
    "all_scores",
    "doc_key",
    "document_paths",
    "fold_name",
    "gender_scores",
    "gold_people",
    "identity_scores",
    "load_gold",
    "merge_gold_statements",
    "not_quote_hits",
    "people_scores",
    "person_predictions",
    "predicted_statements",
    "score",
    "speaker_right",
    "sourcing_scores",
    "statement_scores",
    "word_f1",
    "words",
]
