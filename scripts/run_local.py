"""`make run`: the app as its image runs it, with a local Redis, on 127.0.0.1 until Ctrl-C.

redis-server gets a random password (from a config file, so it is not on a command line) and
keeps its append-only file in a temporary folder; gunicorn runs the image's command with the
image's config from frontend/. Ctrl-C (or SIGTERM) stops gunicorn, then Redis, and removes the
folder. If either server exits by itself, the other is stopped too.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
FRONTEND = PROJECT / "frontend"
HOST = "127.0.0.1"
# The command of frontend/Dockerfile, run with this venv's gunicorn.
GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:create_app()"]


class RunError(Exception):
    """A server could not start; the message says which and why."""


def _dev_page() -> dict[str, str]:
    """The dev stack's title and options (cdktf.json and VOTING_* included), as deployed."""
    sys.path.insert(0, str(PROJECT))
    from infra.settings import SettingsError, load_all, read_context
    from toolchain.project import CDKTF_JSON

    try:
        dev = load_all(read_context(CDKTF_JSON))["dev"]
    except SettingsError as error:
        raise RunError(str(error)) from None
    return {
        "TITLE": dev.app_title,
        **{f"VOTE{n}VALUE": option for n, option in enumerate(dev.vote_options, 1)},
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_until(check, process: subprocess.Popen, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + 20
    while not check():
        if process.poll() is not None or time.monotonic() > deadline:
            detail = log.read_text(errors="replace") if log else ""
            raise RunError(f"{what} did not start{': ' + detail if detail else ''}")
        time.sleep(0.1)


def _listening(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


class Output:
    """Copies a server's output to ours until the stop starts, then keeps it unless it failed.

    A clean stop should print one line, not each worker's goodbye; a server that fails while
    stopping still shows what it said.
    """

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.stopping = False
        self.held: list[str] = []
        self.thread = threading.Thread(target=self._copy, daemon=True)
        self.thread.start()

    def _copy(self) -> None:
        for line in self.process.stdout:
            if self.stopping:
                self.held.append(line)
            else:
                sys.stdout.write(line)
                sys.stdout.flush()

    def finish(self) -> None:
        self.thread.join(timeout=5)
        if self.process.returncode:
            sys.stdout.writelines(self.held)


def _port(text: str) -> int:
    """PORT as a number, or a RunError saying what to write instead."""
    if text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    raise RunError(f"PORT={text!r} is not a port number (1-65535); run with PORT=8081, say")


def _stop(process: subprocess.Popen) -> None:
    """Stop a server gracefully, then for good if it takes longer than gunicorn's grace."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=25)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    """Start Redis and the app, wait for Ctrl-C or for either to exit, then stop both."""
    try:
        web_port = _port(os.environ.get("PORT") or "8080")
        page = _dev_page()
    except RunError as error:
        print(f"error: {error}")
        return 2
    if _listening(web_port):
        print(f"error: port {web_port} on {HOST} is taken; run with PORT=<another port>")
        return 2
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        print("error: redis-server is not installed (Debian package redis-server)")
        return 2

    data = Path(tempfile.mkdtemp(prefix="voting-app-run-"))
    password = secrets.token_urlsafe(24)
    reset_token = os.environ.get("RESET_TOKEN") or secrets.token_hex(24)
    redis_port = _free_port()
    config = data / "redis.conf"
    config.touch(mode=0o600)
    config.write_text(
        f"bind {HOST}\nport {redis_port}\nrequirepass {password}\ndir {data}\n"
        'appendonly yes\nsave ""\nlogfile ""\n',
        encoding="utf-8",
    )
    env = {
        **page,
        **os.environ,
        "HOST": HOST,
        "PORT": str(web_port),
        "REDIS": HOST,
        "REDIS_PORT": str(redis_port),
        "REDIS_PWD": password,
        # Locally the operator is the user: reset is on, with a token printed below.
        "RESET_ENABLED": "true",
        "RESET_TOKEN": reset_token,
    }
    servers: list[subprocess.Popen] = []
    output: Output | None = None
    try:
        print(f"Starting redis-server on {HOST}:{redis_port} (password set, AOF in {data})")
        with open(data / "redis.log", "wb") as log:
            # Each server in a process group of its own: Ctrl-C reaches this script alone, which
            # stops them in order (gevent workers hit by SIGINT print SystemExit tracebacks).
            redis = subprocess.Popen(
                [redis_server, str(config)], stdout=log, stderr=log, process_group=0
            )
        servers.append(redis)
        _wait_until(lambda: _listening(redis_port), redis, "redis-server", data / "redis.log")

        print(f"Starting the app: gunicorn on http://{HOST}:{web_port}/ (the image's command)")
        web = subprocess.Popen(
            GUNICORN,
            cwd=FRONTEND,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            process_group=0,
        )
        servers.append(web)
        output = Output(web)
        _wait_until(lambda: _healthy(web_port), web, "gunicorn")
        print(f"Ready: open http://{HOST}:{web_port}/ (curl examples: frontend/README.md).")
        print(f"Operator token for reset: {reset_token}")
        print("Press Ctrl-C to stop both servers.", flush=True)

        while all(server.poll() is None for server in servers):
            time.sleep(0.2)
        gone = "gunicorn" if web.poll() is not None else "redis-server"
        print(f"{gone} exited; stopping the other server.")
        return 1
    except KeyboardInterrupt:
        print("\nStopping gunicorn and redis-server...")
        return 0
    except RunError as error:
        print(f"error: {error}")
        return 1
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave a server behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if output:
            output.stopping = True
        for server in reversed(servers):
            _stop(server)
        if output:
            output.finish()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    # Ctrl-C stops the servers even when started from a shell that ignores SIGINT in background
    # jobs, and SIGTERM (a service manager, `kill`) stops them the same way.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main())
