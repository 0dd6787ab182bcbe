"""The flow's first step, discover: the run's input files, and a reject for every other entry
(`newsflow.tasks.ingest.discover`), as a Prefect task."""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.tasks.ingest import discover
from newsflow.tasks.records import Reject


@task(name="discover", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def discover_task(root: str, skip: str | None = None) -> tuple[list[str], list[Reject]]:
    return discover(Path(root), Path(skip) if skip else None)
