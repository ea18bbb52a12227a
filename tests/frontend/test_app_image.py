"""The container recipe: hadolint clean, pinned base, requirements from the lock; the image itself
where a Docker engine is available."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """The image built from frontend/ by a Docker engine; skipped where there is none."""
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no image builder: the docker command is not installed")
    info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=60)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        pytest.skip(f"no image builder: the Docker engine is not reachable ({reason})")
    tag = f"voting-frontend-test:{os.getpid()}"
    subprocess.run([docker, "build", "-q", "-t", tag, str(FRONTEND)], check=True, timeout=900)
    yield tag
    subprocess.run([docker, "rmi", "-f", tag], capture_output=True, timeout=120)


def test_image_runs_as_a_non_root_user_on_a_read_only_root(image: str) -> None:
    docker = shutil.which("docker") or "docker"
    name = f"voting-frontend-test-{os.getpid()}"
    subprocess.run(
        [docker, "run", "-d", "--name", name, "--read-only", "--tmpfs", "/tmp", image],
        check=True,
        capture_output=True,
        timeout=60,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            probe = subprocess.run(
                [docker, "exec", name, "python", "/app/healthcheck.py"],
                capture_output=True,
                timeout=30,
            )
            if probe.returncode == 0:
                break
            assert time.monotonic() < deadline, probe.stderr
            time.sleep(1)
        user = subprocess.run(
            [docker, "exec", name, "id", "-u"], capture_output=True, text=True, timeout=30
        )
        assert user.stdout.strip() not in ("", "0")
        write = subprocess.run(
            [docker, "exec", name, "touch", "/app/written"], capture_output=True, timeout=30
        )
        assert write.returncode != 0
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True, timeout=60)
