"""The voting page, its form handler, the JSON results and the health probes."""

from __future__ import annotations

from urllib.parse import parse_qsl

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
)

from . import store
from .config import RESET

bp = Blueprint("votes", __name__)

FORM_TYPE = "application/x-www-form-urlencoded"


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
    choice = _vote_field()
    if choice == RESET:
        if not current_app.config["RESET_ENABLED"]:
            abort(403, description="Reset is disabled.")
        store.reset_votes()
    else:
        try:
            store.add_vote(choice)
        except store.UnknownOption:
            abort(400, description="Unknown option.")
    # The page's own path, built without the URL map: this is the hot path of the app.
    return redirect(request.script_root + "/", code=303)


def _vote_field() -> str:
    """Return the single 'vote' field of the posted form, or abort with a 4xx.

    The page's form is urlencoded, so that is all this accepts, parsed by the standard
    library at a fraction of the cost of Werkzeug's general form parser.
    """
    # Reading through Werkzeug's stream enforces MAX_CONTENT_LENGTH with a 413.
    body = request.get_data(cache=False)
    # An empty body is an empty form whatever its type; it lacks the field.
    if body and request.mimetype != FORM_TYPE:
        abort(415, description=f"Send the vote as {FORM_TYPE}.")
    try:
        fields = parse_qsl(
            body.decode(),
            keep_blank_values=True,
            max_num_fields=current_app.config["MAX_FORM_PARTS"],
        )
    except ValueError:  # also UnicodeDecodeError
        abort(400, description="The form is not valid.")
    values = [value for name, value in fields if name == "vote"]
    if len(values) != 1:
        abort(400, description="Send exactly one 'vote' field.")
    return values[0]


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
