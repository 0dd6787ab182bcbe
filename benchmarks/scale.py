"""Scale (issue 29): what a run costs on published outputs of 10,000, 100,000 and 1,000,000 documents.

1. The seed: one real `newsflow run` over the corpus (default the BBC corpus, read from ../shared
   and written only under WORKDIR) as `.jsonl` files of 100 records, into `WORKDIR/seed/` (kept
   and reused by later invocations).
2. Per size N (`--sizes`): `WORKDIR/N/input` (`.jsonl` files of 1,000 records) and `WORKDIR/N/output`
   (the published output a run over that input would give), built from the seed's rows with no
   NLP: `benchmarks/scale_build.py` says how (fresh ids, plausible and varied person names, the
   person registry built with the project's own function, a few large Delta appends, the manifest).
   Kept and reused when already built (`--rebuild` builds again).
3. Per size, `--repeats` times each: a run adding 1 document (a new `.jsonl` file of 1 record),
   then one adding 1,000 (a new `.jsonl` file of 1,000 records; `--added` chooses): seed articles under URLs no built
   document has, so they are new documents and are analysed. Each is `newsflow run --input
   WORKDIR/N/input --output COPY` as a subprocess, on a fresh copy of the built output
   (`cp -a --reflink=auto`: each timed run adds to the same N), with its wall time, its summary's
   phases, the peak RSS of the largest process of its tree and the sum of its processes' PSS
   (`benchmarks/throughput.PeakRSS`, sampled every 0.3 s), and the live data files per table after
   it (`DeltaTable.file_uris()`). A run that fails is recorded (exit code, last step) and its log
   kept in `WORKDIR/logs/`.
4. File counts over many small runs, on a copy of the smallest size's output: `--small-runs K`
   calls of the project's publish path (a new document's rows, its sources row and its registry
   rows staged as a run stages them, then `publish` and `compact_if_needed`, as
   `tasks/publish.py` does), the data files per table every 100; or, with `--full-runs K`, K real
   `newsflow run`s each adding one document. Default report: benchmarks/results/scale.md.
A markdown report (machine, date, the tables) is printed and written to `--report`.
The machine is shared and its speed varies: run under `nice`, compare within one report.

usage: .venv/bin/python -m benchmarks.scale [--sizes 10000 100000 1000000] [--workdir DIR]
           [--repeats K] [--added 1 1000] [--small-runs 1000] [--full-runs K] [--report PATH] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pyarrow as pa

from benchmarks.scale_build import (
    ENV,
    NEWSFLOW,
    URL,
    Namer,
    Seed,
    build,
    data_files,
    disk_bytes,
    make_seed,
    person_names,
    replicate,
    sources_rows,
    summary_of,
)
from benchmarks.throughput import PeakRSS
from newsflow.schemas.tables import TABLES
from newsflow.tasks.nlp.lexicon import load_lexicon
from newsflow.tasks.storage import new_run_id, publish, read_published, run_time, stage_table, staging_url
from newsflow.tasks.storage.upkeep import compact_if_needed

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpora" / "bbc"
SIZES = [10_000, 100_000, 1_000_000]
ADDED = [1, 1000]
PHASES = ["startup", "read_clean", "analysis", "people", "validation", "publish", "report", "other"]
GiB = 2**30


def log(line: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {line}", file=sys.stderr, flush=True)


def new_records(seed: Seed, n: int, tag: str) -> bytes:
    """`n` seed articles as records under URLs no built document has: new documents."""
    return b"".join(
        (
            json.dumps({**seed.records[i % seed.size], "url": URL.format(f"{tag}/{i}")}, ensure_ascii=False) + "\n"
        ).encode()
        for i in range(n)
    )


def copy_output(built: Path, copy: Path) -> None:
    shutil.rmtree(copy, ignore_errors=True)
    subprocess.run(["cp", "-a", "--reflink=auto", str(built), str(copy)], check=True)


def timed_run(input_dir: Path, output_dir: Path, newsflow: Path = NEWSFLOW, log_file: Path | None = None) -> dict:
    """One `newsflow run` as a subprocess: wall time, summary, peak memory, data files per table;
    for a run that fails, its exit code and the last step that finished (its log in `log_file`)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(newsflow), "run", "--input", str(input_dir), "--output", str(output_dir)],
        cwd=REPO,
        env={**ENV, **os.environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    rss = PeakRSS(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    pss = rss.close()
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log_file.write_text(out + err)
    finished = [
        line.split("Task run '", 1)[1].split("'")[0]
        for line in err.splitlines()
        if "Finished in state" in line and "Task run '" in line
    ]
    summary = summary_of(out) if proc.returncode == 0 else {}
    return {
        "seconds": seconds,
        "returncode": proc.returncode,
        "last_step": finished[-1].rsplit("-", 1)[0] if finished else None,
        "summary": summary,
        "phases": summary.get("phases", {}),
        "largest_rss": rss.largest,
        "pss": pss,
        "files": data_files(str(output_dir)),
    }


def measure(seed: Seed, folder: Path, added: int, repeats: int) -> list[dict]:
    """`repeats` runs adding `added` documents, each to a fresh copy of the built output."""
    new = folder / "input" / f"zz-new-{added}.jsonl"
    new.write_bytes(new_records(seed, added, f"new-{added}"))
    runs = []
    try:
        for k in range(repeats):
            copy = folder / "run-output"
            copy_output(folder / "output", copy)
            result = timed_run(
                folder / "input", copy, log_file=folder.parent / "logs" / f"{folder.name}+{added}-{k + 1}.log"
            )
            if result["returncode"]:
                log(
                    f"N={folder.name} +{added} #{k + 1}: FAILED, exit {result['returncode']} "
                    f"after {result['last_step']} ({result['seconds']:.0f} s)"
                )
            elif result["summary"].get("new_documents") != added:
                raise SystemExit(f"the run added {result['summary'].get('new_documents')} documents, not {added}")
            runs.append(result)
            log(
                f"N={folder.name} +{added} #{k + 1}: {result['seconds']:.1f} s, largest process "
                f"{result['largest_rss'] / GiB:.2f} GiB, phases {result['phases']}"
            )
    finally:
        new.unlink()
        shutil.rmtree(folder / "run-output", ignore_errors=True)
    return runs


def small_runs(seed: Seed, built: Path, work: Path, runs: int) -> list[tuple[int, dict[str, int]]]:
    """`runs` publishes of one new document each through the project's publish path (as
    `tasks/publish.py`: `publish`, then `compact_if_needed`), with the rows of `people` and
    `person_entities` a run stages (its new document's surnames are its own: new partitions only):
    data files per table every 100 runs."""
    root = str(work)
    copy_output(built, work)
    namer = Namer(person_names(seed), load_lexicon())
    counts = [(0, data_files(root))]
    stat = os.stat(built.parent / "input" / "part-00000.jsonl")
    started = time.perf_counter()
    for i in range(1, runs + 1):
        run_id = new_run_id()
        staging = staging_url(root, run_id)
        # a replica number no built output uses: fresh ids, surnames of its own
        tables, lines = replicate(seed, namer, 10**6 + i, 1)
        source = f"small/{i:05d}.jsonl#1"
        docs = tables["documents"]
        tables["documents"] = docs.set_column(docs.schema.get_field_index("source"), "source", pa.array([source]))
        doc_id = docs.column("doc_id")[0].as_py()
        row = (source, hashlib.sha256(lines[0]).hexdigest(), len(lines[0]), doc_id)
        stage_table(staging, "sources", "p", sources_rows([row], stat, run_time(run_id)))
        for name in ("documents", "mentions", "entities", "quotes"):
            stage_table(staging, name, "p", tables[name])
        for name in ("people", "person_entities"):  # the registry rows of the partitions the run touched
            stage_table(staging, name, "p", tables[name])
        manifest = publish(root, staging, run_id, {})
        compact_if_needed(root, manifest)
        if i % 100 == 0 or i == runs:
            counts.append((i, data_files(root)))
            log(f"small runs: {i}/{runs} ({time.perf_counter() - started:.0f} s), files {counts[-1][1]}")
    return counts


def full_runs(seed: Seed, built: Path, work: Path, runs: int) -> list[tuple[int, dict[str, int]]]:
    """`runs` real `newsflow run`s, each adding one new document (a new 1-record `.jsonl` file)."""
    copy_output(built / "output", work)
    extra = built / "input" / "zz-full-runs"
    extra.mkdir(exist_ok=True)
    counts = [(0, data_files(str(work)))]
    try:
        for i in range(1, runs + 1):
            (extra / f"{i:05d}.jsonl").write_bytes(new_records(seed, 1, f"full/{i}"))
            timed_run(built / "input", work)
            if i % 100 == 0 or i == runs:
                counts.append((i, data_files(str(work))))
                log(f"full runs: {i}/{runs}, files {counts[-1][1]}")
    finally:
        shutil.rmtree(extra, ignore_errors=True)
    return counts


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, {psutil.virtual_memory().total / GiB:.0f} GiB RAM, Linux "
        f"{platform.release()}, Python {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def report(builds: dict[int, dict], runs: dict[tuple[int, int], list[dict]], files: list, kind: str) -> str:
    tables = list(TABLES)
    lines = ["# newsflow at scale (benchmarks/scale.py)", "", f"Machine: {machine()}. Shared and noisy.", ""]
    if builds:
        lines += [
            "## Built outputs",
            "",
            "| N | build (s) | disk (input + output) | " + " | ".join(f"{t} rows / files" for t in tables) + " |",
            "| --- | --- | --- |" + " --- |" * len(tables),
        ]
        for n, b in builds.items():
            cells = [f"{b['rows'].get(t, 0):,} / {b['files'][t]}" for t in tables]
            seconds = f"{b['seconds']:.0f}" if b.get("seconds") is not None else "(reused)"
            lines.append(f"| {n:,} | {seconds} | {b['bytes'] / GiB:.2f} GiB | " + " | ".join(cells) + " |")
        lines.append("")
    if runs:
        lines += [
            "## Runs adding documents (each on a fresh copy of the built output)",
            "",
            "| N | added | run | wall (s) | "
            + " | ".join(PHASES)
            + " | largest process RSS (GiB) | all processes PSS (GiB) | files per table after |",
            "| --- | --- | --- | --- |" + " --- |" * (len(PHASES) + 3),
        ]
        for (n, added), results in runs.items():
            for k, r in enumerate(results, 1):
                phases = [f"{r['phases'].get(p, 0):.1f}" for p in PHASES]
                if r.get("returncode"):
                    phases = [f"FAILED: exit {r['returncode']} after {r['last_step']}"] + [""] * (len(PHASES) - 1)
                per_table = ", ".join(f"{t} {c}" for t, c in r["files"].items())
                lines.append(
                    f"| {n:,} | +{added:,} | {k} | {r['seconds']:.1f} | "
                    + " | ".join(phases)
                    + f" | {r['largest_rss'] / GiB:.2f} | {r['pss'] / GiB:.2f} | {per_table} |"
                )
        lines.append("")
    if files:
        lines += [
            f"## Data files per table over {kind}",
            "",
            "| runs | " + " | ".join(tables) + " |",
            "| --- |" + " --- |" * len(tables),
        ]
        lines += [f"| {i} | " + " | ".join(str(c[t]) for t in tables) + " |" for i, c in files]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newsflow-scale"))
    parser.add_argument("--repeats", type=int, default=2, help="runs of each kind per size")
    parser.add_argument("--added", type=int, nargs="+", default=ADDED, help="documents the timed runs add")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--report", type=Path, default=REPO / "benchmarks" / "results" / "scale.md")
    parser.add_argument("--rebuild", action="store_true", help="build the outputs again even when built")
    parser.add_argument("--build-only", action="store_true", help="build, time nothing")
    parser.add_argument("--no-runs", action="store_true", help="skip the runs adding 1 and 1,000 documents")
    parser.add_argument("--small-runs", type=int, default=1000, help="publishes of the file-count test (0: none)")
    parser.add_argument("--full-runs", type=int, default=0, help="real runs instead of publishes for the file counts")
    parser.add_argument("--batch-documents", type=int, default=50_000, help="documents per Delta append")
    args = parser.parse_args()

    log(f"machine: {machine()}")
    seed = Seed.load(make_seed(args.corpus, args.workdir / "seed"))
    log(f"seed: {seed.size} documents")
    builds, runs = {}, {}
    for n in sorted(args.sizes):
        folder = args.workdir / str(n)
        if args.rebuild or not (folder / "output" / "_newsflow" / "manifest.json").exists():
            shutil.rmtree(folder, ignore_errors=True)
            built = build(seed, n, folder / "input", folder / "output", args.batch_documents, log)
            builds[n] = {**built.__dict__, "seconds": built.seconds}
            log(f"built N={n:,} in {built.seconds:.0f} s, {built.bytes / GiB:.2f} GiB, rows {built.rows}")
        else:
            out = str(folder / "output")
            rows = {t: read_published(out, t, columns=[TABLES[t].names[0]]).num_rows for t in TABLES}
            builds[n] = {"rows": rows, "files": data_files(out), "seconds": None, "bytes": disk_bytes(folder)}
        if args.build_only or args.no_runs:
            continue
        for added in args.added:
            runs[(n, added)] = measure(seed, folder, added, args.repeats)
            Path(args.report).parent.mkdir(parents=True, exist_ok=True)
            Path(args.report).write_text(report(builds, runs, [], ""))
    files, kind = [], ""
    smallest = args.workdir / str(min(args.sizes))
    if not args.build_only and args.full_runs:
        files, kind = full_runs(seed, smallest, args.workdir / "full-runs", args.full_runs), "real runs"
    elif not args.build_only and args.small_runs:
        work = args.workdir / "small-runs"
        files, kind = small_runs(seed, smallest / "output", work, args.small_runs), "publishes of one document"
        shutil.rmtree(work, ignore_errors=True)
    text = report(builds, runs, files, kind)
    print(text)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
