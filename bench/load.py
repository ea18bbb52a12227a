"""Load benchmark of the app against the classic design it replaces, driven by wrk.

Starts one redis-server as production runs it (password, append-only file) and two gunicorn
servers with the image's config file (frontend/gunicorn.conf.py, its worker and access log):
the app, and the classic design in bench/classic/ (one POST = INCR + two GETs + the page). The
servers run on one core and wrk on another (taskset), so the client does not take the servers'
CPU. Each round measures, in alternating order:

- vote: a vote as the page performs it (`POST /api/vote`, one request answering the counts,
  each with a fresh token) against the classic vote (`POST /`, answering the whole page);
- page: `GET /` of both.

It prints requests per second (median of the rounds and their range), latency p50/p99 (median
of the rounds), server CPU time per request (gunicorn and redis-server, from /proc; redis-server
also alone), both throughput ratios per round and their medians, the CPU ratios, and checks that
Redis counted every acknowledged vote exactly once. Exit 1 when a ratio misses its target, a
request failed or a count is off.

    .venv/bin/python bench/load.py [--rounds 8] [--seconds 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FRONTEND = ROOT / "frontend"
CLASSIC = BENCH / "classic"
LUA = BENCH / "wrk" / "load.lua"
PASSWORD = "bench-password"
#: The key the app signs vote tokens with here, so this benchmark can sign the votes it sends.
VOTE_TOKEN_KEY = "bench-vote-token-key-0123456789abcdef"
#: Tokens written per second of a wrk run: more than the app answers, so none repeats.
TOKENS_PER_SECOND = 8000
OPTIONS = ("Tabs", "Spaces")
VOTE_TARGET = 1.3
PAGE_TARGET = 1.0


def free_port() -> int:
    """Return a loopback TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pinned(core: int | None, command: list[str]) -> list[str]:
    """The command run on one CPU core (taskset), or as is on a single-core machine."""
    return command if core is None else ["taskset", "-c", str(core), *command]


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a child process and reap it."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(roots: list[int]) -> float:
    """User+system CPU seconds of processes and their live children (Linux /proc)."""
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
        if int(entry) in roots or int(fields[1]) in roots:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


class Redis:
    """A minimal RESP client (the benchmark reads a few numbers; no library needed)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buffer = b""

    def call(self, *args: str) -> Any:
        """Send one command and return its reply (integers, strings, None, lists)."""
        command = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
        self.sock.sendall(command.encode())
        return self._reply()

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("redis-server closed the connection")
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _reply(self) -> Any:
        line = self._line()
        kind, rest = line[:1], line[1:].decode()
        if kind == b"-":
            raise RuntimeError(rest)
        if kind == b":":
            return int(rest)
        if kind == b"+":
            return rest
        if kind == b"$":
            if rest == "-1":
                return None
            while len(self.buffer) < int(rest) + 2:
                self.buffer += self.sock.recv(65536)
            value, self.buffer = self.buffer[: int(rest)], self.buffer[int(rest) + 2 :]
            return value.decode()
        if kind == b"*":
            return [self._reply() for _ in range(int(rest))]
        raise RuntimeError(f"unexpected reply {line!r}")

    def close(self) -> None:
        """Close the connection."""
        self.sock.close()


def wait_until(check: Any, what: str, process: subprocess.Popen[bytes]) -> None:
    """Poll `check` until it is true, failing if the process dies or 20 s pass."""
    deadline = time.monotonic() + 20
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)


def http_status(port: int, path: str) -> int:
    """Status of one GET on a new connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        return int(sock.recv(64).split()[1])


