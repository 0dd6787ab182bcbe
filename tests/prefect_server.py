"""A real `prefect server start` and a real `newsflow serve`, as subprocesses, for the serve and
browser tests: a free port, a temporary PREFECT_HOME, bounded waits, and both processes stopped
by their PIDs whatever happens."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from .support import REPO

CRON = "0 0 1 1 *"  # once a year: no scheduled run fires during a test
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
# What the UI's "Run → Quick run" posts (prefect/server/ui-v2/assets/use-quick-run-*.js).
QUICK_RUN = {
    "state": {
        "type": "SCHEDULED",
        "message": "Run from the Prefect UI with defaults",
        "state_details": {"deferred": False, "untrackable_result": False, "pause_reschedule": False},
    }
}


def _retrying(request, attempts: int = 5):
    """The JSON of a request to the Prefect API, sent again (up to `attempts` times) while the server
    answers 503: its answer to "errors clients can retry on" (a busy SQLite database;
    `prefect.server.api.server.custom_internal_exception_handler`), which Prefect's own client
    retries too. Any other error status fails at once."""
    for attempt in range(attempts):
        response = request()
        if response.status_code != 503 or attempt == attempts - 1:
            return response.raise_for_status().json()
        time.sleep(1 + attempt)


@dataclass(frozen=True)
class Served:
    url: str  # the UI, e.g. http://127.0.0.1:PORT
    input: Path
    output: Path
    deployment: dict
    logs: Path
    serve_pid: int

    @property
    def api(self) -> str:
        return f"{self.url}/api"

    def get(self, path: str) -> dict:
        return _retrying(lambda: httpx.get(f"{self.api}{path}", timeout=30))

    def post(self, path: str, body: dict) -> dict | list:
        return _retrying(lambda: httpx.post(f"{self.api}{path}", json=body, timeout=30))

    def wait_for_run(self, flow_run_id: str, timeout: float = 600) -> dict:
        """The flow run once it reached a terminal state."""

        def finished() -> dict | None:
            run = self.get(f"/flow_runs/{flow_run_id}")
            return run if run["state_type"] in TERMINAL else None

        return wait_until(finished, timeout, f"flow run {flow_run_id} to finish", self.logs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(logs: Path, n: int = 4000) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-n:]}" for log in sorted(logs.glob("*.log")))


def wait_until[T](
    probe: Callable[[], T | None], timeout: float, what: str, logs: Path, process: subprocess.Popen | None = None
) -> T:
    """Poll `probe` until it returns something; fail with the logs on timeout or if `process` dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode} while waiting for {what}\n{tail(logs)}")
        try:
            if (result := probe()) is not None:
                return result
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tail(logs)}")


def stop(process: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM, then SIGKILL, the process group `process` leads (with its children: the server's
    uvicorn, the served flow runs)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=grace)


@contextmanager
def started(command: list[str], env: dict[str, str], log: Path, cwd: Path = REPO) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop(process)


@contextmanager
def dask_cluster(
    logs: Path, env: dict[str, str], worker_env: dict[str, str] | None = None, worker_cwd: Path = REPO
) -> Iterator[str]:
    """A real Dask cluster (`dask scheduler` and two `dask worker` processes of one thread each) on
    127.0.0.1, its workers with their own environment and working folder if given; its address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs.mkdir(exist_ok=True)
    dask = str(Path(sys.executable).parent / "dask")
    scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"]
    workers = [dask, "worker", address, "--nworkers", "2", "--nthreads", "1"]
    with (
        started(scheduler, env, logs / "scheduler.log"),
        started(workers, worker_env or env, logs / "workers.log", cwd=worker_cwd),
    ):
        wait_until(
            lambda: (logs / "workers.log").read_text().count("Registered to:") == 2 or None,
            120,
            "two Dask workers",
            logs,
        )
        yield address


def _deployment(api: str, name: str) -> dict | None:
    response = httpx.get(f"{api}/deployments/name/newsflow/{name}", timeout=10)
    return response.json() if response.status_code == 200 else None


@contextmanager
def prefect_server(base: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """`prefect server start` on a free port: its URL, the environment of processes that report
    to it, and the logs folder."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    logs = base / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "PREFECT_HOME": str(base / "prefect-home"),
        "PREFECT_API_URL": f"{url}/api",
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_API_URL": f"{url}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    prefect = str(Path(sys.executable).parent / "prefect")
    with started(
        [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env, logs / "server.log"
    ) as server:
        wait_until(
            lambda: httpx.get(f"{url}/api/health", timeout=5).json() or None,
            180,
            "the Prefect server's /api/health",
            logs,
            server,
        )
        yield url, env, logs


@contextmanager
def server_and_serve(base: Path, input: Path, name: str, *serve_flags: str) -> Iterator[Served]:
    """`prefect server start` on a free port, then `newsflow serve [serve_flags]` against it."""
    output = base / "output"
    with prefect_server(base) as (url, env, logs):
        serve_command = [
            sys.executable,
            "-m",
            "newsflow.flows.cli",
            "serve",
            "--input",
            str(input),
            "--output",
            str(output),
            "--cron",
            CRON,
            "--name",
            name,
            *serve_flags,
        ]
        with started(serve_command, env, logs / "serve.log") as serve:
            deployment = wait_until(
                lambda: _deployment(f"{url}/api", name), 180, f"the deployment newsflow/{name}", logs, serve
            )
            yield Served(url, input, output, deployment, logs, serve.pid)
