"""The run report: one self-contained HTML page per publishing run, `DIR/reports/<run>/index.html`
(`DIR/reports/latest` points at the newest), with its charts as inline SVG, rendered at run time
from the published tables (DuckDB, `queries.py`'s REPORT_QUERIES) over the whole corpus, the
documents the run added marked. Its corpus-wide figures are sums over aggregates every run keeps
up to date (`aggregates.py`): a report costs about the same at a million documents as at ten thousand.

    aggregates (staged by the register step) → queries (DuckDB) → charts (Altair specs → SVG by
    vl-convert) → page (Jinja2, autoescaped); and the run's summary in the Prefect UI (`artifacts.py`)

Built by the flow's `report` step after publishing, and by `newsflow report --output DIR` for
the output's published version at any time. The page loads nothing (a Content-Security-Policy
forbids it to): no script, no stylesheet, no font, no network.

Handled: outputs with or without the `people` / `person_entities` tables (without them, people
are counted by entity, as the documents name them, and the gender chart says it is not
available). Text from the articles (titles, names, outlets, file names, reasons) is escaped by
Jinja2 in the page and by Vega in the SVG. Not handled: the phase timings of a run that was not
reported when it ran (an output published by an older newsflow): that chart says so.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsflow.tasks.storage import is_published, published_version, read_manifest, run_time, url_of
from newsflow.tasks.storage.location import artifacts_folder

REPORTS = "reports"
PAGE = "index.html"
RUN_JSON = "run.json"
MAX_DOCUMENTS = 200
PEOPLE_TABLES = ("people", "person_entities")  # once issue 16 publishes them


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    caption: str
    svg: str | None
    empty: str = "Nothing to show yet."


def report_folder(output: str | Path, run_id: str) -> Path:
    """Where the report of run `run_id` goes: `DIR/reports/<run>` (for an object-store output,
    under its local artifacts folder: `storage.location.artifacts_folder`)."""
    return artifacts_folder(url_of(output)) / REPORTS / run_id


def report_rows(output: str | Path, run_id: str, names: list[str] | None = None) -> dict[str, list[dict]]:
    """The rows of the report's queries (`names`; by default all) for the published version `run_id`."""
    import duckdb

    from newsflow.tasks.report import queries

    with duckdb.connect() as connection:
        queries.register_report(connection, url_of(output), run_id, has_people(output, run_id))
        return {name: queries.run_report_query(connection, name) for name in names or queries.REPORT_QUERIES}


def has_people(output: str | Path, run_id: str | None = None) -> bool:
    """Whether the output holds the people tables (issue 16): then the report counts people by
    person, aliases merged, and shows their genders."""
    manifest = read_manifest(output, run_id)
    return all(is_published(output, name, manifest) for name in PEOPLE_TABLES)


def _charts(rows: dict[str, list[dict]], phases: dict[str, float] | None, has_people: bool) -> list[Chart]:
    from newsflow.tasks.report import charts as c

    def chart(key: str, title: str, caption: str, made, empty: str = "Nothing to show yet.") -> Chart:
        return Chart(key, title, caption, c.svg(made) if made is not None else None, empty)

    by = "person (aliases merged)" if has_people else "entity, as the documents name them"
    return [
        chart(
            "quotes-per-week",
            "Quotes per outlet per week",
            "Every published quote, by the week its article was published (undated articles last); "
            "the dots: quotes in the documents this run added.",
            c.quotes_per_outlet_week(rows["quotes_per_outlet_week"]),
        ),
        chart(
            "people-quoted-most",
            "The most quoted people",
            f"Quotes attributed to a PERSON, counted by {by}.",
            c.people_quoted_most(rows["people_quoted_most"]),
        ),
        chart(
            "unknown-speaker",
            "Quotes with no known speaker, per outlet",
            "The share of quotes whose speaker newsflow could not name, in every document and in this run's new ones.",
            c.unknown_speaker_share(rows["unknown_speaker_share_new"]),
        ),
        chart(
            "named-quoted",
            "People named and people quoted, per outlet",
            f"Distinct people mentioned, and those of them quoted, counted by {by}.",
            c.people_named_quoted(rows["people_named_quoted"]),
        ),
        chart(
            "women-share",
            "Women among the people quoted, per outlet",
            "Distinct people quoted, by gender as the people table infers it (an inference: see the README).",
            c.women_share(rows["people_quoted_by_gender"]) if has_people else None,
            "gender: not available (this output has no people table yet)" if not has_people else "No one quoted yet.",
        ),
        chart(
            "rejects",
            "Rejected files, by reason",
            "Input files that could not be processed (their latest reject), by stage and reason.",
            c.rejects_by_reason(rows["rejects_by_reason"]),
            "No file rejected.",
        ),
        chart(
            "phases",
            "The run's phase timings",
            "Wall time per phase of the run, from the command's start to publishing.",
            c.phases(phases) if phases else None,
            "Not recorded: this run was not reported when it ran.",
        ),
    ]


