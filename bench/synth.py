"""Benchmark the README's synth command: three loader modes of cdktf, and cdktn beside cdktf.

Runs `make synth` (the README's synth command: `python main.py` in the project venv) in each mode,
several rounds, the order of the modes rotating from round to round, each run into its own output
folder:

- eager: `VOTING_LAZY_PROVIDERS=0 VOTING_LAZY_NODE_PROVIDERS=0`, as plain cdktf imports providers;
- Python lazy: `VOTING_LAZY_PROVIDERS=1 VOTING_LAZY_NODE_PROVIDERS=0`, node still loads eagerly;
- both lazy: both switches on (the default);
- cdktn, both lazy: the default loaders on the other CDK flavour (`VOTING_CDK=cdktn`).

For every run it samples the resident memory of the whole process tree (make, python, node and
node's child) from /proc, and it checks that all runs of one flavour wrote byte-identical stacks.
Prints medians, the ratios against eager and against cdktf both lazy of the same run, and the
per-round spread. Exits 1 if the outputs differ or if a target is missed: cdktf both lazy at most
0.15x eager's wall time and 0.35x its peak memory; cdktn at most 1.1x cdktf both lazy in both.

    python bench/synth.py [--rounds N] [--flavours-only]

`--flavours-only` runs only cdktf and cdktn both lazy (the eager runs take minutes on a busy
machine) and checks only the flavour target.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
from toolchain.node import project_node  # noqa: E402 - the project's root is on the path only now

COMMAND = ["make", "--no-print-directory", "synth"]
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.02
TARGET_TIME_RATIO = 0.15
TARGET_MEMORY_RATIO = 0.35
TARGET_FLAVOUR_RATIO = 1.1


class Mode(NamedTuple):
    label: str
    python_lazy: bool
    node_lazy: bool
    flavour: str = "cdktf"


EAGER = Mode("eager", python_lazy=False, node_lazy=False)
PYTHON_LAZY = Mode("Python lazy, node eager", python_lazy=True, node_lazy=False)
BOTH_LAZY = Mode("both lazy", python_lazy=True, node_lazy=True)
CDKTN = Mode("cdktn, both lazy", python_lazy=True, node_lazy=True, flavour="cdktn")
MODES = (EAGER, PYTHON_LAZY, BOTH_LAZY, CDKTN)


class Run(NamedTuple):
    seconds: float
    peak: int
    digest: str


def _children(pid: int) -> list[int]:
    """The child process ids of `pid` (from every thread's children list in /proc)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found  # the process ended while we looked
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found.extend(int(child) for child in children.read().split())
        except OSError:
            continue  # the thread or the process ended while we looked
    return found


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants right now."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError):
            continue  # the process ended while we looked
        total += resident * PAGE_SIZE
        todo.extend(_children(pid))
    return total


def run_once(mode: Mode, outdir: Path) -> Run:
    """Time one synth; return its seconds, peak tree RSS in bytes and a hash of the stacks."""
    env = {
        **os.environ,
        "VOTING_LAZY_PROVIDERS": "1" if mode.python_lazy else "0",
        "VOTING_LAZY_NODE_PROVIDERS": "1" if mode.node_lazy else "0",
        "VOTING_CDK": mode.flavour,
        "CDKTF_OUTDIR": str(outdir),
    }
    peak = 0
    start = time.perf_counter()
    process = subprocess.Popen(
        COMMAND, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"synth failed ({mode.label}):\n{stderr.decode()[-2000:]}")
    if peak == 0:
        sys.exit(f"no memory sample of the synth ({mode.label}): it ended within {elapsed:.2f} s")
    digest = hashlib.sha256()
    for stack in sorted((outdir / "stacks").glob("*/cdk.tf.json")):
        digest.update(stack.parent.name.encode() + stack.read_bytes())
    return Run(elapsed, peak, digest.hexdigest())


def _node_version() -> str:
    """The version of the node jsii runs (the project's, where npm installed it)."""
    node = os.environ.get("JSII_NODE") or str(project_node() or "node")
    try:
        return subprocess.run(
            [node, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs per mode (default 5)")
    parser.add_argument(
        "--flavours-only", action="store_true", help="only cdktf and cdktn, both lazy"
    )
    args = parser.parse_args()
    modes = (BOTH_LAZY, CDKTN) if args.flavours_only else MODES

    runs: dict[Mode, list[Run]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as scratch:
        for round_ in range(args.rounds):
            # Rotate the order so no mode always runs first, on a colder cache, or last.
            order = modes[round_ % len(modes) :] + modes[: round_ % len(modes)]
            for position, mode in enumerate(order):
                run = run_once(mode, Path(scratch) / f"{round_}-{position}")
                runs[mode].append(run)
                print(
                    f"round {round_ + 1} {mode.label:<24}{run.seconds:7.2f} s,"
                    f" peak {run.peak / 2**20:6.0f} MiB",
                    flush=True,
                )

    def median(mode: Mode, field: str) -> float:
        return statistics.median(getattr(run, field) for run in runs[mode])

    print()
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"node {_node_version()}, {platform.machine()}"
    )
    print(f"command: {' '.join(COMMAND)}, {args.rounds} rounds, modes rotated")
    base = EAGER if EAGER in runs else BOTH_LAZY
    print(
        f"{'mode':<26}{'median wall':>12}{'median peak RSS':>17}"
        f"{'time/' + base.label:>22}{'RSS/' + base.label:>21}"
    )
    for mode in modes:
        seconds, peak = median(mode, "seconds"), median(mode, "peak")
        print(
            f"{mode.label:<26}{seconds:>10.2f} s{peak / 2**20:>13.0f} MiB"
            f"{seconds / median(base, 'seconds'):>22.2f}{peak / median(base, 'peak'):>21.2f}"
        )
    for mode, other in ((PYTHON_LAZY, EAGER), (BOTH_LAZY, EAGER), (CDKTN, BOTH_LAZY)):
        if mode not in runs or other not in runs:
            continue
        # Each round's own ratio, to show how much the shared machine moved the figures.
        pairs = list(zip(runs[mode], runs[other], strict=True))
        times = [run.seconds / then.seconds for run, then in pairs]
        peaks = [run.peak / then.peak for run, then in pairs]
        print(
            f"{mode.label} per round: time/{other.label} {min(times):.2f}-{max(times):.2f},"
            f" RSS/{other.label} {min(peaks):.2f}-{max(peaks):.2f}"
        )

    flavour_ratios = [
        median(CDKTN, field) / median(BOTH_LAZY, field) for field in ("seconds", "peak")
    ]
    print(
        f"cdktn / cdktf (both lazy, same run): time {flavour_ratios[0]:.2f}x,"
        f" peak RSS {flavour_ratios[1]:.2f}x"
    )
    digests = {
        flavour: {run.digest for mode in modes if mode.flavour == flavour for run in runs[mode]}
        for flavour in {mode.flavour for mode in modes}
    }
    identical = all(len(found) == 1 for found in digests.values())
    print(f"output identical across all runs of each flavour: {'yes' if identical else 'NO'}")
    met = True
    if EAGER in runs:
        time_ratio = median(BOTH_LAZY, "seconds") / median(EAGER, "seconds")
        memory_ratio = median(BOTH_LAZY, "peak") / median(EAGER, "peak")
        met = time_ratio <= TARGET_TIME_RATIO and memory_ratio <= TARGET_MEMORY_RATIO
        print(
            f"target (both lazy <= {TARGET_TIME_RATIO}x eager's time and <= {TARGET_MEMORY_RATIO}x"
            f" its peak RSS): {'met' if met else 'NOT met'}"
        )
    flavour_met = max(flavour_ratios) <= TARGET_FLAVOUR_RATIO
    print(
        f"target (cdktn <= {TARGET_FLAVOUR_RATIO}x cdktf both lazy in time and peak RSS):"
        f" {'met' if flavour_met else 'NOT met'}"
    )
    if not (identical and met and flavour_met):
        sys.exit(1)


if __name__ == "__main__":
    main()
