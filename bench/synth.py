"""Benchmark the README's synth command with the lazy provider loader on and off.

Runs `make synth` (the README's synth command: `python main.py` in the project venv)
alternately with
VOTING_LAZY_PROVIDERS=1 and =0, several rounds, each into its own output folder. For every run it
samples the resident memory of the whole process tree (make, pipenv, python, node) from /proc,
and it checks that both modes wrote byte-identical stacks. Prints medians and the on/off ratio.

    python bench/synth.py [--rounds N]
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

PROJECT_DIR = Path(__file__).resolve().parent.parent
COMMAND = ["make", "--no-print-directory", "synth"]
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    """The child process ids of `pid` (from every thread's children list in /proc)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.extend(int(child) for child in children.read_text().split())
        except OSError:
            continue  # the thread ended while we looked
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


def run_once(lazy: bool, outdir: Path) -> tuple[float, int, str]:
    """Time one synth; return (seconds, peak tree RSS in bytes, hash of the stacks written)."""
    env = {
        **os.environ,
        "VOTING_LAZY_PROVIDERS": "1" if lazy else "0",
        "CDKTF_OUTDIR": str(outdir),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
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
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"synth failed (lazy={lazy}):\n{stderr.decode()[-2000:]}")
    digest = hashlib.sha256()
    for stack in sorted((outdir / "stacks").glob("*/cdk.tf.json")):
        digest.update(stack.parent.name.encode() + stack.read_bytes())
    return elapsed, peak, digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="runs per mode (default 5)")
    args = parser.parse_args()

    results: dict[bool, list[tuple[float, int, str]]] = {True: [], False: []}
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as scratch:
        for round_ in range(args.rounds):
            # Alternate the order so neither mode always runs on a warmer cache.
            for lazy in (True, False) if round_ % 2 == 0 else (False, True):
                outdir = Path(scratch) / f"{'lazy' if lazy else 'eager'}-{round_}"
                results[lazy].append(run_once(lazy, outdir))
                seconds, peak, _ = results[lazy][-1]
                mode = "lazy " if lazy else "eager"
                print(f"round {round_ + 1} {mode}: {seconds:6.2f} s, peak {peak / 2**20:7.0f} MiB")

    hashes = {digest for runs in results.values() for _, _, digest in runs}
    lazy_time = statistics.median(r[0] for r in results[True])
    eager_time = statistics.median(r[0] for r in results[False])
    lazy_peak = statistics.median(r[1] for r in results[True])
    eager_peak = statistics.median(r[1] for r in results[False])
    print()
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"
    )
    print(f"command: {' '.join(COMMAND)} (VOTING_LAZY_PROVIDERS=1|0), {args.rounds} rounds each")
    print(f"{'mode':<22}{'median wall':>14}{'median peak RSS':>18}")
    print(f"{'loader on (lazy)':<22}{lazy_time:>12.2f} s{lazy_peak / 2**20:>14.0f} MiB")
    print(f"{'loader off (eager)':<22}{eager_time:>12.2f} s{eager_peak / 2**20:>14.0f} MiB")
    print(f"on/off wall-time ratio: {lazy_time / eager_time:.2f}")
    print(f"on/off peak-memory ratio: {lazy_peak / eager_peak:.2f}")
    print(f"output identical across all runs: {'yes' if len(hashes) == 1 else 'NO'}")
    if len(hashes) != 1:
        sys.exit(1)


if __name__ == "__main__":
    main()
