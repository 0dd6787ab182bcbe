"""The validator's side of validation: Great Expectations over staged tables, before anything is
published (`newsflow.tasks.validate` is the step, and starts the process this runs in).

One suite per table (`schemas/expectations.py`), run per staged chunk so memory stays flat; the
sources table is checked against the documents the output will hold once the run is published.
Results are stored as JSON and rendered as GX Data Docs under `DIR/validation/<run_id>/`, with
`DIR/validation/latest` pointing at the newest run (also when it failed: that is when you
need it). A failing expectation fails the run with a message naming it and showing sample rows.

Imports no Prefect: the validator process (`newsflow-validator`, `tasks/workers.py`) imports this
module and Great Expectations, nothing of the flow.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from newsflow.schemas.tables import AGGREGATES_PART, REPORT_TABLES, TABLES
from newsflow.tasks.checks import check_columns
from newsflow.tasks.datadocs import make_offline
from newsflow.tasks.storage import ALL, read_after, read_published, read_staged, staged_parts, url_of
from newsflow.tasks.storage.location import artifacts_folder
from newsflow.tasks.storage.tables import without_keys

DOCS_INDEX = Path("gx/uncommitted/data_docs/local_site/index.html")
READ_TABLES = "rejects and sources"  # in `ChunkValidation.parts` once the read step's tables are checked


class ValidationFailed(RuntimeError):
    pass


@dataclass
class Failure:
    table: str
    part: str
    expectation: str
    description: str
    unexpected_count: int | None
    sample: list[dict]


@dataclass
class Report:
    run_id: str
    folder: str
    suites_run: int = 0
    rows_checked: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    data_docs: str | None = None

    @property
    def success(self) -> bool:
        return not self.failures

    def message(self, limit: int = 5) -> str:
        if self.success:
            return f"validation passed: {self.suites_run} suite runs, rows {self.rows_checked}"
        lines = [
            f"validation failed: {len(self.failures)} expectation(s) not met; nothing was published. "
            f"Details: {self.data_docs or self.folder}"
        ]
        for f in self.failures[:limit]:
            lines.append(
                f"- {f.table} [{f.part}]: {f.description or f.expectation} ({f.expectation}, "
                f"{f.unexpected_count} rows); sample: {json.dumps(f.sample, ensure_ascii=False)[:400]}"
            )
        return "\n".join(lines)


def _sample(frame: pd.DataFrame, indexes: list | None, n: int = 3) -> list[dict]:
    if not indexes:
        return []
    rows = frame.loc[[i for i in indexes[:n] if i in frame.index]]
    return [
        {k: (v[:80] if isinstance(v, str) else v) for k, v in row.items()}
        for row in json.loads(rows.to_json(orient="records", date_format="iso"))
    ]


class Validator:
    """A file-backed GX context for one run: suites built once, then one validation definition
    per table run for every staged chunk. The definitions are run directly, not through a
    checkpoint of their own: a checkpoint adds no action here, and its freshness checks and
    serialisation cost ~0.2 of the validator's ~5 CPU-s in a run adding one file."""

    def __init__(self, folder: Path, run_id: str, pipeline_version: str | None = None) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        from newsflow.schemas.expectations import suites

        self.gx = gx
        self.report = Report(run_id=run_id, folder=str(folder))
        self.folder = Path(folder)
        self.context = gx.get_context(mode="file", project_root_dir=str(self.folder))
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.context.data_sources.add_pandas("newsflow")
        # One asset and batch definition for every table: each table's frame comes as the batch's
        # dataframe when it is validated, and its suite names it. GX rewrites the project's YAML on
        # every asset or batch definition added (two per table cost 0.5 of the context's 0.8 CPU-s,
        # on the path of a run adding one document).
        batch = source.add_dataframe_asset("tables").add_batch_definition_whole_dataframe("chunk")
        self.definitions = {}
        for table, expectations in suites(pipeline_version).items():
            suite = self.context.suites.add(gx.ExpectationSuite(name=table, expectations=expectations))
            self.definitions[table] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=table, data=batch, suite=suite)
            )

    def validate(
        self, part: str, tables: dict[str, pa.Table], doc_ids: set[str] | None = None, persons: pa.Table | None = None
    ) -> bool:
        """Validate one staged chunk (documents with its mentions, entities and quotes), or the
        run's rejects, or its sources (`doc_ids`: the documents published with them), or the
        people with their person_entities (`persons`: the PERSON entities published with them).
        True when every expectation holds."""
        ok = True
        for name, table in tables.items():
            frame = check_columns(
                name, table, tables.get("documents"), tables.get("entities"), doc_ids, tables.get("people"), persons
            )
            validation = self.definitions[name].run(
                batch_parameters={"dataframe": frame},
                result_format="COMPLETE",
                run_id=self.gx.RunIdentifier(run_name=f"{name}-{part}"),
            )
            self.report.suites_run += 1
            self.report.rows_checked[name] = self.report.rows_checked.get(name, 0) + len(frame)
            for r in validation.results:
                if r.success:
                    continue
                ok = False
                cfg = r.expectation_config
                self.report.failures.append(
                    Failure(
                        table=name,
                        part=part,
                        expectation=cfg.type,
                        description=cfg.description or "",
                        unexpected_count=r.result.get("unexpected_count"),
                        sample=_sample(frame, r.result.get("unexpected_index_list")),
                    )
                )
        return ok

    def finish(self, latest_link: Path, docs: bool = True) -> Report:
        """Write the JSON summary and point `latest` at this run; render Data Docs now (`docs`), or
        leave them to `render_docs` (a run whose suites all passed renders them beside its publish
        and report). A failure renders them now: its message points at them."""
        if docs or not self.report.success:
            self.render_docs()
        else:
            self.report.data_docs = str(self.folder / DOCS_INDEX)  # where render_docs puts them
        self.write_summary()
        tmp = latest_link.with_name(latest_link.name + ".tmp")
        if tmp.is_symlink():
            tmp.unlink()
        os.symlink(self.folder.name, tmp)
        os.replace(tmp, latest_link)
        return self.report

    def render_docs(self) -> None:
        """Render the Data Docs of the suites run so far, pages made to load newsflow's copies of
        their scripts and styles rather than CDNs."""
        self.context.build_data_docs()
        index = self.folder / DOCS_INDEX
        if index.exists():
            for url in make_offline(index.parent):  # the pages load newsflow's copies, not CDNs
                logging.getLogger(__name__).warning("Data Docs: no local copy of %s (the pages load it)", url)
        self.report.data_docs = str(index) if index.exists() else None

    def write_summary(self) -> None:
        """The report as `summary.json` in the run's validation folder."""
        (self.folder / "summary.json").write_text(json.dumps(asdict(self.report), indent=1, default=str))


