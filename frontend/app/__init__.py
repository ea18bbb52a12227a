"""The voting web app: two to six options, their counts in Redis, and health probes.

gunicorn's master process imports this package for its worker class (`app.worker`) before it
forks, and each worker then patches the standard library for gevent. Modules imported before
that patch keep unpatched locks and sockets, so nothing here imports Flask or redis at module
level: they load in each worker, after the patch, when gunicorn calls `create_app()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the app; nothing connects to Redis until a request needs it."""
    from .factory import build_app

    return build_app(test_config)
