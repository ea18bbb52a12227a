"""Load benchmark of the vote POST against a trivial POST endpoint on the same gunicorn server.

Starts redis-server and the app under its own gunicorn.conf.py on loopback, sends a fixed number
of requests from keep-alive client threads, and prints throughput and latency of each target
plus the vote/baseline throughput ratio. The served app is the real one plus one trivial POST
view (`bench_app`), so the baseline passes through the same gunicorn, cross-site check and
response headers as the vote, and the ratio is the price of the vote itself. The client side
uses the standard library only.

    .venv/bin/python bench/load.py [--clients 8] [--requests 2000] [--rounds 10]

Rounds alternate which target goes first, and each round yields its own ratio, so drift on a
shared machine cancels out; the verdict is the median of those ratios. "srv CPU us" is the CPU
time the servers (gunicorn master and workers, and redis-server) spent per request, read from
/proc; "cli CPU us" is the client's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FRONTEND = ROOT / "frontend"
GUNICORN_CONF = FRONTEND / "gunicorn.conf.py"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
OPTIONS = ("Tabs", "Spaces")
TARGET_RATIO = 0.8
TRIVIAL_PATH = "/bench/trivial"


def bench_app() -> Any:
    """The voting app as deployed, plus a trivial POST view to serve as the baseline."""
    from app import create_app

    app = create_app()

    @app.post(TRIVIAL_PATH)
    def trivial() -> str:
        return "ok"

    return app


def free_port() -> int:
    """Return a loopback TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check: Any, what: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    """Poll `check` until it is true, failing if the process dies or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """Terminate a child process and reap it."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(root: int) -> float:
    """User+system CPU seconds of a process and its live children (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        # After the command name: state, ppid, ..., utime (12th), stime (13th).
        if int(entry) == root or int(fields[1]) == root:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def http_status(port: int, method: str, path: str) -> int:
    """Send one request and return its status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def start_redis(
    data_dir: Path, log: Any, processes: list[subprocess.Popen[bytes]]
) -> tuple[subprocess.Popen[bytes], int]:
    """Start redis-server as in production (AOF on, RDB snapshots off) on loopback.

    The process is added to `processes` at once, so the caller stops it whatever happens next.
    """
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [executable, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data_dir),
         "--appendonly", "yes", "--save", "", "--logfile", ""],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    processes.append(process)

    def pong() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16) == b"+PONG\r\n"

    wait_until(pong, "redis-server", process, 10)
    return process, port


def start_gunicorn(
    app: str,
    cwd: Path,
    env: dict[str, str],
    args: argparse.Namespace,
    log: Any,
    processes: list[subprocess.Popen[bytes]],
) -> tuple[subprocess.Popen[bytes], int]:
    """Start gunicorn with the app's config file on loopback and wait for it to answer."""
    port = free_port()
    env = {
        **os.environ,
        **env,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        # Access logs would cost the same in both targets; keep the terminal readable.
        "GUNICORN_LOG_LEVEL": "warning",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF),
               "--access-logfile", os.devnull, app]  # fmt: skip
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    processes.append(process)
    wait_until(lambda: http_status(port, "GET", "/") < 500, "gunicorn", process, 20)
    return process, port


@dataclass
class Target:
    """A POST endpoint under test: where it is, what a good answer is, which processes serve it."""

    name: str
    port: int
    path: str
    expected: int
    pids: list[int]
    runs: list[Run] = field(default_factory=list)


@dataclass
class Run:
    """The outcome of one timed run against one target."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    acknowledged: int = 0
    elapsed: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    truncated: bool = False


def drive(target: Target, requests: int, args: argparse.Namespace) -> Run:
    """Post votes to the target from `args.clients` keep-alive threads; bounded in count and
    time."""
    run = Run()
    lock = threading.Lock()
    per_client = requests // args.clients
    deadline = time.monotonic() + args.time_limit
    ready = threading.Barrier(args.clients + 1)

    def client(index: int) -> None:
        latencies: list[float] = []
        errors = acknowledged = 0
        connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=10)
        ready.wait()
        try:
            for i in range(per_client):
                if time.monotonic() > deadline:
                    run.truncated = True
                    break
                began = time.perf_counter()
                try:
                    # Both targets get the same form; the trivial view ignores it. The vote's
                    # 303 itself is measured: the client does not follow the redirect.
                    body = f"vote={OPTIONS[(index + i) % 2]}"
                    connection.request("POST", target.path, body=body, headers=FORM)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    errors += 1
                    connection.close()
                    continue
                latencies.append(time.perf_counter() - began)
                if response.status == target.expected:
                    acknowledged += 1
                else:
                    errors += 1
        finally:
            connection.close()
            with lock:
                run.latencies.extend(latencies)
                run.errors += errors
                run.acknowledged += acknowledged

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    server_cpu = sum(cpu_seconds(pid) for pid in target.pids)
    client_cpu = time.process_time()
    ready.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    run.elapsed = time.perf_counter() - began
    run.server_cpu = sum(cpu_seconds(pid) for pid in target.pids) - server_cpu
    run.client_cpu = time.process_time() - client_cpu
    return run


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summarize(target: Target) -> dict[str, Any]:
    """Median throughput over the rounds; latency percentiles over all timed requests."""
    runs = target.runs
    latencies = [value for run in runs for value in run.latencies]
    done = len(latencies)
    return {
        "target": target.name,
        "requests": done,
        "errors": sum(run.errors for run in runs),
        "req_per_s": statistics.median(len(run.latencies) / run.elapsed for run in runs),
        "rounds_req_per_s": [round(len(run.latencies) / run.elapsed) for run in runs],
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "server_cpu_us": sum(run.server_cpu for run in runs) / done * 1e6,
        "client_cpu_us": sum(run.client_cpu for run in runs) / done * 1e6,
        "truncated": any(run.truncated for run in runs),
    }


def redis_version() -> str:
    """Version of the redis-server binary."""
    executable = shutil.which("redis-server") or "redis-server"
    output = subprocess.run([executable, "--version"], capture_output=True, text=True).stdout
    return next((part[2:] for part in output.split() if part.startswith("v=")), "unknown")


def get(port: int, path: str) -> bytes:
    """Return the body of one GET."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


