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

from urllib.parse import urlsplit

from flask import abort, request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


def _same_host(url: str) -> bool:
    # Compare host[:port] only: behind a TLS listener the browser sees https while the app
    # sees http, but the Host header is passed through unchanged.
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return False
    return bool(netloc) and netloc.lower() == request.host.lower()


def reject_cross_origin() -> None:
    """Abort with 403 when an unsafe request comes from another site (a before_request hook)."""
    if request.method in SAFE_METHODS:
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site.lower() in _ALLOWED_FETCH_SITES:
            return
        abort(403, description="Cross-site form posts are not accepted.")
    origin = request.headers.get("Origin")
    if origin is not None:
        if _same_host(origin):
            return
        abort(403, description="Cross-origin form posts are not accepted.")
    referer = request.headers.get("Referer")
    if referer is not None and not _same_host(referer):
        abort(403, description="Cross-origin form posts are not accepted.")
