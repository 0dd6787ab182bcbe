"""The run's summary in the Prefect UI: markdown artifacts with the run's figures, links to its
report and Data Docs, and three corpus-wide tables from the report's queries (over its aggregates:
their cost does not grow with the corpus). Text from the articles is escaped (`_cell`): it shows as
written, never as markup.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from prefect.artifacts import create_markdown_artifact

from newsflow.tasks.records import Reject
from newsflow.tasks.report import report_rows
from newsflow.tasks.storage import published_version

# (artifact key, report query, title, its columns shown)
CORPUS_ARTIFACTS = (
    ("newsflow-top-speakers", "people_quoted_most", "Most quoted people", ("name", "quotes", "documents")),
    ("newsflow-top-entities", "people_named_most", "Most named people", ("name", "documents", "quotes")),
    (
        "newsflow-outlets",
        "unknown_speaker_share_new",
        "Quotes per outlet, and the share whose speaker is unknown",
        ("outlet", "quotes", "unknown", "unknown_share"),
    ),
)


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


def publish_artifacts(
    summary: dict, rejects: list[Reject], output: str, rows: dict[str, list[dict]] | None = None
) -> None:
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
    if summary["rows"].get("quotes"):
        lines += [
            "",
            f"The new quotes are {summary['statements']:,} statements (pieces of one utterance counted once).",
        ]
    quoted = summary["people_quoted_new"]
    if quoted:
        share = quoted["women_share"]
        lines += [
            "",
            f"People quoted in the new documents: {quoted['female']} women, {quoted['male']} men, "
            f"{quoted['unknown']} unknown; share of women among those of known gender: "
            + (
                f"**{share:.1%}** (95% interval {quoted['women_share_low']:.1%} to {quoted['women_share_high']:.1%})"
                if share is not None
                else "n/a"
            )
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
    run_id = published_version(output)
    if run_id is None:  # nothing published yet
        return
    found = rows or report_rows(output, run_id, [query for _, query, _, _ in CORPUS_ARTIFACTS])
    for key, query, what, columns in CORPUS_ARTIFACTS:
        corpus = [r for r in found[query] if query != "unknown_speaker_share_new" or r["documents"] == "all documents"]
        rows = [{c: r[c] for c in columns} for r in corpus]
        if rows:  # a markdown table, not a table artifact: the Prefect UIs read those cells as markdown, or not
            markdown = "\n".join([f"## {what}", "", *_table(rows)])
            create_markdown_artifact(markdown, key=key, description=f"{what} (all published documents)")
