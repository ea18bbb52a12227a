"""Real servers for the voting app tests: redis-server, gunicorn and a TCP proxy on loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import queue
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"

TITLE = "Tabs or Spaces?"
OPTIONS = ("Tabs", "Spaces")
#: The Redis password every test server requires, as production's always does.
PASSWORD = "test-password-7c1f"
#: The operator credential for resets in tests.
RESET_TOKEN = "reset-token-for-tests-0123456789abcdef"
#: The key the test servers sign vote tokens with (VOTE_TOKEN_KEY).
VOTE_TOKEN_KEY = "vote-token-key-for-tests-0123456789"


def signed_token(key: str = VOTE_TOKEN_KEY, lifetime: int = 600) -> str:
    """A vote token as the server issues it, made here from the documented format.

    24 bytes, base64url: expiry (4 bytes, Unix seconds, big-endian), 8 random bytes, and the
    first 12 bytes of HMAC-SHA256(key, the 12 bytes before).
    """
    payload = int(time.time() + lifetime).to_bytes(4, "big") + secrets.token_bytes(8)
    mac = hmac.new(key.encode(), payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(payload + mac).decode()


def issued_here(token: str, key: str = VOTE_TOKEN_KEY) -> bool:
    """Whether `token` has the documented format and a valid signature by `key`."""
    try:
        raw = base64.urlsafe_b64decode(token.encode())
    except ValueError:
        return False
    expected = hmac.new(key.encode(), raw[:12], hashlib.sha256).digest()[:12]
    return len(token) == 32 and len(raw) == 24 and hmac.compare_digest(raw[12:], expected)


def vote_form(option: str, token: str | None = None) -> dict[str, str]:
    """The fields the page's form posts for a vote, with a fresh token unless one is given."""
    return {"vote": option, "token": token or signed_token()}


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class TlsFiles:
    """A throwaway CA and a server certificate it signed, for 127.0.0.1 and localhost."""

    ca: Path
    cert: Path
    key: Path

    @classmethod
    def create(cls, folder: Path) -> TlsFiles:
        """Make the CA and the server certificate with the openssl command."""
        openssl = shutil.which("openssl")
        if openssl is None:
            pytest.fail("openssl is not installed (Debian package openssl)")
        ca, ca_key = folder / "ca.crt", folder / "ca.key"
        cert, key, csr = folder / "server.crt", folder / "server.key", folder / "server.csr"
        extensions = folder / "server.ext"
        extensions.write_text("subjectAltName = IP:127.0.0.1, DNS:localhost\n")
        for args in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=voting-test-ca", "-keyout", ca_key, "-out", ca],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
             "-keyout", key, "-out", csr],
            ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
             "-days", "2", "-extfile", extensions, "-out", cert],
        ):  # fmt: skip
            subprocess.run([openssl, *map(str, args)], check=True, capture_output=True)
        return cls(ca=ca, cert=cert, key=key)


class RedisServer:
    """A redis-server on loopback with its own data dir, AOF on and RDB snapshots off.

    Like production it requires a password (unless `password` is None), and with `tls` it
    serves TLS only.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        password: str | None = PASSWORD,
        tls: TlsFiles | None = None,
    ) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            pytest.fail("redis-server is not installed (Debian package redis-server)")
        self.executable = executable
        self.data_dir = data_dir
        self.port = port or free_port()
        self.password = password
        self.tls = tls
        self.process: subprocess.Popen[bytes] | None = None
        data_dir.mkdir(parents=True, exist_ok=True)

    def app_env(self) -> dict[str, str]:
        """The app's environment variables that point it at this server."""
        env = {"REDIS": "127.0.0.1", "REDIS_PORT": str(self.port)}
        if self.password is not None:
            env["REDIS_PWD"] = self.password
        if self.tls is not None:
            # The app verifies the server against the system CAs; this points them at ours.
            env.update(REDIS_TLS="true", SSL_CERT_FILE=str(self.tls.ca))
        return env

    def start(self) -> None:
        """Start the server (again, on the same port and data) and wait until it answers."""
        args = [
            self.executable,
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--save", "",
            "--daemonize", "no",
            "--logfile", "",
        ]  # fmt: skip
        if self.password is not None:
            args += ["--requirepass", self.password]
        if self.tls is None:
            args += ["--port", str(self.port)]
        else:
            args += [
                "--port", "0",
                "--tls-port", str(self.port),
                "--tls-cert-file", str(self.tls.cert),
                "--tls-key-file", str(self.tls.key),
                "--tls-ca-cert-file", str(self.tls.ca),
                "--tls-auth-clients", "no",
            ]  # fmt: skip
        with open(self.data_dir / "redis.log", "ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        # Loading a large append-only file on a busy machine takes a while.
        deadline = time.monotonic() + 30
        with self.client() as client:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        log_text = (self.data_dir / "redis.log").read_text(errors="replace")
                        pytest.fail(f"redis-server did not start:\n{log_text}")
                    time.sleep(0.05)

    def kill(self) -> None:
        """Kill the server abruptly, as a crash would."""
        if self.process is not None:
            _stop(self.process, signal.SIGKILL)

    def stop(self) -> None:
        """Stop the server cleanly (resuming it first if it is paused)."""
        if self.process is not None:
            self.resume()
            _stop(self.process)

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open, nothing is answered."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server run again (SIGCONT); it then serves what queued meanwhile."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        """Return a new client to this server (close it after use)."""
        tls: dict[str, object] = {}
        if self.tls is not None:
            tls = {"ssl": True, "ssl_ca_certs": str(self.tls.ca)}
        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            password=self.password,
            decode_responses=True,
            socket_timeout=5,
            **tls,
        )