def documents_after(
    root: Path, staging: Path, parts: list[str], drop: Mapping[str, Collection[str]], among: Collection[str]
) -> set[str]:
    """The doc_ids of `among` the output holds once the staged tables are published: those
    published (looked up by key, not the whole table), less the dropped ones, plus the staged ones."""
    among = set(among)
    published = set(read_published(root, "documents", ["doc_id"], keys=among).column("doc_id").to_pylist())
    staged = {
        d for part in parts for d in read_staged(staging, "documents", part, ["doc_id"]).column("doc_id").to_pylist()
    }
    return ((published - set(drop.get("documents", ()))) | staged) & among


def run_validator(root: Path, run_id: str, pipeline_version: str | None = None) -> Validator:
    """The run's validator, its results under `root/validation/<run_id>/`."""
    folder = artifacts_folder(url_of(root)) / "validation"
    folder.mkdir(parents=True, exist_ok=True)
    return Validator(folder / run_id, run_id, pipeline_version)


def validate_part(validator: Validator, staging: Path, part: str) -> bool:
    """Validate one staged part: its documents with their entities, mentions and quotes."""
    tables = {name: read_staged(staging, name, part) for name in ("documents", "entities", "mentions", "quotes")}
    return validator.validate(part, tables)


def validate_read(
    validator: Validator, root: Path, staging: Path, parts: list[str], drop: Mapping[str, Collection[str]]
) -> None:
    """The read step's tables: the run's rejects, and the sources rows that change (the others stay
    valid), against the documents the output holds once `parts` are published."""
    validator.validate("rejects", {"rejects": read_staged(staging, "rejects", "rejects")})
    sources = read_staged(staging, "sources", "sources")
    named = set(pc.drop_null(sources.column("doc_id")).to_pylist())
    validator.validate("sources", {"sources": sources}, documents_after(root, staging, parts, drop, named))


