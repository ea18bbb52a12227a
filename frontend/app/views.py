"""The form handler, the JSON results, the health probes and the error pages.

The page itself and the vote API are served in front of Flask (`hotpaths`).
"""

from __future__ import annotations

import hmac

import redis
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
)
from werkzeug.exceptions import TooManyRequests

from . import forms, hotpaths, reached, store
from .config import RESET

bp = Blueprint("votes", __name__)


@bp.post("/")
def vote() -> Response:
    """Count a vote or reset the counts, then redirect to the page (post/redirect/get)."""
    form = _form()
    choice = form["vote"]
    if choice == RESET:
        _check_reset_token(form)
        store.reset_votes()
    else:
        _count(choice, form.get("token", ""))
    # Relative, from the app's root path: never a URL built from the Host header.
    return redirect(request.script_root + "/", code=303)


def _count(option: str, token: str) -> None:
    """Count the vote once per token, or abort with 400; a RedisError becomes a 503 page."""
    # The 503 page offers to send this same vote again.
    g.vote = (option, token)
    try:
        store.add_vote(option, token, request.remote_addr or "")
    except store.UnknownOption:
        abort(400, description="Unknown option.")
    except store.BadToken:
        abort(400, description=hotpaths.BAD_TOKEN)
    except store.RateLimited as limited:
        response = render_template(
            "error.html",
            error=TooManyRequests("Too many votes from your address; try again later."),
        )
        abort(Response(response, 429, {"Retry-After": str(limited.retry_after)}))


def _check_reset_token(form: dict[str, str]) -> None:
    """Abort with 403 unless reset is enabled and the form carries the operator token.

    The cross-site check lets any non-browser client through, so without this anyone could
    wipe the votes with one curl command.
    """
    if not current_app.config["RESET_ENABLED"]:
        abort(403, description="Reset is disabled.")
    given = form.get("reset_token", "").encode()
    # Constant time, so the response time tells nothing about how much of a guess matched.
    if not hmac.compare_digest(given, current_app.config["RESET_TOKEN"].encode()):
        current_app.logger.warning("Reset refused: wrong or missing operator token")
        abort(403, description="Reset needs the operator token.")


def _form() -> dict[str, str]:
    """Return the fields of the posted form (see `forms`), or abort with a 4xx."""
    try:
        body = forms.read_body(request.environ, current_app.config["MAX_CONTENT_LENGTH"])
        return forms.parse_form(body, request.content_type, current_app.config["MAX_FORM_PARTS"])
    except forms.FormError as error:
        abort(error.status, description=error.description)


@bp.get("/api/results")
def results() -> Response:
    """Return the title and the count of each option as JSON."""
    return jsonify(title=current_app.config["TITLE"], options=store.get_counts())


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """Say the process is alive, without touching Redis."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


# Reasons that blame this task (its password, TLS settings or host clock), not Redis being away.
TASK_FAULTS = frozenset({"auth", "tls", "clock"})


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Say whether this process can serve votes: 200, or 503 with the reason.

    `reason` is `auth` (Redis refused the password), `tls`, `unreachable`, `full` (Redis
    reached maxmemory: votes are refused), `clock` (Redis's clock is certainly too far off
    for vote deadlines) or `error`.
    """
    found = _readiness()
    if found.ready:
        return jsonify(status="ready"), 200
    return jsonify(status="unavailable", reason=found.reason), 503


@bp.get("/readyz/lb")
def readyz_for_the_load_balancer() -> tuple[Response, int]:
    """The load balancer's check: 503 until this process has reached Redis once, and whenever
    the fault is this task's (`TASK_FAULTS`); 200 `degraded` through an outage after that.

    A release that cannot reach or log in to Redis never turns healthy, so it never replaces
    healthy tasks; an outage of Redis itself does not make ECS replace every web task.
    """
    found = _readiness()
    if found.ready:
        return jsonify(status="ready"), 200
    if found.reason not in TASK_FAULTS and reached.before(current_app):
        return jsonify(status="degraded", reason=found.reason), 200
    return jsonify(status="unavailable", reason=found.reason), 503


def _readiness() -> store.Readiness:
    """Ask Redis, remember a success for this server (all its workers), log why when not."""
    found = store.readiness()
    if found.ready:
        reached.mark(current_app)
    else:
        # The details name settings and servers: they go to the log, not to whoever asks.
        current_app.logger.error("Not ready: %s", found.detail)
    return found


@bp.app_errorhandler(redis.RedisError)
def redis_unavailable(error: redis.RedisError) -> tuple[str | Response, int, dict[str, str]]:
    """Answer 503 with a friendly page or JSON while Redis is unreachable."""
    message = hotpaths.redis_refusal(current_app._get_current_object(), error)  # type: ignore[attr-defined]
    headers = {"Retry-After": hotpaths.RETRY_AFTER}
    if request.path.startswith("/api/"):
        return jsonify(error=message), 503, headers
    return render_template("unavailable.html", message=message, vote=g.get("vote")), 503, headers
