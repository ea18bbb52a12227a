"""Command line: read a stack and optionally a plan, print the review, write DOT/SVG on request."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from .diagram import find_dot, render_svg, to_dot
from .load import ReviewError, resolve_stack_path
from .markdown import render
from .plan import load_plan
from .report import plan_notes, review_change, review_stack
from .stack import load_stack

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like the review's other input errors."""

    def error(self, message: str) -> NoReturn:
        """Print one line and exit 2."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def parser() -> argparse.ArgumentParser:
    """The command's options."""
    p = _Parser(
        prog="python -m review",
        description="Review what a synthesized cdktf stack creates and what a plan changes.",
    )
    p.add_argument(
        "stack",
        nargs="?",
        help="cdk.tf.json, its stack directory, or a stack name under cdktf.out/stacks",
    )
    p.add_argument(
        "--against",
        metavar="OLD",
        help="an older cdk.tf.json (or its directory): show what applying the stack over it "
        "replaces, creates, destroys and updates, and what that costs",
    )
    p.add_argument("--plan", type=Path, help="plan JSON from `terraform show -json plan.out`")
    p.add_argument("--output", "-o", type=Path, help="write the Markdown here instead of stdout")
    p.add_argument("--dot", type=Path, help="also write the diagram as Graphviz DOT")
    p.add_argument("--svg", type=Path, help="also render the diagram to SVG (needs Graphviz dot)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the review; input errors print one line on stderr and return 2."""
    args = parser().parse_args(argv)
    try:
        return _run(args)
    except ReviewError as error:
        print(f"review: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # the reader (`| head`) left; silence the flush Python would otherwise fail on at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    """Load, analyse, render and write."""
    if args.against and args.stack is None:
        raise ReviewError("--against compares two stacks: give the new stack as well")
    if args.stack is None and args.plan is None:
        raise ReviewError("give a stack (cdk.tf.json, its directory or a stack name) or --plan")
    if args.stack is None and (args.dot or args.svg):
        raise ReviewError("--dot and --svg draw a stack: give the stack as well")
    if args.svg:
        find_dot()  # fail before printing anything rather than after the report
    stack = load_stack(resolve_stack_path(args.stack)) if args.stack else None
    plan = load_plan(args.plan) if args.plan else None
    review = review_stack(stack) if stack else None
    notes = plan_notes(plan, stack) if plan else []
    change = None
    if args.against and stack is not None:
        change = review_change(args.against, load_stack(resolve_stack_path(args.against)), stack)
    markdown = render(review, plan, notes, change)
    if args.output:
        _write(args.output, markdown)
    else:
        sys.stdout.write(markdown)
        sys.stdout.flush()
    if review is not None and (args.dot or args.svg):
        dot = to_dot(review.graph, f"{review.stack.name}: traffic and secrets")
        if args.dot:
            _write(args.dot, dot)
        if args.svg:
            render_svg(dot, args.svg)
    return 0


def _write(path: Path, text: str) -> None:
    """Write an output file, reporting an unwritable path as an input error."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ReviewError(f"{path}: cannot write ({error.strerror})") from error
