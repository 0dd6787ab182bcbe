"""`newsflow run` and `newsflow serve`: the flow once, or as a deployment on a schedule."""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from newsflow.flows.api import TemporaryAPI
from newsflow.flows.cli.flags import PRECEDENCE, add_setting_flags, given_settings

# When the command started: its run's start-up phase (imports, Prefect's API) counts from here.
STARTED = time.time()


def add_parsers(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run the flow once and publish the tables", description=PRECEDENCE)
    add_setting_flags(run)
    serve = sub.add_parser(
        "serve",
        help="register the deployment newsflow/NAME on PREFECT_API_URL and serve it",
        description="Register the deployment newsflow/NAME on PREFECT_API_URL, on the cron schedule, and serve it. "
        "The settings given here are the deployment's; the others stay empty in its run form (the runs' "
        "NEWSFLOW_* variables, else the defaults). " + PRECEDENCE,
    )
    serve.add_argument("--cron", default="0 * * * *", help="cron schedule (default: hourly, '0 * * * *')")
    serve.add_argument("--name", default="newsflow", help="deployment name (default: newsflow)")
    add_setting_flags(serve)


def run(args: argparse.Namespace) -> int:
    # First of all, before the imports below: Prefect's temporary API starts while they run.
    api = None if os.environ.get("PREFECT_API_URL") else TemporaryAPI().start()
    from newsflow.tasks.config import SettingsForm, load_settings

    flags = given_settings(args)
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
            summary = newsflow(SettingsForm(**flags), requested_at=STARTED)
    print(json.dumps(summary, indent=1))
    return 0


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


def serve(args: argparse.Namespace) -> int:
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
    # The settings given as flags; the others stay empty in the run form, for the runs' NEWSFLOW_*
    # variables or defaults; the input and output always given, absolute.
    from newsflow.tasks.config import Settings, env_settings
    from newsflow.tasks.storage import url_of

    given = given_settings(args)
    paths = Settings(**(env_settings() | given))
    parameters = {"settings": given | {"input": str(paths.input.absolute()), "output": url_of(paths.output)}}
    newsflow.serve(
        name=args.name,
        cron=args.cron,
        entrypoint_type=EntrypointType.MODULE_PATH,
        limit=1,
        parameters=parameters,
        description="News articles → validated Parquet tables (documents, mentions, entities, quotes, rejects)",
    )
    return 0
