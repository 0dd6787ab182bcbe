"""Published outputs of any size from one real run's analysed rows, with no NLP: the builder of
`benchmarks/scale.py` (issue 29).

The seed: one real `newsflow run` over a corpus of `.txt` articles written as `.jsonl` files of
records (`{"text": ...}`), into `WORKDIR/seed/`. A built output of N documents replicates the seed's
documents (replica r, document i: the global number g = r * n_seed + i) with:
- the inputs: g's record is the seed document's record with a `url` of its own
  (`https://scale.newsflow.example/g`), written as line g % 1000 + 1 of `input/part-NNNNN.jsonl`
  (files of 1,000 records); its `doc_id` is the one ingest and cleaning compute for that record
  (`clean.body.document_id`: the url enters the id; checked against the project's own reading and
  cleaning for the first documents of every replica), so a run over the input finds every built
  document already published;
- `sources`: one row per record, with the sha256 and size of its line as ingest computes them, and
  every other column the schema has that a file's `os.stat` gives (`modified`, `file_id`), first and
  last seen at the manifest's run;
- person names: per replica, one mapping of the PERSON entities' canonical names
  (`entities.name`) and of the quotes' `speaker_name`: the first word (unless an initial) becomes a
  real first name of the same gender class (female, male, or neither decisively) among the 2,000
  most frequent of that class in the first-name statistic the project ships (nomquamgender,
  `tasks/people/gender.py`), the last word (the surname; a one-word name is a
  surname, generational suffixes stay) a generated surname unique to the replica (the same
  original surname gives the same new one within a replica, never one of another replica's).
  `documents.text`, `mentions` (their `text` and offsets) and `quotes.speaker` (as written) are
  copied unchanged, so every span still slices back: the canonical names no longer appear in the
  text, which no reader of the tables checks and which keeps the build free of NLP;
- `people` and `person_entities`: `tasks.people.build_registry` per replica, concatenated (replicas
  share no surname and the registry only joins names that share one, so this is the registry of the
  whole), with whatever columns it returns;
- no `rejects` rows (the seed's rejects are not replicated).
Each table is written with `deltalake.write_deltalake` in appends of about `batch_documents`
documents (a few large data files per table), then the publish manifest with the project's
`write_manifest`. Replicas are made and written in batches: memory holds one batch, not the output.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

from benchmarks.scale_names import Namer
from newsflow.schemas.tables import TABLES
from newsflow.tasks.clean.body import clean_document, document_id
from newsflow.tasks.ingest import decode, record_document
from newsflow.tasks.metadata import clean_url
from newsflow.tasks.nlp.lexicon import load_lexicon
from newsflow.tasks.people import build_registry
from newsflow.tasks.records import Metadata
from newsflow.tasks.register import registry_settings
from newsflow.tasks.report.aggregates import document_rows, people_rows
from newsflow.tasks.storage import ensure_table, new_run_id, read_manifest, read_published, run_time, table_url
from newsflow.tasks.storage.tables import write_manifest

REPO = Path(__file__).resolve().parent.parent
NEWSFLOW = REPO / ".venv" / "bin" / "newsflow"
RECORDS_PER_FILE = 1000
URL = "https://scale.newsflow.example/{}"
SEED_FILE = "seed-{:03d}.jsonl"
DOC_TABLES = ("mentions", "entities", "quotes")
ENV = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def write_seed_input(corpus: Path, folder: Path, per_file: int = 100) -> int:
    """The corpus's `.txt` articles (README.TXT aside) as `.jsonl` files of `per_file` records
    `{"text": ...}` (several files: a run makes its chunks of documents from the number of files)."""
    folder.mkdir(parents=True, exist_ok=True)
    articles = [f for f in sorted(corpus.rglob("*.txt")) if f.name != "README.TXT"]
    for start in range(0, len(articles), per_file):
        with open(folder / SEED_FILE.format(start // per_file), "w", encoding="utf-8") as out:
            for file in articles[start : start + per_file]:
                out.write(json.dumps({"text": decode(file.read_bytes())[0]}, ensure_ascii=False) + "\n")
    return len(articles)


def run_newsflow(input_dir: Path, output_dir: Path, newsflow: Path = NEWSFLOW) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(newsflow), "run", "--input", str(input_dir), "--output", str(output_dir)],
        cwd=REPO,
        env={**ENV, **os.environ},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"newsflow run --input {input_dir} --output {output_dir} failed:\n{done.stderr[-3000:]}")
    return done


def summary_of(stdout: str) -> dict:
    """The run summary `newsflow run` prints last on stdout (a JSON object)."""
    start = stdout.rfind("\n{\n") + 1 if not stdout.startswith("{") else 0
    return json.JSONDecoder().raw_decode(stdout[start:])[0]


def make_seed(corpus: Path, folder: Path, newsflow: Path = NEWSFLOW) -> Path:
    """`folder/input/seed-NNN.jsonl` (the corpus as records) and `folder/output` (one real run over it),
    unless already there. Returns `folder`."""
    if read_manifest(str(folder / "output")) is None:
        write_seed_input(corpus, folder / "input")
        run_newsflow(folder / "input", folder / "output", newsflow)
    return folder


@dataclass
class Seed:
    """One real run's analysed rows, each document with its record."""

    documents: pa.Table  # in the order of their records
    records: list[dict]  # the record of each document, in the same order
    rows: dict[str, pa.Table]  # mentions, entities, quotes, each with `_seed`: its document's index

    @property
    def size(self) -> int:
        return self.documents.num_rows

    @classmethod
    def load(cls, folder: Path, limit: int | None = None) -> Seed:
        output = str(folder / "output")
        docs = read_published(output, "documents")
        where = [(f, int(n)) for f, n in (s.rsplit("#", 1) for s in docs.column("source").to_pylist())]
        order = sorted(range(docs.num_rows), key=where.__getitem__)[:limit]
        lines = {f: (folder / "input" / f).read_bytes().splitlines() for f in {f for f, _ in where}}
        docs = docs.take(order)
        index = {d: i for i, d in enumerate(docs.column("doc_id").to_pylist())}
        rows = {}
        for name in DOC_TABLES:
            table = read_published(output, name)
            seed = pa.array([index.get(d, -1) for d in table.column("doc_id").to_pylist()], pa.int32())
            table = table.append_column("_seed", seed).filter(pc.greater_equal(seed, 0))
            rows[name] = table.take(pc.sort_indices(table, [("_seed", "ascending")]))
        records = [json.loads(lines[where[i][0]][where[i][1] - 1]) for i in order]
        return cls(docs, records, rows)