def _data_docs(output: Path, run_id: str, folder: Path, summary: dict | None = None) -> str | None:
    """The run's Data Docs index, relative to the report's folder (the output folder can move):
    when it is there, or when the run's `summary` names it (they are rendered beside the report)."""
    from newsflow.tasks.validator import DOCS_INDEX

    index = artifacts_folder(url_of(output)) / "validation" / run_id / DOCS_INDEX
    promised = bool(summary and summary.get("data_docs")) and Path(summary["data_docs"]) == index
    return Path(os.path.relpath(index, folder)).as_posix() if promised or index.is_file() else None


def render(output: Path, run_id: str, summary: dict | None = None, rows: dict[str, list[dict]] | None = None) -> str:
    """The report page of the published version `run_id` of `output` (`rows`: its queries' rows,
    when already known)."""
    import jinja2

    output = url_of(output)
    rows = rows or report_rows(output, run_id)
    phases = {k: v for k, v in (summary or {}).get("phases", {}).items() if v or k != "report"}
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("newsflow.tasks.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    new_documents = rows["new_documents"]
    return environment.get_template("report.html.j2").render(
        run_id=run_id,
        output=str(output),
        published=run_time(run_id).strftime("%Y-%m-%d %H:%M UTC"),
        built=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        totals=rows["totals"][0],
        charts=_charts(rows, phases, has_people(output, run_id)),
        new_documents=new_documents[:MAX_DOCUMENTS],
        more_documents=max(0, len(new_documents) - MAX_DOCUMENTS),
        data_docs=_data_docs(output, run_id, report_folder(output, run_id), summary),
    )


def write_report(
    output: Path, run_id: str | None = None, summary: dict | None = None, rows: dict[str, list[dict]] | None = None
) -> Path:
    """Write `DIR/reports/<run>/index.html` for the output's published version (made by `run_id`;
    by default the one published now) and point `DIR/reports/latest` at it. `summary` is the
    run's (its phase timings); without it, the one saved when the run was reported, if any."""
    output = url_of(output)
    run_id = run_id or published_version(output)
    if run_id is None:
        raise FileNotFoundError(f"nothing is published under {output}: run `newsflow run --output {output}` first")
    folder = report_folder(output, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    saved = folder / RUN_JSON
    if summary is not None:
        _replace(saved, json.dumps(summary, indent=1, default=str))
    elif saved.is_file():
        summary = json.loads(saved.read_text(encoding="utf-8"))
    _replace(folder / PAGE, render(output, run_id, summary, rows))
    latest = folder.parent / "latest"
    tmp = latest.with_name("latest.tmp")
    if tmp.is_symlink():
        tmp.unlink()
    os.symlink(run_id, tmp)
    os.replace(tmp, latest)
    return folder / PAGE


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def warm_up() -> threading.Thread:
    """Import the report's chart libraries and start their renderer in a background thread (~0.7 s),
    while the run waits for its validation: the report after the publish is then that much sooner.
    A warm-up that fails leaves the report to say what went wrong."""

    def run() -> None:
        try:
            import jinja2  # noqa: F401

            from newsflow.tasks.report import charts

            charts.warm_up()
        except Exception:  # the report step meets the same problem and reports it
            pass

    thread = threading.Thread(target=run, name="newsflow-report-warm-up", daemon=True)
    thread.start()
    return thread


@dataclass(frozen=True)
class Written:
    page: str | None  # the report's page; None when it could not be written
    rows: dict[str, list[dict]] | None  # its queries' rows (the run's UI artifacts show three)


@task(name="report", persist_result=False, cache_policy=NO_CACHE)
def report_task(output: Path, run_id: str, summary: dict) -> Written:
    """The run's report, after it published. The tables are published by then, so a report that
    cannot be written does not fail the run: the warning says why, and `newsflow report` retries."""
    try:
        rows = report_rows(output, run_id)
        return Written(str(write_report(output, run_id, summary, rows)), rows)
    except Exception as exc:
        get_run_logger().warning(
            "the run published, but its report could not be written (%s: %s); rebuild it with "
            "`newsflow report --output %s`",
            type(exc).__name__,
            exc,
            output,
        )
        return Written(None, None)
