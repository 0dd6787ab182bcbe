"""Read & clean: per input file, its articles read (`newsflow.tasks.ingest`) and cleaned
(`newsflow.tasks.clean`), in the flow's process or in the run's worker processes.

The reading path, one name per thing: the flow calls `read_clean_task` (the step's Prefect task,
`newsflow.tasks.read_clean`), which calls `read_clean` (the step: which files to read, staging,
bookkeeping), which calls `read_clean_files` here (many files, in order: by the worker pool in
jobs of `FILES_PER_JOB` files, `_read_clean_job`, or here), each file through `read_clean_file`
(`ingest.read_inputs`, then `clean.clean_document` of each article).

Imports neither Prefect nor pyarrow: a worker that only reads and cleans starts in a fraction of
a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from newsflow.tasks.clean import clean_document
from newsflow.tasks.config import Settings
from newsflow.tasks.ingest import read_inputs
from newsflow.tasks.records import Document, Reject, SourceFile
from newsflow.tasks.workers import WorkerPool

FILES_PER_JOB = 8


def read_clean_file(root: Path, rel: str, settings: Settings) -> Iterator[tuple[SourceFile, Document | Reject]]:
    """The articles of one input file, read and cleaned, each with what `sources` records of it."""
    for file, item in read_inputs(root, rel, settings.max_bytes):
        yield file, item if isinstance(item, Reject) else clean_document(item, settings.max_chars)


def _read_clean_job(rels: list[str], settings: Settings) -> list[list[tuple[SourceFile, Document | Reject]] | None]:
    """A worker's job in `read_clean_files`: per file, its articles; None for a .jsonl file (its
    records stream, read in the flow's process)."""
    return [
        None if Path(rel).suffix.lower() == ".jsonl" else list(read_clean_file(settings.input, rel, settings))
        for rel in rels
    ]


def read_clean_files(
    files: list[str], settings: Settings, pool: WorkerPool | None = None
) -> Iterator[Iterable[tuple[SourceFile, Document | Reject]]]:
    """Per file, in order, its articles read and cleaned (`read_clean_file`): by the run's worker
    processes when it has some (cleaning is CPU-bound: ftfy, the debris rules), else here; a
    .jsonl file's records are read here, one at a time, so that a large one need not fit in
    memory."""
    if pool is None:
        for rel in files:
            yield read_clean_file(settings.input, rel, settings)
        return
    groups = [files[i : i + FILES_PER_JOB] for i in range(0, len(files), FILES_PER_JOB)]
    results = pool.imap(_read_clean_job, ((rels, settings) for rels in groups), describe=_describe)
    for rels, found in zip(groups, results, strict=True):
        for rel, articles in zip(rels, found, strict=True):
            yield read_clean_file(settings.input, rel, settings) if articles is None else articles


def _describe(job: tuple[list[str], Settings]) -> str:
    rels = job[0]
    return f"reading {', '.join(rels[:3])}" + (f" and {len(rels) - 3} more files" if len(rels) > 3 else "")
