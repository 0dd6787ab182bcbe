"""Publish: make a run's validated, staged tables visible, all at once (the storage's atomic swap)."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.tasks.storage import Run, swap


@task(name="publish", persist_result=False, cache_policy=NO_CACHE)
def publish_task(run: Run, drop: dict[str, set[str]]) -> str:
    """Swap the run's staged tables in; `drop` names, per table, the keys whose published rows go
    (replaced by staged rows, or no longer stood for by any input file)."""
    return str(swap(run.root, run.staging, run.run_id, drop))
