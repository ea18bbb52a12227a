"""Vote tokens the server issues: signed with VOTE_TOKEN_KEY, valid until they expire.

A token is 24 bytes in base64url (32 characters): its expiry (4 bytes, Unix seconds,
big-endian), 8 random bytes, and the first 12 bytes of HMAC-SHA256(key, the 12 bytes before).
Every task holds the same key (a secret of the stack), so a page served by one task votes
through any other; a token nobody issued, or one past its expiry, is refused without Redis.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time

#: Seconds a page's token stays valid; its key in Redis lives as long (see store), so this
#: bounds the memory counted votes take. A page left open longer asks for a reload.
TOKEN_LIFETIME = 900
_PAYLOAD = 12
_MAC = 12


def _mac(key: str, payload: bytes) -> bytes:
    return hmac.new(key.encode(), payload, hashlib.sha256).digest()[:_MAC]


def issue(key: str, lifetime: int = TOKEN_LIFETIME) -> str:
    """A fresh token for the page's next vote, valid for `lifetime` seconds."""
    payload = int(time.time() + lifetime).to_bytes(4, "big") + secrets.token_bytes(8)
    return base64.urlsafe_b64encode(payload + _mac(key, payload)).decode()


def verify(token: str, key: str) -> int | None:
    """Return the token's expiry (Unix seconds) if this key signed it and it is still valid."""
    if len(token) != 32:
        return None
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, binascii.Error):
        return None
    payload, mac = raw[:_PAYLOAD], raw[_PAYLOAD:]
    # Constant time, so the response time tells nothing about how much of a forgery matched.
    if len(raw) != _PAYLOAD + _MAC or not hmac.compare_digest(mac, _mac(key, payload)):
        return None
    expires = int.from_bytes(payload[:4], "big")
    if expires <= time.time():
        return None
    return expires
