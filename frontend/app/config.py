"""Read and check the environment contract of the voting app."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

#: The option value the form sends to clear the counts; no vote option may use it.
RESET = "reset"
MAX_OPTION_LENGTH = 100
#: Options a page offers at most (VOTE1VALUE ... VOTE6VALUE); the stack's limit is the same.
MAX_OPTIONS = 6
#: An operator credential shorter than this could be guessed.
MIN_RESET_TOKEN_LENGTH = 32

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


def _parse_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _parse_port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        port = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be an integer port number, got {raw!r}") from None
    if not 1 <= port <= 65535:
        raise ConfigError(f"{name} must be between 1 and 65535, got {port}")
    return port


def _parse_int(environ: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


#: Host names a local run answers to; the stack sets ALLOWED_HOSTS to the region's load
#: balancer names (`.elb.<region>.amazonaws.com`) and the domain, when one is configured.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def _parse_hosts(environ: Mapping[str, str]) -> tuple[str, ...]:
    raw = environ.get("ALLOWED_HOSTS", "")
    hosts = tuple(h.strip().lower() for h in raw.split(",") if h.strip())
    return hosts or LOCAL_HOSTS


def _vote_token_key(environ: Mapping[str, str]) -> str:
    """The key that signs vote tokens (tokens.py): every task must hold the same one.

    VOTE_TOKEN_KEY when set; otherwise derived from the Redis password, which every task
    already holds as a secret. Whoever knows that password can change the counts directly,
    so a key derived from it guards the votes no less than a key of its own, and the stack
    needs no second secret. Without either (a local run with no password), a random key:
    gunicorn.conf.py sets one for all workers of a server.
    """
    if environ.get("VOTE_TOKEN_KEY"):
        return environ["VOTE_TOKEN_KEY"]
    password = environ.get("REDIS_PWD")
    if password:
        return hmac.new(password.encode(), b"voting-app vote tokens", hashlib.sha256).hexdigest()
    return secrets.token_hex(32)


def from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """Map the environment variables of the contract to typed config keys."""
    return {
        "REDIS_HOST": environ.get("REDIS", "").strip() or "localhost",
        "REDIS_PORT": _parse_port(environ, "REDIS_PORT", 6379),
        # An empty REDIS_PWD means no password, as when the variable is absent.
        "REDIS_PASSWORD": environ.get("REDIS_PWD") or None,
        "REDIS_TLS": _parse_bool(environ, "REDIS_TLS", False),
        "TITLE": environ.get("TITLE", "").strip() or "Tabs or Spaces?",
        "VOTE1VALUE": environ.get("VOTE1VALUE", "Tabs").strip(),
        "VOTE2VALUE": environ.get("VOTE2VALUE", "Spaces").strip(),
        # More options, in order: VOTE3VALUE, VOTE4VALUE, ... (checked to have no gap).
        **{
            name: value.strip()
            for name, value in environ.items()
            if re.fullmatch(r"VOTE([3-9]|[1-9]\d+)VALUE", name)
        },
        # Reset wipes every vote: off unless an operator turns it on and sets its credential.
        "RESET_ENABLED": _parse_bool(environ, "RESET_ENABLED", False),
        "RESET_TOKEN": environ.get("RESET_TOKEN") or None,
        # Nothing shared between tasks depends on this key (see csrf.py), so a random
        # per-process key is a safe default when SECRET_KEY is not set.
        "SECRET_KEY": environ.get("SECRET_KEY") or secrets.token_hex(32),
        "VOTE_TOKEN_KEY": _vote_token_key(environ),
        # New votes per client address and window (0: no limit).
        "VOTE_RATE_LIMIT": _parse_int(environ, "VOTE_RATE_LIMIT", 30, 0),
        "VOTE_RATE_WINDOW": _parse_int(environ, "VOTE_RATE_WINDOW", 60, 1),
        # Host names (Host header, port aside) the app answers to, comma-separated; one that
        # starts with a dot allows the names under it. Probes answer any.
        "ALLOWED_HOSTS": _parse_hosts(environ),
        # Redis connections per process at most, and seconds before an idle one is closed.
        "REDIS_MAX_CONNECTIONS": _parse_int(environ, "REDIS_MAX_CONNECTIONS", 50, 1),
        "REDIS_IDLE_SECONDS": _parse_int(environ, "REDIS_IDLE_SECONDS", 30, 1),
        "REACHED_REDIS_MARK": environ.get("REACHED_REDIS_MARK") or None,
    }


def check(config: Mapping[str, Any]) -> None:
    """Reject a config the app cannot serve, naming the environment variable at fault."""
    names = sorted(
        (name for name in config if re.fullmatch(r"VOTE[1-9]\d*VALUE", name)),
        key=lambda name: int(name[4:-5]),
    )
    for position, name in enumerate(names, 1):
        if name != f"VOTE{position}VALUE":
            raise ConfigError(f"{name} needs VOTE{position}VALUE: options are numbered from 1")
    if not 2 <= len(names) <= MAX_OPTIONS:
        raise ConfigError(f"set 2 to at most {MAX_OPTIONS} options (VOTE1VALUE, VOTE2VALUE, ...)")
    seen: dict[str, str] = {}
    for name in names:
        value = config[name]
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{name} must be a non-empty string")
        if len(value) > MAX_OPTION_LENGTH:
            raise ConfigError(f"{name} must be at most {MAX_OPTION_LENGTH} characters")
        if value == RESET:
            raise ConfigError(f"{name} must not be {RESET!r}: the form uses it to reset the counts")
        if value in seen:
            raise ConfigError(f"{seen[value]} and {name} must differ, both are {value!r}")
        seen[value] = name
    if not isinstance(config["REDIS_HOST"], str) or not config["REDIS_HOST"]:
        raise ConfigError("REDIS must be a host name")
    port = config["REDIS_PORT"]
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigError(f"REDIS_PORT must be between 1 and 65535, got {port!r}")
    if config["RESET_ENABLED"]:
        _check_reset_token(config.get("RESET_TOKEN"))
    key = config["VOTE_TOKEN_KEY"]
    if not isinstance(key, str) or len(key) < MIN_RESET_TOKEN_LENGTH:
        raise ConfigError(f"VOTE_TOKEN_KEY must be at least {MIN_RESET_TOKEN_LENGTH} characters")


def _check_reset_token(token: object) -> None:
    # The value itself never appears in a message: it is a secret.
    if not token:
        raise ConfigError(
            "RESET_ENABLED is true, so RESET_TOKEN (the operator credential) is needed"
        )
    if not isinstance(token, str) or len(token) < MIN_RESET_TOKEN_LENGTH:
        raise ConfigError(f"RESET_TOKEN must be at least {MIN_RESET_TOKEN_LENGTH} characters")
    if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
        raise ConfigError("RESET_TOKEN must be printable ASCII without spaces")
