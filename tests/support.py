"""Plain helpers the tests share (fixtures live in conftest.py): hooks for real subprocesses,
articles made from the seed, published tables read back, process checks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import psutil

from newsflow.schemas.tables import PIPELINE_VERSION, TABLES, from_rows
from newsflow.tasks import storage
from newsflow.tasks.config import Settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by `make browser`
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEED = REPO / "seeds" / "000_1eea282a58a9ee57.txt"


def chromium(playwright, profile: Path, width: int):
    """Debian's Chromium, headless, in a profile of its own, as every browser test opens it."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport={"width": width, "height": 1000},
    )
    context.set_default_timeout(60_000)
    return context


MODEL = os.environ.get("NEWSFLOW_MODEL", Settings.model)

HOOKS = r'''
"""newsflow test hooks, loaded in test subprocesses only (through PYTHONPATH)."""
import ipaddress
import os
import signal
import sys
import threading
import time

MUTATIONS = {
    "os.rename", "os.link", "os.symlink", "os.mkdir", "os.remove", "os.rmdir", "shutil.rmtree", "newsflow.storage"
}
KILL = os.environ.get("NFTEST_KILL", "").split("|")  # events ("*" = MUTATIONS) | path part | n | "after"?
PAUSE = os.environ.get("NFTEST_PAUSE", "").split("|")  # event | path part | gate folder
MARK = os.environ.get("NFTEST_MARK", "").split("|")  # event | path part | file (touched at each match)
TRACE = os.environ.get("NFTEST_TRACE")  # a file: every mutation touching KILL's path part, one a line
NET_LOG = os.environ.get("NFTEST_NET_LOG")  # a file: every connection attempt; non-loopback ones blocked
state = {"seen": 0, "armed_thread": None, "paused": False}


def _paths(args):
    return [os.fsdecode(a) for a in args if isinstance(a, (str, bytes, os.PathLike))]


def _matches(spec, event, args):
    events = MUTATIONS if spec[0] == "*" else {spec[0]}
    return event in events and (not spec[1] or any(spec[1] in p for p in _paths(args)))


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
    verdict = "allowed" if _local(host) else "blocked"
    with open(NET_LOG, "a") as log:
        log.write(f"{verdict} {event} {host!r} (pid {os.getpid()})\n")
    if verdict == "blocked":
        raise PermissionError(f"newsflow test guard: no network beyond this machine ({host})")


def _die():
    state["armed_thread"] = None  # os.kill is itself an audited event
    os.kill(os.getpid(), signal.SIGKILL)


def _kill(event, args):
    if state["armed_thread"] == threading.get_ident():
        _die()
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
            _die()


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
    if MARK[0] and _matches(MARK, event, args):
        open(MARK[2], "a").close()


sys.addaudithook(hook)
'''


