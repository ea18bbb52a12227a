"""The voting web app: two options, their counts in Redis, and health probes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Request, Response, jsonify, render_template, request
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.exceptions import HTTPException

from . import config, csrf, views
from .headers import SecurityHeaders


class NoSessions(SessionInterface):
    """Keep no per-user state: a cookie signed with one task's random key fails on the next."""

    def open_session(self, app: Flask, request: Request) -> None:
        """Decline, so Flask hands views a null session that refuses writes."""
        return None

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Nothing to save."""


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the app; nothing connects to Redis until a request needs it."""
    app = Flask(__name__)
    app.config.from_mapping(
        # A vote is a few bytes: refuse anything larger before parsing it.
        MAX_CONTENT_LENGTH=1024,
        MAX_FORM_PARTS=10,
        # Seconds to connect to or hear from Redis before answering 503.
        REDIS_TIMEOUT=0.5,
        **config.from_environ(os.environ),
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    config.check(app.config)

    # Keep the options in page order in /api/results.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.session_interface = NoSessions()
    app.before_request(csrf.reject_cross_origin)
    app.register_error_handler(HTTPException, _http_error)
    app.register_blueprint(views.bp)
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
    return app


def _http_error(error: HTTPException) -> tuple[str | Response, int] | HTTPException:
    # Redirects and other non-error exceptions keep Werkzeug's own response.
    if error.code is None or error.code < 400:
        return error
    if request.path.startswith("/api/"):
        return jsonify(error=error.description), error.code
    return render_template("error.html", error=error), error.code
