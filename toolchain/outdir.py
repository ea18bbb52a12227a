"""The output folder after a synth: only the stacks it produced, and a summary of what it wrote.

cdktf writes the stacks of this run and a manifest.json naming them, but leaves the folders of
stacks an earlier run produced (`VOTING_ENVIRONMENTS=dev` after a full synth leaves prod behind).
Terraform or the review command would then read a stack that no longer matches the code, so
those folders are removed; the Terraform state is not in them (it lives beside cdktf.json, or in
S3).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
STACKS = "stacks"


@dataclass(frozen=True)
class WrittenStack:
    """One stack of the manifest: its name, its cdk.tf.json and how many resources it declares."""

    name: str
    path: Path
    resources: int


def written_stacks(outdir: Path) -> list[WrittenStack]:
    """The stacks manifest.json lists, in its order, with their resource counts."""
    manifest = json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))
    stacks = []
    for name, entry in manifest["stacks"].items():
        path = outdir / entry["synthesizedStackPath"]
        config = json.loads(path.read_text(encoding="utf-8"))
        count = sum(len(blocks) for blocks in config.get("resource", {}).values())
        stacks.append(WrittenStack(name=name, path=path, resources=count))
    return stacks


def remove_stale_stacks(outdir: Path, keep: list[WrittenStack]) -> list[Path]:
    """Delete the stack folders under `outdir`/stacks that `keep` does not name; return them."""
    kept = {stack.path.parent.resolve() for stack in keep}
    folders = sorted((outdir / STACKS).iterdir()) if (outdir / STACKS).is_dir() else []
    stale = [folder for folder in folders if folder.is_dir() and folder.resolve() not in kept]
    for folder in stale:
        shutil.rmtree(folder)
    return stale


def summary(stacks: list[WrittenStack], removed: list[Path]) -> str:
    """Lines saying which stacks were written where, with their resource counts, and what went."""
    width = max(len(stack.name) for stack in stacks)
    lines = [f"Wrote {len(stacks)} stack{'s' if len(stacks) != 1 else ''}:"]
    for stack in stacks:
        count = f"{stack.resources:>4} resources"
        lines.append(f"  {stack.name:<{width}}  {count}  {_shown(stack.path)}")
    for folder in removed:
        lines.append(f"Removed {_shown(folder)}: this synth no longer produces that stack.")
    return "\n".join(lines)


def _shown(path: Path) -> str:
    """The path relative to the working directory when it is below it, else absolute."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()
