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
from newsflow.tasks.config import Settings, SettingsForm
from newsflow.tasks.discover import discover_task
from newsflow.tasks.nlp.pipeline import resolve_model
from newsflow.tasks.people.gender import preload as preload_first_names
from newsflow.tasks.publish import publish_task
from newsflow.tasks.read_clean import read_clean_task
from newsflow.tasks.register import Registered, register_task
from newsflow.tasks.report import report_task
from newsflow.tasks.report import warm_up as warm_up_report
from newsflow.tasks.report.artifacts import publish_artifacts
from newsflow.tasks.storage import open_run
from newsflow.tasks.validate import Report, ValidationFailed, validate_task


def _timing(clock: PhaseClock, words: int) -> dict:
    """The summary's times, as of now."""
    seconds = clock.total()
    return {
        "seconds": round(seconds, 1),
        "words_per_second": round(words / seconds) if seconds else None,
        "phases": clock.profile(seconds),
    }


def _summary(
    settings: Settings,
    prepared: Prepared,
    analysed: list[Analysed],
    registered: Registered,
    report: Report,
    clock: PhaseClock,
    slots: int,
) -> dict:
    timing = _timing(clock, prepared.n_words)
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
        "statements": sum(a.n_statements for a in analysed),  # of the new documents' quotes
        "words": prepared.n_words,
        "people": registered.n_people,
        # The people quoted in this run's new documents, by gender (each person once per document).
        "people_quoted_new": registered.new_documents,
        "seconds": timing["seconds"],
        "words_per_second": timing["words_per_second"],
        "validation": "passed" if report.success else "failed",
        "data_docs": report.data_docs,
        "phases": timing["phases"],
        "task_runner": settings.task_runner,
        "task_slots": slots,
    }


NOT_GIVEN = SettingsForm()  # every setting from its NEWSFLOW_* variable, else its default


# The flow's own tasks run in its thread; the analysis's engine is chosen per run (`flows/engine.py`).
@flow(name="newsflow", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=1))
def newsflow(settings: SettingsForm = NOT_GIVEN, requested_at: float | None = None) -> dict:
    """Process every article under `settings.input` and publish the tables under `settings.output`.
    A setting left empty takes its `NEWSFLOW_*` environment variable, else its default
    (`newsflow.tasks.config.Settings`; docs/operations.md).

    Args:
        settings: the run's settings, a form in the Prefect UI
        requested_at: `time.time()` when the run was asked for (the command line's start): the
            summary's `phases.startup` counts from it
    """
    clock = PhaseClock(requested_at)
    logger = get_run_logger()
    config = settings.resolve()
    resolve_model(config.model)  # an unknown model stops the run before it touches the output
    names = preload_first_names()  # the name statistic of the register step, read while the workers parse
    with open_run(config.output, config.lock_timeout, logger) as run, open_engine(config, logger, run) as engine:
        with clock.phase("read_clean"):
            files, discover_rejects = discover_task(str(config.input), str(config.output))
            engine.start(len(files))
            prepared = read_clean_task(files, discover_rejects, run, config, engine.slots, engine.pool)
        with clock.phase("analysis"):
            analysed = engine.analyse(run, prepared)
            engine.stop_workers()  # the validation goes on, in its own process
        with clock.phase("people"):
            names.join()
            registered = register_task(run, prepared.parts, prepared.drops, config.infer_gender)
        drops = prepared.drops | registered.drops
        changed = prepared.changed or registered.changed
        with clock.phase("validation"):
            if changed:  # a report follows: its charts' libraries load while the run awaits its verdict
                warm_up_report()
            report = validate_task(run, prepared.parts, drops, engine.validation)
        if not report.success:
            raise ValidationFailed(report.message())
        logger.info(report.message())
        with clock.phase("publish"):
            if changed:
                publish_task(run, drops, registered.settings)
            else:
                logger.info("nothing new under %s: the published tables are unchanged", config.input)
        with clock.phase("report"):
            summary = _summary(config, prepared, analysed, registered, report, clock, engine.slots)
            written = report_task(run.root, run.run_id, summary) if changed else None
    summary |= _timing(clock, prepared.n_words) | {"report": written.page if written else None}
    logger.info("run summary: %s", summary)
    logger.info("phases: %s", phase_line(summary["phases"]))
    publish_artifacts(summary, prepared.rejects, config.output, written.rows if written else None)
    return summary
