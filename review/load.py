"""Find and read the JSON the review works on: a synthesized stack or a Terraform plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

STACK_FILE = "cdk.tf.json"
STACKS_DIR = Path("cdktf.out") / "stacks"


class ReviewError(Exception):
    """Input the review cannot use; the message is the one line the user sees."""


def resolve_stack_path(argument: str) -> Path:
    """Turn a file, a stack directory or a stack name into the path of its cdk.tf.json."""
    # paths stay relative to the working directory, so a pasted report names no home directory
    path = Path(argument)
    if path.is_file():
        return path
    if path.is_dir():
        if (path / STACK_FILE).is_file():
            return path / STACK_FILE
        raise ReviewError(f"{argument}: directory has no {STACK_FILE}{_stack_hint(path)}")
    named = STACKS_DIR / argument / STACK_FILE
    if "/" not in argument and named.is_file():
        return named
    if "/" not in argument and not argument.endswith(".json"):
        raise ReviewError(
            f"{argument}: no such file, and no stack of that name under {STACKS_DIR}"
            f"{_stack_hint(STACKS_DIR)}"
        )
    raise ReviewError(f"{argument}: no such file")


def _stack_hint(directory: Path) -> str:
    """Name the stacks found under a directory, to suggest what to pass instead."""
    for candidate in (directory / "stacks", directory):
        if candidate.is_dir():
            names = sorted(p.parent.name for p in candidate.glob(f"*/{STACK_FILE}"))
            if names:
                return f" (stacks there: {', '.join(names)})"
    return " (synthesize first: python main.py)"


def read_json(path: Path) -> Any:
    """Parse a JSON file, turning every way it can fail into a ReviewError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ReviewError(f"{path}: no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ReviewError(f"{path}: cannot read ({error})") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ReviewError(
            f"{path}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from error


def load_stack_json(path: Path) -> dict[str, Any]:
    """Read a synthesized stack, rejecting JSON that is not one (a plan, a list, other data)."""
    data = read_json(path)
    if isinstance(data, dict) and "format_version" in data and "resource" not in data:
        raise ReviewError(f"{path}: this is a Terraform plan, not a stack; pass it with --plan")
    if not isinstance(data, dict) or not ({"resource", "terraform"} & data.keys()):
        raise ReviewError(
            f"{path}: not a synthesized Terraform stack (no 'resource' or 'terraform' key)"
        )
    return data