def person_names(seed: Seed) -> list[str]:
    entities = seed.rows["entities"]
    persons = entities.filter(pc.equal(entities.column("label"), "PERSON")).column("name")
    speakers = seed.rows["quotes"].column("speaker_name").drop_null()
    return sorted(set(persons.to_pylist()) | set(speakers.to_pylist()))


def source_of(g: int) -> tuple[str, int]:
    """The file (relative to the input root) and line number of built document g."""
    return f"part-{g // RECORDS_PER_FILE:05d}.jsonl", g % RECORDS_PER_FILE + 1


def replica_doc_id(row: dict, url: str) -> str:
    """The id cleaning gives the seed document's record with `url` (`clean.body.document_id`)."""
    meta = Metadata(
        url=url,
        outlet=row["outlet"],
        published_at=row["published_at"],
        authors=tuple(row["authors"] or ()),
        dateline=row["dateline"],
        language=row["language"],
    )
    return document_id(row["title"], row["text"], meta)


def replicate(seed: Seed, namer: Namer, replica: int, count: int) -> tuple[dict[str, pa.Table], list[bytes]]:
    """Replica `replica`'s first `count` documents: their rows in every table but `sources`, and
    their records' lines (in order)."""
    first = replica * seed.size
    docs = seed.documents.slice(0, count)
    urls = [clean_url(URL.format(first + i)) for i in range(count)]
    ids = [replica_doc_id(row, url) for row, url in zip(docs.to_pylist(), urls, strict=True)]
    sources = [f"{file}#{line}" for file, line in map(source_of, range(first, first + count))]
    docs = (
        docs.set_column(docs.schema.get_field_index("doc_id"), "doc_id", pa.array(ids, pa.string()))
        .set_column(docs.schema.get_field_index("source"), "source", pa.array(sources, pa.string()))
        .set_column(docs.schema.get_field_index("url"), "url", pa.array(urls, pa.string()))
    )
    lines = [
        (json.dumps({**record, "url": url}, ensure_ascii=False) + "\n").encode()
        for record, url in zip(seed.records[:count], urls, strict=True)
    ]
    rename = namer.mapping(replica)
    id_array = pa.array(ids, pa.string())
    tables = {"documents": docs}
    for name in DOC_TABLES:
        table = seed.rows[name]
        table = table.filter(pc.less(table.column("_seed"), count))
        table = table.set_column(0, "doc_id", pc.take(id_array, table.column("_seed"))).drop_columns(["_seed"])
        if name == "entities":
            person = pc.equal(table.column("label"), "PERSON")
            names = table.column("name").combine_chunks()
            i = table.schema.get_field_index("name")
            renamed = rename(pc.if_else(person, names, pa.scalar(None, pa.string())))
            table = table.set_column(i, "name", pc.if_else(person, renamed, names))
        elif name == "quotes":
            i = table.schema.get_field_index("speaker_name")
            table = table.set_column(i, "speaker_name", rename(table.column(i).combine_chunks()))
        tables[name] = table
    registry = build_registry(tables["entities"], tables["quotes"], tables["documents"], lex=namer.lex)
    returned = {f.name: getattr(registry, f.name) for f in dataclasses.fields(registry)}
    tables |= {name: value for name, value in returned.items() if isinstance(value, pa.Table)}
    # The report's aggregates, by the project's own functions (replicas share no name partition).
    tables["report_documents"] = document_rows(tables["documents"], tables["quotes"], run_id=None)
    tables["report_people"] = people_rows(registry.people, registry.person_entities)
    for row_id, line, doc in zip(ids[:2], lines[:2], sources[:2], strict=False):
        check_doc_id(row_id, line, doc)
    return tables, lines


