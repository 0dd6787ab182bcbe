"""Crash safety, end to end: real processes killed with SIGKILL at chosen moments, and two real
runs on one output folder.

The kill points are deterministic: a `sitecustomize` put on the subprocess's PYTHONPATH adds an
audit hook (`sys.addaudithook`) that sends the process SIGKILL at the n-th file-system event
(rename, link, symlink, mkdir, rmtree, ...) touching a given path. The code under test is the
real code; the hook only watches the system calls it makes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from schemas.tables import TABLES, from_rows
from tasks import publish as store

from .conftest import REPO, SEED
from .test_publish import doc_row, stage_and_publish

HOOKS = r'''
"""newsflow test hooks, loaded in test subprocesses only (through PYTHONPATH)."""
import ipaddress
import os
import signal
import sys
import threading
import time

MUTATIONS = {"os.rename", "os.link", "os.symlink", "os.mkdir", "os.remove", "os.rmdir", "shutil.rmtree"}
KILL = os.environ.get("NFTEST_KILL", "").split("|")  # events ("*" = MUTATIONS) | path part | n | "after"?
PAUSE = os.environ.get("NFTEST_PAUSE", "").split("|")  # event | path part | gate folder
TRACE = os.environ.get("NFTEST_TRACE")  # a file: every mutation touching KILL's path part, one a line
NET_LOG = os.environ.get("NFTEST_NET_LOG")  # a file: every non-loopback connection attempt (blocked)
state = {"seen": 0, "armed_thread": None, "paused": False}


def _paths(args):
    return [os.fsdecode(a) for a in args if isinstance(a, (str, bytes, os.PathLike))]


def _matches(spec, event, args):
    events = MUTATIONS if spec[0] == "*" else {spec[0]}
    return event in events and any(spec[1] in p for p in _paths(args))


def _local(host):
    if isinstance(host, bytes):
        host = host.decode()
    if host in (None, "", "localhost", "ip6-localhost"):
        return True
    try:
        ip = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def _guard_network(event, args):
    if event in ("socket.connect", "socket.sendto") and isinstance(args[1], tuple):
        host = args[1][0]
    elif event == "socket.getaddrinfo":
        host = args[0]
    else:
        return
    if not _local(host):
        with open(NET_LOG, "a") as log:
            log.write(f"{os.getpid()} {event} {args[1:] if event != 'socket.getaddrinfo' else args[:2]}\n")
        raise PermissionError(f"newsflow test guard: no network beyond this machine ({host})")


def _kill(event, args):
    if state["armed_thread"] == threading.get_ident():
        os.kill(os.getpid(), signal.SIGKILL)
    if not _matches(KILL, event, args):
        return
    state["seen"] += 1
    if TRACE:
        with open(TRACE, "a") as trace:
            trace.write(f"{event} {' '.join(_paths(args))}\n")
    if state["seen"] == int(KILL[2] or 0):
        if KILL[3:] == ["after"]:
            state["armed_thread"] = threading.get_ident()  # die at this thread's next event
        else:
            os.kill(os.getpid(), signal.SIGKILL)


def _pause(event, args):
    if state["paused"] or not _matches(PAUSE, event, args):
        return
    state["paused"] = True
    open(os.path.join(PAUSE[2], "paused"), "w").close()
    deadline = time.monotonic() + 300
    while not os.path.exists(os.path.join(PAUSE[2], "release")) and time.monotonic() < deadline:
        time.sleep(0.05)


def hook(event, args):
    if NET_LOG:
        _guard_network(event, args)
    if KILL[0]:
        _kill(event, args)
    if PAUSE[0]:
        _pause(event, args)


sys.addaudithook(hook)
'''

PUBLISH = "import sys; from pathlib import Path; from tasks import publish; " \
          "publish.publish(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], set(sys.argv[4:]))"  # fmt: skip


@pytest.fixture(scope="session")
def hooks(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hooks")
    (folder / "sitecustomize.py").write_text(HOOKS)
    return folder


def hooked_env(hooks: Path, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NFTEST_")}
    env["PYTHONPATH"] = os.pathsep.join([str(hooks), str(REPO)])
    env.update(variables)
    return env


def run_hooked(argv: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a real process (in its own process group, so that nothing it starts outlives it)."""
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def newsflow_run(input: Path, output: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "flows.cli", "run", "--input", str(input), "--output", str(output),
            "--n-process", "1", *flags]  # fmt: skip


