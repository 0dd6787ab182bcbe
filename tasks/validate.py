"""The validate step: every staged table through Great Expectations before anything is published
(`newsflow.tasks.validator` holds the suites' runner, the Data Docs and the report).

On a local run the chunks are validated as the analysis stages them, in a process of its own
(`ChunkValidation`); the step then checks the rest and waits for the verdict. A failing
expectation fails the run with a message naming it and showing sample rows; nothing is published.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.schemas import expectations as expectation_suites
from newsflow.tasks.storage import Run
from newsflow.tasks.validator import (
    READ_TABLES,
    Report,
    ValidationFailed,
    Validator,
    docs_job,
    finish_job,
    open_job,
    part_job,
    read_job,
    run_validator,
    validate_rest,
)
from newsflow.tasks.workers import WorkerPool, validator_pool

# What the flow, the register step and the tests import from the step (the rest is the validator's).
__all__ = [
    "ChunkValidation",
    "Report",
    "ValidationFailed",
    "Validator",
    "run_validator",
    "validate_staged",
    "validate_task",
]


class ChunkValidation:
    """Validates staged chunks while the analysis of the next ones runs, in a spawned process of
    its own (a `WorkerPool` of one, `newsflow-validator`): it imports Great Expectations from its
    start (2-3 CPU-s, on the other core rather than under this process's interpreter lock), builds
    the run's GX context, then validates each chunk as the analysis stages it, and at the validate
    step the rejects, sources, people and aggregates, and renders Data Docs (`finish`). One
    background thread here sends it the jobs, so `submit` never waits. Nothing is published
    before every suite has run (write-audit-publish). The process is spawned, never forked, so
    it may start at any time; it ends itself if this process is killed, and a lost or failed
    validator fails the run (`WorkerLost`, `WorkerFailed`)."""

    def __init__(self, run: Run, pool: WorkerPool | None = None) -> None:
        """`pool`: a `validator_pool()` started earlier (the command line starts one first thing);
        else `start` starts one."""
        self.run = run
        self.executor: ThreadPoolExecutor | None = None
        self.pool: WorkerPool | None = pool
        self.futures: list[Future] = []
        self.parts: list[str] = []  # validated, in order
        self.read_parts: list[str] | None = None  # the parts the rejects and sources were checked with
        self.docs: Future | None = None  # the Data Docs, rendered after the suites passed

    def start(self) -> None:
        if self.executor is None:
            self.pool = self.pool or validator_pool()
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsflow-validate")
            # The rows are checked against the pipeline version of this process, which staged them.
            version = expectation_suites.PIPELINE_VERSION
            self.futures.append(self.executor.submit(self._call, open_job, self.run.root, self.run.run_id, version))

    def submit(self, part: str) -> None:
        self.start()
        self.futures.append(self.executor.submit(self._validate, part))

    def _call(self, fn, *args):
        if self.pool is None:
            raise RuntimeError("the validation was closed (the run stopped)")
        what = f"validating run {self.run.run_id} ({fn.__name__})"
        (found,) = self.pool.imap(fn, [args], describe=lambda _: what)  # read to its end: the pool stays usable
        return found

    def _validate(self, part: str) -> None:
        self._call(part_job, self.run.run_id, self.run.staging, part)
        self.parts.append(part)

    def submit_read(self, parts: list[str], drop: Mapping[str, Collection[str]]) -> None:
        """Check the read step's tables (the rejects, the sources rows that change) once every part
        is staged, while the flow registers the people."""
        self.start()
        self.futures.append(self.executor.submit(self._validate_read, list(parts), dict(drop)))

    def _validate_read(self, parts: list[str], drop: Mapping[str, Collection[str]]) -> None:
        self._call(read_job, self.run.run_id, self.run.root, self.run.staging, parts, drop)
        self.read_parts = parts
        self.parts.append(READ_TABLES)

    def finish(self, parts: list[str], drop: Mapping[str, Collection[str]], only_people: bool = False) -> Report:
        """Once every submitted part is validated, the rest (`validate_rest`) in the validator
        process; what failed there is raised here. When every suite passed, the Data Docs are
        rendered next, in the validator process, while this one publishes and reports (`close`
        waits for them); a failure's are rendered before it is reported."""
        self.start()
        try:
            for future in self.futures:
                future.result()
            done = [p for p in self.parts if p != READ_TABLES or self.read_parts == list(parts)]
            args = (self.run.root, self.run.staging, self.run.run_id, parts, drop, done, only_people, False)
            report = self.executor.submit(self._call, finish_job, *args).result()
        except BaseException:
            self.close(kill=True)
            raise
        if report.success:
            self.docs = self.executor.submit(self._call, docs_job, self.run.run_id)
        else:
            self.close()
        return report

    def close(self, kill: bool = False) -> None:
        """Stop: the parts not started are dropped; the Data Docs under way are waited for, unless
        `kill` (the run stops with an error): then the validator process ends at once. Safe to
        call more than once."""
        executor, pool = self.executor, self.pool
        if executor is not None:
            for future in self.futures:
                future.cancel()
            if kill:
                if self.docs is not None:
                    self.docs.cancel()
                if pool is not None:
                    pool.kill()  # a job under way in the thread then fails at once
            elif self.docs is not None:
                try:
                    self.docs.result()
                except Exception as exc:  # the tables are published: the run goes on, and says so
                    logging.getLogger(__name__).warning(
                        "the run published, but its Data Docs could not be rendered (%s: %s)", type(exc).__name__, exc
                    )
            self.docs = None
            executor.shutdown(wait=True, cancel_futures=True)
        if pool is not None:
            pool.__exit__(RuntimeError if kill else None, None, None)
        self.pool = None


def validate_staged(
    root: Path,
    staging: Path,
    run_id: str,
    parts: list[str],
    drop: Mapping[str, Collection[str]],
    early: ChunkValidation | None = None,
    only_people: bool = False,
) -> Report:
    """Run every suite over every staged part, then over the rejects and the sources; results
    under `root/validation/<run_id>/`, with `root/validation/latest` pointing at them. `drop`
    names the published rows the publish would drop (`storage.swap`). `early` has validated
    some parts already, while the analysis ran. `only_people`: the registry alone
    (`newsflow rebuild-people`)."""
    if early is not None:
        return early.finish(parts, drop, only_people)
    return validate_rest(run_validator(root, run_id), root, staging, parts, drop, [], only_people)


@task(name="validate", persist_result=False, cache_policy=NO_CACHE)
def validate_task(
    run: Run, parts: list[str], drop: dict[str, set[str]], early: ChunkValidation | None = None
) -> Report:
    return validate_staged(run.root, run.staging, run.run_id, parts, drop, early)
