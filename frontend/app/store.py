"""Vote counts in Redis: one connection pool per app, atomic hash operations."""

from __future__ import annotations

import threading

import redis
from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.retry import Retry

#: All counts live in one hash, one field per option, so a vote is a single HINCRBY.
VOTES_KEY = "voting-app:votes"

_EXTENSION = "voting_redis"
_lock = threading.Lock()


class UnknownOption(ValueError):
    """The vote names none of the configured options."""


class Connections:
    """The app's Redis connection pool, and one client per thread holding a connection from it.

    A command on a pooled client checks a connection out and back in, which costs redis-py
    about as much CPU as the round trip itself. gunicorn's threads live as long as their
    worker, so each keeps one connection instead; a thread that ends gives its connection
    back to the pool when its client is collected.
    """

    def __init__(self, app: Flask) -> None:
        timeout = app.config["REDIS_TIMEOUT"]
        self.pool = redis.ConnectionPool(
            # Verifies the server certificate and host name (redis-py's defaults).
            connection_class=redis.SSLConnection if app.config["REDIS_TLS"] else redis.Connection,
            host=app.config["REDIS_HOST"],
            port=app.config["REDIS_PORT"],
            password=app.config["REDIS_PASSWORD"],
            # Short timeouts and a single immediate retry: a request fails fast with a 503
            # while Redis is away, and the retry silently replaces a socket that died with a
            # restarted server. Timeouts are not retried, so the wait stays bounded by
            # `timeout`; any failed read drops its socket, so no stale reply is read later.
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            decode_responses=True,
        )
        self._local = threading.local()

    def client(self) -> redis.Redis:
        """Return this thread's client, connecting it on first use (raises while Redis is away)."""
        client: redis.Redis | None = getattr(self._local, "client", None)
        if client is None:
            client = redis.Redis(connection_pool=self.pool, single_connection_client=True)
            self._local.client = client
        return client

    def close(self) -> None:
        """Close every connection of the pool, including those the threads hold."""
        self.pool.disconnect()


def connections() -> Connections:
    """Return the app's Redis connections, creating the pool (not yet a connection) once."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(_EXTENSION)
    if found is None:
        with _lock:
            found = app.extensions.get(_EXTENSION)
            if found is None:
                found = app.extensions[_EXTENSION] = Connections(app)
    return found


def get_redis() -> redis.Redis:
    """Return the Redis client of the current app and thread."""
    return connections().client()


def close_redis(app: Flask) -> None:
    """Close the app's Redis connections, if any were opened."""
    found = app.extensions.pop(_EXTENSION, None)
    if found is not None:
        found.close()


def options() -> tuple[str, str]:
    """Return the two configured vote options, in page order."""
    return current_app.config["VOTE1VALUE"], current_app.config["VOTE2VALUE"]


def get_counts() -> dict[str, int]:
    """Return the count of each option in one round trip; a missing field counts as zero."""
    names = options()
    values = get_redis().hmget(VOTES_KEY, names)
    return {name: int(value or 0) for name, value in zip(names, values, strict=True)}


def add_vote(option: str) -> int:
    """Count one vote for a configured option atomically and return its new count."""
    if option not in options():
        raise UnknownOption(f"unknown option {option!r}")
    return get_redis().hincrby(VOTES_KEY, option, 1)


def reset_votes() -> None:
    """Set both counts back to zero atomically, leaving other fields of the hash alone."""
    get_redis().hdel(VOTES_KEY, *options())


def is_ready() -> bool:
    """Tell whether Redis answers a PING within the timeout."""
    try:
        return bool(get_redis().ping())
    except redis.RedisError:
        return False
