"""The flow's register step: the people across all documents (`newsflow.tasks.people`), updated for
what the run adds and removes, and staged for validation and the publish.

A run re-clusters only the partitions (`person_entities.person_key`, the last word of a surname)
that its new and removed documents touch, from the registry's state kept in `person_entities`
(`people.registry.update_registry`), and stages their rows: the result equals a full rebuild
(tests/test_registry_incremental.py). A full rebuild (`rebuild_people`, `newsflow rebuild-people`)
reads every published document's PERSON entities, quotes and dates; a run does one by itself when
the published registry predates the state columns, or was built with another `infer_gender` or
`REGISTRY_VERSION`.

Cost of a run: the state of its partitions (a look-up of `person_entities` by `person_key`, pushed
down to the Parquet reader) and one pass over them in Python; docs/performance.md has the figures.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.schemas.tables import AGGREGATES_PART, PERSON_ENTITIES, TABLES
from newsflow.tasks.bookkeeping import MOVED
from newsflow.tasks.people import women_share
from newsflow.tasks.people.registry import (
    DOCUMENT_COLUMNS,
    ENTITY_COLUMNS,
    QUOTE_COLUMNS,
    Registry,
    build_registry,
    registry_state,
    update_registry,
)
from newsflow.tasks.report.aggregates import (
    AGGREGATES_VERSION,
    document_rows,
    has_aggregates,
    people_rows,
)
from newsflow.tasks.storage import (
    ALL,
    AllKeys,
    Run,
    has_columns,
    published_dataset,
    read_after,
    read_manifest,
    read_published,
    read_staged,
    stage_table,
    staged_parts,
)

log = logging.getLogger(__name__)
PART = "people"
# Bumped when what a partition's people are changes (the clustering rules, `person_key`): the next
# run rebuilds the registry once.
REGISTRY_VERSION = 1


@dataclass
class Registered:
    n_people: int = 0
    changed: bool = False  # differs from the published registry: the run publishes it
    new_documents: dict = field(default_factory=dict)  # people quoted in the run's new documents, by gender
    drops: dict = field(default_factory=dict)  # per registry table, the published keys the publish drops
    settings: dict = field(default_factory=dict)  # what the registry was built with (the manifest's `registry`)


def registry_settings(infer_gender: bool) -> dict:
    """What the tables derived across documents were built with: the people, and the report's
    aggregates (`aggregates`: `tasks/report/aggregates.py`'s version)."""
    return {"version": REGISTRY_VERSION, "infer_gender": infer_gender, "aggregates": AGGREGATES_VERSION}


def needs_rebuild(root, infer_gender: bool) -> str | None:
    """Why the published registry cannot be updated in place (None when it can)."""
    manifest = read_manifest(root)
    if manifest is None or not has_columns(root, "person_entities", PERSON_ENTITIES.names, manifest):
        return "the published registry has no state columns yet" if manifest else None
    built = manifest.get("registry") or {}
    if built.get("version") != REGISTRY_VERSION:
        return f"registry version {built.get('version')} → {REGISTRY_VERSION}"
    if built.get("infer_gender") != infer_gender:
        return f"infer_gender is now {infer_gender}"
    return None


def aggregates_missing(root) -> str | None:
    """Why the report's aggregates must be built whole (None when the run can update them)."""
    manifest = read_manifest(root)
    if manifest is None:
        return None  # the first run: its rows are the whole
    return None if has_aggregates(root, manifest) else "the output has no report aggregates of this version yet"


def _count(root, name: str) -> int:
    dataset = published_dataset(root, name)
    return dataset.count_rows() if dataset is not None else 0


def _stage(run: Run, registry: Registry) -> None:
    for name in ("people", "person_entities"):
        stage_table(run.staging, name, PART, getattr(registry, name), keep_empty=True)


def rebuild(run: Run, parts: list[str], drop: dict, infer_gender: bool, logger: logging.Logger) -> Registered:
    """The whole registry over every document the output will hold, staged to replace the published
    one (`ALL`)."""
    entities = read_after(run.root, run.staging, "entities", parts, drop, ENTITY_COLUMNS)
    entities = entities.filter(pc.equal(entities.column("label"), "PERSON"))
    quotes = read_after(run.root, run.staging, "quotes", parts, drop, QUOTE_COLUMNS)
    documents = read_after(run.root, run.staging, "documents", parts, drop, DOCUMENT_COLUMNS)
    registry = build_registry(entities, quotes, documents, infer_gender=infer_gender)
    _stage(run, registry)
    aggregated = people_rows(registry.people, registry.person_entities)
    stage_table(run.staging, "report_people", AGGREGATES_PART, aggregated, keep_empty=True)
    logger.info(
        "people: rebuilt, %d people across %d documents (%d PERSON entities)%s",
        registry.people.num_rows,
        documents.num_rows,
        entities.num_rows,
        "" if infer_gender else "; gender inference is off",
    )
    return Registered(
        n_people=registry.people.num_rows,
        changed=True,
        new_documents=_quoted(run, parts, registry),
        drops={"people": ALL, "person_entities": ALL, "report_people": ALL},
        settings=registry_settings(infer_gender),
    )


def _quoted(run: Run, parts: list[str], registry: Registry) -> dict:
    chunks = staged_chunks(run, parts, "quotes")
    if not chunks:
        return {}
    quotes = pa.concat_tables([read_staged(run.staging, "quotes", p, QUOTE_COLUMNS) for p in chunks])
    return women_share(registry.people, registry.person_entities, quotes)


def staged_chunks(run: Run, parts: list[str], name: str) -> list[str]:
    """The parts of `parts` that staged table `name` (the staging listed once)."""
    staged = set(staged_parts(run.staging, name))
    return [p for p in parts if p in staged]


def _new_state(run: Run, parts: list[str]) -> pa.Table:
    """The registry state of the PERSON entities of the run's staged documents."""
    chunks = staged_chunks(run, parts, "entities")

    def staged(name: str, columns: list[str]) -> pa.Table:
        schema = pa.schema([TABLES[name].field(c) for c in columns])
        return pa.concat_tables([schema.empty_table()] + [read_staged(run.staging, name, p, columns) for p in chunks])

    return registry_state(
        staged("entities", ENTITY_COLUMNS), staged("quotes", QUOTE_COLUMNS), staged("documents", DOCUMENT_COLUMNS)
    )


def register_people(
    run: Run,
    parts: list[str],
    drop: dict,
    infer_gender: bool = True,
    logger: logging.Logger = log,
    full: bool = False,
) -> Registered:
    """Update the registry for the run's staged documents and its dropped ones (`drop["entities"]`),
    stage the rows that change and say which published keys go; or rebuild it whole (`full`, or
    when `needs_rebuild`)."""
    why = "asked for" if full else needs_rebuild(run.root, infer_gender)
    if why is not None:
        logger.info("people: rebuilding the whole registry (%s)", why)
        return rebuild(run, parts, drop, infer_gender, logger)
    new_state = _new_state(run, parts)
    update = update_registry(
        new_state,
        drop.get("entities", set()),
        lambda keys: read_published(run.root, "person_entities", keys=keys),
        lambda docs: set(
            read_published(run.root, "person_entities", ["person_key"], where=("doc_id", docs))
            .column("person_key")
            .to_pylist()
        ),
        lambda ids: read_published(run.root, "people", keys=ids),
        infer_gender=infer_gender,
    )
    new_ids = set(update.people.column("person_id").to_pylist())
    n_people = _count(run.root, "people") - len(update.person_ids) + len(new_ids)
    logger.info(
        "people: %d people in all; %d name partitions touched by the run's documents (%d PERSON entities new), "
        "%d people in them%s",
        n_people,
        len(update.keys),
        new_state.num_rows,
        update.people.num_rows,
        "" if update.changed else ", unchanged",
    )
    registered = Registered(n_people=n_people, changed=update.changed, settings=registry_settings(infer_gender))
    registered.new_documents = _quoted(run, parts, Registry(update.people, update.person_entities))
    if update.changed:
        _stage(run, Registry(update.people, update.person_entities))
        registered.drops = {"people": update.person_ids, "person_entities": update.keys}
        stage_table(run.staging, "report_people", AGGREGATES_PART, people_rows(update.people, update.person_entities))
        registered.drops["report_people"] = update.keys
    return registered


def _report_people_whole(run: Run, drops: dict) -> None:
    """`report_people` over every partition, from the registry as the run will publish it."""
    columns = {"people": ["person_id", "gender"], "person_entities": ["person_key", "person_id", "outlet", "n_quotes"]}
    staged = [PART] if staged_parts(run.staging, "people") else []
    after = {name: read_after(run.root, run.staging, name, staged, drops, cols) for name, cols in columns.items()}
    stage_table(run.staging, "report_people", AGGREGATES_PART, people_rows(**after), keep_empty=True)
    drops["report_people"] = ALL


def stage_report_aggregates(
    run: Run, parts: list[str], drop: dict, registered: Registered, logger: logging.Logger = log
) -> Registered:
    """Stage the report's aggregates (`tasks/report/aggregates.py`) for what the run publishes: the
    `report_documents` rows of the documents it analysed (those of the documents it drops go), and,
    when the output has none yet, both tables whole. `registered` staged the `report_people` rows of
    the partitions it restaged; its drops gain the aggregates'."""
    chunks = [p for p in staged_chunks(run, parts, "documents") if p != MOVED]
    quoted = set(staged_chunks(run, chunks, "quotes"))

    def staged(name: str, columns: list[str]) -> pa.Table:
        schema = pa.schema([TABLES[name].field(c) for c in columns])
        tables = [read_staged(run.staging, name, p, columns) for p in chunks if name == "documents" or p in quoted]
        return pa.concat_tables([schema.empty_table(), *tables])

    quotes = staged("quotes", ["doc_id", "speaker_name"])
    rows = document_rows(staged("documents", DOCUMENT_COLUMNS), quotes, run.run_id)
    drops = dict(registered.drops)
    whole = aggregates_missing(run.root)
    dropped: set[str] | AllKeys = set(drop.get("quotes", ()))
    if whole is not None:
        logger.info("report aggregates: building them over every document (%s)", whole)
        published = [
            read_after(run.root, run.staging, name, [], drop, columns)
            for name, columns in (("documents", DOCUMENT_COLUMNS), ("quotes", ["doc_id", "speaker_name"]))
        ]
        rows = pa.concat_tables([document_rows(*published, run_id=None), rows])
        dropped = ALL
        if drops.get("report_people") is not ALL:
            _report_people_whole(run, drops)
    stage_table(run.staging, "report_documents", AGGREGATES_PART, rows, keep_empty=dropped is ALL)
    drops["report_documents"] = dropped
    registered.drops = drops
    registered.changed = registered.changed or whole is not None
    return registered


def rebuild_people(output: str, infer_gender: bool = True, lock_timeout: float = 0.0) -> dict:
    """`newsflow rebuild-people`: the registry rebuilt from every published document, validated and
    published on its own (the other tables stay as they are)."""
    from newsflow.tasks.storage import open_run, publish
    from newsflow.tasks.storage.upkeep import compact_if_needed
    from newsflow.tasks.validate import ValidationFailed, validate_staged

    with open_run(output, lock_timeout, log) as run:
        registered = register_people(run, [], {}, infer_gender, log, full=True)
        report = validate_staged(run.root, run.staging, run.run_id, [], registered.drops, only_people=True)
        if not report.success:
            raise ValidationFailed(report.message())
        manifest = publish(run.root, run.staging, run.run_id, registered.drops, run.lease, registered.settings)
        compact_if_needed(run.root, manifest, run.lease, log)
    return {"run_id": run.run_id, "people": registered.n_people, "validation": report.data_docs}


@task(name="register-people", persist_result=False, cache_policy=NO_CACHE)
def register_task(run: Run, parts: list[str], drop: dict[str, set[str]], infer_gender: bool = True) -> Registered:
    from prefect import get_run_logger

    logger = get_run_logger()
    registered = register_people(run, parts, drop, infer_gender, logger)
    return stage_report_aggregates(run, parts, drop, registered, logger)
