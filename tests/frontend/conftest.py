"""Fixtures for the voting app: a real redis-server, the Flask app and client, live gunicorn."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from tests.frontend.support import (
    FRONTEND,
    OPTIONS,
    PASSWORD,
    RESET_TOKEN,
    TITLE,
    VOTE_TOKEN_KEY,
    Gunicorn,
    RedisServer,
)

# The app is a plain package in frontend/, as the image and gunicorn see it.
sys.path.insert(0, str(FRONTEND))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the session, with a password as in production."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A client to the session server, which starts each test empty."""
    with redis_server.client() as client:
        client.flushall()
        yield client


@pytest.fixture
def make_app(redis_client: redis.Redis) -> Iterator[Any]:
    """Build apps wired to the session redis-server; their connection pools close after."""
    from app import create_app
    from app.store import close_redis

    apps = []
    port = redis_client.connection_pool.connection_kwargs["port"]

    def make(**overrides: Any) -> Any:
        config = {
            "TESTING": True,
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": port,
            "REDIS_PASSWORD": PASSWORD,
            "REDIS_TLS": False,
            "TITLE": TITLE,
            "VOTE1VALUE": OPTIONS[0],
            "VOTE2VALUE": OPTIONS[1],
            "RESET_ENABLED": True,
            "RESET_TOKEN": RESET_TOKEN,
            "VOTE_TOKEN_KEY": VOTE_TOKEN_KEY,
            "VOTE_RATE_LIMIT": 0,
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_redis(app)


@pytest.fixture
def app(make_app: Any) -> Any:
    """The app with the default test settings."""
    return make_app()


@pytest.fixture
def client(app: Any) -> Any:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gunicorn]:
    """gunicorn serving the app against the session redis-server."""
    log_dir = tmp_path_factory.mktemp("gunicorn")
    server = Gunicorn(
        log_dir / "gunicorn.log",
        {**redis_server.app_env(), "RESET_ENABLED": "true", "RESET_TOKEN": RESET_TOKEN},
    )
    server.start()
    yield server
    server.stop()