def image_command() -> list[str]:
    """The CMD of frontend/Dockerfile, so the tests run exactly what the image runs."""
    found = re.search(r"^CMD (\[.*\])$", (FRONTEND / "Dockerfile").read_text(), re.M)
    assert found, "frontend/Dockerfile has no exec-form CMD"
    command: list[str] = json.loads(found.group(1))
    return command


class Gunicorn:
    """The app served by gunicorn with the image's command and config file, on loopback."""

    def __init__(self, log_path: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.env = {
            **os.environ,
            # As the Dockerfile sets them.
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "TITLE": TITLE,
            "VOTE1VALUE": OPTIONS[0],
            "VOTE2VALUE": OPTIONS[1],
            "VOTE_TOKEN_KEY": VOTE_TOKEN_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,vote.test",
            # Tests of counting send thousands of votes from one address; the rate limit's
            # own test sets one.
            "VOTE_RATE_LIMIT": "0",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The image's command, its `gunicorn` run with the interpreter of the tests."""
        program, *args = image_command()
        assert program == "gunicorn"
        return [sys.executable, "-m", "gunicorn", *args]

    def start(self) -> None:
        """Start gunicorn and wait until /healthz answers."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=FRONTEND, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn did not start:\n{self.log_path.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop gunicorn gracefully."""
        if self.process is not None:
            _stop(self.process)

    def log(self) -> str:
        """What gunicorn wrote so far."""
        return self.log_path.read_text(errors="replace")

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 5,
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request on a new connection and return status, headers and body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = dict(headers or {})
            if body is not None:
                all_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@dataclass
class RawResponse:
    """A response read off a raw socket: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes


def read_response(sock: socket.socket) -> RawResponse:
    """Read one HTTP/1.1 response with a Content-Length from a socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before a full response: {data!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines:
        name, value = line.split(":", 1)
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return RawResponse(int(status_line.split()[1]), headers, body[:length])


def raw_request(port: int, data: bytes, timeout: float = 10) -> RawResponse:
    """Send raw bytes on a new connection and read the one response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_response(sock)


def closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    """Tell whether the peer closes the socket within `timeout` seconds (data is discarded)."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        sock.settimeout(remaining)
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            return False
        except OSError:
            return True
    return False


class TcpProxy:
    """A loopback TCP proxy in front of a server, which can cut a connection before a reply.

    `cut_next_reply(marker)` arms it: the next client chunk that contains `marker` is passed
    to the server, and when the server's reply comes back the proxy closes both sides instead
    of passing the reply on, as a network failure after the command was applied would.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        self._marker: bytes | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def cut_next_reply(self, marker: bytes) -> None:
        """Arm the proxy for one cut (see the class docstring)."""
        with self._lock:
            self._marker = marker

    def close(self) -> None:
        """Stop accepting; open connections end when their peers close them."""
        self._closed = True
        self.listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        armed = False
        try:
            while True:
                readable, _, _ = select.select([client, server], [], [], 30)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        with self._lock:
                            if self._marker is not None and self._marker in data:
                                self._marker = None
                                armed = True
                        server.sendall(data)
                    elif armed:
                        self.cuts += 1
                        return
                    else:
                        client.sendall(data)
        except OSError:
            return
        finally:
            client.close()
            server.close()


class DelayProxy:
    """A loopback TCP proxy that delays every byte by `delay` seconds each way, in order."""

    def __init__(self, target_port: int, delay: float) -> None:
        self.target_port = target_port
        self.delay = delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._closed = False
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop accepting and close every connection."""
        self._closed = True
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self._thread.join(5)
        for sock in self._sockets:
            sock.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        pending: queue.Queue[tuple[float, bytes]] = queue.Queue()

        def send() -> None:
            while True:
                due, data = pending.get()
                time.sleep(max(0.0, due - time.monotonic()))
                try:
                    if not data:
                        target.shutdown(socket.SHUT_WR)
                        return
                    target.sendall(data)
                except OSError:
                    return

        threading.Thread(target=send, daemon=True).start()
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            pending.put((time.monotonic() + self.delay, data))
            if not data:
                return
