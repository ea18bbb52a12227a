"""Redis memory a counted vote costs: its token key, measured on a real redis-server.

Counts N votes through the app's own store (a Flask app against a redis-server with a password
and AOF, as production runs it) and reads `used_memory` before and after, then prints bytes per
vote and what that means for maxmemory: how many votes the token keys' lifetime (the token's 15
minutes plus the store's margin for clocks) can hold. Redis reclaims expired keys by sampling, so
some stay in memory after they expire: a second run writes keys with a short lifetime at a steady
rate and measures how many more keys Redis holds than are live, and the figures include that.

    .venv/bin/python bench/token_memory.py [--votes 200000]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "frontend"))

from tests.frontend.support import VOTE_TOKEN_KEY, RedisServer  # noqa: E402


def held_per_live(server: RedisServer, rate: int = 3000, lifetime_s: int = 20) -> float:
    """Keys Redis holds per live key when keys expire at a steady rate, after the first ones
    expired (the largest of six samples over 30 s)."""
    samples = []
    with server.client() as client:
        client.flushall()  # the counted votes' keys live for minutes
        started, written = time.monotonic(), 0
        while (elapsed := time.monotonic() - started) < lifetime_s + 35:
            pipe = client.pipeline(transaction=False)
            while written < elapsed * rate:
                key = "voting-app:vote:" + secrets.token_urlsafe(16)
                pipe.set(key, "Tabs", px=lifetime_s * 1000)
                written += 1
            pipe.execute()
            if elapsed > lifetime_s + 5 and len(samples) < (elapsed - lifetime_s) // 5:
                samples.append(client.dbsize() / (rate * lifetime_s))
            time.sleep(0.01)
        client.flushall()
    return max(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=200_000)
    args = parser.parse_args()

    from app import create_app
    from app.store import TOKEN_KEY_MARGIN_MS, add_vote, close_redis
    from app.tokens import TOKEN_LIFETIME, issue

    with TemporaryDirectory() as folder:
        server = RedisServer(Path(folder) / "redis")
        server.start()
        app = create_app(
            {
                "REDIS_HOST": "127.0.0.1",
                "REDIS_PORT": server.port,
                "REDIS_PASSWORD": server.password,
                "VOTE_TOKEN_KEY": VOTE_TOKEN_KEY,
                "VOTE_RATE_LIMIT": 0,
            }
        )
        try:
            with app.app_context():
                add_vote("Tabs", issue(VOTE_TOKEN_KEY))
                with server.client() as client:
                    before = int(client.info("memory")["used_memory"])
                for n in range(args.votes):
                    add_vote(("Tabs", "Spaces")[n % 2], issue(VOTE_TOKEN_KEY))
                with server.client() as client:
                    after = int(client.info("memory")["used_memory"])
                    keys = client.dbsize()
            held = held_per_live(server)
        finally:
            close_redis(app)
            server.stop()

    per_vote = (after - before) / args.votes
    print(f"votes counted: {args.votes}, keys: {keys}")
    print(f"used_memory: {before} -> {after} bytes: {per_vote:.0f} bytes per counted vote")
    print(f"expired keys not yet reclaimed: Redis holds {held:.2f} keys per live key")
    # A counted token's key lives as long as the token, plus the margin (store.py).
    key_lifetime = TOKEN_LIFETIME + TOKEN_KEY_MARGIN_MS // 1000
    lifetime_minutes = key_lifetime / 60
    for rate in (100, 1000):
        live = rate * key_lifetime
        print(
            f"at {rate} votes/s, {lifetime_minutes:.0f} min of tokens: {live} live keys, "
            f"{live * held * per_vote / 2**20:.0f} MiB held"
        )
    for maxmemory_mb in (307, 1024):
        rate = maxmemory_mb * 2**20 / (per_vote * held) / key_lifetime
        print(f"maxmemory {maxmemory_mb} MiB holds {rate:.0f} votes/s sustained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
