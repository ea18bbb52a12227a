"""Whether this server (all its gunicorn workers) has reached Redis once.

The load balancer's check fails a task until it reached Redis once, so a release that cannot
reach Redis never turns healthy. Each probe lands on any worker: the fact is kept in a file
that all workers of one gunicorn share (REACHED_REDIS_MARK, set by gunicorn.conf.py), so a
worker that never served a probe answers as its siblings do. Without it (the test client,
`flask run`), the fact is the process's own.
"""

from __future__ import annotations

import os

from flask import Flask

_EXTENSION = "voting-app.reached-redis"


def mark(app: Flask) -> None:
    """Remember that Redis answered."""
    if app.extensions.get(_EXTENSION):
        return
    app.extensions[_EXTENSION] = True
    path = app.config["REACHED_REDIS_MARK"]
    if path:
        with open(path, "a"):
            pass


def before(app: Flask) -> bool:
    """Whether this process, or another worker of its server, reached Redis before."""
    if app.extensions.get(_EXTENSION):
        return True
    path = app.config["REACHED_REDIS_MARK"]
    return bool(path) and os.path.exists(path)
