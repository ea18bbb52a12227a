"""The app served by a real gunicorn: concurrent votes, a Redis outage, startup checks."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

from tests.frontend.support import (
    FRONTEND,
    OPTIONS,
    Gunicorn,
    RedisServer,
    TlsFiles,
    free_port,
    vote_form,
)

THREADS = 8
VOTES_PER_THREAD = 250

_lock = threading.Lock()


def cast_votes(port: int, votes: int, offset: int, acknowledged: dict[str, int]) -> None:
    """Post votes on one keep-alive connection, counting those answered with 303."""
    mine = dict.fromkeys(OPTIONS, 0)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    try:
        for i in range(votes):
            option = OPTIONS[(i + offset) % 2]
            body = urlencode(vote_form(option))
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 303:
                mine[option] += 1
    finally:
        connection.close()
        with _lock:
            for option, count in mine.items():
                acknowledged[option] += count


def results(server: Gunicorn) -> tuple[int, dict[str, int]]:
    """Return the status and the counts of /api/results."""
    status, _, body = server.request("GET", "/api/results")
    return status, json.loads(body).get("options", {})


def test_concurrent_votes_are_all_counted(live_server: Gunicorn, redis_client: redis.Redis) -> None:
    acknowledged = dict.fromkeys(OPTIONS, 0)
    threads = [
        threading.Thread(
            target=cast_votes, args=(live_server.port, VOTES_PER_THREAD, n, acknowledged)
        )
        for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(acknowledged.values()) == THREADS * VOTES_PER_THREAD
    assert results(live_server) == (200, acknowledged)


@pytest.fixture
def outage_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of its own, which the outage test kills and restarts."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def outage_app(outage_redis: RedisServer, tmp_path: Path) -> Iterator[Gunicorn]:
    """gunicorn serving the app against the outage test's own redis-server."""
    server = Gunicorn(tmp_path / "gunicorn.log", outage_redis.app_env())
    server.start()
    yield server
    server.stop()


def timed(server: Gunicorn, method: str, path: str, body: str | None = None) -> tuple[int, float]:
    """Return the status of one request and how long it took."""
    started = time.monotonic()
    status = server.request(method, path, body)[0]
    return status, time.monotonic() - started


def _written_to_the_aof(server: RedisServer) -> None:
    """Wait until redis-server has handed every acknowledged write to the OS (write(2) done).

    With `appendfsync everysec` Redis answers before it writes the append-only file when a
    background fsync is slow (disk load), for up to 2 s. What it has written survives a crash
    of the process (the kernel holds it); only a crash of the machine loses the last second.
    """
    deadline = time.monotonic() + 10
    with server.client() as client:
        while True:
            info = client.info("persistence")
            if info["aof_buffer_length"] == 0 and info["aof_rewrite_in_progress"] == 0:
                return
            assert time.monotonic() < deadline, info
            time.sleep(0.05)


@pytest.mark.parametrize("outage", ["clean-stop", "crash"])
def test_redis_outage_and_recovery(
    outage_redis: RedisServer, outage_app: Gunicorn, outage: str
) -> None:
    """The documented promise (docs/operations.md, "What a Redis outage loses"): a clean stop
    (SIGTERM, as ECS stops a task) keeps every acknowledged vote; a crash of the process
    (SIGKILL) keeps every vote Redis has written to its append-only file."""
    acknowledged = dict.fromkeys(OPTIONS, 0)
    cast_votes(outage_app.port, 41, 0, acknowledged)
    assert acknowledged == {"Tabs": 21, "Spaces": 20}

    if outage == "crash":
        _written_to_the_aof(outage_redis)
        outage_redis.kill()
    else:
        outage_redis.stop()
    for path in ("/", "/api/results"):
        for _ in range(3):
            status, elapsed = timed(outage_app, "GET", path)
            assert status == 503
            assert elapsed < 1.5
    status, headers, body = outage_app.request("GET", "/")
    assert headers["Content-Type"].startswith("text/html")
    assert b"The vote store is unavailable right now" in body
    assert outage_app.request("GET", "/api/results")[2].startswith(b'{"error":')
    assert timed(outage_app, "POST", "/", urlencode(vote_form("Tabs")))[0] == 503
    assert outage_app.request("GET", "/healthz")[0] == 200
    assert outage_app.request("GET", "/readyz")[0] == 503

    # Same port and data dir: the AOF brings back every acknowledged vote.
    outage_redis.start()
    deadline = time.monotonic() + 10
    while outage_app.request("GET", "/readyz")[0] != 200:
        assert time.monotonic() < deadline, "the app did not reconnect to Redis"
        time.sleep(0.1)
    # Every pooled connection of every worker died with the old server; none may surface.
    for _ in range(20):
        assert results(outage_app) == (200, acknowledged)
    assert outage_app.request("POST", "/", urlencode(vote_form("Spaces")))[0] == 303
    assert results(outage_app)[1] == {"Tabs": 21, "Spaces": 21}