def validate_rest(
    validator: Validator,
    root: Path,
    staging: Path,
    parts: list[str],
    drop: Mapping[str, Collection[str]],
    done: list[str],
    only_people: bool = False,
    docs: bool = True,
) -> Report:
    """`validate_staged` with `validator`, the parts `done` validated already (`READ_TABLES` among
    them: the rejects and sources too). `docs`: render the Data Docs now (`Validator.finish`)."""
    if not only_people:
        for part in parts:
            if part not in done:
                validate_part(validator, staging, part)
        if READ_TABLES not in done:
            validate_read(validator, root, staging, parts, drop)
    if staged_parts(staging, "people"):  # the register step staged the registry (tasks/register.py)
        registry = {name: read_staged(staging, name, "people") for name in ("people", "person_entities")}
        persons = person_entities_after(root, staging, parts, drop, registry["person_entities"])
        validator.validate("people", registry, persons=persons)
    aggregates = {
        name: read_staged(staging, name, AGGREGATES_PART)
        for name in REPORT_TABLES
        if AGGREGATES_PART in staged_parts(staging, name)
    }
    if aggregates:  # the report's aggregates (tasks/report/aggregates.py)
        validator.validate(AGGREGATES_PART, aggregates)
    return validator.finish(artifacts_folder(url_of(root)) / "validation" / "latest", docs)


def person_entities_after(
    root: Path, staging: Path, parts: list[str], drop: Mapping[str, Collection[str]], links: pa.Table
) -> pa.Table:
    """The PERSON entities (doc_id, entity_id) the output will hold, of the documents `links` (the
    staged person_entities) name: from the staged parts, and the published ones looked up by doc_id
    (all of them for a whole rebuild)."""
    columns = ["doc_id", "entity_id", "label"]
    if drop.get("person_entities") is ALL:
        entities = read_after(root, staging, "entities", parts, drop, columns)
    else:
        chunks = set(staged_parts(staging, "entities"))
        staged = [read_staged(staging, "entities", p, columns) for p in parts if p in chunks]
        new_docs = {d for t in staged for d in t.column("doc_id").to_pylist()}
        wanted = set(links.column("doc_id").to_pylist()) - new_docs
        published = read_published(root, "entities", columns, where=("doc_id", wanted)) if wanted else None
        kept = [without_keys(published, "entities", drop.get("entities", ()))] if published is not None else []
        empty = pa.schema([TABLES["entities"].field(c) for c in columns]).empty_table()
        entities = pa.concat_tables([empty, *kept, *staged])
    return entities.filter(pc.equal(entities.column("label"), "PERSON"))


# The validator process's jobs (`newsflow.tasks.validate.ChunkValidation` sends them): module-level
# functions, the run's Validator kept between them.
_OPEN: dict[str, Validator] = {}


def open_job(root: Path, run_id: str, pipeline_version: str) -> None:
    _OPEN[run_id] = run_validator(root, run_id, pipeline_version)


def part_job(run_id: str, staging: Path, part: str) -> bool:
    return validate_part(_OPEN[run_id], staging, part)


def read_job(run_id: str, root: Path, staging: Path, parts: list[str], drop: Mapping[str, Collection[str]]) -> None:
    validate_read(_OPEN[run_id], root, staging, parts, drop)


def finish_job(
    root: Path,
    staging: Path,
    run_id: str,
    parts: list[str],
    drop: Mapping[str, Collection[str]],
    done: list[str],
    only_people: bool,
    docs: bool = True,
) -> Report:
    report = validate_rest(_OPEN[run_id], root, staging, parts, drop, done, only_people, docs)
    if docs or not report.success:  # else `docs_job` renders them, and ends the run's validator
        del _OPEN[run_id]
    return report


def docs_job(run_id: str) -> str | None:
    validator = _OPEN.pop(run_id)
    validator.render_docs()
    validator.write_summary()
    return validator.report.data_docs
