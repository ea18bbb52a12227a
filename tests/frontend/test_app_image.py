"""The container recipe: hadolint clean, pinned base, requirements exported from the lock."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.frontend.support import FRONTEND

ROOT = FRONTEND.parent
DOCKERFILE = FRONTEND / "Dockerfile"


def tool(name: str) -> str:
    """Find a console script of the project's environment, failing when it is missing."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed")
    return found


def test_hadolint_has_no_findings() -> None:
    result = subprocess.run(
        [tool("hadolint"), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_base_image_is_pinned_and_user_is_not_root() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?$", text, re.M)
    user = re.findall(r"^USER (\S+)$", text, re.M)
    assert user and user[-1].split(":")[0] not in {"root", "0"}
    assert "--require-hashes" in text
    assert "HEALTHCHECK" in text


def test_requirements_are_exported_from_the_lock() -> None:
    env = {**os.environ, "PIPENV_VENV_IN_PROJECT": "1", "PIPENV_VERBOSITY": "-1"}
    result = subprocess.run(
        [tool("pipenv"), "requirements", "--hash", "--categories", "frontend"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (FRONTEND / "requirements.txt").read_text() == result.stdout, (
        "frontend/requirements.txt is stale: run `PIPENV_VENV_IN_PROJECT=1 pipenv requirements "
        "--hash --categories frontend > frontend/requirements.txt`"
    )
