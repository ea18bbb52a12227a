"""The voting page, its form handler, the JSON results and the health probes."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qsl

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

from . import store
from .config import RESET

bp = Blueprint("votes", __name__)

FORM_TYPE = "application/x-www-form-urlencoded"
#: What the page's forms send: the vote (an option or `reset`), the vote's token, and the
#: operator's credential for a reset.
FORM_FIELDS = frozenset({"vote", "token", "reset_token"})


@bp.get("/")
def index() -> str:
    """Show the title, one button per option, the Reset button and the counts."""
    counts = store.get_counts()
    return render_template(
        "index.html",
        title=current_app.config["TITLE"],
        counts=counts,
        token=new_token(),
        reset_enabled=current_app.config["RESET_ENABLED"],
    )


def new_token() -> str:
    """A fresh token for the page's next vote, so that sending it again counts it once."""
    return secrets.token_urlsafe(16)


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
    # The page's own path, built without the URL map: this is the hot path of the app.
    return redirect(request.script_root + "/", code=303)


def _count(option: str, token: str) -> tuple[bool, dict[str, int]]:
    """Count the vote once per token, or abort with 400; a RedisError becomes a 503 page."""
    # The 503 page offers to send this same vote again.
    g.vote = (option, token)
    try:
        return store.add_vote(option, token)
    except store.UnknownOption:
        abort(400, description="Unknown option.")
    except store.BadToken:
        abort(400, description="Send the vote with the token of the page.")


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
    """Return the fields of the posted form, or abort with a 4xx.

    The page's form is urlencoded, so that is all this accepts, parsed by the standard
    library at a fraction of the cost of Werkzeug's general form parser. Each field may come
    once, and only the fields the page sends are accepted.
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
    form = dict(fields)
    if len(form) != len(fields):
        abort(400, description="Send each field once.")
    unexpected = form.keys() - FORM_FIELDS
    if unexpected:
        abort(400, description=f"Unexpected field {min(unexpected)!r}.")
    if "vote" not in form:
        abort(400, description="Send the 'vote' field.")
    return form


@bp.post("/api/vote")
def api_vote() -> Response:
    """Count a vote sent by the page's script; answer the counts and the next vote's token.

    The same form as `POST /`, in one request: the page updates itself from the answer.
    """
    form = _form()
    counted, counts = _count(form["vote"], form.get("token", ""))
    return jsonify(counted=counted, counts=list(counts.values()), token=new_token())


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
    """Say whether this process can serve votes: 200, or 503 with the reason.

    `reason` is `auth` (Redis refused the password), `tls`, `unreachable`, `clock` (Redis's
    clock is too far off for vote deadlines) or `error`.
    """
    found = store.readiness()
    if found.ready:
        return jsonify(status="ready"), 200
    # The details name settings and servers: they go to the log, not to whoever asks.
    current_app.logger.error("Not ready: %s", found.detail)
    return jsonify(status="unavailable", reason=found.reason), 503


@bp.app_errorhandler(redis.RedisError)
def redis_unavailable(error: redis.RedisError) -> tuple[str | Response, int, dict[str, str]]:
    """Answer 503 with a friendly page or JSON while Redis is unreachable."""
    current_app.logger.warning("Redis unavailable: %s", error)
    headers = {"Retry-After": "5"}
    message = "The vote store is unavailable right now. Please try again in a moment."
    if request.path.startswith("/api/"):
        return jsonify(error=message), 503, headers
    return render_template("unavailable.html", message=message, vote=g.get("vote")), 503, headers
