"""Training examples for the speaker ranker: every candidate of every predicted quote that matches
a gold quote (by the project's metric), labelled by whether its words name the gold speaker.

A gold folder is `input/*.txt` and `gold/*.json` (the format of `shared/eval/README.md`); the
articles, as they are (the NLP library stands below the cleaning step: a headline left in is one
more paragraph), are parsed once with the pipeline's two components (the rules, no ranker) and kept as a
`DocBin` so that training again does not parse again.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from newsflow.tasks.nlp.entities import read_entities
from newsflow.tasks.nlp.metric.quotes import match_pairs, speaker_right
from newsflow.tasks.nlp.quotes.extract import extract_quotes
from newsflow.tasks.nlp.quotes.index import DocIndex
from newsflow.tasks.nlp.quotes.records import Quote
from newsflow.tasks.nlp.speaker_model.features import candidates, doc_stats, feature_rows


@dataclass
class Examples:
    """Feature rows, their labels (1: names the gold speaker) and the quote each belongs to."""

    rows: list[list[float]]
    labels: list[int]
    groups: list[int]


def gold_documents(
    folder: Path, gold_folder: Path | None = None, exclude: Collection[str] = frozenset()
) -> list[tuple[str, str, dict]]:
    """(name, text, gold) of each article with a gold file (in `gold_folder`, by default
    `folder/gold`; articles in `folder/input`, or in `folder` when it has no `input`), but those
    named in `exclude`."""
    inputs = folder / "input" if (folder / "input").is_dir() else folder
    out = []
    for path in sorted((gold_folder or folder / "gold").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        name = gold.get("document") or path.stem + ".txt"
        if name in exclude:
            continue
        text = (inputs / name).read_text(encoding="utf-8")
        out.append((name, text, gold))
    return out


def held_out_names(folders: Iterable[Path]) -> set[str]:
    """The articles that gold folders name (their "document" keys): kept out of training."""
    names = set()
    for folder in folders:
        for path in folder.glob("*.json"):
            names.add(Path(json.loads(path.read_text(encoding="utf-8"))["document"]).name)
    return names


def parsed(nlp: Language, texts: list[str], cache: Path | None) -> list[Doc]:
    """The texts parsed by `nlp` (read from `cache` when it holds these texts)."""
    if cache is not None and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if [doc.text for doc in docs] == texts:
            return docs
    docs = list(nlp.pipe(texts, batch_size=32))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs, store_user_data=True).to_disk(cache)
    return docs


def quotes_and_index(doc: Doc, lex) -> tuple[tuple[Quote, ...], DocIndex | None]:
    """The rules' quotes of a parsed document and the index they were found with."""
    seen: list = [(), None]

    def keep(quotes: tuple[Quote, ...], idx: DocIndex) -> tuple[Quote, ...]:
        seen[:] = [quotes, idx]
        return quotes

    extract_quotes(doc, read_entities(doc), lex, ranker=keep)
    return seen[0], seen[1]


def examples(docs: Iterable[Doc], golds: Iterable[dict], lex) -> Examples:
    out = Examples([], [], [])
    group = 0
    for doc, gold in zip(docs, golds, strict=True):
        for rows, labels in quote_examples(doc, gold, lex):
            out.rows += rows
            out.labels += labels
            out.groups += [group] * len(rows)
            group += 1
    return out


def quote_examples(doc: Doc, gold: dict, lex) -> Iterator[tuple[list, list]]:
    """(rows, labels) of each predicted quote matched to a gold quote."""
    quotes, idx = quotes_and_index(doc, lex)
    if idx is None:
        return
    mode = gold.get("speaker_mode", "surface")
    golds = gold.get("quotes", [])
    optional = gold.get("optional_quotes", [])
    preds = [{"text": q.text} for q in quotes]
    stats = doc_stats(idx)
    for i, j in match_pairs(preds, golds + optional, lenient=False):
        if j >= len(golds):
            continue  # matched to an optional quote: the metric counts it nowhere
        q = quotes[i]
        cands = candidates(q, idx)
        if not cands:
            continue
        rows = feature_rows(q, quotes[i - 1] if i else None, cands, idx, stats)
        labels = [int(speaker_right({"speaker": c.surface, "speaker_name": c.surface}, golds[j], mode)) for c in cands]
        yield rows, labels