def published_state(out: Path) -> dict[str, list]:
    """What an analyst reads: every table through its link `out/<table>`, rows sorted."""
    state = {}
    for name in TABLES:
        if not (out / name).exists():
            state[name] = None  # no table yet (or a link to a version not yet published)
            continue
        rows = ds.dataset(str(out / name), format="parquet").to_table().to_pylist()
        state[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return state


def assert_no_leftovers(out: Path) -> None:
    layout = store.Layout(out)
    staging = layout.state / "staging"
    assert not staging.exists() or not any(staging.iterdir())
    versions = sorted(p.name for p in layout.versions.iterdir())
    current = Path(os.readlink(layout.current)).name
    assert current in versions and len(versions) <= store.KEEP_VERSIONS
    assert all(v <= current and not v.endswith(".tmp") for v in versions)
    assert not (layout.state / "current.tmp").is_symlink()


# -- publish() killed before each of its file-system steps -------------------------------------


def stage_next_run(out: Path, run_id: str) -> Path:
    """A run's staged tables: one new document, one replacing an older version's, one reject."""
    staging = store.Layout(out).staging(run_id)
    store.stage_table(staging, "documents", "c00000", from_rows("documents", [doc_row("d1", "new"), doc_row("d3")]))
    store.stage_table(staging, "rejects", "rejects", from_rows("rejects", [
        {"doc_id": "r_1", "source": "scan.pdf", "stage": "ingest", "reason": "not a text file"}]))  # fmt: skip
    return staging


@pytest.fixture(scope="module")
def publish_case(tmp_path_factory, hooks):
    """A published output (or none, `first`), a staged next run, its trace of file-system steps,
    and the tables as they read after a publish that was not killed."""
    cases = {}
    for first in (False, True):
        base = tmp_path_factory.mktemp("first" if first else "next") / "out"
        if not first:
            stage_and_publish(base, [doc_row("d1", "old", "0.0"), doc_row("d2")])
        run_id = "99990101T000000000000Z-next"
        stage_next_run(base, run_id)
        reference = base.with_name("reference")
        shutil.copytree(base, reference, symlinks=True)
        trace = base.with_name("trace.txt")
        done = run_hooked([sys.executable, "-c", PUBLISH, str(reference), str(store.Layout(reference).staging(run_id)),
                           run_id, "d1"], hooked_env(hooks, NFTEST_KILL=f"*|{reference}/||", NFTEST_TRACE=str(trace)),
                          timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        steps = trace.read_text().splitlines()
        swap = next(i for i, s in enumerate(steps, 1) if s.startswith("os.rename") and "current.tmp" in s)
        cases[first] = (base, run_id, steps, swap, published_state(base), published_state(reference))
    return cases


@pytest.mark.parametrize("first", [False, True], ids=["onto-published", "first-publish"])
def test_publish_killed_before_any_step_leaves_the_old_or_the_new_tables(publish_case, first, hooks, tmp_path):
    base, run_id, steps, swap, before, after = publish_case[first]
    assert before != after and len(steps) > 10
    for n in range(1, len(steps) + 1):
        out = tmp_path / f"kill-{n}"
        shutil.copytree(base, out, symlinks=True)
        killed = run_hooked([sys.executable, "-c", PUBLISH, str(out), str(store.Layout(out).staging(run_id)), run_id,
                             "d1"], hooked_env(hooks, NFTEST_KILL=f"*|{out}/|{n}|"), timeout=120)  # fmt: skip
        assert killed.returncode == -signal.SIGKILL, (n, killed.stderr[-2000:])
        expected = before if n <= swap else after
        assert published_state(out) == expected, f"killed before step {n}: {steps[n - 1]}"
        store.clean_leftovers(out)  # what the next run does first, under the lock
        assert published_state(out) == expected
        if expected is before:  # nothing of the killed run is left, not even a version it never published
            assert not list(store.Layout(out).state.rglob(f"*{run_id}*")), f"leftovers of a kill before step {n}"
        if expected is after:
            assert_no_leftovers(out)
            continue
        store.publish(out, stage_next_run(out, "99990101T000000000001Z-retry"), "99990101T000000000001Z-retry",
                      {"d1"})  # fmt: skip
        assert published_state(out) == after, f"retry after a kill before step {n}: {steps[n - 1]}"
        store.clean_leftovers(out)
        assert_no_leftovers(out)
        shutil.rmtree(out)
