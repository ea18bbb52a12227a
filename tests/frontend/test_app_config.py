"""The factory and the environment contract."""

from __future__ import annotations

from typing import Any

import pytest
from app import create_app
from app.config import ConfigError
from app.store import close_redis, connections
from redis.connection import SSLConnection

CONTRACT = (
    "REDIS",
    "REDIS_PORT",
    "REDIS_PWD",
    "REDIS_TLS",
    "TITLE",
    "VOTE1VALUE",
    "VOTE2VALUE",
    "RESET_ENABLED",
    "RESET_TOKEN",
    "SECRET_KEY",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Start each test from an environment without any variable of the contract."""
    for name in CONTRACT:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_factory() -> None:
    assert not create_app().testing
    assert create_app({"TESTING": True}).testing


def test_defaults_match_the_example() -> None:
    config = create_app().config
    assert config["REDIS_HOST"] == "localhost"
    assert config["REDIS_PORT"] == 6379
    assert config["REDIS_PASSWORD"] is None
    assert config["REDIS_TLS"] is False
    assert (config["VOTE1VALUE"], config["VOTE2VALUE"]) == ("Tabs", "Spaces")
    # Off unless an operator turns it on and gives it a credential.
    assert config["RESET_ENABLED"] is False
    assert config["RESET_TOKEN"] is None
    assert config["MAX_CONTENT_LENGTH"] == 1024
    assert len(config["SECRET_KEY"]) >= 32


def test_environment_is_read(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in {
        "REDIS": "redis.internal",
        "REDIS_PORT": "6380",
        "REDIS_PWD": "s3cret",
        "REDIS_TLS": "true",
        "TITLE": "Cats or Dogs?",
        "VOTE1VALUE": "Cats",
        "VOTE2VALUE": "Dogs",
        "RESET_ENABLED": "true",
        "RESET_TOKEN": "t" * 32,
        "SECRET_KEY": "fixed",
    }.items():
        clean_env.setenv(name, value)
    config = create_app().config
    assert config["REDIS_HOST"] == "redis.internal"
    assert config["REDIS_PORT"] == 6380
    assert config["REDIS_PASSWORD"] == "s3cret"
    assert config["REDIS_TLS"] is True
    assert config["TITLE"] == "Cats or Dogs?"
    assert (config["VOTE1VALUE"], config["VOTE2VALUE"]) == ("Cats", "Dogs")
    assert config["RESET_ENABLED"] is True
    assert config["RESET_TOKEN"] == "t" * 32
    assert config["SECRET_KEY"] == "fixed"


def test_secret_key_is_random_per_process_when_unset() -> None:
    assert create_app().config["SECRET_KEY"] != create_app().config["SECRET_KEY"]


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"VOTE1VALUE": "Tabs", "VOTE2VALUE": "Tabs"}, "VOTE2VALUE"),
        ({"VOTE1VALUE": "   "}, "VOTE1VALUE"),
        ({"VOTE2VALUE": ""}, "VOTE2VALUE"),
        ({"VOTE1VALUE": "reset"}, "VOTE1VALUE"),
        ({"VOTE2VALUE": "x" * 101}, "VOTE2VALUE"),
        ({"REDIS_PORT": "abc"}, "REDIS_PORT"),
        ({"REDIS_PORT": "70000"}, "REDIS_PORT"),
        ({"REDIS_TLS": "maybe"}, "REDIS_TLS"),
        ({"RESET_ENABLED": "sometimes"}, "RESET_ENABLED"),
        ({"RESET_ENABLED": "true"}, "RESET_TOKEN"),
        ({"RESET_ENABLED": "true", "RESET_TOKEN": "short"}, "RESET_TOKEN"),
        ({"RESET_ENABLED": "true", "RESET_TOKEN": "x" * 31 + " "}, "RESET_TOKEN"),
    ],
)
def test_invalid_environment_names_the_variable(
    clean_env: pytest.MonkeyPatch, env: dict[str, str], variable: str
) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=variable):
        create_app()


def test_test_config_is_checked_too() -> None:
    with pytest.raises(ConfigError, match="VOTE1VALUE and VOTE2VALUE must differ"):
        create_app({"VOTE1VALUE": "A", "VOTE2VALUE": "A"})


def test_nothing_connects_until_a_request_needs_redis() -> None:
    # Port 1 on loopback refuses connections: creating the app and probing liveness still work.
    app = create_app({"REDIS_HOST": "127.0.0.1", "REDIS_PORT": 1})
    assert "voting_redis" not in app.extensions
    assert app.test_client().get("/healthz").status_code == 200
    assert "voting_redis" not in app.extensions


def test_tls_uses_an_ssl_connection(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("REDIS_TLS", "true")
    app = create_app()
    with app.app_context():
        pool = connections().pool
        assert pool.connection_class is SSLConnection
        assert connections().pool is pool
    close_redis(app)


def test_redis_client_fails_fast(clean_env: pytest.MonkeyPatch) -> None:
    app = create_app()
    with app.app_context():
        kwargs: dict[str, Any] = connections().pool.connection_kwargs
    close_redis(app)
    assert kwargs["socket_connect_timeout"] == 0.5
    assert kwargs["socket_timeout"] == 0.5
