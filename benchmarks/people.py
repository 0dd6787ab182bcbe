"""What the person registry costs: the register step (tasks/register.py) over a published output,
timed alone, repeated; the name statistic's load is timed apart (the flow reads it in a background
thread while the workers parse).

usage: python benchmarks/people.py --output DIR [--repeat 5]

Prints, per repeat, the seconds to read the PERSON entities, quotes and documents and to build the
registry, then the best and the spread. Compare with the `people` phase of a run's summary and its
total `seconds` (docs/performance.md).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pyarrow.compute as pc

from newsflow.tasks.people import build_registry
from newsflow.tasks.people.gender import first_name_genders
from newsflow.tasks.people.registry import DOCUMENT_COLUMNS, ENTITY_COLUMNS, QUOTE_COLUMNS
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", type=Path, required=True, help="a published newsflow output folder")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    names = len(first_name_genders())
    print(f"name statistic: {names:,} names loaded in {time.perf_counter() - start:.2f} s (background in a run)")
    totals = []
    for i in range(args.repeat):
        read, build, n_entities, n_people = once(args.output)
        totals.append(read + build)
        print(
            f"run {i + 1}: read {read:.2f} s, build {build:.2f} s ({n_entities:,} PERSON entities, {n_people:,} people)"
        )
    print(
        f"register step: best {min(totals):.2f} s, median {statistics.median(totals):.2f} s, worst {max(totals):.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
