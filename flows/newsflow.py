"""The `newsflow` flow: input folder → validated, published Parquet tables.

    discover → ingest & clean → analyse (spaCy + entities + quotes, per chunk) → validate (GX) → publish

Each step is one task; the work is in the plain functions of `tasks/`.
"""

from __future__ import annotations

import time
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from schemas.tables import from_rows
from tasks import publish as store
from tasks.analyse import Analysed, analyse_task
from tasks.config import Settings, load_settings
from tasks.ingest import discover_task
from tasks.prepare import Prepared, prepare_task
from tasks.records import Reject
from tasks.validate import Report, ValidationFailed


@task(name="validate", persist_result=False, cache_policy=NO_CACHE)
def validate_task(output: str, staging: str, run_id: str, chunks: list[str]) -> Report:
    """Run every suite over every staged chunk, then over the rejects."""
    import pyarrow.parquet as pq

    from schemas.tables import TABLES
    from tasks.validate import Validator

    root, staged = Path(output), Path(staging)
    validation = root / "validation"
    validation.mkdir(parents=True, exist_ok=True)
    validator = Validator(validation / run_id, run_id)

    def load(name: str, part: str):
        path = store.staged_path(staged, name, part)
        return pq.read_table(path, schema=TABLES[name]) if path.exists() else TABLES[name].empty_table()

    for chunk in chunks:
        validator.validate(chunk, {name: load(name, chunk) for name in ("documents", "entities", "mentions", "quotes")})
    validator.validate("rejects", {"rejects": load("rejects", "rejects")})
    return validator.finish(validation / "latest")


@task(name="publish", persist_result=False, cache_policy=NO_CACHE)
def publish_task(output: str, staging: str, run_id: str, replaced: set[str]) -> str:
    return str(store.publish(Path(output), Path(staging), run_id, replaced))


def _summary(settings: Settings, prepared: Prepared, rejects: list[Reject], analysed: list[Analysed],
             report: Report, published: bool, seconds: float) -> dict:
    rows = {"documents": prepared.n_new, "rejects": len(rejects)}
    for a in analysed:
        for name, n in a.rows.items():
            rows[name] = rows.get(name, 0) + n
    return {
        "input": str(settings.input), "output": str(settings.output), "published": published,
        "new_documents": prepared.n_new, "already_published": prepared.n_already_published,
        "duplicates": prepared.n_duplicates, "replaced": len(prepared.replaced), "rows": rows,
        "words": prepared.n_words, "seconds": round(seconds, 1),
        "words_per_second": round(prepared.n_words / seconds) if seconds else None,
        "validation": "passed" if report.success else "failed", "data_docs": report.data_docs,
    }  # fmt: skip


def _artifacts(summary: dict, rejects: list[Reject], output: Path) -> None:
    lines = [f"# newsflow run: {'published' if summary['published'] else 'nothing new to publish'}", "",
             f"{summary['new_documents']} new documents, {summary['already_published']} already published, "
             f"{summary['duplicates']} duplicates, {summary['words']:,} words in {summary['seconds']} s.", "",
             "| table | new rows |", "| --- | --- |"]  # fmt: skip
    lines += [f"| {name} | {n:,} |" for name, n in summary["rows"].items()]
    lines += ["", f"Validation: **{summary['validation']}** (Data Docs: `{summary['data_docs']}`)"]
    if rejects:
        lines += ["", "## Rejects", "", "| source | stage | reason |", "| --- | --- | --- |"]
        lines += [f"| {r.source} | {r.stage} | {r.reason} |" for r in rejects[:100]]
    create_markdown_artifact("\n".join(lines), key="newsflow-run-summary", description="newsflow run summary")
    top = _top_speakers(output)
    if top:
        create_table_artifact(top, key="newsflow-top-speakers", description="Most quoted speakers (all published)")


def _top_speakers(output: Path, n: int = 10) -> list[dict]:
    quotes = store.read_published(output, "quotes", ["speaker_name"])
    counts: dict[str, int] = {}
    for name in quotes.column("speaker_name").to_pylist():
        if name:
            counts[name] = counts.get(name, 0) + 1
    return [{"speaker": k, "quotes": v} for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:n]]


# Chunks run one after another locally: each already uses every core through nlp.pipe(n_process).
@flow(name="newsflow", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def newsflow(input: str = "seeds", output: str = "output", model: str | None = None,
             n_process: int | None = None, chunk_size: int | None = None) -> dict:
    """Process every article under `input` and publish the tables under `output`."""
    logger = get_run_logger()
    settings = load_settings(input=input, output=output, model=model, n_process=n_process, chunk_size=chunk_size)
    root = Path(settings.output)
    started = time.monotonic()
    with store.output_lock(root, settings.lock_timeout):
        for leftover in store.clean_leftovers(root):
            logger.info("removed leftover of an earlier run: %s", leftover)
        run_id = store.new_run_id()
        staging = store.Layout(root).staging(run_id)
        files, rejects = discover_task(str(settings.input))
        published, published_rejects = store.published_ids(root)
        logger.info("%d input files under %s; %d documents already published", len(files), settings.input,
                    len(published))
        prepared = prepare_task(str(settings.input), files, published, published_rejects, str(staging), settings)
        rejects = [r for r in rejects if r.doc_id not in published_rejects] + prepared.rejects
        logger.info("%d new documents to analyse in %d chunks (%d already published, %d duplicates, %d rejected)",
                    prepared.n_new, len(prepared.chunks), prepared.n_already_published, prepared.n_duplicates,
                    len(rejects))
        futures = [analyse_task.submit(str(staging), chunk, settings) for chunk in prepared.chunks]
        analysed = []
        for future in futures:
            analysed.append(future.result())
            done = sum(a.n_documents for a in analysed)
            elapsed = time.monotonic() - started
            logger.info("analysed %d/%d documents (%.1f docs/s, %.0f words/s)", done, prepared.n_new,
                        done / elapsed, sum(a.n_words for a in analysed) / elapsed)
        store.stage_table(staging, "rejects", "rejects", from_rows("rejects", [r.__dict__ for r in rejects]))
        report = validate_task(str(root), str(staging), run_id, prepared.chunks)
        if not report.success:
            raise ValidationFailed(report.message())
        logger.info(report.message())
        changed = bool(prepared.n_new or rejects)
        if changed:
            publish_task(str(root), str(staging), run_id, prepared.replaced)
        else:
            store.clean_leftovers(root)
            logger.info("nothing new under %s: the published tables are unchanged", settings.input)
    summary = _summary(settings, prepared, rejects, analysed, report, changed, time.monotonic() - started)
    logger.info("run summary: %s", summary)
    _artifacts(summary, rejects, root)
    return summary


def with_task_runner(flow_fn, settings: Settings):
    """The flow with the task runner the settings ask for: Dask (a local cluster, or the one at
    `dask_address`), or the default in-process runner."""
    if settings.task_runner != "dask":
        return flow_fn
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        runner = DaskTaskRunner(address=settings.dask_address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": settings.n_process, "threads_per_worker": 1,
                                                "processes": True})  # fmt: skip
    return flow_fn.with_options(task_runner=runner)
