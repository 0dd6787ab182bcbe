"""`newsflow eval`: run the flow over a folder and score its quotes (and people) against gold
files (format and metrics: docs/quality.md)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from newsflow.flows.cli.flags import add_setting_flags


def add_parser(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser(
        "eval",
        help="run the flow over DIR and score its quotes against gold files",
        description="Run the flow over DIR and score its quotes (and people) against the gold files. "
        "Gold that names its documents by paths relative to DIR ('business/001.txt') has "
        "only those files processed and scored; gold with plain file names scores the whole "
        "folder.",
    )
    ev.add_argument("--input", required=True, help="a file or a folder searched recursively for .txt/.html articles")
    add_setting_flags(ev, ["model", "n_process", "chunk_size"])
    ev.add_argument(
        "--gold",
        required=True,
        nargs="+",
        metavar="DIR",
        help="folder of gold JSON files (format: docs/quality.md); more folders add keys to the same "
        "documents' gold (e.g. eval/gold/polnear-dev: the genders and identities of a read-only set)",
    )
    add_setting_flags(ev, ["infer_gender"])
    ev.add_argument("--output", help="where to publish the run's tables (default: a temporary folder)")
    ev.add_argument("--json", action="store_true", help="print the full scores as JSON")
    ev.add_argument(
        "--statements",
        action="store_true",
        help="score statements too: quotes grouped by statement_id against gold quotes merged by the same rule "
        "(or numbered by their gold), and the sourcing benchmark's figures over them: named-person statements "
        "found, precision over all statements, source names right (docs/quality.md)",
    )


@dataclass
class Predictions:
    """A published output read back by document name as the gold files give it."""

    quotes: dict[str, list[dict]]
    people: dict[str, set[str]]  # names of PERSON entities
    person_ids: dict[str, set[str]]  # entity ids of PERSON entities
    genders: dict[str, dict[str, str]]  # PERSON entity_id → its person's gender
    people_ids: dict[str, dict[str, str]]  # PERSON entity name → its person_id


def _predictions(output: Path, by_path: bool = False) -> Predictions:
    """Published quotes and PERSON entities (with their person and its gender), by document name
    as the gold files give it (`document`): the input file's name, or with `by_path` its path
    relative to the input folder (`documents.source`)."""
    from newsflow.tasks.nlp.metric import person_predictions
    from newsflow.tasks.storage import read_published

    docs = read_published(output, "documents", ["doc_id", "source"]).to_pylist()
    names = {d["doc_id"]: d["source"] if by_path else Path(d["source"]).name for d in docs}
    out = Predictions(*({name: kind() for name in names.values()} for kind in (list, set, set, dict, dict)))
    for q in read_published(output, "quotes").to_pylist():
        out.quotes[names[q["doc_id"]]].append(q)
    entities = read_published(output, "entities", ["doc_id", "entity_id", "name", "label"]).to_pylist()
    for e in entities:
        if e["label"] == "PERSON":
            out.people[names[e["doc_id"]]].add(e["name"])
            out.person_ids[names[e["doc_id"]]].add(e["entity_id"])
    out.genders, out.people_ids = person_predictions(
        entities,
        read_published(output, "people", ["person_id", "gender"]).to_pylist(),
        read_published(output, "person_entities").to_pylist(),
        names,
    )
    return out


@contextmanager
def _gold_input(input: Path, documents: list[str] | None) -> Iterator[Path]:
    """The folder the flow reads: `input` itself for a flat gold set; for gold that names its
    documents by paths relative to `input`, a temporary folder holding copies of exactly those
    files at the same relative paths (so `documents.source` is the gold's `document`), removed
    afterwards."""
    if documents is None:
        yield input
        return
    if not input.is_dir():
        raise NotADirectoryError(f"--input {input} must be a folder: the gold names documents by paths inside it")
    missing = [name for name in documents if not (input / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{len(missing)} gold documents are not files under {input}: {', '.join(missing[:5])}")
    folder = Path(tempfile.mkdtemp(prefix="newsflow-eval-input-"))
    try:
        for name in documents:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(input / name, folder / name)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def command(args: argparse.Namespace) -> int:
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import SettingsForm, load_settings
    from newsflow.tasks.nlp.metric import all_scores, doc_key, document_paths, load_gold

    gold = load_gold(*(Path(g) for g in args.gold))
    if not gold:
        raise FileNotFoundError(f"no gold .json files in {args.gold}")
    documents = document_paths(gold)
    if documents is None and Path(args.input).is_dir():
        # A flat set over part of a folder (40 of polnear-train's 840 articles): only its files run.
        present = {p.name for p in Path(args.input).iterdir() if p.is_file()}
        if present - set(gold):
            documents = sorted(gold)
    output = args.output or tempfile.mkdtemp(prefix="newsflow-eval-")
    with _gold_input(Path(args.input), documents) as input:
        settings = load_settings(
            input=input, output=output, model=args.model, n_process=args.n_process, chunk_size=args.chunk_size
        )
        given = SettingsForm(
            input=settings.input,
            output=settings.output,
            model=args.model,
            n_process=args.n_process,
            chunk_size=args.chunk_size,
            infer_gender=args.infer_gender,
        )
        newsflow(given)
    pred = _predictions(settings.output, by_path=documents is not None)
    quotes = pred.quotes
    published = {doc_key(name) for name in quotes}
    unscored = sorted(name for name in gold if doc_key(name) not in published)
    if unscored:  # rejected, or a duplicate of another file: scored as predicting nothing
        print(
            f"newsflow eval: {len(unscored)} gold documents have no published document of their own: "
            f"{', '.join(unscored[:5])}",
            file=sys.stderr,
        )
    scores = all_scores(
        quotes,
        gold,
        people=pred.people,
        person_ids=pred.person_ids,
        genders=pred.genders,
        people_ids=pred.people_ids,
        statements=Path(args.input) if args.statements else None,
    )
    if args.json:
        print(json.dumps(scores, indent=1, default=str))
    else:
        for key in (
            "quote_p",
            "quote_r",
            "quote_f1",
            "speaker_acc",
            "e2e_f1",
            "lenient_quote_f1",
            "people_p",
            "people_r",
            "people_f1",
            "sources_p",
            "sources_r",
            "sources_f1",
            "sources_female_p",
            "sources_female_r",
            "sources_female_f1",
            "sources_male_p",
            "sources_male_r",
            "sources_male_f1",
            "women_share_gold",
            "women_share_pred",
            "identity_p",
            "identity_r",
            "statement_p",
            "statement_r",
            "statement_f1",
            "statement_speaker_acc",
            "statement_e2e_f1",
            "sourcing_found",
            "sourcing_precision",
            "sourcing_name_acc",
        ):
            if scores.get(key) is not None:
                low, high = scores.get(f"{key}_low"), scores.get(f"{key}_high")
                interval = f"  (95% interval {low:.3f}-{high:.3f})" if low is not None and high is not None else ""
                print(f"{key:18s} {scores[key]:.3f}{interval}")
    return 0
