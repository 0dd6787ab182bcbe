"""Does a run always end? `newsflow run` over a corpus (default: the whole BBC corpus, 2,225
files, far more than the worker pool needs) many times in a row, each into a fresh output folder
and under a time limit; some runs have a worker process killed (SIGKILL or SIGTERM, in turn) at a
random moment. Reports, one figure per line: runs, hangs (runs that outlived the limit), failures
of clean runs, and for the killed runs the seconds from the kill to the run's end and whether its
exit and reason were right; after every run, whether any of its processes was left behind.

The corpus is read from ../shared and never copied into the repo.

usage: python benchmarks/stress.py [--corpus DIR] [--runs N] [--kills K] [--limit SECONDS] [--newsflow BIN]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "bbc"


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def workers_of(pid: int) -> list[psutil.Process]:
    try:
        return [p for p in psutil.Process(pid).children(recursive=True) if "spawn_main(" in str(p.cmdline())]
    except psutil.Error:
        return []


def one_run(newsflow: str, corpus: Path, limit: float, kill: signal.Signals | None, rng: random.Random) -> dict:
    out = Path(tempfile.mkdtemp(prefix="newsflow-stress-"))
    err = open(out.parent / f"{out.name}.err", "w+")
    command = [newsflow, "run", "--input", str(corpus), "--output", str(out / "output")]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    seen: set[int] = set()
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                seen.update(p.pid for p in psutil.Process(process.pid).children(recursive=True))
            except psutil.Error:
                return
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    killed_at = victim = None
    if kill is not None:
        at = started + rng.uniform(8, 50)  # between the start of reading and the end of the parse
        while process.poll() is None and time.monotonic() < at:
            time.sleep(0.1)
        candidates = workers_of(process.pid)
        if candidates and process.poll() is None:
            victim = rng.choice(candidates)
            victim.send_signal(kill)
            killed_at = time.monotonic()
    try:
        code = process.wait(timeout=max(1.0, limit - (time.monotonic() - started)))
        hung = False
    except subprocess.TimeoutExpired:
        hung = True
        os.killpg(process.pid, signal.SIGKILL)
        code = process.wait()
    ended = time.monotonic()
    done.set()
    deadline = time.monotonic() + 10
    while (left := [p for p in seen if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    err.seek(0)
    last = (err.read().strip().splitlines() or [""])[-1]
    err.close()
    shutil.rmtree(out, ignore_errors=True)
    os.unlink(err.name)
    return {
        "seconds": ended - started,
        "code": code,
        "hung": hung,
        "left": left,
        "kill": kill,
        "victim": victim.pid if victim else None,
        "to_fail": ended - killed_at if killed_at else None,
        "reason": last,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--runs", type=int, default=20, help="clean runs (default: 20)")
    ap.add_argument("--kills", type=int, default=4, help="runs with a worker killed, SIGKILL and SIGTERM in turn")
    ap.add_argument("--limit", type=float, default=600, help="seconds a run may take before it counts as hung")
    ap.add_argument("--newsflow", default=str(Path(sys.executable).parent / "newsflow"))
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if not args.corpus.is_dir() or not any(args.corpus.rglob("*.txt")):
        ap.error(f"no .txt articles under {args.corpus}: pass --corpus DIR")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"corpus: {args.corpus} ({sum(1 for p in args.corpus.rglob('*') if p.is_file())} files)")
    plan = [None] * args.runs
    kills = [signal.SIGKILL if i % 2 == 0 else signal.SIGTERM for i in range(args.kills)]
    for i, how in enumerate(kills):  # spread the killed runs among the clean ones
        plan.insert(round((i + 1) * len(plan) / (len(kills) + 1)), how)
    results = []
    for i, how in enumerate(plan, 1):
        r = one_run(args.newsflow, args.corpus, args.limit, how, rng)
        results.append(r)
        kind = "clean" if how is None else f"{how.name} to a worker"
        extra = f", failed {r['to_fail']:.1f} s after the kill: {r['reason'][:160]}" if r["to_fail"] else ""
        print(
            f"run {i:2d} ({kind}): exit {r['code']}, {r['seconds']:.1f} s{', HUNG' if r['hung'] else ''}"
            f"{f', left {r["left"]}' if r['left'] else ''}{extra}",
            flush=True,
        )
    clean = [r for r in results if r["kill"] is None]
    killed = [r for r in results if r["kill"] is not None and r["victim"]]
    print(f"runs: {len(results)}")
    print(f"hangs: {sum(r['hung'] for r in results)}")
    print(f"clean runs failed: {sum(r['code'] != 0 for r in clean)} of {len(clean)}")
    secs = [r["seconds"] for r in clean if r["code"] == 0]
    if secs:
        print(f"clean run seconds: best {min(secs):.1f}, median {statistics.median(secs):.1f}, worst {max(secs):.1f}")
    print(f"runs leaving processes behind: {sum(bool(r['left']) for r in results)}")
    if killed:
        right = [
            r for r in killed if r["code"] == 1 and "WorkerLost" in r["reason"] and str(r["victim"]) in r["reason"]
        ]
        print(f"killed runs: {len(killed)}; ended non-zero naming the worker: {len(right)}")
        print(
            f"seconds from kill to end: worst {max(r['to_fail'] for r in killed):.1f}, "
            f"median {statistics.median(r['to_fail'] for r in killed):.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
