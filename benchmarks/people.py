"""What the person registry costs: the register step (tasks/register.py) over a published output,
timed alone, repeated; the name statistic's load is timed apart (the flow reads it in a background
thread while the workers parse).

usage: python benchmarks/people.py --output DIR [--repeat 5] [--documents 1]

Prints, per repeat, interleaved: the full rebuild (`newsflow rebuild-people`'s work: the seconds to
read the PERSON entities, quotes and documents and to build the registry), then the incremental
update a run does (`update_registry`) for `--documents` documents added: copies, under new ids, of
published documents taken at random, whose name partitions are looked up in `person_entities` as
the run looks them up; then the best and the spread of each. Compare with the `people` phase of a
run's summary and its total `seconds` (docs/performance.md).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

import pyarrow.compute as pc

from newsflow.tasks.people import build_registry
from newsflow.tasks.people.gender import first_name_genders
from newsflow.tasks.people.registry import (
    DOCUMENT_COLUMNS,
    ENTITY_COLUMNS,
    QUOTE_COLUMNS,
    registry_state,
    update_registry,
)
from newsflow.tasks.storage import read_published


def once(output: Path) -> tuple[float, float, int, int]:
    start = time.perf_counter()
    entities = read_published(output, "entities", ENTITY_COLUMNS)
    entities = entities.filter(pc.equal(entities.column("label"), "PERSON"))
    quotes = read_published(output, "quotes", QUOTE_COLUMNS)
    documents = read_published(output, "documents", DOCUMENT_COLUMNS)
    read = time.perf_counter() - start
    registry = build_registry(entities, quotes, documents)
    return read, time.perf_counter() - start - read, entities.num_rows, registry.people.num_rows


def incremental(output: Path, n_documents: int, rng: random.Random) -> tuple[float, int, int]:
    """Seconds of `update_registry` for `n_documents` published documents added again under new ids
    (their PERSON entities, quotes and dates read first, untimed: the run has them staged)."""
    ids = read_published(output, "documents", ["doc_id"]).column("doc_id").to_pylist()
    picked = set(rng.sample(ids, min(n_documents, len(ids))))
    entities = read_published(output, "entities", ENTITY_COLUMNS, keys=picked)
    quotes = read_published(output, "quotes", QUOTE_COLUMNS, keys=picked)
    documents = read_published(output, "documents", DOCUMENT_COLUMNS, keys=picked)

    def renamed(table):
        return table.set_column(0, "doc_id", pc.binary_join_element_wise(table.column("doc_id"), "-new", ""))

    start = time.perf_counter()
    state = registry_state(renamed(entities), renamed(quotes), renamed(documents))
    update = update_registry(
        state,
        set(),
        lambda keys: read_published(output, "person_entities", keys=keys),
        lambda docs: set(),
        lambda ids: read_published(output, "people", keys=ids),
    )
    return time.perf_counter() - start, len(update.keys), update.person_entities.num_rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", type=Path, required=True, help="a published newsflow output folder")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--documents", type=int, default=1, help="documents the incremental update adds")
    ap.add_argument("--no-full", action="store_true", help="time the incremental update only")
    args = ap.parse_args(argv)
    rng = random.Random(29)
    start = time.perf_counter()
    names = len(first_name_genders())
    print(f"name statistic: {names:,} names loaded in {time.perf_counter() - start:.2f} s (background in a run)")
    totals, updates = [], []
    for i in range(args.repeat):
        if not args.no_full:
            read, build, n_entities, n_people = once(args.output)
            totals.append(read + build)
            print(
                f"run {i + 1}: full rebuild: read {read:.2f} s, build {build:.2f} s "
                f"({n_entities:,} PERSON entities, {n_people:,} people)"
            )
        seconds, n_keys, n_rows = incremental(args.output, args.documents, rng)
        updates.append(seconds)
        print(
            f"run {i + 1}: update for {args.documents} document(s): {seconds:.3f} s "
            f"({n_keys} partitions, {n_rows:,} PERSON entities in them)"
        )
    for what, times in (("full rebuild", totals), (f"update (+{args.documents})", updates)):
        if times:
            print(f"{what}: best {min(times):.3f} s, median {statistics.median(times):.3f} s, worst {max(times):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
