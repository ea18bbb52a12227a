"""How the web app reaches Redis, whichever backend serves it."""

from __future__ import annotations

from dataclasses import dataclass

from infra.security import REDIS


@dataclass(frozen=True)
class RedisEndpoint:
    """How the web app reaches Redis: host, port and whether it must speak TLS."""

    host: str
    port: int = REDIS
    tls: bool = False

    @property
    def environment(self) -> dict[str, str]:
        """The app's environment variables for this endpoint."""
        return {"REDIS": self.host, "REDIS_PORT": str(self.port)} | (
            {"REDIS_TLS": "true"} if self.tls else {}
        )