def round_ratios(baseline: Target, vote: Target) -> list[float]:
    """Vote/baseline throughput ratio of each round, both measured back to back."""
    return [
        (len(v.latencies) / v.elapsed) / (len(b.latencies) / b.elapsed)
        for b, v in zip(baseline.runs, vote.runs, strict=True)
    ]


def main() -> int:
    """Run the benchmark and print the table; exit 1 on errors or a ratio under the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round (2000)")
    parser.add_argument("--warmup", type=int, default=400, help="untimed requests per target")
    parser.add_argument("--rounds", type=int, default=10, help="rounds per target (10)")
    parser.add_argument("--time-limit", type=float, default=30, help="seconds per round at most")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    args = parser.parse_args()

    # Turn SIGTERM into an exception so the finally block below still stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="voting-bench-") as tmp:
        log_path = Path(tmp) / "servers.log"
        try:
            with open(log_path, "ab") as log:
                redis_process, redis_port = start_redis(Path(tmp), log, processes)
                redis_env = {"REDIS": "127.0.0.1", "REDIS_PORT": str(redis_port)}
                # The app package is found in FRONTEND (the working directory), this module
                # through PYTHONPATH.
                server, port = start_gunicorn(
                    "load:bench_app()",
                    FRONTEND,
                    {**redis_env, "PYTHONPATH": str(BENCH)},
                    args,
                    log,
                    processes,
                )
            pids = [server.pid, redis_process.pid]
            baseline = Target("baseline POST (ok)", port, TRIVIAL_PATH, 200, pids)
            vote = Target("vote POST / (303)", port, "/", 303, pids)
            for target in (baseline, vote):
                drive(target, args.warmup, args)
            for number in range(args.rounds):
                # Alternate which target goes first, so drift on a shared machine hits both alike.
                for target in (baseline, vote) if number % 2 == 0 else (vote, baseline):
                    target.runs.append(drive(target, args.requests, args))
            counted = sum(json.loads(get(port, "/api/results"))["options"].values())
        except BaseException:
            sys.stderr.write(log_path.read_text(errors="replace") if log_path.exists() else "")
            raise
        finally:
            for process in reversed(processes):
                stop(process)
    acknowledged = sum(run.acknowledged for run in vote.runs)
    rows = [summarize(target) for target in (baseline, vote)]
    return report(args, rows, round_ratios(baseline, vote), counted, acknowledged)


def report(
    args: argparse.Namespace,
    rows: list[dict[str, Any]],
    ratios: list[float],
    counted: int,
    acknowledged: int,
) -> int:
    """Print the machine, the table and the ratio; save them to bench/results/load.json."""
    machine = (
        f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(f"machine: {machine}")
    print(
        f"server: gunicorn {args.workers} workers x {args.threads} threads (gunicorn.conf.py)"
        f", redis-server {redis_version()} with AOF, all on loopback"
    )
    print(
        f"client: {args.clients} keep-alive threads, {args.rounds} rounds x "
        f"{args.requests} requests per target after {args.warmup} warm-up requests"
    )
    print()
    header = (
        "target",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p99 ms",
        "srv CPU us",
        "cli CPU us",
    )
    print(f"{header[0]:<22}" + "".join(f"{title:>11}" for title in header[1:]))
    for row in rows:
        print(
            f"{row['target']:<22}{row['requests']:>11}{row['errors']:>11}{row['req_per_s']:>11.0f}"
            f"{row['p50_ms']:>11.2f}{row['p99_ms']:>11.2f}{row['server_cpu_us']:>11.0f}"
            f"{row['client_cpu_us']:>11.0f}" + ("  (time limit hit)" if row["truncated"] else "")
        )
    print()
    for row in rows:
        print(f"req/s per round, {row['target']}: {row['rounds_req_per_s']}")
    ratio = statistics.median(ratios)
    print(f"vote/baseline ratio per round: {[round(value, 2) for value in ratios]}")
    print(
        f"vote/baseline throughput ratio (median of rounds): {ratio:.2f} "
        f"(target >= {TARGET_RATIO:.2f})"
    )
    timed = acknowledged + args.warmup
    print(f"votes counted by Redis: {counted} (acknowledged: {timed} including warm-up)")
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    summary = {
        "machine": machine,
        "args": vars(args),
        "rows": rows,
        "round_ratios": ratios,
        "ratio": ratio,
    }
    (results / "load.json").write_text(json.dumps(summary, indent=2) + "\n")
    failed = any(row["errors"] for row in rows) or counted != timed or ratio < TARGET_RATIO
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
