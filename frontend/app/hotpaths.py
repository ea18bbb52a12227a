"""The app's two hot paths, served at the WSGI layer in front of Flask.

- `GET /`, the page: the counts, the options and a fresh token for the next vote;
- `POST /api/vote`, where the page's script votes, one request per vote: it answers the counts
  in page order and the token for the next vote.

Flask's per-request work (request context, URL matching, hooks, a response object) costs more
CPU than either, so they go without it; everything else (the no-JavaScript form, errors, static
files, probes) is Flask's. The rules are the views' own: the same cross-site check
(`csrf.refusal`), body limit and strict form (`forms`), store calls and templates; API errors
are JSON `{"error": ...}` like the app's other API errors, and the security headers are added
around this layer (`headers`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import redis
from flask import Flask

from . import csrf, forms, store, tokens
from .headers import WSGIApp

PAGE = "/"
VOTE_API = "/api/vote"
RETRY_AFTER = "5"
UNAVAILABLE = "The vote store is unavailable right now. Please try again in a moment."

FULL = "The vote store is full right now. Please try again later."
BAD_TOKEN = "This vote's token is not valid or has expired: reload the page and vote again."

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed",
            413: "Content Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
            503: "Service Unavailable"}  # fmt: skip


def new_token(app: Flask) -> str:
    """A fresh signed token for the page's next vote, so that sending it again counts it once."""
    return tokens.issue(app.config["VOTE_TOKEN_KEY"])


def redis_refusal(app: Flask, error: redis.RedisError) -> str:
    """Log why Redis failed a request and return the sentence for the user.

    "Redis full" in the log is what the stack's alarm counts (infra/monitoring.py).
    """
    if store.is_full(error):
        app.logger.error("Redis full: vote refused: %s", error)
        return FULL
    app.logger.warning("Redis unavailable: %s", error)
    return UNAVAILABLE


class HotPaths:
    """WSGI middleware answering the page and the vote API, passing every other request on."""

    def __init__(self, app: Flask, wsgi_app: WSGIApp) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == PAGE and environ["REQUEST_METHOD"] in ("GET", "HEAD"):
            status, body = self.page(environ)
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if status == 503:
                headers.append(("Retry-After", RETRY_AFTER))
        elif path == VOTE_API:
            status, payload, headers = self.vote(environ)
            body = json.dumps(payload).encode()
            headers.append(("Content-Type", "application/json"))
        else:
            return self.wsgi_app(environ, start_response)
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {_REASONS[status]}", headers)
        return [body]

    def page(self, environ: dict[str, Any]) -> tuple[int, bytes]:
        """Render the page, or the 503 page while Redis is unavailable."""
        templates = self.app.jinja_env
        root = environ.get("SCRIPT_NAME", "")
        with self.app.app_context():
            try:
                counts = store.get_counts()
            except redis.RedisError as error:
                self.app.logger.warning("Redis unavailable: %s", error)
                html = templates.get_template("unavailable.html").render(
                    root=root, message=UNAVAILABLE, vote=None
                )
                return 503, html.encode()
            config = self.app.config
            html = templates.get_template("index.html").render(
                root=root,
                title=config["TITLE"],
                counts=counts,
                token=new_token(self.app),
                vote_api=VOTE_API,
                reset_enabled=config["RESET_ENABLED"],
            )
        return 200, html.encode()

    def vote(self, environ: dict[str, Any]) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        """Count the posted vote; return the status, the JSON payload and extra headers."""
        if environ["REQUEST_METHOD"] != "POST":
            return 405, {"error": "Send the vote with POST."}, [("Allow", "POST")]
        refused = csrf.refusal(environ)
        if refused is not None:
            return 403, {"error": refused}, []
        config = self.app.config
        try:
            body = forms.read_body(environ, config["MAX_CONTENT_LENGTH"])
            form = forms.parse_form(body, environ.get("CONTENT_TYPE"), config["MAX_FORM_PARTS"])
        except forms.FormError as error:
            return error.status, {"error": error.description}, []
        try:
            with self.app.app_context():
                counted, counts = store.add_vote(
                    form["vote"], form.get("token", ""), environ.get("REMOTE_ADDR", "")
                )
        except store.UnknownOption:
            return 400, {"error": "Unknown option."}, []
        except store.BadToken:
            return 400, {"error": BAD_TOKEN}, []
        except store.RateLimited as limited:
            error = "Too many votes from your address; try again later."
            return 429, {"error": error}, [("Retry-After", str(limited.retry_after))]
        except redis.RedisError as error:
            message = redis_refusal(self.app, error)
            return 503, {"error": message}, [("Retry-After", RETRY_AFTER)]
        payload = {
            "counted": counted,
            "counts": list(counts.values()),
            "token": new_token(self.app),
        }
        return 200, payload, []
