"""Prefect's temporary API server, started by the command line before anything heavy is imported.

Without PREFECT_API_URL, Prefect 3 runs a flow against a temporary API server: a uvicorn
subprocess serving `prefect.server.api.server:create_app` (its `SubprocessASGIServer`). Started
the Prefect way, it costs the command ~7 s of importing Prefect's server modules in this process
before the subprocess is even launched, and then the subprocess's own ~7 s of imports and
database set-up. Here the same subprocess is launched first, with only the standard library, so
its start overlaps this process's imports, the model's load and the reading of the input.

The server is the one Prefect would start (same command, same environment switches); it is
stopped when the command exits, after Prefect has sent the run's last logs to it. It runs in a
session of its own, so that a Ctrl-C or a signal to the command's process group leaves it up
while the command reports its flow run's end (Crashed, Cancelled) to it; and it ends itself
within a second of the command's end however that came (a SIGKILL included).
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

log = logging.getLogger("newsflow.api")

# uvicorn, under a watch on its parent: when the command is gone, the server stops (SIGTERM: a
# graceful uvicorn shutdown).
_UVICORN = """\
import os, runpy, signal, sys, threading, time
parent = os.getppid()
def watch():
    while os.getppid() == parent:
        time.sleep(1)
    os.kill(os.getpid(), signal.SIGTERM)
threading.Thread(target=watch, daemon=True).start()
sys.argv = ["uvicorn", *sys.argv[1:]]
runpy.run_module("uvicorn", run_name="__main__")
"""

# uvicorn exits with 3 when its start failed: its port was taken in the meantime (Prefect then
# tries another port, as we do once), or the app could not start (e.g. its database).
PORT_TAKEN = 3


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryAPI:
    """A temporary Prefect API server in a subprocess: `start()` returns at once, `wait()` blocks
    until it answers /api/health and returns its API URL."""

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.started = 0.0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> TemporaryAPI:
        spec = importlib.util.find_spec("prefect")  # finds the package without importing it
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError("prefect is not installed; run `make setup`")
        app_dir = Path(spec.origin).parent.parent
        self.port = _free_port()
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _UVICORN,
                "--app-dir",
                str(app_dir),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env={
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
            },
            start_new_session=True,
        )
        atexit.register(self.stop)  # registered first, so it runs after Prefect's own exit handlers
        return self

    def wait(self, timeout: float) -> str:
        assert self.process is not None, "start() first"
        deadline = self.started + timeout
        retried = False
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code == PORT_TAKEN and not retried:  # or its start failed: one more try, as Prefect does
                retried = True
                self.start()
                continue
            if code is not None:
                raise RuntimeError(
                    f"Prefect's temporary API server exited with code {code} before it answered (its "
                    "error is printed above); fix that, or set PREFECT_API_URL to a running server"
                )
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return self.api_url
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"Prefect's temporary API server did not answer within {timeout:.0f} s; raise "
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or set PREFECT_API_URL to a running server"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        log.info("Stopping temporary server on http://127.0.0.1:%d", self.port)
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
