"""Publish: make a run's validated, staged tables visible, all at once (the storage's atomic swap)."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.tasks.storage import Run, swap


@task(name="publish", persist_result=False, cache_policy=NO_CACHE)
def publish_task(run: Run, replaced: set[str]) -> str:
    """Swap the run's staged tables in; `replaced` are doc_ids whose earlier rows they supersede."""
    return str(swap(run.root, run.staging, run.run_id, replaced))
