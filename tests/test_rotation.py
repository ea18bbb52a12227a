"""Rotating the Redis password: Redis first, accepting old and new, then web, then old dropped.

ECS reads secrets only when a task starts, so a rotation must start new tasks of both services,
in that order, and Redis must accept both passwords while web tasks of both kinds run.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import subprocess
import time

import pytest

from tests.conftest import _synth, variant_settings
from tests.frontend.support import Gunicorn, free_port

OLD = "old-password-0123456789"
NEW = "new-password-9876543210"


def _rotated(variant: str, **changes):
    """The variant's settings after the first step of a rotation (version bumped, rotating)."""
    before = variant_settings(variant)
    step_one = {
        "redis_password_version": before.redis_password_version + 1,
        "redis_password_rotating": True,
    }
    return dataclasses.replace(before, **(step_one | changes))


@pytest.fixture(scope="module")
def rotating_dev():
    return _synth(_rotated("synth_dev"))


@pytest.fixture(scope="module")
def rotated_dev():
    """Step two: the new password alone (rotating off again, same version)."""
    return _synth(_rotated("synth_dev", redis_password_rotating=False))


def test_a_new_password_version_starts_new_tasks_of_both_services(synth_dev, rotated_dev):
    for task in ("redis_task", "web_task"):
        assert synth_dev.containers(task) != rotated_dev.containers(task), task
        (container,) = rotated_dev.containers(task)
        assert {"name": "REDIS_ROTATION", "value": "2"} in container["environment"]


@pytest.mark.parametrize(
    ("variant", "redis_address"),
    [("synth_dev", "aws_ecs_service.redis_service"), ("synth_prod", None)],
)
def test_web_waits_for_redis(request, variant, redis_address):
    """Terraform changes Redis (and waits for it to be steady) before it starts web tasks."""
    synth = request.getfixturevalue(variant)
    if redis_address is None:
        (group,) = synth.resources("aws_elasticache_replication_group")
        redis_address = f"aws_elasticache_replication_group.{group}"
    assert redis_address in synth.resource("aws_ecs_service", "web_service")["depends_on"]


def test_while_rotating_redis_reads_the_previous_password_from_its_own_secret(rotating_dev):
    variable = rotating_dev.data["variable"]["redis_password_previous"]
    assert variable["sensitive"] is True and variable["ephemeral"] is True
    assert "default" not in variable and variable["validation"]
    parameter = rotating_dev.resource("aws_ssm_parameter", "previous_password_parameter")
    assert parameter["value_wo"] == "${var.redis_password_previous}"
    assert parameter["value_wo_version"] == 2
    (redis,) = rotating_dev.containers("redis_task")
    assert {
        "name": "REDIS_PWD_PREVIOUS",
        "valueFrom": "${aws_ssm_parameter.previous_password_parameter.arn}",
    } in redis["secrets"]
    # The execution role must be allowed to read it into the container.
    policies = rotating_dev.resources("aws_iam_role_policy")
    assert any(
        "${aws_ssm_parameter.previous_password_parameter.arn}" in props["policy"]
        for props in policies.values()
    )
    (web,) = rotating_dev.containers("web_task")
    assert all(secret["name"] != "REDIS_PWD_PREVIOUS" for secret in web["secrets"])


def test_outside_a_rotation_there_is_no_previous_password(synth_dev, rotated_dev):
    for synth in (synth_dev, rotated_dev):
        assert "redis_password_previous" not in synth.data["variable"]
        assert "previous_password_parameter" not in synth.resources("aws_ssm_parameter")


def test_elasticache_rotates_then_sets_the_auth_token(synth_prod):
    group = next(iter(synth_prod.resources("aws_elasticache_replication_group").values()))
    assert group["auth_token_update_strategy"] == "SET"
    rotating = _synth(_rotated("synth_prod"))
    group = next(iter(rotating.resources("aws_elasticache_replication_group").values()))
    # ROTATE keeps the old token valid beside the new one until the next step SETs the new.
    assert group["auth_token_update_strategy"] == "ROTATE"
    assert "redis_password_previous" not in rotating.data["variable"]


