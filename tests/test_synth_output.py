"""What `python main.py` writes: the same bytes at any path, with the lazy loader on or off."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.project import PROJECT_DIR

SOURCES = ["main.py", "cdktf.json", "infra", "frontend"]


def _clone(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in SOURCES:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def _synth(project: Path, *, lazy: bool) -> bytes:
    env = {
        **os.environ,
        "VOTING_ENVIRONMENTS": "dev",
        "VOTING_LAZY_PROVIDERS": "1" if lazy else "0",
    }
    env.pop("CDKTF_OUTDIR", None)
    subprocess.run([sys.executable, "main.py"], cwd=project, env=env, check=True, timeout=300)
    return (project / "cdktf.out" / "stacks" / "voting-app-dev" / "cdk.tf.json").read_bytes()


@pytest.fixture(scope="module")
def clone_a(tmp_path_factory) -> Path:
    return _clone(tmp_path_factory.mktemp("a") / "voting-app")


@pytest.fixture(scope="module")
def lazy_a(clone_a) -> bytes:
    return _synth(clone_a, lazy=True)


def test_two_clones_at_different_paths_synthesize_identical_bytes(lazy_a, tmp_path):
    clone_b = _clone(tmp_path / "somewhere" / "else" / "checkout")
    assert _synth(clone_b, lazy=True) == lazy_a


def test_no_absolute_paths_or_timestamps(lazy_a, clone_a):
    text = lazy_a.decode()
    assert str(clone_a) not in text and str(PROJECT_DIR) not in text
    assert '"path": "../../../terraform.voting-app-dev.tfstate"' in text
    assert '"context": "../../../frontend"' in text


def test_lazy_loader_on_and_off_give_identical_bytes(lazy_a, clone_a):
    # The one test that pays for the eager import of all 2,212 AWS provider submodules.
    assert _synth(clone_a, lazy=False) == lazy_a
