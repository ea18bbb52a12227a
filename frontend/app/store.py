"""Vote counts in Redis: one connection per thread, each vote counted once by its token.

A vote carries a random token from the page. One Lua script, atomic in Redis, records the token
and increments the count only if the token is new, and does nothing once the vote's deadline
(in Redis's clock) has passed. So:

- sending a vote again after a lost reply is safe: the second run finds the token and counts
  nothing. The app re-sends a vote once by itself when it fails in transit;
- a vote the app gave up on (Redis stalled past the timeout, answered 503) cannot count when
  Redis resumes: it reaches the script after its deadline. The deadline is half the Redis
  timeout after sending, so the guarantee holds while the app's and Redis's clocks differ by
  less than that half (NTP keeps them within milliseconds; /readyz checks it).

Every command the app sends is safe to send twice, so one that failed in transit is sent once
more, explicitly (redis-py's own retries are off): reads and resets after a dropped connection,
votes also after a timeout. What no server can settle alone is Redis applying a vote whose reply
and whose re-send are both lost: the app answers 503, and the user's retry with the same token
(the error page and the page's script keep it) is then recognised and counts nothing.
"""

from __future__ import annotations

import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import redis
from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.retry import Retry

#: All counts live in one hash, one field per option.
VOTES_KEY = "voting-app:votes"
#: One key per counted vote, named by its token, so the same vote sent again is recognised.
TOKEN_KEY_PREFIX = "voting-app:vote:"
#: How long a counted vote's token is remembered; a retry of the same vote comes well within
#: it. At 1,000 votes a second, ten minutes of tokens take about 60 MB of Redis memory.
TOKEN_TTL_MS = 600_000
#: What the page makes (secrets.token_urlsafe(16)); nothing else is accepted.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")

# KEYS: the counts hash, the token's key. ARGV: the option, the deadline in microseconds of
# Redis's clock, the token's lifetime in ms, the two options whose counts to return.
VOTE_SCRIPT = """
local now = redis.call('TIME')
if tonumber(now[1]) * 1000000 + tonumber(now[2]) > tonumber(ARGV[2]) then
  return false
end
local counted = 0
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[3]) then
  redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
  counted = 1
end
local counts = redis.call('HMGET', KEYS[1], ARGV[4], ARGV[5])
return {counted, counts[1], counts[2]}
"""

_EXTENSION = "voting_redis"
_lock = threading.Lock()
T = TypeVar("T")


class UnknownOption(ValueError):
    """The vote names none of the configured options."""


class BadToken(ValueError):
    """The vote's token is not one the page could have made."""


class VoteExpired(redis.TimeoutError):
    """Redis ran the vote after its deadline, so it counted nothing."""


class Connections:
    """The app's Redis connection pool, and one client per thread holding a connection from it.

    A command on a pooled client checks a connection out and back in, which costs redis-py
    about as much CPU as the round trip itself. gunicorn's greenlets (and threads elsewhere)
    keep one connection each instead; one that ends gives its connection back to the pool
    when its client is collected.
    """

    def __init__(self, app: Flask) -> None:
        self.timeout: float = app.config["REDIS_TIMEOUT"]
        self.pool = redis.ConnectionPool(
            # Verifies the server certificate and host name (redis-py's defaults).
            connection_class=redis.SSLConnection if app.config["REDIS_TLS"] else redis.Connection,
            host=app.config["REDIS_HOST"],
            port=app.config["REDIS_PORT"],
            password=app.config["REDIS_PASSWORD"],
            # A request fails fast with a 503 while Redis is away, and any failed read drops
            # its socket, so no stale reply is read later. No retries here: which commands
            # may be sent again is decided below, command by command.
            socket_connect_timeout=self.timeout,
            socket_timeout=self.timeout,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
        )
        self.vote_script = redis.Redis(connection_pool=self.pool).register_script(VOTE_SCRIPT)
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


