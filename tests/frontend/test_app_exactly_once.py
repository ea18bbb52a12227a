"""Votes count exactly once, under the image's gunicorn, when Redis stalls or a reply is lost."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from app.store import VOTES_KEY

from tests.frontend.support import Gunicorn, RedisServer, TcpProxy, signed_token

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def post_vote(connection: http.client.HTTPConnection, option: str, token: str) -> int:
    """Post a vote as the page's form does, on a kept-alive connection; return the status."""
    connection.request("POST", "/", body=f"vote={option}&token={token}", headers=FORM)
    response = connection.getresponse()
    response.read()
    return response.status


def get_page(connection: http.client.HTTPConnection) -> int:
    """Load the page on a kept-alive connection; return the status."""
    connection.request("GET", "/")
    response = connection.getresponse()
    response.read()
    return response.status


def evalsha_calls(client: redis.Redis) -> int:
    """How many EVALSHA commands the server has run."""
    stats = client.info("commandstats").get("cmdstat_evalsha", {})
    return int(stats.get("calls", 0))


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, which it may pause."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def serve(env: dict[str, str], tmp_path: Path) -> Gunicorn:
    server = Gunicorn(tmp_path / "gunicorn.log", env)
    server.start()
    return server


def test_a_vote_answered_with_an_error_never_counts_later(
    own_redis: RedisServer, tmp_path: Path
) -> None:
    app = serve(own_redis.app_env(), tmp_path)
    # One kept-alive connection is one greenlet, which keeps its Redis connection: the vote
    # below reaches the paused server's socket instead of waiting to connect.
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
    token = signed_token()
    try:
        assert post_vote(connection, "Tabs", signed_token()) == 303
        with own_redis.client() as client:
            before = evalsha_calls(client)
            own_redis.pause()
            try:
                started = time.monotonic()
                assert post_vote(connection, "Tabs", token) == 503
                assert time.monotonic() - started < 3
            finally:
                own_redis.resume()
            # Redis serves what queued while it was paused (this client's commands come after).
            time.sleep(0.5)
            assert client.hgetall(VOTES_KEY) == {"Tabs": "1"}
            # The stalled vote did reach Redis and ran there: it was refused, not lost.
            assert evalsha_calls(client) > before

            # The user tries again (the error page's button sends the same token): it counts
            # now, and once only.
            connection.close()
            assert post_vote(connection, "Tabs", token) == 303
            assert post_vote(connection, "Tabs", token) == 303
            assert client.hgetall(VOTES_KEY) == {"Tabs": "2"}
    finally:
        connection.close()
        app.stop()


def test_a_vote_whose_reply_was_lost_counts_once(own_redis: RedisServer, tmp_path: Path) -> None:
    proxy = TcpProxy(own_redis.port)
    app = serve({**own_redis.app_env(), "REDIS_PORT": str(proxy.port)}, tmp_path)
    connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
    try:
        assert get_page(connection) == 200
        assert post_vote(connection, "Tabs", signed_token()) == 303
        # Redis applies the next vote; its reply never reaches the app.
        proxy.cut_next_reply(b"Spaces")
        assert post_vote(connection, "Spaces", signed_token()) == 303
        assert proxy.cuts == 1
        with own_redis.client() as client:
            assert client.hgetall(VOTES_KEY) == {"Tabs": "1", "Spaces": "1"}
    finally:
        connection.close()
        app.stop()
        proxy.close()


def test_the_same_vote_sent_twice_counts_once(
    live_server: Gunicorn, redis_client: redis.Redis
) -> None:
    token = signed_token()
    connection = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    try:
        assert post_vote(connection, "Tabs", token) == 303
        assert post_vote(connection, "Tabs", token) == 303
        assert post_vote(connection, "Spaces", token) == 303
    finally:
        connection.close()
    assert redis_client.hgetall(VOTES_KEY) == {"Tabs": "1"}
