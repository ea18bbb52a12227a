"""The log metric filters match what the app really writes: gunicorn's access log and the
app's warning when Redis is away, from a real gunicorn whose Redis port has no server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.monitoring import (
    HTTP_5XX_PATTERN,
    REDIS_UNAVAILABLE_PATTERN,
    rollback_patterns,
)
from tests.frontend.support import Gunicorn, free_port

# CloudWatch Logs splits a line into space-delimited fields; text in "..." or [...] is one field.
_FIELD = re.compile(r'"[^"]*"|\[[^\]]*\]|\S+')


def _terms(pattern: str) -> list[tuple[str, str | None]]:
    """(name, wildcard value or None) of each field of a space-delimited filter pattern."""
    fields = []
    for field in pattern.strip("[]").split(","):
        name, _, value = field.strip().partition("=")
        fields.append((name, value or None))
    return fields


def _matches(pattern: str, line: str) -> bool:
    """Whether `line` matches `pattern` (fields: a name, `name=<wildcard>`, or a final `...`)."""
    fields = [f.strip('"') if f.startswith('"') else f for f in _FIELD.findall(line)]
    terms = _terms(pattern)
    if terms[-1][0] == "...":
        terms = terms[:-1]
        if len(fields) < len(terms):
            return False
    elif len(fields) != len(terms):
        return False
    for (_, wildcard), field in zip(terms, fields, strict=False):
        if wildcard is not None:
            regex = ".*".join(map(re.escape, wildcard.split("*")))
            if not re.fullmatch(regex, field):
                return False
    return True


@pytest.fixture
def app_without_redis(tmp_path: Path) -> Iterator[Gunicorn]:
    """The app under its own gunicorn configuration, its Redis port closed."""
    server = Gunicorn(
        tmp_path / "gunicorn.log", {"REDIS": "127.0.0.1", "REDIS_PORT": str(free_port())}
    )
    server.start()
    yield server
    server.stop()


def test_filters_count_the_apps_redis_warnings_and_5xx_lines(app_without_redis: Gunicorn):
    statuses = [
        app_without_redis.request("GET", path)[0] for path in ("/", "/api/results", "/healthz")
    ]
    assert statuses == [503, 503, 200]
    app_without_redis.stop()
    lines = app_without_redis.log_path.read_text(encoding="utf-8").splitlines()

    five_xx = [line for line in lines if _matches(HTTP_5XX_PATTERN, line)]
    assert len(five_xx) == 2, lines
    assert all('" 503 ' in line for line in five_xx), five_xx
    # The health check's 200 and every non-access line (boot, warnings) stay out.
    assert not any("/healthz" in line for line in five_xx)

    term = REDIS_UNAVAILABLE_PATTERN.strip('"')
    warnings = [line for line in lines if term in line]
    assert len(warnings) == 2, lines
    assert not any(_matches(HTTP_5XX_PATTERN, line) for line in warnings)


def test_a_redis_outage_rolls_no_web_release_back(app_without_redis: Gunicorn):
    """Blue/green rolls web back on its rollback alarms: none may count what a Redis outage
    makes a healthy release log (503s and 'Redis unavailable'), and the app's own failures
    (500) must count."""
    for path in ("/", "/api/results"):
        assert app_without_redis.request("GET", path)[0] == 503
    app_without_redis.stop()
    lines = app_without_redis.log_path.read_text(encoding="utf-8").splitlines()
    patterns = rollback_patterns()
    assert patterns, "the web rollback alarms count no log line at all"
    for pattern in patterns:
        assert not [line for line in lines if _matches(pattern, line)], pattern
    # The same access line with the status of a failure of the release itself.
    (access,) = [line for line in lines if '"GET / HTTP/1.1" 503 ' in line]
    failure = access.replace('" 503 ', '" 500 ')
    assert any(_matches(pattern, failure) for pattern in patterns)
