"""The commands on a published output: `report`, `maintain`, `migrate`, `rebuild-people`, `history`."""

from __future__ import annotations

import argparse
import json


def published_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--output", default="output", help="the output folder or URI (default: output/)")


def add_parsers(sub: argparse._SubParsersAction) -> None:
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


COMMANDS = {
    "report": _report,
    "maintain": _maintain,
    "migrate": _migrate,
    "rebuild-people": _rebuild_people,
    "history": _history,
}
