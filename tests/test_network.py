"""Nothing leaves the machine: a real `newsflow run` (with its own temporary Prefect API) under
an audit hook that records every connection attempt and blocks any beyond loopback."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from newsflow.tasks import storage

from .support import SEED, hooked_env, newsflow_run, run_hooked

PAGE = """<html><head><title>Port news</title><link rel="stylesheet" href="https://cdn.example.com/site.css">
<script src="https://tracker.example.net/t.js"></script></head><body><article><h1>Port expands</h1>
<img src="http://images.example.org/port.jpg"><p>The port of Rotterdam will expand its container
terminal, the port authority said on Tuesday.</p><p><a href="https://example.com/more">More</a></p>
</article></body></html>"""


def test_the_guard_blocks_and_records_a_connection_beyond_this_machine(hooks, tmp_path):  # noqa: F811
    log = tmp_path / "net.log"
    probe = "import socket; socket.socket().connect(('192.0.2.1', 80))"
    done = run_hooked([sys.executable, "-c", probe], hooked_env(hooks, NFTEST_NET_LOG=str(log)), timeout=60)
    assert done.returncode != 0 and "no network beyond this machine" in done.stderr
    assert log.read_text().startswith("blocked socket.connect '192.0.2.1'")


@pytest.mark.slow
def test_a_run_connects_to_nothing_but_its_local_prefect_api(hooks, tmp_path):  # noqa: F811
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "port.html").write_text(PAGE)
    (tmp_path / "secret.txt").write_text("Secret board minutes\n\nThe board met in private.\n")
    os.symlink(tmp_path / "secret.txt", folder / "minutes.txt")
    log, out = tmp_path / "net.log", tmp_path / "out"
    env = hooked_env(hooks, NFTEST_NET_LOG=str(log), PREFECT_HOME=str(tmp_path / "prefect-home"))
    env.pop("PREFECT_API_URL", None)  # its own temporary API server, started by the run
    done = run_hooked(newsflow_run(folder, out), env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    attempts = log.read_text().splitlines()
    assert not [a for a in attempts if a.startswith("blocked")], attempts
    assert any(a.startswith("allowed socket.connect '127.0.0.1'") for a in attempts)  # the guard saw the API calls
    docs = storage.read_published(out, "documents").to_pylist()
    assert sorted(d["source"] for d in docs) == sorted([SEED.name, "port.html"])
    assert not any("board" in d["text"] for d in docs)
    reject = storage.read_published(out, "rejects").to_pylist()
    assert [(r["source"], r["stage"]) for r in reject] == [("minutes.txt", "discover")]
    assert "outside the input folder" in reject[0]["reason"] and "not followed" in reject[0]["reason"]
