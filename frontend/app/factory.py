"""The Flask app factory: configuration, hooks, error pages and the views."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Request, Response, jsonify, render_template, request
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

from . import config, csrf, views
from .headers import SecurityHeaders
from .hosts import HostCheck
from .hotpaths import HotPaths
from .limits import MAX_BODY_BYTES


class NoSessions(SessionInterface):
    """Keep no per-user state: a cookie signed with one task's random key fails on the next."""

    def open_session(self, app: Flask, request: Request) -> None:
        """Decline, so Flask hands views a null session that refuses writes."""
        return None

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Nothing to save."""


class _RuleMap(Map):
    """Werkzeug's URL map without merging slashes.

    Merging answers `/api//results` with a redirect to an absolute URL built from the Host
    header, which any client sets; a path with doubled slashes is simply not found instead.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, merge_slashes=False, **kwargs)


class VotingApp(Flask):
    """Flask with the URL map above (the map is created in Flask's constructor)."""

    url_map_class = _RuleMap


def build_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the app (see `app.create_app`)."""
    app = VotingApp(__name__)
    app.config.from_mapping(
        # The gunicorn worker refuses larger bodies before the app runs; this covers other
        # servers (the test client, `flask run`).
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
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
    app.context_processor(_root)
    app.register_blueprint(views.bp)
    app.wsgi_app = SecurityHeaders(  # type: ignore[method-assign]
        HostCheck(HotPaths(app, app.wsgi_app), app.config["ALLOWED_HOSTS"])
    )
    return app


def _root() -> dict[str, str]:
    # Templates build the app's URLs from its root path, as the hot paths (which render them
    # without Flask) do; url_for would cost ~10 µs a call.
    return {"root": request.script_root}


def _http_error(error: HTTPException) -> tuple[str | Response, int] | HTTPException:
    # Redirects and other non-error exceptions keep Werkzeug's own response.
    if error.code is None or error.code < 400:
        return error
    if request.path.startswith("/api/"):
        return jsonify(error=error.description), error.code
    return render_template("error.html", error=error), error.code
