"""examples/: another app built from the constructs synthesizes, loads in Terraform and holds
the project's invariants."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys

import pytest

from infra.testing import assert_every, assert_none
from tests.test_terraform import PROVIDER_ERROR, _errors
from toolchain import terraform
from toolchain.project import PROJECT_DIR

EXAMPLE = PROJECT_DIR / "examples" / "hello"


@pytest.fixture(scope="module")
def hello() -> dict:
    from toolchain.providers import Testing as CdkTesting

    spec = importlib.util.spec_from_file_location("hello_stack", EXAMPLE / "stack.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return json.loads(CdkTesting.synth(module.HelloStack(CdkTesting.app())))


def test_the_example_has_readable_addresses_and_no_voting_app_parts(hello):
    resources = {f"{t}.{n}" for t, named in hello["resource"].items() for n in named}
    assert "aws_ecs_service.web_service" in resources
    assert "aws_subnet.network_private_1" in resources
    for part in ("redis", "elasticache", "ssm_parameter", "docker_image", "backup"):
        assert not [r for r in resources if part in r], part


def test_the_example_takes_the_project_security_groups_without_redis(hello):
    """`SecurityGroups(redis_backend=None)`: the web NLB and task groups and their rules, and no
    Redis group or rule for an app without Redis."""
    groups = hello["resource"]["aws_security_group"]
    assert sorted(groups) == ["security_web_lb", "security_web_tasks"]
    for kind in ("ingress", "egress"):
        for name in hello["resource"][f"aws_vpc_security_group_{kind}_rule"]:
            assert name.startswith("security_web_"), name


def test_the_example_keeps_the_secure_defaults(hello):
    assert_every(hello, "aws_ecs_service", {"network_configuration": {"assign_public_ip": False}})
    assert_every(hello, "aws_ecs_task_definition", {"skip_destroy": True})
    (task,) = hello["resource"]["aws_ecs_task_definition"].values()
    (container,) = json.loads(task["container_definitions"])
    assert container["readonlyRootFilesystem"] is True
    assert "@sha256:" in container["image"] and "docker.io" not in container["image"]
    assert_none(
        hello, "aws_vpc_security_group_ingress_rule", {"cidr_ipv4": "0.0.0.0/0", "to_port": 8080}
    )


def test_terraform_loads_the_example_offline(hello, tmp_path):
    (tmp_path / "cdk.tf.json").write_text(json.dumps(hello), encoding="utf-8")
    result = terraform.run(
        ["init", "-backend=false", "-input=false", "-no-color"], chdir=tmp_path, offline=True
    )
    assert set(_errors(result)) == {PROVIDER_ERROR}, result.stdout + result.stderr


def test_the_constructs_install_as_a_package(tmp_path):
    """Another app gets them with pip, not a path hack: the built package holds every module."""
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    source, target = tmp_path / "source", tmp_path / "site"
    for package in ("infra", "toolchain", "review"):
        shutil.copytree(
            PROJECT_DIR / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(PROJECT_DIR / "pyproject.toml", source)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         str(source)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    for module in (
        "infra/naming.py",
        "infra/settings/schema.py",
        "infra/fargate_service/service.py",
        "infra/testing.py",
        "toolchain/providers.py",
        # The node loader's hook, which lazy_node puts in NODE_OPTIONS: a file, not a module.
        "toolchain/lazy_require.cjs",
        "review/changes.py",
    ):
        assert (target / module).is_file(), module
    assert not (target / "tests").exists() and not (target / "frontend").exists()
