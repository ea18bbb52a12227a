"""The code is ruff-clean and ruff-formatted (the project's lint settings are in pyproject.toml)."""

import subprocess
import sys

import pytest

from toolchain.project import PROJECT_DIR


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]])
def test_ruff(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