def check_doc_id(doc_id: str, line: bytes, source: str) -> None:
    """The project's own reading and cleaning of a record give the id the builder wrote."""
    raw = record_document(json.loads(line), source, "")
    got = clean_document(raw, 10**9)
    if getattr(got, "doc_id", None) != doc_id:
        raise AssertionError(f"{source}: the builder wrote doc_id {doc_id}, ingest and cleaning give {got!r:.200}")


class RecordFiles:
    """The input's `.jsonl` files of `RECORDS_PER_FILE` records, written in order; each file's
    `sources` rows once it is complete (its `os.stat` known)."""

    def __init__(self, folder: Path, seen: datetime) -> None:
        self.folder, self.seen = folder, seen
        self.folder.mkdir(parents=True, exist_ok=True)
        self.handle = None
        self.pending: list[tuple[str, str, int, str]] = []  # (source, sha256, bytes, doc_id)
        self.done: list[pa.Table] = []
        self.g = 0

    def add(self, line: bytes, doc_id: str) -> None:
        file, number = source_of(self.g)
        if number == 1:
            self.close_file()
            self.handle = open(self.folder / file, "wb")
        self.handle.write(line)
        self.pending.append((f"{file}#{number}", hashlib.sha256(line).hexdigest(), len(line), doc_id))
        self.g += 1

    def close_file(self) -> None:
        if self.handle is None:
            return
        self.handle.close()
        stat = os.stat(self.handle.name)
        self.done.append(sources_rows(self.pending, stat, self.seen))
        self.handle, self.pending = None, []

    def take(self) -> list[pa.Table]:
        done, self.done = self.done, []
        return done