def test_invalid_config_stops_startup_naming_the_variable(tmp_path: Path) -> None:
    server = Gunicorn(tmp_path / "gunicorn.log", {"VOTE1VALUE": "Tabs", "VOTE2VALUE": "Tabs"})
    result = subprocess.run(
        server.command(), cwd=FRONTEND, env=server.env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    assert "VOTE1VALUE and VOTE2VALUE must differ" in result.stderr + result.stdout


def test_invalid_gunicorn_setting_is_named(tmp_path: Path) -> None:
    server = Gunicorn(tmp_path / "gunicorn.log", {"GUNICORN_WORKER_CONNECTIONS": "many"})
    result = subprocess.run(
        server.command(), cwd=FRONTEND, env=server.env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    assert "GUNICORN_WORKER_CONNECTIONS must be a positive integer" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("up", "args", "status"),
    [(True, [], 0), (False, [], 1), (True, ["/readyz"], 0), (True, ["/missing"], 1)],
)
def test_container_healthcheck(
    live_server: Gunicorn, up: bool, args: list[str], status: int
) -> None:
    port = live_server.port if up else free_port()
    result = subprocess.run(
        [sys.executable, str(FRONTEND / "healthcheck.py"), *args],
        env={"PORT": str(port)},
        capture_output=True,
        timeout=10,
    )
    assert result.returncode == status


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"REDIS_PWD": "not-the-password"}, "auth"),
        ({"REDIS_PWD": ""}, "auth"),
        ({"REDIS_PORT": "1"}, "unreachable"),
    ],
)
def test_readiness_tells_a_wrong_password_from_an_outage(
    redis_server: RedisServer, tmp_path: Path, env: dict[str, str], reason: str
) -> None:
    server = Gunicorn(tmp_path / "gunicorn.log", {**redis_server.app_env(), **env})
    server.start()
    try:
        status, _, body = server.request("GET", "/readyz")
        assert (status, json.loads(body)["reason"]) == (503, reason)
        assert server.request("GET", "/")[0] == 503
        # Liveness stays up: restarting the process would not fix either.
        assert server.request("GET", "/healthz")[0] == 200
    finally:
        server.stop()
    if reason == "auth":
        assert "REDIS_PWD" in server.log()


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server that speaks TLS only, with a password, as ElastiCache does."""
    folder = tmp_path_factory.mktemp("tls")
    server = RedisServer(folder / "data", tls=TlsFiles.create(folder))
    server.start()
    yield server
    server.stop()


def test_votes_over_tls_with_a_password(tls_redis: RedisServer, tmp_path: Path) -> None:
    server = Gunicorn(tmp_path / "gunicorn.log", tls_redis.app_env())
    server.start()
    try:
        assert server.request("GET", "/readyz")[0] == 200
        acknowledged = dict.fromkeys(OPTIONS, 0)
        cast_votes(server.port, 5, 0, acknowledged)
        assert acknowledged == {"Tabs": 3, "Spaces": 2}
        assert results(server) == (200, acknowledged)
    finally:
        server.stop()
        with tls_redis.client() as client:
            client.flushall()


def test_a_server_certificate_from_an_unknown_ca_is_refused(
    tls_redis: RedisServer, tmp_path: Path
) -> None:
    env = {**tls_redis.app_env(), "SSL_CERT_FILE": "/nonexistent/ca.crt"}
    server = Gunicorn(tmp_path / "gunicorn.log", env)
    server.start()
    try:
        status, _, body = server.request("GET", "/readyz")
        assert (status, json.loads(body)["reason"]) == (503, "tls")
        assert server.request("POST", "/", urlencode(vote_form("Tabs")))[0] == 503
    finally:
        server.stop()
    with tls_redis.client() as client:
        assert client.dbsize() == 0


def test_connections_that_end_give_their_redis_connection_back(
    live_server: Gunicorn, redis_client: redis.Redis
) -> None:
    # Each HTTP connection is a greenlet with a Redis connection of its own while it lives.
    for _ in range(200):
        assert live_server.request("GET", "/")[0] == 200
    app_clients = [c for c in redis_client.client_list() if c["cmd"] not in ("client|list",)]
    assert len(app_clients) < 20
