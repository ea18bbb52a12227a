"""Dummy values for a pull request's plan: one random valid value per required variable.

Every secret variable of the stacks is written to SSM through a write-only argument, which
Terraform never compares, so any valid value plans like the real one; a pull request's code
then never holds a production secret. Usage: `python scripts/plan_variables.py STACK_DIR`
writes `STACK_DIR/pr-plan.auto.tfvars.json`, which Terraform reads by itself.

The exception is the ElastiCache backend, whose `auth_token` reads the password: its plan shows
that (sensitive) argument as changing, which is the dummy, not the pull request.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

FILE_NAME = "pr-plan.auto.tfvars.json"


def dummy_values(stack: dict) -> dict[str, str]:
    """A value for each variable without a default: 48 hex digits, which every rule of the
    stacks accepts (Redis passwords: 16-128 letters and digits; the reset token: 32+)."""
    return {
        name: secrets.token_hex(24)
        for name, variable in stack.get("variable", {}).items()
        if "default" not in variable
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python scripts/plan_variables.py STACK_DIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    stack = json.loads((folder / "cdk.tf.json").read_text(encoding="utf-8"))
    (folder / FILE_NAME).write_text(json.dumps(dummy_values(stack)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
