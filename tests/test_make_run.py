"""`make run` serves the app with a password-protected Redis, and Ctrl-C stops everything."""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.conftest import project_settings
from tests.frontend.support import free_port
from toolchain.project import PROJECT_DIR


def _session_members(sid: int) -> list[int]:
    """PIDs of the live processes in session `sid` (zombies excluded)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            members.append(int(stat.parent.name))
    return members


def _request(port: int, method: str, path: str, body: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Run:
    """A `make run` in a session of its own, as a terminal runs it, with its output in a file."""

    def __init__(self, log: Path, **settings: str) -> None:
        """`settings`: VOTING_* variables on top of the project's cdktf.json."""
        self.port = free_port()
        self.log = log
        # make's own variables would tie this make to the one that may be running pytest.
        env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                ["make", "--no-print-directory", "run"],
                cwd=PROJECT_DIR,
                env={**env, **settings, "PORT": str(self.port)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while "Press Ctrl-C" not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"make run did not get ready:\n{self.output()}")
            time.sleep(0.1)

    def ctrl_c(self) -> int:
        """What a terminal does on Ctrl-C: SIGINT to every process of the foreground group."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=60)


@pytest.fixture
def run(tmp_path) -> Iterator[Run]:
    started = Run(tmp_path / "make-run.log")
    yield started
    for pid in _session_members(started.process.pid):
        os.kill(pid, signal.SIGKILL)
    started.process.wait(timeout=60)


def test_make_run_serves_votes_and_ctrl_c_stops_both_servers(run):
    run.wait_ready()
    output = run.output()
    redis_port = int(re.search(r"redis-server on 127\.0\.0\.1:(\d+)", output)[1])
    data_dir = Path(re.search(r"AOF in (\S+)\)", output)[1])
    # Two servers besides make and the script: redis-server and the gunicorn master.
    assert len(_session_members(run.process.pid)) >= 4

    assert _request(run.port, "GET", "/healthz") == (200, b"ok\n")
    assert _request(run.port, "GET", "/readyz")[0] == 200
    page = _request(run.port, "GET", "/")[1].decode()
    # The dev stack's title and options, as a fresh `make deploy` would show them.
    dev = project_settings()["dev"]
    assert f"<title>{html.escape(dev.app_title)}</title>" in page
    results = json.loads(_request(run.port, "GET", "/api/results")[1])
    assert results["title"] == dev.app_title
    assert list(results["options"]) == list(dev.vote_options)
    token = re.search(r'name="token" id="token" value="([^"]+)"', page)[1]
    chosen = dev.vote_options[-1]
    vote = urllib.parse.urlencode({"vote": chosen, "token": token})
    assert _request(run.port, "POST", "/", vote)[0] == 303
    status, body = _request(run.port, "GET", "/api/results")
    assert status == 200
    counts = json.loads(body)["options"]
    assert counts == {option: int(option == chosen) for option in dev.vote_options}
    # Reset is on locally, with the operator token make run printed.
    reset_token = re.search(r"Operator token for reset: (\S+)", output)[1]
    assert _request(run.port, "POST", "/", "vote=reset&reset_token=wrong" + "x" * 40)[0] == 403
    assert _request(run.port, "POST", "/", f"vote=reset&reset_token={reset_token}")[0] == 303
    assert json.loads(_request(run.port, "GET", "/api/results")[1])["options"][chosen] == 0
    # The app reaches Redis with a password; without one Redis refuses.
    with redis.Redis(host="127.0.0.1", port=redis_port) as client:
        with pytest.raises(redis.AuthenticationError):
            client.ping()
    assert (data_dir / "appendonlydir").is_dir()

    run.ctrl_c()
    assert _session_members(run.process.pid) == [], run.output()
    for port in (run.port, redis_port):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert not data_dir.exists()
    assert "Stopping gunicorn and redis-server" in run.output()


@pytest.mark.parametrize("attempt", range(5))
def test_ctrl_c_prints_one_line_and_no_traceback(tmp_path, attempt):
    """Ctrl-C used to reach the gevent workers too: SystemExit tracebacks in 4 runs of 5."""
    run = Run(tmp_path / "make-run.log")
    try:
        run.wait_ready()
        time.sleep(0.5)  # workers idle in their gevent loop, where the tracebacks came from
        run.ctrl_c()
        output = run.output()
        assert "Traceback" not in output, output
        # The readiness probe's access-log line may land just after "Press Ctrl-C".
        after = output.split("Press Ctrl-C to stop both servers.\n", 1)[1]
        lines = [line for line in after.splitlines() if line and '"GET /healthz ' not in line]
        assert lines == ["Stopping gunicorn and redis-server..."], output
    finally:
        for pid in _session_members(run.process.pid):
            os.kill(pid, signal.SIGKILL)


def test_a_port_that_is_not_a_number_is_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "run"],
        cwd=PROJECT_DIR,
        env={**env, "PORT": "abc"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "make:" not in line]
    assert lines == ["error: PORT='abc' is not a port number (1-65535); run with PORT=8081, say"]
