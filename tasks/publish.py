"""Publish: make a run's validated, staged tables visible, all at once (Delta commits, then the manifest)."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsflow.tasks.storage import Run, publish
from newsflow.tasks.storage.upkeep import compact_if_needed


@task(name="publish", persist_result=False, cache_policy=NO_CACHE)
def publish_task(run: Run, drop: dict[str, set[str]], registry: dict | None = None) -> str:
    """Commit the run's staged tables and publish them together (the manifest); `drop` names, per
    table, the keys whose published rows go (replaced by staged rows, or no longer stood for by any
    input file); `registry`, what the people were built with. Returns the published run id."""
    manifest = publish(run.root, run.staging, run.run_id, drop, lease=run.lease, registry=registry)
    compact_if_needed(run.root, manifest, run.lease, get_run_logger())
    return manifest["run_id"]
