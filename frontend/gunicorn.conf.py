"""gunicorn settings for the voting app, read from the environment with safe defaults."""

import os


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
# greenlet, not one of a few threads. Each worker serves this many connections at once.
worker_class = "app.worker.VotingWorker"
worker_connections = _positive_int("GUNICORN_WORKER_CONNECTIONS", 1000)
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

# Logs go to the container's output streams (access log to stdout, errors to stderr).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
