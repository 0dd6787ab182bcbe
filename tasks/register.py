"""The flow's register step: the people across all documents (`newsflow.tasks.people`), rebuilt
from the tables as they will be once the run publishes, and staged whole (`WHOLE_TABLES`) for
validation and the publish.

Cost: one read of the PERSON rows of `entities`, the speakers of `quotes` and the outlet and date
of `documents` (all published documents: the registry is a function of all of them), and one pass
over them in Python; docs/performance.md has its measured share of a run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from prefect import task
from prefect.cache_policies import NO_CACHE

from newsflow.schemas.tables import TABLES
from newsflow.tasks.people import build_registry, women_share
from newsflow.tasks.people.registry import DOCUMENT_COLUMNS, ENTITY_COLUMNS, QUOTE_COLUMNS
from newsflow.tasks.storage import Run, read_after, read_published, read_staged, stage_table

log = logging.getLogger(__name__)
PART = "people"


@dataclass
class Registered:
    n_people: int = 0
    n_person_entities: int = 0
    changed: bool = False  # differs from the published registry: the run publishes it
    new_documents: dict = field(default_factory=dict)  # people quoted in the run's new documents, by gender


def _same(root: Path, name: str, table: pa.Table) -> bool:
    """Whether `table` holds the published rows (in any order: a Delta table's read order is its files')."""
    published = read_published(root, name)
    if published.num_rows != table.num_rows:
        return False
    order = [(c, "ascending") for c in TABLES[name].names if not pa.types.is_list(TABLES[name].field(c).type)]
    return published.sort_by(order).equals(table.cast(TABLES[name]).sort_by(order))


def register_people(
    run: Run, parts: list[str], drop: dict[str, set[str]], infer_gender: bool = True, logger: logging.Logger = log
) -> Registered:
    """Build the registry over every document the output will hold, stage it, and say whether it
    differs from the published one (a run with no new document may still change it, e.g. with
    gender inference switched off)."""
    entities = read_after(run.root, run.staging, "entities", parts, drop, ENTITY_COLUMNS)
    entities = entities.filter(pc.equal(entities.column("label"), "PERSON"))
    quotes = read_after(run.root, run.staging, "quotes", parts, drop, QUOTE_COLUMNS)
    documents = read_after(run.root, run.staging, "documents", parts, drop, DOCUMENT_COLUMNS)
    registry = build_registry(entities, quotes, documents, infer_gender=infer_gender)
    for name in ("people", "person_entities"):
        # Staged even when empty: a whole table replaces the published one (storage.publish).
        stage_table(run.staging, name, PART, getattr(registry, name), keep_empty=True)
    changed = not (
        _same(run.root, "people", registry.people) and _same(run.root, "person_entities", registry.person_entities)
    )
    new_quotes = (
        pa.concat_tables([read_staged(run.staging, "quotes", p, QUOTE_COLUMNS) for p in parts]) if parts else None
    )
    new = women_share(registry.people, registry.person_entities, new_quotes) if new_quotes is not None else {}
    logger.info(
        "people: %d people across %d documents (%d PERSON entities)%s",
        registry.people.num_rows,
        documents.num_rows,
        entities.num_rows,
        "" if infer_gender else "; gender inference is off",
    )
    return Registered(registry.people.num_rows, registry.person_entities.num_rows, changed, new)


@task(name="register-people", persist_result=False, cache_policy=NO_CACHE)
def register_task(run: Run, parts: list[str], drop: dict[str, set[str]], infer_gender: bool = True) -> Registered:
    from prefect import get_run_logger

    return register_people(run, parts, drop, infer_gender, get_run_logger())
