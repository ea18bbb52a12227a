"""The page's forms on the wire: the body read within its limit, then parsed strictly.

Shared by the views and the vote API (`app.api`), so both refuse the same input the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

FORM_TYPE = "application/x-www-form-urlencoded"
#: What the page's forms send: the vote (an option or `reset`), the vote's token, and the
#: operator's credential for a reset.
FORM_FIELDS = frozenset({"vote", "token", "reset_token"})


class FormError(ValueError):
    """The request's form is refused: `status` (4xx) and a sentence for the client."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def read_body(environ: Mapping[str, Any], limit: int) -> bytes:
    """Read the request body, refusing more than `limit` bytes with 413.

    Under the app's gunicorn worker the body is already read and bounded; other servers (the
    test client, `flask run`) may pass a declared length or a stream that ends with the body.
    """
    stream = environ["wsgi.input"]
    declared = environ.get("CONTENT_LENGTH")
    if declared:
        try:
            length = int(declared)
        except ValueError:
            raise FormError(400, "The Content-Length is not valid.") from None
        if length > limit:
            raise FormError(413, "The request body is too large.")
        return stream.read(length)  # type: ignore[no-any-return]
    if not environ.get("wsgi.input_terminated"):
        return b""
    body: bytes = stream.read(limit + 1)
    if len(body) > limit:
        raise FormError(413, "The request body is too large.")
    return body


def parse_form(body: bytes, content_type: str | None, max_fields: int) -> dict[str, str]:
    """Parse an urlencoded form in which each known field comes at most once, with a vote.

    The page's forms are urlencoded, so that is all this accepts, parsed by the standard
    library at a fraction of the cost of Werkzeug's general form parser.
    """
    # An empty body is an empty form whatever its type; it lacks the vote.
    mimetype = (content_type or "").split(";", 1)[0].strip().lower()
    if body and mimetype != FORM_TYPE:
        raise FormError(415, f"Send the vote as {FORM_TYPE}.")
    try:
        fields = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=max_fields)
    except ValueError:  # also UnicodeDecodeError
        raise FormError(400, "The form is not valid.") from None
    form = dict(fields)
    if len(form) != len(fields):
        raise FormError(400, "Send each field once.")
    unexpected = form.keys() - FORM_FIELDS
    if unexpected:
        raise FormError(400, f"Unexpected field {min(unexpected)!r}.")
    if "vote" not in form:
        raise FormError(400, "Send the 'vote' field.")
    return form
