"""The review of the real dev stack, as synthesized by the project (fixture from tests/conftest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.review.helpers import run_review, section


@pytest.fixture(scope="module")
def real_report(synth_dev_path: Path) -> str:
    """The report of the real dev stack, produced by the command."""
    result = run_review(synth_dev_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def real_resources(synth_dev_path: Path) -> dict:
    """The real dev stack's resources, to check the report against."""
    return json.loads(synth_dev_path.read_text(encoding="utf-8"))["resource"]


def load_balancers(resources: dict, *, internal: bool) -> list[str]:
    """Addresses of the stack's load balancers, found by shape rather than by name."""
    return [
        f"aws_lb.{name}"
        for name, body in resources.get("aws_lb", {}).items()
        if bool(body.get("internal")) is internal
    ]


def test_public_web_nlb_and_port_80_are_named(real_report: str, real_resources: dict) -> None:
    public = load_balancers(real_resources, internal=False)
    assert len(public) == 1
    rows = section(real_report, "### Public load balancers").splitlines()
    row = next(line for line in rows if f"`{public[0]}`" in line)
    assert "| network |" in row
    assert "TCP 80" in row
    assert "`aws_ecs_service." in row


def test_redis_nlb_is_not_listed_as_public(real_report: str, real_resources: dict) -> None:
    internal = load_balancers(real_resources, internal=True)
    assert len(internal) == 1
    assert f"`{internal[0]}`" not in section(real_report, "### Public load balancers")
    internal_section = "### Internal load balancers (not reachable from the internet)"
    assert f"`{internal[0]}`" in section(real_report, internal_section)
    assert "TCP 6379" in section(real_report, internal_section)


def test_no_plaintext_secret(real_report: str) -> None:
    secrets = section(real_report, "## Secrets")
    assert "No plain-text credential in any container environment." in secrets
    assert "as `REDIS_PWD`" in secrets


def test_every_iam_role_is_listed(real_report: str, real_resources: dict) -> None:
    identity = section(real_report, "## Identity")
    roles = real_resources["aws_iam_role"]
    assert roles
    for name in roles:
        assert f"`aws_iam_role.{name}`" in identity


def test_real_stack_has_no_findings(real_report: str) -> None:
    assert section(real_report, "## Findings").strip().startswith("No findings"), real_report
