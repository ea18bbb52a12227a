"""What a synth writes: the same bytes at any path, and in every loader mode, for every variant."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import VARIANTS, project_settings
from tests.write_variants import OUT_VARIABLE
from toolchain.lazy_import import ENV_SWITCH as PYTHON_SWITCH
from toolchain.lazy_node import ENV_SWITCH as NODE_SWITCH
from toolchain.project import PROJECT_DIR

SOURCES = ["main.py", "cdktf.json", "infra", "toolchain", "frontend"]
# Loader mode: (Python-side switch, node-side switch).
LAZY = ("1", "1")
NODE_EAGER = ("1", "0")
EAGER = ("0", "0")
# What node prints under NODE_DEBUG=module when it loads one of the AWS provider's submodules
# (cdktf's or cdktn's, whichever VOTING_CDK picks).
AWS_SUBMODULE_LOAD = re.compile(r'load "[^"]*/@cdkt[fn]/provider-aws/lib/([^/"]+)/index\.js"')


def _env(mode: tuple[str, str], **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        PYTHON_SWITCH: mode[0],
        NODE_SWITCH: mode[1],
        **extra,
    }
    env.pop("CDKTF_OUTDIR", None)
    env.pop("VOTING_ENVIRONMENTS", None)
    return env


def _clone(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in SOURCES:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _synth(project: Path, mode: tuple[str, str]) -> dict[str, bytes]:
    """Run `python main.py` (every environment) in `project`; return cdktf.out's files."""
    shutil.rmtree(project / "cdktf.out", ignore_errors=True)
    subprocess.run(
        [sys.executable, "main.py"], cwd=project, env=_env(mode), check=True, timeout=300
    )
    return _files(project / "cdktf.out")


@pytest.fixture(scope="module")
def clone_a(tmp_path_factory) -> Path:
    return _clone(tmp_path_factory.mktemp("a") / "voting-app")


@pytest.fixture(scope="module")
def lazy_a(clone_a) -> dict[str, bytes]:
    return _synth(clone_a, LAZY)


def test_two_clones_at_different_paths_synthesize_identical_bytes(lazy_a, tmp_path):
    clone_b = _clone(tmp_path / "somewhere" / "else" / "checkout")
    assert _synth(clone_b, LAZY) == lazy_a


def test_no_absolute_paths_or_timestamps(lazy_a, clone_a):
    dev = project_settings(clone_a / "cdktf.json")["dev"].stack_name
    text = lazy_a[f"stacks/{dev}/cdk.tf.json"].decode()
    assert str(clone_a) not in text and str(PROJECT_DIR) not in text
    assert f'"path": "../../../terraform.{dev}.tfstate"' in text
    assert '"context": "../../../frontend"' in text


def test_cdktf_out_is_identical_with_the_node_loader_on_and_off(lazy_a, clone_a):
    environments = project_settings(clone_a / "cdktf.json").values()
    stacks = [f"stacks/{s.stack_name}/cdk.tf.json" for s in environments]
    assert sorted(lazy_a) == sorted(["manifest.json", *stacks])
    assert _synth(clone_a, NODE_EAGER) == lazy_a


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[tuple[str, str], tuple[dict[str, bytes], set[str]]]:
    """Each conftest variant built in each loader mode, one pytest subprocess per mode.

    Per mode: the variants' JSON by name, and the AWS provider submodules node loaded.
    """
    found = {}
    for mode in (LAZY, NODE_EAGER, EAGER):
        out = tmp_path_factory.mktemp("variants")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider"]
            + ["tests/write_variants.py"],
            cwd=PROJECT_DIR,
            env=_env(mode, NODE_DEBUG="module", **{OUT_VARIABLE: str(out)}),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        loaded = set(AWS_SUBMODULE_LOAD.findall(result.stderr))
        found[mode] = ({p.stem: p.read_bytes() for p in out.glob("*.json")}, loaded)
    return found


def test_every_variant_is_identical_in_every_loader_mode(variants):
    lazy, _ = variants[LAZY]
    assert sorted(lazy) == sorted(VARIANTS)
    for mode in (NODE_EAGER, EAGER):
        written, _ = variants[mode]
        assert sorted(written) == sorted(lazy)
        for name, text in lazy.items():
            assert written[name] == text, f"{name} differs between modes {LAZY} and {mode}"


def test_node_loads_only_the_provider_modules_the_stacks_use(variants):
    # The comparison above means something only if node really ran both ways.
    _, lazy = variants[LAZY]
    _, eager = variants[NODE_EAGER]
    assert {"vpc", "ecs-service", "elasticache-replication-group"} <= lazy
    assert len(lazy) < 100
    assert len(eager) > 2000
    assert lazy < eager