def hooked_env(hooks: Path, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NFTEST_")}
    env["PYTHONPATH"] = os.pathsep.join([str(hooks), str(REPO)])
    env.update(variables)
    return env


def run_hooked(argv: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a real process (in its own process group, so that nothing it starts outlives it)."""
    proc = subprocess.Popen(
        argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def run_command(input: Path, output: Path, *flags: str) -> list[str]:
    """`newsflow run` as a user types it, from this interpreter."""
    return [sys.executable, "-m", "newsflow.flows.cli", "run", "--input", str(input), "--output", str(output), *flags]


def newsflow_run(input: Path, output: Path, *flags: str) -> list[str]:
    return run_command(input, output, "--n-process", "1", *flags)


def doc_row(doc_id: str, text: str = "Some text.", version: str = PIPELINE_VERSION) -> dict:
    return {
        "doc_id": doc_id,
        "source": f"{doc_id}.txt",
        "title": None,
        "text": text,
        "n_words": 2,
        "authors": [],
        "pipeline_version": version,
    }


def stage_and_swap(root: Path, rows: list[dict], replaced=frozenset()) -> None:
    run_id = storage.new_run_id()
    staging = storage.staging_url(root, run_id)
    storage.stage_table(staging, "documents", "c00000", from_rows("documents", rows))
    storage.publish(
        root, staging, run_id, {name: set(replaced) for name in ("documents", "mentions", "entities", "quotes")}
    )


def legacy_output(root: Path, run_id: str, tables: dict[str, list[list[dict]]]) -> None:
    """An output as newsflow wrote it before Delta tables (issue 25): immutable version folders of
    Parquet parts, `.newsflow/current` linking the published one, `DIR/<table>` linking into it."""
    import pyarrow.parquet as pq

    version = root / ".newsflow" / "versions" / run_id
    for name, parts in tables.items():
        (version / name).mkdir(parents=True)
        for i, rows in enumerate(parts):
            pq.write_table(from_rows(name, rows), version / name / f"part-{run_id}-c{i:05d}.parquet")
        os.symlink(Path(".newsflow") / "current" / name, root / name)
    os.symlink(Path("versions") / run_id, root / ".newsflow" / "current")


def unpublish(root, *names: str) -> None:
    """The output as a newsflow before table `names` existed published it: its manifest names
    them not (their Delta tables, if any, are what a killed run left: the next run restores them)."""
    manifest = storage.read_manifest(root)
    for name in names:
        manifest["tables"].pop(name, None)
    url, data = storage.url_of(root), json.dumps(manifest).encode()
    storage.location.put(url, f"{storage.tables.HISTORY}{manifest['run_id']}.json", data)
    storage.location.put(url, storage.tables.MANIFEST, data)


def running(pid: int) -> bool:
    """Whether a process is alive (a zombie, dead but not yet reaped, is not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def assert_ended(pids: Iterable[int], within: float, what: str = "processes") -> None:
    """Every one of `pids` ends within `within` seconds, or the test fails naming those left."""
    deadline = time.monotonic() + within
    while alive := [p for p in pids if running(p)]:
        assert time.monotonic() < deadline, f"{what} left behind: {alive}"
        time.sleep(0.1)


# When the runs ran and when their input files were written (their stat): what two runs over the same
# content need not share; and the run that published a document (report_documents.run_id).
RUN_TIMES = ("first_seen", "last_seen", "modified", "file_id", "run_id")


def table_contents(output: Path) -> dict[str, list[tuple]]:
    """Every published row of every table, in a canonical order (part files and chunking aside)."""

    def key(row: tuple) -> tuple:
        return tuple((value is None, value) for value in row)

    def rows(name: str) -> list[tuple]:
        columns = [c for c in TABLES[name].names if c not in RUN_TIMES]
        return [tuple(row.values()) for row in storage.read_published(output, name, columns).to_pylist()]

    return {name: sorted(rows(name), key=key) for name in TABLES}


def write_articles(folder: Path, n: int) -> Path:
    """`n` distinct articles made of the seed's paragraphs (its photo caption aside) in rotated order."""
    title, _caption, *paragraphs = [p.strip() for p in SEED.read_text().split("\n\n") if p.strip()]
    folder.mkdir(parents=True)
    for i in range(n):
        body = paragraphs[i % len(paragraphs) :] + paragraphs[: i % len(paragraphs)]
        (folder / f"article-{i}.txt").write_text(f"{title} ({i})\n\n" + "\n\n".join(body) + "\n")
    return folder


def one(rows: list[dict], contains: str) -> dict:
    """The one quote row whose text contains `contains`."""
    found = [r for r in rows if contains in r["text"]]
    assert len(found) == 1, (contains, [(r["text"], r["speaker_name"]) for r in rows])
    return found[0]


def by_name(entities: list[dict]) -> dict[str, dict]:
    return {e["name"]: e for e in entities}


def people_of(rows_of, text: str) -> set[str]:
    """The names of the PERSON entities `rows_of` finds in `text`."""
    return {e["name"] for e in rows_of(text)[1] if e["label"] == "PERSON"}
