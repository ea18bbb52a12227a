"""The command as users run it: argument forms, output files, and one-line errors on bad input."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.review.helpers import REPO, run_review


def test_stack_file_gives_the_markdown_report(voting_stack: Path) -> None:
    result = run_review(voting_stack)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Review of stack `voting-app-dev`\n")
    assert result.stderr == ""


def test_plan_adds_the_change_view(voting_stack: Path, plan_json: Path) -> None:
    result = run_review(voting_stack, "--plan", plan_json)
    assert result.returncode == 0, result.stderr
    assert "```text\nPlan: 2 to add, 3 to change, 2 to replace, 1 to destroy — " in result.stdout
    assert "## Changes" in result.stdout
    assert "## Identity" in result.stdout


def test_stack_name_and_directory_are_resolved(voting_stack: Path, tmp_path: Path) -> None:
    stack_dir = tmp_path / "cdktf.out" / "stacks" / "voting-app-dev"
    stack_dir.mkdir(parents=True)
    shutil.copy(voting_stack, stack_dir / "cdk.tf.json")
    by_name = run_review("voting-app-dev", cwd=tmp_path)
    by_dir = run_review("cdktf.out/stacks/voting-app-dev", cwd=tmp_path)
    assert by_name.returncode == by_dir.returncode == 0, by_name.stderr + by_dir.stderr
    assert by_name.stdout == by_dir.stdout
    assert "`cdktf.out/stacks/voting-app-dev/cdk.tf.json`: 57 resources" in by_name.stdout


def test_output_and_dot_files(voting_stack: Path, tmp_path: Path) -> None:
    result = run_review(voting_stack, "-o", tmp_path / "r.md", "--dot", tmp_path / "d.dot")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "r.md").read_text().startswith("# Review of stack")
    dot = (tmp_path / "d.dot").read_text()
    assert dot.startswith("digraph review {")
    assert 'label="aws_lb.web_lb_nlb\\ninternet-facing network", shape=box, color=' in dot


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_svg_is_rendered_with_graphviz(voting_stack: Path, tmp_path: Path) -> None:
    result = run_review(voting_stack, "--svg", tmp_path / "d.svg")
    assert result.returncode == 0, result.stderr
    svg = (tmp_path / "d.svg").read_text()
    assert "<svg" in svg
    assert "aws_lb.web_lb_nlb" in svg


def test_missing_graphviz_is_said_not_skipped(voting_stack: Path, tmp_path: Path) -> None:
    result = run_review(voting_stack, "--svg", tmp_path / "d.svg", path=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == (
        "review: error: cannot write the SVG: Graphviz `dot` is not installed "
        "(apt-get install graphviz)\n"
    )
    assert not (tmp_path / "d.svg").exists()


def write(path: Path, text: str) -> Path:
    """Write a file and return its path, for building bad inputs inline."""
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda d: ["missing.json"], "missing.json: no such file"),
        (lambda d: [write(d / "x.json", '{"foo": 1}')], "not a synthesized Terraform stack"),
        (lambda d: [write(d / "x.json", "[1, 2]")], "not a synthesized Terraform stack"),
        (lambda d: [write(d / "x.json", '{"resource": ')], "not valid JSON (Expecting value"),
        (lambda d: [write(d / "x.json", "\xff\xfe")], "not valid JSON"),
        (
            lambda d: [
                REPO / "tests/review/fixtures/voting_stack.json",
                "--plan",
                write(d / "p.json", json.dumps({"format_version": "2.0", "resource_changes": []})),
            ],
            "plan format_version 2.0 is not supported (expected 1.x)",
        ),
        (
            lambda d: [REPO / "tests/review/fixtures/plan.json"],
            "this is a Terraform plan, not a stack; pass it with --plan",
        ),
        (
            lambda d: [REPO / "tests/review/fixtures/voting_stack.json", "--plan", d / "p.json"],
            "p.json: no such file",
        ),
        (lambda d: ["no-such-stack"], "no stack of that name under cdktf.out/stacks"),
        (lambda d: [d], "directory has no cdk.tf.json"),
        (lambda d: [], "give a stack (cdk.tf.json, its directory or a stack name) or --plan"),
        (lambda d: ["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    make_args: Callable[[Path], list[str | Path]], message: str, tmp_path: Path
) -> None:
    result = run_review(*make_args(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
