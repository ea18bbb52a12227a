"""Vote counts in Redis: one lazily created client per app, atomic hash operations."""

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


def _create_client(app: Flask) -> redis.Redis:
    timeout = app.config["REDIS_TIMEOUT"]
    return redis.Redis(
        host=app.config["REDIS_HOST"],
        port=app.config["REDIS_PORT"],
        password=app.config["REDIS_PASSWORD"],
        ssl=app.config["REDIS_TLS"],
        # Short timeouts and a single immediate retry: a request fails fast with a 503 while
        # Redis is away, and the retry silently replaces a pooled socket that died with a
        # restarted server. Timeouts are not retried, so the wait stays bounded by `timeout`.
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
        decode_responses=True,
    )


def get_redis() -> redis.Redis:
    """Return the app's Redis client, creating it (and its connection pool) on first use."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    client = app.extensions.get(_EXTENSION)
    if client is None:
        with _lock:
            client = app.extensions.get(_EXTENSION)
            if client is None:
                client = app.extensions[_EXTENSION] = _create_client(app)
    return client


def close_redis(app: Flask) -> None:
    """Close the app's connection pool, if one was opened."""
    client = app.extensions.pop(_EXTENSION, None)
    if client is not None:
        client.close()


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
        raise ValueError(f"unknown option {option!r}")
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