def sources_rows(records: list[tuple[str, str, int, str]], stat: os.stat_result, seen: datetime) -> pa.Table:
    """The `sources` rows of one file's records: every column of the schema that is known here."""
    n = len(records)
    known = {
        "source": [r[0] for r in records],
        "status": ["document"] * n,
        "doc_id": [r[3] for r in records],
        "sha256": [r[1] for r in records],
        "bytes": [r[2] for r in records],
        "first_seen": [seen] * n,
        "last_seen": [seen] * n,
        "modified": [datetime.fromtimestamp(stat.st_mtime_ns // 1000 / 1e6, UTC)] * n,
        "file_id": [f"{stat.st_dev}:{stat.st_ino}"] * n,
    }
    schema = TABLES["sources"]
    return pa.table({f.name: pa.array(known.get(f.name, [None] * n), f.type) for f in schema}, schema=schema)


@dataclass
class Built:
    documents: int
    seconds: float
    rows: dict[str, int]
    files: dict[str, int]
    bytes: int


class Appender:
    """Buffers each table's rows and appends them as one Delta commit per table per flush."""

    def __init__(self, output: str) -> None:
        self.output = output
        self.buffers: dict[str, list[pa.Table]] = {}
        self.rows: dict[str, int] = {}
        self.returned: set[str] = set()  # tables written with the schema their builder returned

    def add_returned(self, name: str, table: pa.Table) -> None:
        self.returned.add(name)
        self.add(name, table)

    def add(self, name: str, table: pa.Table) -> None:
        self.buffers.setdefault(name, []).append(table)

    def flush(self) -> None:
        for name, parts in self.buffers.items():
            returned = name in self.returned or name not in TABLES
            schema = parts[0].schema if returned else TABLES[name]
            table = pa.concat_tables([t.cast(schema) for t in parts])
            if name in TABLES:
                ensure_table(self.output, name)
            if table.num_rows:
                merge = {"schema_mode": "merge"} if returned else {}
                write_deltalake(table_url(self.output, name), table, mode="append", **merge)
            self.rows[name] = self.rows.get(name, 0) + table.num_rows
        self.buffers = {}


def replicas(n: int, seed_size: int) -> Iterator[tuple[int, int]]:
    """(replica, count) for the first `n` built documents."""
    for replica in range((n + seed_size - 1) // seed_size):
        yield replica, min(seed_size, n - replica * seed_size)


def build(
    seed: Seed,
    n: int,
    input_dir: Path,
    output_dir: Path,
    batch_documents: int = 50_000,
    log: Callable[[str], None] = print,
) -> Built:
    """An output of `n` documents under `output_dir` and its input under `input_dir` (see the module)."""
    started = time.perf_counter()
    output = str(output_dir)
    run_id = new_run_id()
    namer = Namer(person_names(seed), load_lexicon())
    files = RecordFiles(input_dir, run_time(run_id))
    appender = Appender(output)
    buffered = 0
    for replica, count in replicas(n, seed.size):
        tables, lines = replicate(seed, namer, replica, count)
        for line, doc_id in zip(lines, tables["documents"].column("doc_id").to_pylist(), strict=True):
            files.add(line, doc_id)
        for name, table in tables.items():
            (appender.add if name in ("documents", *DOC_TABLES) else appender.add_returned)(name, table)
        buffered += count
        if buffered >= batch_documents:
            for table in files.take():
                appender.add("sources", table)
            appender.flush()
            buffered = 0
            log(f"built {replica * seed.size + count:,}/{n:,} documents ({time.perf_counter() - started:.0f} s)")
    files.close_file()
    for table in files.take():
        appender.add("sources", table)
    appender.flush()
    versions = {}
    for name in TABLES:
        ensure_table(output, name)
        versions[name] = DeltaTable(table_url(output, name)).version()
    # The registry's settings, as a run records them: the first run updates it rather than rebuild it.
    registry = registry_settings(infer_gender=True)
    write_manifest(output, run_id, versions, None, built_by="benchmarks/scale_build.py", registry=registry)
    return Built(
        documents=n,
        seconds=time.perf_counter() - started,
        rows={name: appender.rows.get(name, 0) for name in TABLES},
        files=data_files(output),
        bytes=disk_bytes(output_dir) + disk_bytes(input_dir),
    )


def data_files(output: str) -> dict[str, int]:
    """The live data files of each table (those its latest version reads)."""
    return {name: len(DeltaTable(table_url(output, name)).file_uris()) for name in TABLES}


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
