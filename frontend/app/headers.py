"""Security headers on every response, added at the WSGI boundary."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# Styles and the one script come from our own static files (no inline code), the script and
# forms only talk back to this origin, and nothing may frame the page, so a click on a vote
# button cannot be hijacked by another site.
SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)
# Counts change all the time; static files set their own caching.
DEFAULT_CACHE_CONTROL = ("Cache-Control", "no-store")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class SecurityHeaders:
    """WSGI middleware appending the fixed headers to whatever the app answers.

    Appending ready-made tuples here also covers error pages and costs a few microseconds,
    where setting them on each Flask response object costs ten times as much.
    """

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "cache-control" for name, _ in headers):
                headers.append(DEFAULT_CACHE_CONTROL)
            headers.extend(SECURITY_HEADERS)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)
