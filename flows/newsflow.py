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

import html
import re
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
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
from newsflow.tasks.records import Reject
from newsflow.tasks.register import Registered, register_task
from newsflow.tasks.report import report_task
from newsflow.tasks.storage import is_published, open_run
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


# What markdown would read as markup: backslash-escaped, so that text from the articles (file names,
# titles, names) shows as written. `<`, `>` and `&` become entities: never HTML.
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def _cell(value: object) -> str:
    """Text for markdown (a table cell, a line): markup escaped, on one line."""
    return _MARKUP.sub(r"\\\1", html.escape(str(value), quote=False)).replace("\r", " ").replace("\n", " ")


def _link(text: str, path: str | None) -> str:
    """A markdown link to a local file, with its path written out (browsers do not follow file:
    links from the Prefect UI's http: page; the path can be copied)."""
    if path is None:
        return f"{text}: none"
    return f"[{text}]({Path(path).absolute().as_uri()}): {_cell(path)}"


def _table(rows: list[dict]) -> list[str]:
    """Query rows as the lines of a markdown table, every cell escaped (null: empty)."""
    lines = ["| " + " | ".join(map(_cell, rows[0])) + " |", "|" + " --- |" * len(rows[0])]
    return lines + ["| " + " | ".join("" if v is None else _cell(v) for v in row.values()) + " |" for row in rows]


def _artifacts(summary: dict, rejects: list[Reject], output: str) -> None:
    """The run summary in the Prefect UI: a markdown report linking the run report and the Data
    Docs, the top speakers and entities, and the quotes per outlet. Text from the articles is
    escaped (`_cell`): it shows as written, never as markup."""
    files = summary["sources"]
    lines = [
        f"# newsflow run: {'published' if summary['published'] else 'nothing new to publish'}",
        "",
        f"{sum(files.values())} input files: {files['document']} documents, {files['duplicate']} duplicates, "
        f"{files['rejected']} rejected.",
        "",
        f"{summary['new_documents']} new documents ({summary['updated']} of them files edited in place, "
        f"{summary['removed_documents']} earlier versions removed), {summary['already_published']} already "
        f"published, {summary['words']:,} words in {summary['seconds']} s.",
        "",
        "| table | new rows |",
        "| --- | --- |",
    ]
    lines += [f"| {name} | {n:,} |" for name, n in summary["rows"].items()]
    quoted = summary["people_quoted_new"]
    if quoted:
        share = quoted["women_share"]
        lines += [
            "",
            f"People quoted in the new documents: {quoted['female']} women, {quoted['male']} men, "
            f"{quoted['unknown']} unknown; share of women among those of known gender: "
            + (f"**{share:.1%}**" if share is not None else "n/a")
            + f" ({summary['people']:,} people in all published documents; gender is an inference: "
            "docs/quality.md).",
        ]
    lines += ["", f"Validation: **{summary['validation']}**", ""]
    lines += [f"- {_link('Run report', summary.get('report'))}", f"- {_link('Data Docs', summary['data_docs'])}"]
    lines += ["", "| phase | seconds |", "| --- | --- |"]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in summary["phases"].items()]
    if rejects:
        lines += ["", "## Rejects", "", "| source | stage | reason |", "| --- | --- | --- |"]
        lines += [f"| {_cell(r.source)} | {_cell(r.stage)} | {_cell(r.reason)} |" for r in rejects[:100]]
    create_markdown_artifact("\n".join(lines), key="newsflow-run-summary", description="newsflow run summary")
    if not is_published(output, "quotes"):  # nothing published yet
        return
    from newsflow.flows import queries  # DuckDB: imported when the run needs it, at its end

    for key, query, what in (
        ("newsflow-top-speakers", "quoted_most", "Most quoted speakers"),
        ("newsflow-top-entities", "mentioned_most", "Most mentioned entities"),
        ("newsflow-outlets", "unknown_speaker_share", "Quotes per outlet, and the share whose speaker is unknown"),
    ):
        rows = queries.run(query, output)
        if rows:  # a markdown table, not a table artifact: the Prefect UIs read those cells as markdown, or not
            markdown = "\n".join([f"## {what}", "", *_table(rows)])
            create_markdown_artifact(markdown, key=key, description=f"{what} (all published documents)")


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
    with open_run(config.output, config.lock_timeout, logger) as run:
        with open_engine(config, logger) as engine:
            with clock.phase("read_clean"):
                files, discover_rejects = discover_task(str(config.input), str(config.output))
                engine.start(len(files))
                prepared = read_clean_task(files, discover_rejects, run, config, engine.slots, engine.pool)
            with clock.phase("analysis"):
                analysed = engine.analyse(run, prepared)
        with clock.phase("people"):
            names.join()
            registered = register_task(run, prepared.parts, prepared.drops, config.infer_gender)
        drops = prepared.drops | registered.drops
        with clock.phase("validation"):
            report = validate_task(run, prepared.parts, drops, engine.validation)
        if not report.success:
            raise ValidationFailed(report.message())
        logger.info(report.message())
        changed = prepared.changed or registered.changed
        with clock.phase("publish"):
            if changed:
                publish_task(run, drops, registered.settings)
            else:
                logger.info("nothing new under %s: the published tables are unchanged", config.input)
        with clock.phase("report"):
            summary = _summary(config, prepared, analysed, registered, report, clock, engine.slots)
            page = report_task(run.root, run.run_id, summary) if changed else None
    summary |= _timing(clock, prepared.n_words) | {"report": page}
    logger.info("run summary: %s", summary)
    logger.info("phases: %s", phase_line(summary["phases"]))
    _artifacts(summary, prepared.rejects, config.output)
    return summary
