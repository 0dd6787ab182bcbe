"""The sourcing benchmark's three figures (issue 30), over statements: of the statements whose
source is a named person, the share found (`sourcing_found`); of all statements predicted, the
share that are statements of the gold (`sourcing_precision`); of the named-person statements
found, the share whose source is named right (`sourcing_name_acc`).

The statements are those of `statements.py` (predicted: quotes sharing a `statement_id`; gold: by
their `"statement"` numbers, else by rule), matched by the quote metric's rule (word F1 >= 0.5,
greedy, one-to-one; a prediction matched to an optional gold quote counts nowhere). A gold
statement is a named person's when its speaker is one of the document's `people`. Its source is
named right when the prediction's `speaker_name` is that person's name, in full (compared as
`people` names are: lower-cased, white space folded; a bare surname is not the name).

Only gold documents that name their speakers canonically and list their `people` count: in
surface gold ("he", "the agency") the person behind a pronoun is not written. Without any, the
figures are absent.
"""

from __future__ import annotations

from pathlib import Path

from newsflow.tasks.nlp.metric.gold import doc_key
from newsflow.tasks.nlp.metric.people import fold_name
from newsflow.tasks.nlp.metric.quotes import match_pairs
from newsflow.tasks.nlp.metric.statements import article_texts, gold_statements, predicted_statements


def sourcing_scores(quotes: dict[str, list[dict]], gold: dict[str, dict], articles: Path) -> dict:
    """The three figures and their counts over the gold documents that qualify (module doc)."""
    by_key = {doc_key(k): v for k, v in quotes.items()}
    scored = {name: g for name, g in gold.items() if g.get("speaker_mode") == "canonical" and "people" in g}
    if not scored:
        return {}
    texts = article_texts(articles, list(scored))
    n_docs = n_pred = n_matched = n_named = n_found = n_right = 0
    misses: list[dict] = []  # named-person statements not found, or found with another name
    for name, g in scored.items():
        people = {fold_name(p) for p in g.get("people") or []}
        golds = [dict(s, optional=False) for s in gold_statements(g.get("quotes", []), texts.get(name))]
        golds += [dict(q, optional=True) for q in g.get("optional_quotes", [])]
        preds = predicted_statements(by_key.get(doc_key(name), []))
        pairs = match_pairs(preds, golds, lenient=False)
        n_docs += 1
        n_pred += len(preds) - sum(1 for _, j in pairs if golds[j]["optional"])
        named = {j for j, s in enumerate(golds) if not s["optional"] and fold_name(s.get("speaker") or "") in people}
        n_named += len(named)
        for i, j in pairs:
            if golds[j]["optional"]:
                continue
            n_matched += 1
            if j in named:
                n_found += 1
                predicted = preds[i].get("speaker_name")
                if fold_name(predicted or "") == fold_name(golds[j]["speaker"]):
                    n_right += 1
                else:
                    misses.append(_miss(name, "wrong_name", golds[j], predicted))
        found = {j for _, j in pairs}
        misses += [_miss(name, "not_found", golds[j], None) for j in sorted(named - found)]
    return {
        "sourcing_found": n_found / n_named if n_named else None,
        "sourcing_precision": n_matched / n_pred if n_pred else None,
        "sourcing_name_acc": n_right / n_found if n_found else None,
        "sourcing_n_docs": n_docs,
        "sourcing_n_named": n_named,
        "sourcing_n_found": n_found,
        "sourcing_n_pred": n_pred,
        "sourcing_misses": misses,
    }


def _miss(document: str, kind: str, gold: dict, predicted: str | None) -> dict:
    return {
        "document": document,
        "kind": kind,
        "text": gold.get("text"),
        "gold": gold.get("speaker"),
        "predicted": predicted,
    }