def _twice(
    command: Callable[[redis.Redis], T],
    again_on: tuple[type[redis.RedisError], ...] = (redis.ConnectionError,),
) -> T:
    """Run a command that is safe to send twice; once more if the first try fails in transit.

    The failed connection was dropped, so the second try opens a new one (a restarted Redis
    leaves every kept connection dead). A refused password is not a transit failure.
    """
    client = get_redis()
    try:
        return command(client)
    except redis.AuthenticationError:
        raise
    except again_on:
        return command(client)


def options() -> tuple[str, str]:
    """Return the two configured vote options, in page order."""
    return current_app.config["VOTE1VALUE"], current_app.config["VOTE2VALUE"]


def _counts(values: list[str | None]) -> dict[str, int]:
    return {name: int(value or 0) for name, value in zip(options(), values, strict=True)}


def get_counts() -> dict[str, int]:
    """Return the count of each option in one round trip; a missing field counts as zero."""
    return _counts(_twice(lambda client: client.hmget(VOTES_KEY, options())))


def add_vote(option: str, token: str) -> tuple[bool, dict[str, int]]:
    """Count one vote for a configured option once per token.

    Returns whether this call counted it (False: the token had counted before) and the counts
    after it. Raises UnknownOption, BadToken, or a RedisError when the outcome is not known to
    be counted (the caller answers 503; the same token may be sent again).
    """
    if option not in options():
        raise UnknownOption(f"unknown option {option!r}")
    if not TOKEN_PATTERN.fullmatch(token):
        raise BadToken("the vote's token is not valid")
    found = connections()
    keys = (VOTES_KEY, TOKEN_KEY_PREFIX + token)

    def run(client: redis.Redis) -> tuple[bool, dict[str, int]]:
        deadline_us = int((time.time() + found.timeout / 2) * 1_000_000)
        args = (option, deadline_us, TOKEN_TTL_MS, *options())
        reply = found.vote_script(keys=keys, args=args, client=client)
        if reply is None:
            raise VoteExpired("Redis ran the vote after its deadline")
        counted, *values = reply
        return counted == 1, _counts(values)

    return _twice(run, again_on=(redis.ConnectionError, redis.TimeoutError))


def reset_votes() -> None:
    """Set both counts back to zero atomically, leaving other fields of the hash alone."""
    _twice(lambda client: client.hdel(VOTES_KEY, *options()))


@dataclass(frozen=True)
class Readiness:
    """Whether this process can serve votes; if not, why (`reason`) in a word and a sentence."""

    reason: str | None = None
    detail: str = ""

    @property
    def ready(self) -> bool:
        """True when nothing stands in the way."""
        return self.reason is None


def readiness() -> Readiness:
    """Ask Redis for its clock: tells an outage from a refused password or a skewed clock."""
    timeout = connections().timeout
    try:
        sent = time.time()
        seconds, microseconds = _twice(lambda client: client.time())
        received = time.time()
    except redis.AuthenticationError as error:
        return Readiness("auth", f"Redis refused the password (REDIS_PWD): {error}")
    except (redis.ConnectionError, redis.TimeoutError) as error:
        if any(isinstance(cause, ssl.SSLError) for cause in _causes(error)):
            return Readiness("tls", f"TLS to Redis failed (REDIS_TLS, certificate): {error}")
        return Readiness("unreachable", f"Redis is unreachable: {error}")
    except redis.RedisError as error:
        return Readiness("error", f"Redis answered with an error: {error}")
    # Redis read its clock between sending and receiving, so the gap bounds the skew's error.
    skew = seconds + microseconds / 1_000_000 - (sent + received) / 2
    if abs(skew) + (received - sent) / 2 > timeout / 4:
        return Readiness("clock", f"Redis's clock differs from this host's by {skew:+.3f} s")
    return Readiness()


def _causes(error: BaseException) -> list[BaseException]:
    found = []
    cause: BaseException | None = error
    while cause is not None and len(found) < 10:
        found.append(cause)
        cause = cause.__cause__ or cause.__context__
    return found
