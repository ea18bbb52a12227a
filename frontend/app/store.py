"""Vote counts in Redis: a bounded connection pool, each vote counted once by its signed token.

A vote carries a token the server issued (`tokens`): signed, with an expiry. One Lua script,
atomic in Redis, records the token and increments the count only if the token is new (and the
client is within its rate), and does nothing once the vote's deadline (in Redis's clock) has
passed. So:

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

import math
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

from . import tokens

#: All counts live in one hash, one field per option.
VOTES_KEY = "voting-app:votes"
#: One key per counted vote, named by its token, so the same vote sent again is recognised.
#: It lives until the token expires (plus `TOKEN_KEY_MARGIN_MS` for clocks that differ
#: between tasks), after which the token itself is refused: a counted token is never
#: forgotten while it could still be sent. Redis must never evict keys (maxmemory-policy
#: noeviction, set by the stack); when it is full, votes are refused with 503 instead.
TOKEN_KEY_PREFIX = "voting-app:vote:"
TOKEN_KEY_MARGIN_MS = 60_000
#: One counter per client address and rate window.
RATE_KEY_PREFIX = "voting-app:rate:"
#: Share of maxmemory from which readiness says Redis is full.
FULL_FRACTION = 0.95

# KEYS: the counts hash, the token's key, the client's rate key. ARGV: the option, the
# deadline in microseconds of Redis's clock, the token key's lifetime in ms, the rate limit
# (0: none) and its window in ms, then the options whose counts to return.
# Returns nil (too late), {-1, ms until the window ends} (rate limited) or {counted, counts}.
# A token counted before answers without touching the rate; the first write of a new vote
# (INCR of the rate key, or SET without a limit) is refused by a full Redis (OOM error) before
# anything changed.
VOTE_SCRIPT = """
local now = redis.call('TIME')
if tonumber(now[1]) * 1000000 + tonumber(now[2]) > tonumber(ARGV[2]) then
  return false
end
local counted = 0
if redis.call('EXISTS', KEYS[2]) == 0 then
  local limit = tonumber(ARGV[4])
  if limit > 0 then
    local used = redis.call('INCR', KEYS[3])
    if used == 1 then
      redis.call('PEXPIRE', KEYS[3], ARGV[5])
    end
    if used > limit then
      return {-1, redis.call('PTTL', KEYS[3])}
    end
  end
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
  redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
  counted = 1
end
local counts = redis.call('HMGET', KEYS[1], unpack(ARGV, 6))
table.insert(counts, 1, counted)
return counts
"""

_EXTENSION = "voting_redis"
_lock = threading.Lock()
T = TypeVar("T")


class UnknownOption(ValueError):
    """The vote names none of the configured options."""


class BadToken(ValueError):
    """The vote's token is not one this app issued, or it has expired."""


