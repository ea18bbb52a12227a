"""gunicorn settings for the voting app, read from the environment with safe defaults."""

import os
import secrets


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a positive integer, got {raw!r}") from None
    if value < 1:
        raise SystemExit(f"{name} must be a positive integer, got {value}")
    return value


# An unprivileged port, since the container runs as a non-root user.
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_positive_int('PORT', 8080)}"
workers = _positive_int("WEB_CONCURRENCY", 2)
# gevent, with bounded bodies and deadlines (app/worker.py): a client that stalls costs a
# greenlet, not one of a few threads, and holds no Redis connection (app/store.py). Each
# worker serves this many connections at once: enough that thousands of slow or idle sockets
# (each let go within its deadline) never make a probe or a visitor wait for a free greenlet.
# An idle greenlet with its socket costs a few kB; the task's open-file limit must allow it.
worker_class = "app.worker.VotingWorker"
worker_connections = _positive_int("GUNICORN_WORKER_CONNECTIONS", 5000)
timeout = 30
# Shorter than the default ECS stop timeout (30 s), so in-flight requests finish first.
graceful_timeout = 20
# Seconds a connection may sit idle between requests, and (in the gevent worker) the deadline
# for a whole request head, so a client dribbling headers is let go after this too.
keepalive = 5

# No proxy sits in front (the NLB passes TCP through), so no client may set the app's
# SCRIPT_NAME, scheme or forwarded address, not even one on loopback, which gunicorn trusts by
# default (a SCRIPT_NAME the path does not start with would even be answered 500).
forwarded_allow_ips = ""
forwarder_headers = ""

# The root filesystem is read-only; /tmp is the writable scratch volume for worker heartbeats.
worker_tmp_dir = "/tmp"
# gunicorn >= 25.1 would create a control socket under $HOME, which is read-only or shared by
# several instances; nothing here uses gunicornc.
control_socket_disable = True

# Set here, in the master, so every worker inherits the same values: a server with neither
# VOTE_TOKEN_KEY nor a Redis password to derive it from (app/config.py) signs vote tokens with
# one random key for all its workers, and the workers share one "reached Redis once" mark
# (app/reached.py), named for this server.
if not os.environ.get("VOTE_TOKEN_KEY") and not os.environ.get("REDIS_PWD"):
    os.environ["VOTE_TOKEN_KEY"] = secrets.token_hex(32)
os.environ.setdefault(
    "REACHED_REDIS_MARK", f"{worker_tmp_dir}/voting-reached-redis-{secrets.token_hex(8)}"
)


def on_exit(server: object) -> None:
    """Remove the mark, so nothing of this server outlives it."""
    try:
        os.remove(os.environ["REACHED_REDIS_MARK"])
    except OSError:
        pass


# Logs go to the container's output streams (access log to stdout, errors to stderr).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
