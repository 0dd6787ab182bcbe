"""Prefect's temporary API server as the command line starts it (flows/api.py): a real server."""

import urllib.request

import pytest

from newsflow.flows.api import TemporaryAPI

pytestmark = pytest.mark.slow  # each test starts a real Prefect server


def test_the_temporary_api_answers_and_stops():
    api = TemporaryAPI().start()
    try:
        url = api.wait(timeout=120)
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            assert response.status == 200
        process = api.process
    finally:
        api.stop()
    assert process.poll() is not None and api.process is None


def test_a_server_that_cannot_start_is_reported_with_what_to_do(monkeypatch):
    """Its database cannot be reached: uvicorn exits with 3, as for a port taken; after one more
    try the error says what to do."""
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    api = TemporaryAPI().start()
    try:
        with pytest.raises(RuntimeError, match="exited with code 3 .*set PREFECT_API_URL"):
            api.wait(timeout=120)
    finally:
        api.stop()


KILLED = """
from newsflow.flows.api import TemporaryAPI
api = TemporaryAPI().start()
api.wait(timeout=120)
print(api.process.pid, flush=True)
import time; time.sleep(600)
"""


def test_the_server_ends_when_the_command_is_killed():
    """A command killed with SIGKILL runs no exit handler: its server sees it gone and stops."""
    import subprocess
    import sys

    from .support import REPO, assert_ended, running

    command = subprocess.Popen([sys.executable, "-c", KILLED], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        server = int(command.stdout.readline())
        assert running(server)
        command.kill()
        command.wait()
        assert_ended([server], 15, "the temporary API, outliving its command,")
    finally:
        command.kill()
        command.wait()
