"""The GitHub workflow: actions pinned by commit; the pull-request plan holds no secret and
needs neither a write lock nor a Docker daemon."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from tests.conftest import _synth, variant_settings
from toolchain import terraform
from toolchain.project import PROJECT_DIR

WORKFLOW = PROJECT_DIR / ".github" / "workflows" / "ci.yml"
TEXT = WORKFLOW.read_text(encoding="utf-8")


def _job(name: str) -> str:
    """The text of one job of the workflow."""
    found = re.search(rf"^  {name}:\n(.*?)(?=^  \S|\Z)", TEXT, re.MULTILINE | re.DOTALL)
    assert found, f"no job {name}"
    return found[1]


def test_every_action_is_pinned_to_a_commit_with_its_release_named():
    uses = re.findall(r"^\s+- uses: (\S+)(.*)$", TEXT, re.MULTILINE)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), (action, comment)


def test_the_plan_job_gets_no_secret():
    plan = _job("plan-review")
    assert "secrets." not in plan, "the plan job runs the pull request's code"
    assert "TF_VAR_" not in plan


def test_the_plan_needs_no_lock_and_no_docker_daemon():
    plan = _job("plan-review")
    (command,) = re.findall(r"terraform -chdir=\S+ plan (.*?)-out=", plan, re.DOTALL)
    assert "-lock=false" in command and "-refresh=false" in command
    assert "scripts/plan_variables.py" in plan


@pytest.fixture(scope="module")
def rotating_prod():
    """A Fargate-backed stack during a password rotation requires one variable more."""
    settings = variant_settings("synth_prod_fargate")
    return _synth(dataclasses.replace(settings, redis_password_rotating=True))


@pytest.mark.parametrize("variant", ["synth_dev", "synth_prod", "rotating"])
def test_dummy_values_satisfy_every_required_variable(request, variant, rotating_prod, tmp_path):
    """Terraform itself checks them, on the stack's variables as a configuration of their own."""
    from scripts.plan_variables import FILE_NAME, main

    synth = rotating_prod if variant == "rotating" else request.getfixturevalue(variant)
    (tmp_path / "cdk.tf.json").write_text(synth.text, encoding="utf-8")
    assert main([str(tmp_path)]) == 0
    values = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    required = {n for n, v in synth.data["variable"].items() if "default" not in v}
    assert set(values) == required and required
    if variant == "rotating":
        assert "redis_password_previous" in required
    (tmp_path / "cdk.tf.json").unlink()
    (tmp_path / "variables.tf.json").write_text(
        json.dumps({"variable": synth.data["variable"]}), encoding="utf-8"
    )
    for command in (["init"], ["plan", "-lock=false"]):
        result = terraform.run(
            [*command, "-input=false", "-no-color"], chdir=tmp_path, offline=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
