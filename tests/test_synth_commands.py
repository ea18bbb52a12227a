"""The documented synth commands, run as a user runs them: what they print and what they write.

`python main.py` is what `make synth` and `pipenv run synth` run; `npx cdktf synth` (with
`VOTING_CDK=cdktn`, `npx cdktn synth`) runs the same through the pinned CLI of the session's
flavour. Both run with the caller's PATH (here the system node may be an old release) and none
of the JSII_* variables the tests themselves use.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import project_settings
from toolchain import flavours, lazy_node
from toolchain.project import PROJECT_DIR

NOISE = re.compile(r"end-of-life|not supported|ENOTFOUND|checkpoint|warn|deprecat", re.IGNORECASE)


def _user_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JSII_", "CDKTF_"))}
    # Importing toolchain.providers set these in the test process (the lazy node loader): main.py
    # sets them for itself, a user's shell does not hold them.
    for variable in ("NODE_OPTIONS", lazy_node.PACKAGES_VARIABLE):
        env.pop(variable, None)
    # The test session points jsii at the project's node itself (conftest); a user's shell does not.
    bin_dir = str(PROJECT_DIR / "node_modules" / ".bin")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != bin_dir)
    # A TF_CLI_CONFIG_FILE naming a missing file is this machine's, and Terraform (which the CLI
    # asks for its version) complains about it whatever the project does.
    if "TF_CLI_CONFIG_FILE" in env and not Path(env["TF_CLI_CONFIG_FILE"]).is_file():
        del env["TF_CLI_CONFIG_FILE"]
    env.pop("VOTING_ENVIRONMENTS", None)
    return {**env, **extra}


def _stacks(outdir: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted(outdir.glob("stacks/*/cdk.tf.json"))}


@pytest.fixture(scope="module")
def main_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`python main.py` into a fresh folder that holds a stack of an earlier synth."""
    outdir = tmp_path_factory.mktemp("main") / "cdktf.out"
    stale = outdir / "stacks" / "voting-app-retired-env"
    stale.mkdir(parents=True)
    (stale / "cdk.tf.json").write_text('{"resource": {}}', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=PROJECT_DIR,
        env=_user_env(CDKTF_OUTDIR=str(outdir)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return outdir, result


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`npx cdktf synth` (`npx cdktn synth` for cdktn) as a user types it, with no
    CHECKPOINT_DISABLE of their own."""
    outdir = tmp_path_factory.mktemp("cli") / "cdktf.out"
    env = _user_env()
    env.pop("CHECKPOINT_DISABLE", None)
    result = subprocess.run(
        ["npx", flavours.selected().cli, "synth", "--output", str(outdir)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return outdir, result


def _project_stacks() -> list[str]:
    """The stacks main.py writes: one per environment of the project's cdktf.json."""
    return [s.stack_name for s in project_settings().values()]


def test_main_says_what_it_wrote(main_run):
    outdir, result = main_run
    stacks = _project_stacks()
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["stacks"]) == sorted(stacks)
    lines = result.stdout.splitlines()
    flavour = flavours.selected().name
    assert lines[0].startswith(f"Synthesizing {', '.join(stacks)} with {flavour} ")
    assert f"Wrote {len(stacks)} stacks:" in lines
    for name in manifest["stacks"]:
        config = json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text(encoding="utf-8"))
        resources = sum(len(blocks) for blocks in config["resource"].values())
        assert resources > 50
        line = f"{resources} resources  {outdir.as_posix()}/stacks/{name}/cdk.tf.json"
        assert any(text.startswith(f"  {name}") and text.endswith(line) for text in lines), lines


def test_main_removes_the_stack_folders_it_no_longer_produces(main_run):
    outdir, result = main_run
    assert sorted(_stacks(outdir)) == sorted(_project_stacks())
    assert not (outdir / "stacks" / "voting-app-retired-env").exists()
    assert (
        f"Removed {outdir.as_posix()}/stacks/voting-app-retired-env: "
        "this synth no longer produces that stack."
    ) in result.stdout.splitlines()


def test_main_prints_no_banner_or_warning(main_run):
    _, result = main_run
    assert result.stderr == ""
    assert not NOISE.search(result.stdout), result.stdout


def test_cli_writes_the_same_bytes_as_main(main_run, cli_run):
    """Also proves targetVersions reaches both: without it cdktn writes nothing (test_flavours)."""
    main_stacks, cli_stacks = _stacks(main_run[0]), _stacks(cli_run[0])
    assert sorted(cli_stacks) == sorted(main_stacks)
    for name, text in main_stacks.items():
        assert cli_stacks[name] == text, f"{name}: the CLI's synth differs from python main.py"


def test_cli_prints_no_banner_version_check_or_warning(cli_run):
    _, result = cli_run
    output = result.stdout + result.stderr
    stacks = ", ".join(_project_stacks())
    # The CLI wraps its lines at 80 columns: a longer list of stacks spans two.
    assert f"Generated Terraform code for the stacks: {stacks}" in " ".join(output.split())
    assert not NOISE.search(output), output


def test_synth_needs_no_terraform(tmp_path):
    """Synth is offline and tool-free: a fresh machine has no Terraform on the PATH."""
    env = _user_env(CDKTF_OUTDIR=str(tmp_path), VOTING_ENVIRONMENTS="dev")
    env["PATH"] = os.pathsep.join(
        folder
        for folder in env["PATH"].split(os.pathsep)
        if not (Path(folder) / "terraform").exists()
    )
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    dev = project_settings()["dev"].stack_name
    assert (tmp_path / "stacks" / dev / "cdk.tf.json").is_file()


@pytest.mark.parametrize("switch", ["VOTING_LAZY_PROVIDERS", "VOTING_LAZY_NODE_PROVIDERS"])
def test_a_bad_loader_switch_is_one_line_naming_it(switch, tmp_path):
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=PROJECT_DIR,
        env=_user_env(CDKTF_OUTDIR=str(tmp_path), **{switch: "maybe"}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {switch}='maybe' is not a switch"), line


def test_main_outside_the_project_venv_is_one_line_naming_the_fix(tmp_path):
    """`python3 main.py` with a Python that lacks the locked packages (Debian's own, say)."""
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    result = subprocess.run(
        [str(bare / "bin" / "python"), "main.py"],
        cwd=PROJECT_DIR,
        env=_user_env(CDKTF_OUTDIR=str(tmp_path / "out")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: this Python lacks the project's packages (jsii, cdktf); run `make synth`, "
        "or `.venv/bin/python main.py` once `make synth` has installed them"
    ]
