"""The voting page, its form handler, the JSON results and the health probes."""

from __future__ import annotations

import redis
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from . import store
from .config import RESET

bp = Blueprint("votes", __name__)


@bp.get("/")
def index() -> str:
    """Show the title, one button per option, the Reset button and the counts."""
    counts = store.get_counts()
    return render_template(
        "index.html",
        title=current_app.config["TITLE"],
        counts=counts,
        reset_enabled=current_app.config["RESET_ENABLED"],
    )


@bp.post("/")
def vote() -> Response:
    """Count a vote or reset the counts, then redirect to the page (post/redirect/get)."""
    values = request.form.getlist("vote")
    if len(values) != 1:
        abort(400, description="Send exactly one 'vote' field.")
    choice = values[0]
    if choice == RESET:
        if not current_app.config["RESET_ENABLED"]:
            abort(403, description="Reset is disabled.")
        store.reset_votes()
    elif choice in store.options():
        store.add_vote(choice)
    else:
        abort(400, description="Unknown option.")
    return redirect(url_for(".index"), code=303)


@bp.get("/api/results")
def results() -> Response:
    """Return the title and the count of each option as JSON."""
    return jsonify(title=current_app.config["TITLE"], options=store.get_counts())


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """Say the process is alive, without touching Redis."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Say whether Redis is reachable: 200 when it answers a PING, 503 otherwise."""
    if store.is_ready():
        return jsonify(status="ready"), 200
    return jsonify(status="unavailable", reason="Redis is unreachable."), 503


@bp.app_errorhandler(redis.RedisError)
def redis_unavailable(error: redis.RedisError) -> tuple[str | Response, int, dict[str, str]]:
    """Answer 503 with a friendly page or JSON while Redis is unreachable."""
    current_app.logger.warning("Redis unavailable: %s", error)
    headers = {"Retry-After": "5"}
    message = "The vote store is unavailable right now. Please try again in a moment."
    if request.path.startswith("/api/"):
        return jsonify(error=message), 503, headers
    return render_template("unavailable.html", message=message), 503, headers
