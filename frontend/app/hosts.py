"""Answer only to the host names the app is served under (ALLOWED_HOSTS), against DNS rebinding.

A page on evil.example whose name is made to resolve to the load balancer's address would
otherwise be same-origin with the app in the victim's browser (Host and Origin both
evil.example), and its votes would pass the cross-site check. The health probes answer any
Host: the load balancer's checks name the task's address.

An entry that starts with a dot allows every name under it: the stack allows
`.elb.<region>.amazonaws.com`, where the NLB's own name is. That is safe against rebinding,
since a name there resolves to the load balancer AWS gave it, never to one an attacker picks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .headers import WSGIApp

PROBES = frozenset({"/healthz", "/readyz", "/readyz/lb"})
_REFUSED = b"400 Bad Request: unknown host\n"


def host_name(host: str) -> str:
    """The Host header's name without its port, lower-case (`[::1]:80` gives `::1`)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class HostCheck:
    """WSGI middleware refusing, with 400, requests for a host name not in `allowed`."""

    def __init__(self, app: WSGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(host for host in allowed if not host.startswith("."))
        self.suffixes = tuple(host for host in allowed if host.startswith("."))

    def allows(self, host: str) -> bool:
        """Whether the Host header names an allowed host (a name, or one under a suffix)."""
        name = host_name(host)
        return name in self.allowed or (bool(self.suffixes) and name.endswith(self.suffixes))

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        if self.allows(host) or environ.get("PATH_INFO") in PROBES:
            return self.app(environ, start_response)
        start_response(
            "400 Bad Request",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(_REFUSED)))],
        )
        return [_REFUSED]
