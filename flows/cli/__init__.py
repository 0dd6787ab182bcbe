"""The `newsflow` command line: run, serve, eval, report, ... (see docs/operations.md and docs/tables.md).
A module per group of commands: `run` (run, serve; the settings' flags from `flags`), `eval`,
`output` (the commands on a published output)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import NoReturn

from newsflow.flows.cli import eval, output, run
from newsflow.tasks.config import apply_environment


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsflow",
        description="News articles → validated Delta Lake tables (Parquet) of documents, entity mentions, entities, "
        "attributed quotes, rejects and sources (every input file and what became of it).",
        epilog="Settings: flags override NEWSFLOW_* environment variables, which override the defaults "
        "(`newsflow run --help` lists them all).",
    )
    sub = parser.add_subparsers(dest="command", required=True)  # argparse lists the commands
    run.add_parsers(sub)
    eval.add_parser(sub)
    output.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    apply_environment()  # before Prefect or Great Expectations is imported
    try:
        commands = {"run": run.run, "serve": run.serve, "eval": eval.command, **output.COMMANDS}
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
