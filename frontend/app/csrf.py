"""Stateless protection against cross-site form posts.

The app runs as several gunicorn workers in several tasks behind a load balancer, with no
shared secret (SECRET_KEY may be random per process), so a signed token would fail whenever
the POST reaches another process than the GET. Instead each unsafe request is judged on the
headers browsers set and pages cannot forge, as Go's net/http CrossOriginProtection does:

1. ``Sec-Fetch-Site`` (all current browsers): only ``same-origin`` or ``none`` (typed by the
   user) pass; ``same-site`` is refused because a sibling subdomain is another origin.
2. Otherwise ``Origin`` (sent on cross-origin POSTs by every browser that lacks 1.) must name
   this host; the opaque ``null`` origin never matches.
3. Otherwise a ``Referer``, when present, must name this host.
4. A request with none of them is not from a browser (curl, load tests), which cannot carry a
   victim's ambient credentials, so it passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import abort, request
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


def _same_host(url: str, environ: Mapping[str, Any]) -> bool:
    # Compare host[:port] only: behind a TLS listener the browser sees https while the app
    # sees http, but the Host header is passed through unchanged.
    try:
        netloc = urlsplit(url).netloc
        host = get_host(environ)  # type: ignore[arg-type]
    except (ValueError, SecurityError):
        return False
    return bool(netloc) and netloc.lower() == host.lower()


def refusal(environ: Mapping[str, Any]) -> str | None:
    """Why an unsafe request from another site is refused, or None when it may go on."""
    if environ["REQUEST_METHOD"] in SAFE_METHODS:
        return None
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        if fetch_site.lower() in _ALLOWED_FETCH_SITES:
            return None
        return "Cross-site form posts are not accepted."
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        if _same_host(origin, environ):
            return None
        return "Cross-origin form posts are not accepted."
    referer = environ.get("HTTP_REFERER")
    if referer is not None and not _same_host(referer, environ):
        return "Cross-origin form posts are not accepted."
    return None


def reject_cross_origin() -> None:
    """Abort with 403 when an unsafe request comes from another site (a before_request hook)."""
    reason = refusal(request.environ)
    if reason is not None:
        abort(403, description=reason)
