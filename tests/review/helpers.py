"""Helpers for the review tests: run the command, cut the report into sections."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_review(
    *args: str | Path, cwd: Path = REPO, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m review` as a user would, capturing its output."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "review", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def section(markdown: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    lines = markdown.splitlines()
    start = lines.index(heading)
    body = []
    for line in lines[start + 1 :]:
        marks = line.split(" ", 1)[0]
        if marks.startswith("#") and set(marks) == {"#"} and len(marks) <= len(level):
            break
        body.append(line)
    return "\n".join(body)


def report_of(stack: Path | None, plan: Path | None = None) -> str:
    """The Markdown review of a stack file (and plan), produced in-process for speed."""
    from review.markdown import render
    from review.plan import load_plan
    from review.report import plan_notes, review_stack
    from review.stack import load_stack

    loaded = load_stack(stack) if stack else None
    loaded_plan = load_plan(plan) if plan else None
    notes = plan_notes(loaded_plan, loaded) if loaded_plan else []
    return render(review_stack(loaded) if loaded else None, loaded_plan, notes)
