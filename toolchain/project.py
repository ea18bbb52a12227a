"""Where the project's files are: the root, the frontend build context and cdktf's output."""

from __future__ import annotations

import json
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
FRONTEND_DIR = PROJECT_DIR / "frontend"
CDKTF_JSON = PROJECT_DIR / "cdktf.json"


def output_dir() -> Path:
    """The folder cdktf writes stacks into (`output` in cdktf.json), inside the project."""
    config = json.loads(CDKTF_JSON.read_text(encoding="utf-8"))
    return PROJECT_DIR / config.get("output", "cdktf.out")


def stack_dir(outdir: str | Path, stack_name: str) -> Path:
    """The folder Terraform runs in for `stack_name` when cdktf writes into `outdir`.

    Relative paths in the stack's JSON start here; `outdir` is cdktf.json's `output`, or what
    `cdktf synth --output` passes in CDKTF_OUTDIR.
    """
    return (PROJECT_DIR / outdir).resolve() / "stacks" / stack_name
