"""Every command the README shows runs as written, or, needing AWS, Docker or Terraform, stops
with one line naming what to install. The README stays a front door of at most 250 lines.

`make synth`, `make test` and `make run` themselves are the quick start that `.ci/run` runs on a
fresh clone (and `tests/test_make_run.py` for `make run`); here the README's other commands run
after them, in the order the README shows them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import project_settings
from tests.test_make_run import Run, _session_members
from toolchain.project import PROJECT_DIR

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
QUICK_START = {"make synth", "make test", "make run"}


def _commands() -> list[str]:
    """The README's shell commands in order, continuation lines joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip():
                commands.append(line)
    return commands


def _bare(command: str) -> str:
    """A command without its trailing comment (none of the README's commands quote a #)."""
    return re.sub(r"\s+#.*$", "", command).strip()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env.pop("TERRAFORM_BINARY_NAME", None)
    # After the quick start: the environment is installed, so make must not install it again.
    env["MAKEFLAGS"] = "-o .venv/.synced -o node_modules/.node -o node_modules/.cli"
    return env


def _users_stacks(command: str) -> str:
    """The command with the README's stack names (the default project's) replaced by those the
    user's cdktf.json gives: a renamed project renames every stack."""
    for env, settings in project_settings().items():
        readme_name = conftest._settings("dev", environment=env).stack_name
        command = command.replace(readme_name, settings.stack_name)
    return command


def _no_terraform(env: dict[str, str]) -> dict[str, str]:
    path = env["PATH"].split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in path if not (Path(p) / "terraform").exists())
    return env


def _kind(command: str) -> str:
    bare = _bare(command)
    if bare in QUICK_START:
        return "quick start"
    if bare.startswith("apt-get install"):
        return "apt"
    if re.fullmatch(r"(\w+=\S+ )*make synth", bare.replace('"Tea or coffee?"', "x")):
        return "synth"
    if bare.startswith(("token=", "curl ")):
        return "curl"
    if bare.startswith("export TF_VAR_") or re.fullmatch(
        r"make (diff|deploy|destroy) STACK=\S+", bare
    ):
        return "deploy"
    if re.fullmatch(r"make review STACK=\S+", bare):
        return "review"
    return "unknown"


def test_readme_is_a_front_door_of_at_most_250_lines():
    assert len(README.splitlines()) <= 250
    for word in (" here ", " here.", "this machine"):
        assert word not in README, f"the README says {word.strip()!r}"


def test_every_readme_command_is_run_by_a_test():
    unknown = [command for command in _commands() if _kind(command) == "unknown"]
    assert unknown == [], "teach tests/test_readme_commands.py to run these"
    assert QUICK_START <= {_bare(command) for command in _commands()}


def test_the_apt_get_line_names_packages_debian_has():
    (command,) = [c for c in _commands() if _kind(c) == "apt"]
    # Simulated (-s): resolves every name against the package lists, installs nothing.
    args = shlex.split(_bare(command))
    result = subprocess.run(
        [*args[:2], "-s", *args[2:]], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("command", [c for c in _commands() if _kind(c) == "synth"])
def test_synth_commands_run_as_written(command, tmp_path):
    env = {**_env(), "CDKTF_OUTDIR": str(tmp_path)}
    env.pop("VOTING_ENVIRONMENTS", None)
    result = subprocess.run(
        ["bash", "-c", _bare(command)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Wrote " in result.stdout
    stacks = {env: tmp_path / "stacks" / s.stack_name for env, s in project_settings().items()}
    dev = (stacks["dev"] / "cdk.tf.json").read_text(encoding="utf-8")
    title = re.search(r'APP_TITLE="([^"]+)"', command)
    if title:
        assert title[1] in dev
    options = re.search(r'VOTE_OPTIONS="([^"]+)"', command)
    if options:
        task = json.loads(dev)["resource"]["aws_ecs_task_definition"]["web_task"]
        (container,) = json.loads(task["container_definitions"])
        env_vars = {item["name"]: item["value"] for item in container["environment"]}
        shown = [env_vars[f"VOTE{n}VALUE"] for n in range(1, len(options[1].split(",")) + 1)]
        assert shown == options[1].split(",")
    if "VOTING_ENVIRONMENTS=dev" in command:
        assert not stacks["prod"].exists()


def test_curl_examples_answer_as_their_comments_say(tmp_path):
    lines = [c for c in _commands() if _kind(c) == "curl"]
    assert lines[0].startswith("token=$(curl")
    # The README shows the dev profile's title and options; a user's cdktf.json may change them.
    dev = conftest._settings("dev")
    run = Run(
        tmp_path / "make-run.log",
        VOTING_DEV__APP_TITLE=dev.app_title,
        VOTING_DEV__VOTE_OPTIONS=",".join(dev.vote_options),
    )
    try:
        run.wait_ready()
        script = "\n".join(f"{_bare(line)}\necho '@@end'" for line in lines).replace(
            "127.0.0.1:8080", f"127.0.0.1:{run.port}"
        )
        result = subprocess.run(
            ["bash", "-euc", script], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stdout + result.stderr
        outputs = result.stdout.split("@@end\n")
        for line, output in zip(lines, outputs, strict=False):
            expected = line.split("#", 1)[1].strip() if "#" in line else ""
            assert expected in output, f"{line}\n{output}"
    finally:
        os.killpg(run.process.pid, 2)
        run.process.wait(timeout=60)
        for pid in _session_members(run.process.pid):
            os.kill(pid, 9)


def test_deploy_commands_without_terraform_stop_in_one_line():
    env = _no_terraform(_env())
    for command in [c for c in _commands() if _kind(c) == "deploy"]:
        script = "\n".join(
            _bare(c) for c in _commands() if _kind(c) == "deploy" and c.startswith("export")
        )
        if command.startswith("export"):
            continue
        result = subprocess.run(
            ["bash", "-c", f"{script}\n{_bare(command)}"],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode != 0
        output = [
            line for line in (result.stdout + result.stderr).splitlines() if "make:" not in line
        ]
        assert len(output) == 1, output
        assert output[0].startswith("error: make ") and "needs Terraform 1.11" in output[0]


def test_review_command_runs_as_written():
    (command,) = [c for c in _commands() if _kind(c) == "review"]
    result = subprocess.run(
        ["bash", "-c", _users_stacks(_bare(command))],
        cwd=PROJECT_DIR,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip()
