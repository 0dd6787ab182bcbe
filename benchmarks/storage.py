"""The Delta storage against the code before it, on the BBC corpus: whole runs, interleaved.

For each of K rounds, in turn: the baseline checkout's `newsflow run` into a fresh local folder
(--baseline BIN, e.g. the worktree of the commit before issue 25), this checkout's into a fresh
local folder, and this checkout's into a fresh prefix of a local S3 server (moto_server, started
here on 127.0.0.1). Prints each run's wall time, then per variant the best, median and spread, the
ratios of the bests, and whether the last round's tables are equal row for row
(benchmarks/compare_outputs.py: baseline vs local, local vs S3, and the baseline's output after
`newsflow migrate` vs local). Then, K times interleaved, a run that adds one new file to a copy of
the last round's baseline and local outputs (the incremental case). One figure per line. The
corpus is copied to a temporary folder (removed at the end), never into the repo.

usage: python benchmarks/storage.py --baseline /tmp/base/.venv/bin/newsflow [--corpus DIR] [--repeat K]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NEWSFLOW = Path(sys.executable).with_name("newsflow")
CORPUS = REPO.parent / "shared" / "corpora" / "bbc"


def moto() -> tuple[subprocess.Popen, dict[str, str]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
    }
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket="bench")
    return proc, env


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return time.monotonic() - started


def compare(old: str, new: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "compare_outputs.py"), old, new],
        env=env,
        capture_output=True,
        text=True,
    )
    return "equal" if done.returncode == 0 else "DIFFERENT:\n" + done.stdout[-3000:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the baseline checkout's newsflow executable")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsflow-storage-bench-"))
    corpus = work / "input"
    shutil.copytree(args.corpus, corpus)
    server, s3 = moto()
    env = {**os.environ, **s3, "NEWSFLOW_ARTIFACTS": str(work / "artifacts")}
    times: dict[str, list[float]] = {"baseline": [], "local": [], "s3": []}
    sys.stdout.reconfigure(line_buffering=True)
    print(f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"corpus: {args.corpus} ({sum(1 for p in args.corpus.rglob('*') if p.is_file())} files)")
    try:
        for k in range(args.repeat):
            outputs = {
                "baseline": str(work / f"baseline-{k}"),
                "local": str(work / f"local-{k}"),
                "s3": f"s3://bench/r{k}",
            }
            for variant, output in outputs.items():
                binary = args.baseline if variant == "baseline" else NEWSFLOW
                seconds = timed([str(binary), "run", "--input", str(corpus), "--output", output], env)
                times[variant].append(seconds)
                print(f"round {k + 1} {variant}: {seconds:.1f} s")
        for variant, values in times.items():
            print(
                f"{variant}: best {min(values):.1f} s, median {statistics.median(values):.1f} s, "
                f"spread {max(values) - min(values):.1f} s over {len(values)} runs"
            )
        print(f"local / baseline (best): {min(times['local']) / min(times['baseline']):.3f}")
        print(f"s3 / local (best): {min(times['s3']) / min(times['local']):.3f}")
        last = args.repeat - 1
        print(f"tables baseline vs local: {compare(str(work / f'baseline-{last}'), str(work / f'local-{last}'), env)}")
        print(f"tables local vs s3: {compare(str(work / f'local-{last}'), f's3://bench/r{last}', env)}")
        added: dict[str, list[float]] = {"baseline": [], "local": []}
        article = next(p for p in sorted(corpus.rglob("*.txt")))
        for k in range(args.repeat):
            new = corpus / f"zz-new-{k}.txt"
            new.write_text(article.read_text(errors="replace").replace(" the ", " this ", 3))
            for variant in added:
                copy = work / f"{variant}-plus-one"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(work / f"{variant}-{last}", copy, symlinks=True)
                binary = args.baseline if variant == "baseline" else NEWSFLOW
                added[variant].append(timed([str(binary), "run", "--input", str(corpus), "--output", str(copy)], env))
                print(f"round {k + 1} {variant} + 1 file: {added[variant][-1]:.1f} s")
            new.unlink()
        for variant, values in added.items():
            print(f"{variant} + 1 file: best {min(values):.1f} s, median {statistics.median(values):.1f} s")
        migrated = work / f"baseline-{last}"
        seconds = timed([str(NEWSFLOW), "migrate", "--output", str(migrated)], env)
        print(f"migrate the baseline's output: {seconds:.1f} s")
        print(f"tables migrated baseline vs local: {compare(str(migrated), str(work / f'local-{last}'), env)}")
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