def _start_redis(synth, tmp_path, environment: dict[str, str]):
    """Run the Redis container's own command with a real redis-server on loopback."""
    (redis,) = synth.containers("redis_task")
    shell, flag, script = redis["command"]
    assert (shell, flag) == ("sh", "-c")
    port = free_port()
    # The task's EFS mount becomes a temporary folder; a local port is added (later arguments
    # win), nothing else of the command changes.
    assert script.count(" --dir /data") == 1, script
    script = script.replace(" --dir /data", f" --dir {shlex.quote(str(tmp_path))}")
    script += f" --port {port} --bind 127.0.0.1"
    process = subprocess.Popen(
        ["sh", "-c", script],
        env={"PATH": os.environ["PATH"], **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while _ping(port, "") is None:
        assert process.poll() is None, f"redis-server exited with {process.returncode}"
        assert time.monotonic() < deadline, "redis-server did not listen within 10 s"
        time.sleep(0.05)
    return process, port


def _ping(port: int, password: str) -> str | None:
    """What redis-cli answers to PING with `password`, or None if nothing listens."""
    result = subprocess.run(
        ["redis-cli", "-p", str(port), "--no-auth-warning", "ping"],
        env={"PATH": os.environ["PATH"], "REDISCLI_AUTH": password},
        capture_output=True,
        text=True,
        timeout=5,
    )
    output = (result.stdout + result.stderr).strip()
    return None if "Connection refused" in output else output


@pytest.mark.parametrize("step", ["rotating", "rotated"])
def test_redis_accepts_exactly_the_passwords_of_each_step(
    step, rotating_dev, rotated_dev, tmp_path
):
    synth = rotating_dev if step == "rotating" else rotated_dev
    environment = {"REDIS_PWD": NEW}
    if step == "rotating":
        environment["REDIS_PWD_PREVIOUS"] = OLD
    process, port = _start_redis(synth, tmp_path, environment)
    try:
        assert _ping(port, NEW) == "PONG"
        answer = _ping(port, OLD)
        if step == "rotating":
            assert answer == "PONG"
        else:
            assert "WRONGPASS" in answer
        assert "WRONGPASS" in _ping(port, "not-a-password-at-all")
    finally:
        process.terminate()
        process.wait(timeout=10)


def _web_secrets(synth, redis_passwords: dict[int, str]) -> dict[str, str]:
    """The web container's secrets as SSM holds them once this synth is applied.

    A write-only parameter keeps its value until its version changes: the Redis password has
    the value the operator gave for that version; any other parameter, one value per address
    and version (Terraform writes it from elsewhere).
    """
    (web,) = synth.containers("web_task")
    values = {}
    for secret in web["secrets"]:
        address = re.fullmatch(r"\$\{aws_ssm_parameter\.(\w+)\.arn\}", secret["valueFrom"])[1]
        parameter = synth.resource("aws_ssm_parameter", address)
        version = parameter["value_wo_version"]
        if parameter["value_wo"] == "${var.redis_password}":
            values[secret["name"]] = redis_passwords[version]
        else:
            values[secret["name"]] = f"{address}-version-{version}-".ljust(48, "x")
    # Where the stack gives no key, the app's own default applies (not the tests' fixed one).
    values.setdefault("VOTE_TOKEN_KEY", "")
    return values


def test_pages_served_before_a_rotation_still_vote_after_it(synth_dev, rotating_dev, tmp_path):
    """A page's vote token outlives a password rotation: a reader who loaded the page from a
    task of the old password votes, after the deploy, on a task of the new one."""
    process, port = _start_redis(
        rotating_dev, tmp_path, {"REDIS_PWD": NEW, "REDIS_PWD_PREVIOUS": OLD}
    )
    redis = {"REDIS": "127.0.0.1", "REDIS_PORT": str(port)}
    servers = [
        Gunicorn(tmp_path / "before.log", redis | _web_secrets(synth_dev, {1: OLD})),
        Gunicorn(tmp_path / "after.log", redis | _web_secrets(rotating_dev, {2: NEW})),
    ]
    try:
        for server in servers:
            server.start()
        before, after = servers
        status, _, page = before.request("GET", "/", headers={"Host": "vote.test"})
        assert status == 200
        token = re.search(rb'name="token" id="token" value="([^"]+)"', page)[1].decode()
        status, _, body = after.request(
            "POST", "/api/vote", f"vote=Tabs&token={token}", headers={"Host": "vote.test"}
        )
        assert status == 200, body
    finally:
        for server in servers:
            server.stop()
        process.terminate()
        process.wait(timeout=10)
