"""Soak: the image's gunicorn and a real redis-server under mixed traffic for a long time.

Browsers (page, then a vote with the page's token, retried with the same token on 503 as the
page's script does) and a forged-token flood run together; Redis is restarted in the middle
(same port and AOF). At the end every acknowledged vote must be counted exactly once, the
workers' RSS must stay flat and Redis's memory bounded. Not part of CI (it runs for minutes):

    .venv/bin/python bench/soak.py --seconds 1800

Prints one line per sample and a JSON summary; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import secrets
import sys
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.frontend.support import OPTIONS, Gunicorn, RedisServer  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
TOKEN = re.compile(r'name="token" id="token" value="([^"]+)"')


class Totals:
    """What the clients saw, shared between their threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acknowledged = dict.fromkeys(OPTIONS, 0)
        self.statuses: dict[str, int] = {}
        self.forged_accepted = 0

    def saw(self, what: str) -> None:
        with self.lock:
            self.statuses[what] = self.statuses.get(what, 0) + 1


def browser(port: int, source: str, stop: threading.Event, totals: Totals, n: int) -> None:
    """Load the page, vote with its token until acknowledged, idle a little, again."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    while not stop.is_set():
        try:
            connection.request("GET", "/")
            response = connection.getresponse()
            body = response.read().decode()
            totals.saw(f"page {response.status}")
            if response.status != 200:
                time.sleep(0.2)
                continue
            token = TOKEN.search(body).group(1)  # type: ignore[union-attr]
            option = OPTIONS[n % 2]
            n += 1
            while not stop.is_set():
                connection.request(
                    "POST", "/api/vote", body=f"vote={option}&token={token}", headers=FORM
                )
                response = connection.getresponse()
                response.read()
                totals.saw(f"vote {response.status}")
                if response.status == 200:
                    # One vote per token: counted by this request, or by an earlier try whose
                    # answer was a 503 (then this one says counted: false).
                    with totals.lock:
                        totals.acknowledged[option] += 1
                    break
                time.sleep(0.2)
            time.sleep(0.01)
        except (OSError, http.client.HTTPException):
            totals.saw("connection error")
            connection.close()
            time.sleep(0.1)


def forger(port: int, stop: threading.Event, totals: Totals) -> None:
    """Post well-formed tokens nobody issued, as fast as one client can."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while not stop.is_set():
        try:
            token = secrets.token_urlsafe(24)
            connection.request("POST", "/api/vote", body=f"vote=Tabs&token={token}", headers=FORM)
            response = connection.getresponse()
            response.read()
            totals.saw(f"forged {response.status}")
            if response.status == 200:
                totals.forged_accepted += 1
        except (OSError, http.client.HTTPException):
            connection.close()


def worker_rss_kb(server: Gunicorn) -> int:
    """Total RSS of the gunicorn workers (the master's children), in kB."""
    assert server.process is not None
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    total = 0
    for pid in children.read_text().split():
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=1800)
    parser.add_argument("--browsers", type=int, default=16)
    parser.add_argument("--maxmemory-mb", type=int, default=256)
    args = parser.parse_args()

    with TemporaryDirectory() as folder:
        redis_server = RedisServer(Path(folder) / "redis")
        redis_server.start()
        with redis_server.client() as client:
            client.config_set("maxmemory", args.maxmemory_mb * 1024 * 1024)
            client.config_set("maxmemory-policy", "noeviction")
        # No rate limit here: the soak is about counts and memory at a high vote rate (each
        # browser still comes from its own address); tests/frontend covers the limit.
        server = Gunicorn(
            Path(folder) / "gunicorn.log", {**redis_server.app_env(), "VOTE_RATE_LIMIT": "0"}
        )
        server.start()
        stop = threading.Event()
        totals = Totals()
        threads = [
            threading.Thread(
                target=browser, args=(server.port, f"127.0.1.{n + 1}", stop, totals, n)
            )
            for n in range(args.browsers)
        ]
        threads.append(threading.Thread(target=forger, args=(server.port, stop, totals)))
        for thread in threads:
            thread.start()
        samples = []
        started = time.monotonic()
        restarted = False
        try:
            while (elapsed := time.monotonic() - started) < args.seconds:
                time.sleep(min(30, args.seconds / 20))
                if not restarted and elapsed >= args.seconds / 2:
                    redis_server.stop()
                    time.sleep(2)
                    redis_server.start()
                    restarted = True
                with redis_server.client() as client:
                    used = int(client.info("memory")["used_memory"])
                    keys = client.dbsize()
                sample = {
                    "seconds": round(time.monotonic() - started),
                    "worker_rss_kb": worker_rss_kb(server),
                    "redis_used_bytes": used,
                    "redis_keys": keys,
                    "statuses": dict(totals.statuses),
                }
                samples.append(sample)
                print(json.dumps(sample), flush=True)
        finally:
            stop.set()
            for thread in threads:
                thread.join(30)
            with redis_server.client() as client:
                counted = {k: int(v) for k, v in client.hgetall("voting-app:votes").items()}
            server.stop()
            redis_server.stop()
            log_errors = server.log().count("Traceback")

    rss = [s["worker_rss_kb"] for s in samples]
    # Flat: the last third of the run grows the workers by less than 10 % over its first.
    third = max(1, len(rss) // 3)
    summary = {
        "seconds": args.seconds,
        "acknowledged": totals.acknowledged,
        "counted": counted,
        "exact": counted == totals.acknowledged,
        "forged_accepted": totals.forged_accepted,
        "statuses": totals.statuses,
        "worker_rss_kb_first_last": [rss[0], rss[-1]] if rss else [],
        "rss_flat": bool(rss) and max(rss[-third:]) <= 1.1 * max(rss[third : 2 * third] or rss),
        "redis_used_max_bytes": max(s["redis_used_bytes"] for s in samples) if samples else 0,
        "tracebacks_in_log": log_errors,
    }
    print(json.dumps(summary, indent=2))
    ok = summary["exact"] and not totals.forged_accepted and summary["rss_flat"]
    return 0 if ok and not log_errors else 1


if __name__ == "__main__":
    sys.exit(main())