@dataclass
class Servers:
    """The processes under test and where they listen."""

    redis_port: int
    app_port: int
    classic_port: int
    app_pids: list[int]
    classic_pids: list[int]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def start_servers(tmp: Path, core: int | None, workers: int, log: Any) -> Servers:
    """Start redis-server and both gunicorn servers on `core`; the caller stops them."""
    processes: list[subprocess.Popen[bytes]] = []
    redis_port = free_port()
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        raise SystemExit("redis-server is not installed (make system-packages)")
    command = [redis_server, "--bind", "127.0.0.1", "--port", str(redis_port),
               "--dir", str(tmp), "--appendonly", "yes", "--save", "",
               "--requirepass", PASSWORD, "--logfile", ""]  # fmt: skip
    redis_process = subprocess.Popen(pinned(core, command), stdout=log, stderr=subprocess.STDOUT)
    processes.append(redis_process)
    try:
        return _start_apps(processes, redis_process, redis_port, core, workers, log)
    except BaseException:
        # The caller gets no Servers to stop: stop what started here.
        for process in reversed(processes):
            stop(process)
        raise


def _start_apps(
    processes: list[subprocess.Popen[bytes]],
    redis_process: subprocess.Popen[bytes],
    redis_port: int,
    core: int | None,
    workers: int,
    log: Any,
) -> Servers:
    """Wait for redis-server, then start both gunicorn servers (added to `processes`)."""
    servers = Servers(redis_port, 0, 0, [redis_process.pid], [redis_process.pid], processes)

    def pong() -> bool:
        client = Redis(redis_port)
        try:
            return client.call("AUTH", PASSWORD) == "OK"
        finally:
            client.close()

    wait_until(pong, "redis-server", redis_process)
    env = {
        **os.environ,
        "REDIS": "127.0.0.1",
        "REDIS_PORT": str(redis_port),
        "REDIS_PWD": PASSWORD,
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(workers),
        "PYTHONDONTWRITEBYTECODE": "1",
        "VOTE_TOKEN_KEY": VOTE_TOKEN_KEY,
        # One client address sends every vote here: no per-client limit.
        "VOTE_RATE_LIMIT": "0",
        # The classic app's directory holds no worker; the config names the app's.
        "PYTHONPATH": str(FRONTEND),
    }
    for name, cwd, app in (
        ("app", FRONTEND, "app:create_app()"),
        ("classic", CLASSIC, "classic_app:create_app()"),
    ):
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "--config", str(FRONTEND / "gunicorn.conf.py"),
                   app]  # fmt: skip
        process = subprocess.Popen(
            pinned(core, command),
            cwd=cwd,
            env={**env, "PORT": str(port)},
            # The access log is part of what production pays for each request; it is kept.
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        processes.append(process)
        wait_until(lambda port=port: http_status(port, "/") == 200, f"{name} gunicorn", process)
        if name == "app":
            servers.app_port, servers.app_pids = port, [process.pid, redis_process.pid]
        else:
            servers.classic_port, servers.classic_pids = port, [process.pid, redis_process.pid]
    return servers


@dataclass
class Target:
    """One load: which server, which wrk mode, and the figures of each round."""

    name: str
    port: int
    mode: str
    pids: list[int]
    rounds: list[dict[str, float]] = field(default_factory=list)

    def median(self, key: str) -> float:
        """Median of one figure over the rounds."""
        return statistics.median(run[key] for run in self.rounds)


def run_wrk(
    target: Target, seconds: int, connections: int, core: int | None, tokens: str
) -> dict[str, float]:
    """Run wrk once against the target and return its figures plus server CPU per request."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(LUA),
               f"http://127.0.0.1:{target.port}/", "--", target.mode, tokens]  # fmt: skip
    cpu_before = cpu_seconds(target.pids), cpu_seconds(target.pids[1:])
    result = subprocess.run(
        pinned(core, command), capture_output=True, text=True, timeout=seconds + 60
    )
    cpu_after = cpu_seconds(target.pids), cpu_seconds(target.pids[1:])
    found = re.search(r"^wrk-json (\{.*\})$", result.stdout, re.M)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(found.group(1))
    requests = figures["requests"]
    return {
        "requests": requests,
        "errors": figures["status_errors"] + figures["socket_errors"],
        "req_per_s": requests / (figures["duration_us"] / 1e6),
        "p50_ms": figures["p50_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "server_cpu_us": (cpu_after[0] - cpu_before[0]) / max(requests, 1) * 1e6,
        "redis_cpu_us": (cpu_after[1] - cpu_before[1]) / max(requests, 1) * 1e6,
    }


def token_file(folder: Path, seconds: int) -> str:
    """Write fresh vote tokens signed with the server's key for one wrk run; return the path."""
    sys.path.insert(0, str(FRONTEND))
    from app.tokens import issue

    path = folder / f"tokens-{time.monotonic_ns()}.txt"
    count = TOKENS_PER_SECOND * seconds
    path.write_text("".join(issue(VOTE_TOKEN_KEY) + "\n" for _ in range(count)))
    return str(path)


def counts(port: int) -> dict[str, Any]:
    """The app's counts, its token keys and the classic counters, read from Redis."""
    client = Redis(port)
    try:
        client.call("AUTH", PASSWORD)
        votes = client.call("HMGET", "voting-app:votes", *OPTIONS)
        tokens, cursor = 0, "0"
        while True:
            cursor, keys = client.call(
                "SCAN", cursor, "MATCH", "voting-app:vote:*", "COUNT", "1000"
            )
            tokens += len(keys)
            if cursor == "0":
                break
        classic = [client.call("GET", option) for option in OPTIONS]
    finally:
        client.close()
    return {
        "app": sum(int(value or 0) for value in votes),
        "app_tokens": tokens,
        "classic": sum(int(value or 0) for value in classic),
    }


def main() -> int:
    """Run the benchmark, print the figures and verdicts, save them to bench/results/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="rounds per target (8)")
    parser.add_argument("--seconds", type=int, default=3, help="seconds per wrk run (3)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (make system-packages)")
    cores = sorted(os.sched_getaffinity(0))
    server_core, client_core = (cores[-1], cores[0]) if len(cores) > 1 else (None, None)

    # Turn SIGTERM into an exception so the finally block below still stops the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="voting-bench-") as tmp:
        log_path = Path(tmp) / "servers.log"
        servers: Servers | None = None
        try:
            with open(log_path, "ab") as log:
                servers = start_servers(Path(tmp), server_core, args.workers, log)
            vote = Target("vote (page)", servers.app_port, "vote", servers.app_pids)
            classic_vote = Target(
                "vote (classic)", servers.classic_port, "classic-vote", servers.classic_pids
            )
            page = Target("page (app)", servers.app_port, "page", servers.app_pids)
            classic_page = Target("page (classic)", servers.classic_port, "page",
                                  servers.classic_pids)  # fmt: skip
            pairs = ((vote, classic_vote), (page, classic_page))
            acknowledged = {"app": 0, "classic": 0}
            # Warm-up: imports, templates, connections and the script cache, untimed.
            for target in (*pairs[0], *pairs[1]):
                warm = run_wrk(target, 2, args.connections, client_core, token_file(Path(tmp), 2))
                if target.mode != "page":
                    acknowledged["app" if target is vote else "classic"] += warm["requests"]
            for number in range(args.rounds):
                for pair in pairs:
                    # Alternate which goes first, so drift on a shared machine hits both alike.
                    for target in pair if number % 2 == 0 else pair[::-1]:
                        tokens = token_file(Path(tmp), args.seconds)
                        figures = run_wrk(
                            target, args.seconds, args.connections, client_core, tokens
                        )
                        target.rounds.append(figures)
                        if target.mode != "page":
                            key = "app" if target is vote else "classic"
                            acknowledged[key] += int(figures["requests"] - figures["errors"])
            counted = counts(servers.redis_port)
        except BaseException:
            sys.stderr.write(log_path.read_text(errors="replace") if log_path.exists() else "")
            raise
        finally:
            for process in reversed(servers.processes if servers else []):
                stop(process)
    return report(args, server_core, client_core, pairs, acknowledged, counted)


def report(
    args: argparse.Namespace,
    server_core: int | None,
    client_core: int | None,
    pairs: tuple[tuple[Target, Target], ...],
    acknowledged: dict[str, int],
    counted: dict[str, Any],
) -> int:
    """Print the figures and verdicts, save them to bench/results/load.json, return the status."""
    machine = (
        f"{os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
    placement = (
        f"servers on core {server_core}, wrk on core {client_core}"
        if server_core is not None
        else "one core: not pinned"
    )
    print(f"machine: {machine}; {placement}")
    print(
        f"servers: gunicorn {args.workers} workers (frontend/gunicorn.conf.py: gevent worker, "
        f"access log on), redis-server with password and AOF, all on loopback"
    )
    print(
        f"client: wrk, 1 thread, {args.connections} connections, {args.rounds} rounds x "
        f"{args.seconds} s per target, alternating order, after a 2 s warm-up each"
    )
    print()
    titles = ("target", "req/s", "range", "p50 ms", "p99 ms", "srv CPU us", "of it redis", "errors")
    print(f"{titles[0]:<16}{titles[1]:>9}{titles[2]:>15}" + "".join(f"{t:>12}" for t in titles[3:]))
    rows = []
    for target in (target for pair in pairs for target in pair):
        rates = [run["req_per_s"] for run in target.rounds]
        row = {
            "target": target.name,
            "req_per_s": target.median("req_per_s"),
            "rounds_req_per_s": [round(rate) for rate in rates],
            "p50_ms": target.median("p50_ms"),
            "p99_ms": target.median("p99_ms"),
            "server_cpu_us": target.median("server_cpu_us"),
            "redis_cpu_us": target.median("redis_cpu_us"),
            "errors": int(sum(run["errors"] for run in target.rounds)),
        }
        rows.append(row)
        spread = f"{min(rates):.0f}-{max(rates):.0f}"
        print(
            f"{row['target']:<16}{row['req_per_s']:>9.0f}{spread:>15}{row['p50_ms']:>12.2f}"
            f"{row['p99_ms']:>12.2f}{row['server_cpu_us']:>12.0f}{row['redis_cpu_us']:>12.0f}"
            f"{row['errors']:>12}"
        )
    print()
    verdicts = []
    for (ours, theirs), target_ratio in zip(pairs, (VOTE_TARGET, PAGE_TARGET), strict=True):
        ratios = [
            mine["req_per_s"] / other["req_per_s"]
            for mine, other in zip(ours.rounds, theirs.rounds, strict=True)
        ]
        ratio = statistics.median(ratios)
        verdicts.append(ratio >= target_ratio)
        kind = ours.mode if ours.mode == "page" else "vote"
        cpu = theirs.median("server_cpu_us") / ours.median("server_cpu_us")
        print(f"{kind} ratio per round: {[round(value, 2) for value in ratios]}")
        print(
            f"{kind} throughput, app / classic (median of rounds): {ratio:.2f} "
            f"(target >= {target_ratio:.1f}) {'ok' if verdicts[-1] else 'MISSED'}; "
            f"server CPU per request, classic / app: {cpu:.2f}"
        )
    in_flight = args.connections * (args.rounds + 1)
    exact = counted["app"] == counted["app_tokens"]
    complete = all(
        acknowledged[key] <= counted[key] <= acknowledged[key] + in_flight
        for key in ("app", "classic")
    )
    print(
        f"votes: app counted {counted['app']} for {acknowledged['app']} acknowledged, "
        f"{counted['app_tokens']} tokens recorded; classic counted {counted['classic']} for "
        f"{acknowledged['classic']} acknowledged (a run's last requests may be counted but "
        f"not acknowledged: at most {in_flight})"
    )
    print(f"every acknowledged vote counted exactly once: {'yes' if exact and complete else 'NO'}")
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    summary = {"machine": machine, "args": vars(args), "rows": rows, "counts": counted,
               "acknowledged": acknowledged}  # fmt: skip
    (results / "load.json").write_text(json.dumps(summary, indent=2) + "\n")
    failed = not all(verdicts) or any(row["errors"] for row in rows) or not (exact and complete)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