class RateLimited(Exception):
    """This client sent more votes than the rate allows; `retry_after` seconds until it may."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


def is_full(error: BaseException) -> bool:
    """Whether Redis refused a write because it reached maxmemory (noeviction)."""
    return isinstance(error, redis.exceptions.OutOfMemoryError)


class VoteExpired(redis.TimeoutError):
    """Redis ran the vote after its deadline, so it counted nothing."""


class PoolExhausted(redis.ConnectionError):
    """No pooled connection came free within the Redis timeout."""


class Pool(redis.BlockingConnectionPool):
    """redis-py's blocking pool, which also closes connections idle for `idle_seconds`.

    A command checks a connection out and back in, so a connection is held only while a
    command runs, never by an idle keep-alive client. At most `max_connections` are open; a
    request that finds none free within the Redis timeout gets a 503. After a burst, a
    sweeper (a greenlet under gunicorn) closes, once a second, the connections nobody used
    for `idle_seconds`, so Redis and the task do not keep the burst's peak.
    """

    def __init__(self, *, idle_seconds: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.idle_seconds = idle_seconds
        self._closed = threading.Event()
        threading.Thread(target=self._sweep, name="redis-pool-sweeper", daemon=True).start()

    def get_connection(self, *args: object, **kwargs: object) -> redis.Connection:
        """Take a connection, waiting at most the timeout for one to come free."""
        try:
            return super().get_connection(*args, **kwargs)  # type: ignore[no-any-return]
        except redis.ConnectionError as error:
            if str(error) == "No connection available.":
                raise PoolExhausted(str(error)) from None
            raise

    def release(self, connection: redis.Connection) -> None:
        """Put the connection back, noting when."""
        connection.voting_used = time.monotonic()  # type: ignore[attr-defined]
        super().release(connection)

    def close(self) -> None:
        """Stop the sweeper and close every connection."""
        self._closed.set()
        self.disconnect()

    def _sweep(self) -> None:
        while not self._closed.wait(1):
            now = time.monotonic()
            # Connections in the queue are free; closing one makes its next user reconnect.
            for idle in list(self.pool.queue):
                if idle is not None and now - getattr(idle, "voting_used", now) > self.idle_seconds:
                    idle.disconnect()


class Connections:
    """The app's Redis connection pool (one per process, shared by its greenlets)."""

    def __init__(self, app: Flask) -> None:
        self.timeout: float = app.config["REDIS_TIMEOUT"]
        self.pool = Pool(
            max_connections=app.config["REDIS_MAX_CONNECTIONS"],
            # Waiting for a free connection is bounded like any other wait on Redis.
            timeout=self.timeout,
            idle_seconds=app.config["REDIS_IDLE_SECONDS"],
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
        self.redis = redis.Redis(connection_pool=self.pool)
        self.vote_script = self.redis.register_script(VOTE_SCRIPT)

    def client(self) -> redis.Redis:
        """Return the pooled client; each command takes a connection and gives it back."""
        return self.redis

    def close(self) -> None:
        """Close every connection of the pool."""
        self.pool.close()


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
    """Return the Redis client of the current app."""
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
    leaves every kept connection dead). A refused password is not a transit failure, and
    neither is a pool with no free connection (waiting again would double the wait).
    """
    client = get_redis()
    try:
        return command(client)
    except (redis.AuthenticationError, PoolExhausted):
        raise
    except again_on:
        return command(client)


def options() -> tuple[str, ...]:
    """Return the configured vote options (VOTE1VALUE, VOTE2VALUE, ...), in page order."""
    config = current_app.config
    found = []
    while f"VOTE{len(found) + 1}VALUE" in config:
        found.append(config[f"VOTE{len(found) + 1}VALUE"])
    return tuple(found)


def _counts(values: list[str | None]) -> dict[str, int]:
    return {name: int(value or 0) for name, value in zip(options(), values, strict=True)}


def get_counts() -> dict[str, int]:
    """Return the count of each option in one round trip; a missing field counts as zero."""
    return _counts(_twice(lambda client: client.hmget(VOTES_KEY, options())))


def add_vote(option: str, token: str, client_address: str = "") -> tuple[bool, dict[str, int]]:
    """Count one vote for a configured option once per token.

    Returns whether this call counted it (False: the token had counted before) and the counts
    after it. Raises UnknownOption, BadToken, RateLimited (`client_address` sent more than
    VOTE_RATE_LIMIT new votes in VOTE_RATE_WINDOW seconds), or a RedisError when the outcome
    is not known to be counted (the caller answers 503; the same token may be sent again).
    """
    if option not in options():
        raise UnknownOption(f"unknown option {option!r}")
    config = current_app.config
    expires = tokens.verify(token, config["VOTE_TOKEN_KEY"])
    if expires is None:
        raise BadToken("the vote's token is not valid")
    found = connections()
    window_ms = config["VOTE_RATE_WINDOW"] * 1000
    keys = (VOTES_KEY, TOKEN_KEY_PREFIX + token, RATE_KEY_PREFIX + client_address)

    def run(client: redis.Redis) -> tuple[bool, dict[str, int]]:
        now = time.time()
        deadline_us = int((now + found.timeout / 2) * 1_000_000)
        token_ms = int((expires - now) * 1000) + TOKEN_KEY_MARGIN_MS
        args = (option, deadline_us, token_ms, config["VOTE_RATE_LIMIT"], window_ms, *options())
        reply = found.vote_script(keys=keys, args=args, client=client)
        if reply is None:
            raise VoteExpired("Redis ran the vote after its deadline")
        counted, *values = reply
        if counted == -1:
            raise RateLimited(max(1, math.ceil(int(values[0]) / 1000)))
        return counted == 1, _counts(values)

    return _twice(run, again_on=(redis.ConnectionError, redis.TimeoutError))


def reset_votes() -> None:
    """Set every count back to zero atomically, leaving other fields of the hash alone."""
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


def _clock_and_memory(client: redis.Redis) -> tuple[float, float, float, dict[str, int]]:
    """Read Redis's clock (timed alone, for the skew) and its memory use."""
    sent = time.time()
    seconds, microseconds = client.time()
    received = time.time()
    return sent, seconds + microseconds / 1_000_000, received, client.info("memory")


def readiness() -> Readiness:
    """Ask Redis for its clock and memory: tells an outage from a refused password, a full
    Redis or a skewed clock."""
    timeout = connections().timeout
    try:
        sent, redis_time, received, memory = _twice(_clock_and_memory)
    except redis.AuthenticationError as error:
        return Readiness("auth", f"Redis refused the password (REDIS_PWD): {error}")
    except (redis.ConnectionError, redis.TimeoutError) as error:
        if any(isinstance(cause, ssl.SSLError) for cause in _causes(error)):
            return Readiness("tls", f"TLS to Redis failed (REDIS_TLS, certificate): {error}")
        return Readiness("unreachable", f"Redis is unreachable: {error}")
    except redis.RedisError as error:
        return Readiness("error", f"Redis answered with an error: {error}")
    used, limit = int(memory["used_memory"]), int(memory.get("maxmemory", 0))
    # Redis refuses writes once used_memory, less its replication and AOF buffers, passes
    # maxmemory; from FULL_FRACTION on, this says so (a little early, never late).
    if limit and used >= limit * FULL_FRACTION:
        return Readiness("full", f"Redis full: {used} of maxmemory {limit} bytes used")
    # Redis read its clock between sending and receiving: the skew is the difference from
    # the midpoint, give or take half the round trip. Only a skew that is certain counts, so
    # a slow round trip (a busy worker, a slow network) never reads as a wrong clock.
    skew = redis_time - (sent + received) / 2
    if abs(skew) - (received - sent) / 2 > timeout / 4:
        return Readiness("clock", f"Redis's clock differs from this host's by {skew:+.3f} s")
    return Readiness()


def _causes(error: BaseException) -> list[BaseException]:
    found = []
    cause: BaseException | None = error
    while cause is not None and len(found) < 10:
        found.append(cause)
        cause = cause.__cause__ or cause.__context__
    return found
