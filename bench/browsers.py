"""Browser benchmark: visitors a second per task, against a baseline release, in the same run.

A visitor does what a browser does (bench/wrk/browser.lua): the page, its two assets, a vote with
the page's token, then idle time on the kept-alive connection (at random, `--idle-ms` on average).
wrk drives more and more connections against two servers started alike (redis-server with password
and AOF, gunicorn with each tree's own image config, all pinned to one core, wrk on another): this
tree's app and a baseline tree (`--baseline`, default `main`, extracted with `git archive`). For
each level it prints visitors/s, p99 latency, errors (any status other than 2xx/3xx, any socket
error) and the share of the core gunicorn used, then the visitors/s at which p99 passes 200 ms for
each and their ratio.

    .venv/bin/python bench/browsers.py [--baseline main] [--seconds 10] [--idle-ms 2000]

Exit 1 when this tree answered any error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from load import PASSWORD, ROOT, cpu_seconds, free_port, http_status, pinned, stop, wait_until

LUA = ROOT / "bench" / "wrk" / "browser.lua"
P99_LIMIT_MS = 200


def extract(ref: str, folder: Path) -> Path:
    """The frontend/ of git `ref`, written under `folder`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "frontend"], capture_output=True, check=True
    ).stdout
    folder.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "frontend"


def start(frontend: Path, redis_port: int, core: int | None, log: object) -> tuple[int, object]:
    """gunicorn on `frontend` with its own config, as its image runs it."""
    port = free_port()
    env = {
        **os.environ,
        "REDIS": "127.0.0.1",
        "REDIS_PORT": str(redis_port),
        "REDIS_PWD": PASSWORD,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PYTHONDONTWRITEBYTECODE": "1",
        # wrk is one client address: no per-client limit here.
        "VOTE_RATE_LIMIT": "0",
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:create_app()"]
    process = subprocess.Popen(
        pinned(core, command), cwd=frontend, env=env, stdout=subprocess.DEVNULL, stderr=log
    )
    try:
        wait_until(lambda: http_status(port, "/") == 200, f"gunicorn in {frontend}", process)
    except BaseException:
        stop(process)
        raise
    return port, process


def run_wrk(
    port: int, server: int, connections: int, seconds: int, idle_ms: int, core: int | None
) -> dict:
    """One wrk run of `connections` browsers; visitors/s, p99, errors and the CPU share of one
    core the gunicorn `server` (its pid) and its workers used."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
               "-s", str(LUA), f"http://127.0.0.1:{port}/", "--", str(idle_ms)]  # fmt: skip
    cpu_before = cpu_seconds([server])
    result = subprocess.run(
        pinned(core, command), capture_output=True, text=True, timeout=seconds + 60
    )
    cpu_used = cpu_seconds([server]) - cpu_before
    found = re.search(r"^wrk-json (\{.*\})$", result.stdout, re.M)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(found.group(1))
    seconds_run = figures["duration_us"] / 1e6
    return {
        "visitors_per_s": figures["requests"] / 4 / seconds_run,
        "p99_ms": figures["p99_us"] / 1000,
        "errors": figures["status_errors"] + figures["socket_errors"],
        "cpu_percent": 100 * cpu_used / seconds_run,
    }


def capacity(levels: list[dict]) -> dict:
    """The busiest level whose p99 stays within the limit, without errors (zeros if none)."""
    ok = [lv for lv in levels if lv["p99_ms"] <= P99_LIMIT_MS and not lv["errors"]]
    return max(
        ok, key=lambda lv: lv["visitors_per_s"], default={"visitors_per_s": 0.0, "cpu_percent": 0.0}
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git ref of the baseline (main)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds per level (10)")
    parser.add_argument("--idle-ms", type=int, default=2000, help="mean idle time per visit (2000)")
    parser.add_argument(
        "--connections", default="25,50,100,200,400,800", help="levels (25,...,800)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("redis-server") is None:
        raise SystemExit("wrk and redis-server are needed (make system-packages)")
    cores = sorted(os.sched_getaffinity(0))
    server_core, client_core = (cores[-1], cores[0]) if len(cores) > 1 else (None, None)
    levels = [int(n) for n in args.connections.split(",")]

    with tempfile.TemporaryDirectory(prefix="voting-browsers-") as tmp:
        folder = Path(tmp)
        baseline = extract(args.baseline, folder / "baseline")
        processes = []
        log_path = folder / "servers.log"
        try:
            with open(log_path, "ab") as log:
                redis_port = free_port()
                redis = subprocess.Popen(
                    pinned(
                        server_core,
                        [
                            shutil.which("redis-server"),
                            "--bind",
                            "127.0.0.1",
                            "--port",
                            str(redis_port),
                            "--dir",
                            tmp,
                            "--appendonly",
                            "yes",
                            "--save",
                            "",
                            "--requirepass",
                            PASSWORD,
                        ],
                    ),  # fmt: skip
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
                processes.append(redis)
                app_port, app = start(ROOT / "frontend", redis_port, server_core, log)
                processes.append(app)
                base_port, base = start(baseline, redis_port, server_core, log)
                processes.append(base)
            results: dict[str, list[dict]] = {"app": [], "baseline": []}
            print(f"browsers: page + 2 assets + vote, then {args.idle_ms} ms idle, keep-alive; "
                  f"servers on core {server_core}, wrk on core {client_core}; "
                  f"baseline = {args.baseline}")  # fmt: skip
            print(
                f"{'connections':>11} {'server':>9} {'visitors/s':>11} {'p99 ms':>8} {'errors':>7}"
                f" {'cpu %':>6}"
            )
            for number, connections in enumerate(levels):
                order = (("app", app_port), ("baseline", base_port))
                # Alternate which goes first, so drift on a shared machine hits both alike.
                for name, port in order if number % 2 == 0 else order[::-1]:
                    server = (app if name == "app" else base).pid
                    figures = run_wrk(
                        port, server, connections, args.seconds, args.idle_ms, client_core
                    )
                    results[name].append({"connections": connections, **figures})
                    print(f"{connections:>11} {name:>9} {figures['visitors_per_s']:>11.1f} "
                          f"{figures['p99_ms']:>8.1f} {figures['errors']:>7} "
                          f"{figures['cpu_percent']:>6.0f}")  # fmt: skip
        finally:
            for process in reversed(processes):
                stop(process)

    app_capacity, base_capacity = capacity(results["app"]), capacity(results["baseline"])
    app_rate, base_rate = app_capacity["visitors_per_s"], base_capacity["visitors_per_s"]
    ratio = app_rate / base_rate if base_rate else float("inf")
    print(f"visitors/s per core with p99 <= {P99_LIMIT_MS} ms and no error: "
          f"app {app_rate:.1f} (at {app_capacity['cpu_percent']:.0f} % CPU), "
          f"baseline {base_rate:.1f}, ratio {ratio:.2f}")  # fmt: skip
    for app_level, base_level in zip(results["app"], results["baseline"], strict=True):
        ratio = app_level["visitors_per_s"] / max(base_level["visitors_per_s"], 1e-9)
        print(f"  {app_level['connections']} connections: visitors/s app / baseline {ratio:.2f}")
    app_errors = sum(level["errors"] for level in results["app"])
    print(f"errors: app {app_errors}, baseline {sum(lv['errors'] for lv in results['baseline'])}")
    return 1 if app_errors else 0


if __name__ == "__main__":
    sys.exit(main())
