"""The HTTP edge of the image's gunicorn: request bodies, stalled clients, error pages, redirects.

Raw sockets against the image's own command and config, with a real redis-server behind, as
any client on the internet reaches it through the network load balancer (which buffers nothing).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from app.store import VOTES_KEY

from tests.frontend.support import (
    Gunicorn,
    closed_by_peer,
    raw_request,
    read_response,
    signed_token,
)

FORM = b"Content-Type: application/x-www-form-urlencoded\r\n"
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options")
# The edge's deadlines (app/worker.py, gunicorn.conf.py) are 5 s; allow for a busy machine.
DEADLINE_SLACK = 4


def vote_body(option: str = "Tabs") -> bytes:
    """A vote form as the page sends it, with a fresh token."""
    return f"vote={option}&token={signed_token()}".encode()


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def chunked_post(*chunks: bytes, path: str = "/") -> bytes:
    """A complete chunked POST of the given chunks."""
    head = b"POST %s HTTP/1.1\r\nHost: vote.test\r\n%sTransfer-Encoding: chunked\r\n\r\n" % (
        path.encode(),
        FORM,
    )
    return head + b"".join(chunk(data) for data in chunks) + b"0\r\n\r\n"


def assert_nothing_counted(redis_client: redis.Redis) -> None:
    assert redis_client.hgetall(VOTES_KEY) == {}


@pytest.fixture
def assert_no_traceback(live_server: Gunicorn) -> Callable[[], None]:
    """Check that gunicorn logged no traceback since the test began."""
    start = len(live_server.log())

    def check() -> None:
        assert "Traceback" not in live_server.log()[start:]

    return check


def test_chunked_body_over_the_limit_is_refused(
    live_server: Gunicorn, redis_client: redis.Redis, assert_no_traceback: Callable[[], None]
) -> None:
    # Starts like a valid vote, then goes on for 10 MB.
    head = b"POST / HTTP/1.1\r\nHost: vote.test\r\n%sTransfer-Encoding: chunked\r\n\r\n" % FORM
    filler = chunk(b"&x=" + b"y" * 65000)
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=15) as sock:

        def send() -> None:
            try:
                sock.sendall(head + chunk(vote_body()))
                for _ in range(160):
                    sock.sendall(filler)
                sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server stopped reading, as it should

        sender = threading.Thread(target=send)
        sender.start()
        response = read_response(sock)
        sender.join()
    assert response.status == 413
    assert_nothing_counted(redis_client)
    assert_no_traceback()


def test_declared_length_over_the_limit_is_refused_before_the_body(
    live_server: Gunicorn, redis_client: redis.Redis
) -> None:
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=5) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: vote.test\r\n%sContent-Length: 10000000\r\n\r\n" % FORM
        )
        response = read_response(sock)
    assert response.status == 413
    assert_nothing_counted(redis_client)


@pytest.mark.parametrize(
    ("chunks", "status"),
    [
        # The case: 3 KB with two vote fields; over the limit whatever it holds.
        ((b"vote=Tabs&vote=Spaces&token=" + b"a" * 3000,), 413),
        ((b"vote=Tabs&vote=Spaces&token=" + signed_token().encode(),), 400),
        ((b"vote=Ta", b"bs&vote=Tabs&token=" + signed_token().encode()), 400),
    ],
)
def test_repeated_field_in_a_chunked_body_is_refused(
    live_server: Gunicorn, redis_client: redis.Redis, chunks: tuple[bytes, ...], status: int
) -> None:
    assert raw_request(live_server.port, chunked_post(*chunks)).status == status
    assert_nothing_counted(redis_client)


@pytest.mark.parametrize(
    "encoded",
    [
        b"zz\r\nvote=Tabs\r\n0\r\n\r\n",  # not a hexadecimal size
        b"4\r\nvote=Tabs\r\n0\r\n\r\n",  # more data than the size says
        b"-9\r\nvote=Tabs\r\n0\r\n\r\n",
        b"9;x=\x01\r\nvote=Tabs\r\n0\r\n\r\n",  # control byte in a chunk extension
    ],
)
def test_malformed_chunked_encoding_is_400(
    live_server: Gunicorn,
    redis_client: redis.Redis,
    encoded: bytes,
    assert_no_traceback: Callable[[], None],
) -> None:
    head = b"POST / HTTP/1.1\r\nHost: vote.test\r\n%sTransfer-Encoding: chunked\r\n\r\n" % FORM
    response = raw_request(live_server.port, head + encoded)
    assert response.status == 400
    for name in SECURITY_HEADERS:
        assert name in response.headers
    assert_nothing_counted(redis_client)
    assert_no_traceback()


def test_a_body_that_trickles_is_cut_off(live_server: Gunicorn, redis_client: redis.Redis) -> None:
    body = vote_body()
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=15) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: vote.test\r\n%sContent-Length: %d\r\n\r\n%s"
            % (FORM, len(body), body[:5])
        )
        started = time.monotonic()
        response = read_response(sock)
        assert time.monotonic() - started < 5 + DEADLINE_SLACK
    assert response.status == 408
    assert_nothing_counted(redis_client)


def test_a_client_that_leaves_mid_body_changes_nothing(
    live_server: Gunicorn, redis_client: redis.Redis, assert_no_traceback: Callable[[], None]
) -> None:
    body = vote_body()
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=5) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: vote.test\r\n%sContent-Length: %d\r\n\r\n%s"
            % (FORM, len(body), body[:10])
        )
    assert live_server.request("GET", "/healthz")[0] == 200
    assert_nothing_counted(redis_client)
    assert_no_traceback()


def test_expect_continue_is_answered_once(live_server: Gunicorn, redis_client: redis.Redis) -> None:
    body = vote_body()
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=5) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: vote.test\r\n%sContent-Length: %d\r\n"
            b"Expect: 100-continue\r\n\r\n" % (FORM, len(body))
        )
        assert sock.recv(25) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        response = read_response(sock)
    assert response.status == 303
    assert redis_client.hgetall(VOTES_KEY) == {"Tabs": "1"}


@pytest.fixture
def stalled_sockets(live_server: Gunicorn) -> Iterator[list[socket.socket]]:
    """300 connections that stall: idle, half a request head, half a body (100 of each)."""
    heads = (
        b"",
        b"GET / HTTP/1.1\r\nHost: vote.test\r\n",
        b"POST / HTTP/1.1\r\nHost: vote.test\r\n%sContent-Length: 60\r\n\r\nvote=" % FORM,
    )
    sockets: list[socket.socket] = []
    try:
        for head in heads:
            for _ in range(100):
                sock = socket.create_connection(("127.0.0.1", live_server.port), timeout=5)
                sockets.append(sock)
                if head:
                    sock.sendall(head)
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def test_stalled_clients_cost_neither_the_page_nor_the_health_check(
    live_server: Gunicorn, redis_client: redis.Redis, stalled_sockets: list[socket.socket]
) -> None:
    for path in ("/healthz", "/", "/readyz"):
        started = time.monotonic()
        assert live_server.request("GET", path, timeout=3)[0] == 200
        assert time.monotonic() - started < 1
    # The server itself lets go of each of them once its deadline passes.
    deadline = time.monotonic() + 5 + DEADLINE_SLACK
    still_open = [
        sock
        for sock in stalled_sockets
        if not closed_by_peer(sock, max(0.01, deadline - time.monotonic()))
    ]
    assert still_open == []
    assert_nothing_counted(redis_client)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"NOT A REQUEST\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: vote.test\r\nNo colon here\r\n\r\n", 400),
        (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: vote.test\r\n\r\n", 414),
        (
            b"GET / HTTP/1.1\r\nHost: vote.test\r\n"
            + b"".join(b"X-%d: 1\r\n" % n for n in range(120))
            + b"\r\n",
            431,
        ),
        (b"GET / HTTP/1.1\r\nHost: vote.test\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
    ],
)
def test_gunicorn_error_pages_carry_the_security_headers(
    live_server: Gunicorn, request_bytes: bytes, status: int
) -> None:
    response = raw_request(live_server.port, request_bytes)
    assert response.status == status
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", ["/", "//", "//healthz", "/api//results", "/static/../"])
def test_no_redirect_is_built_from_the_host_header(live_server: Gunicorn, path: str) -> None:
    for host in ("evil.example", "vote.test"):
        response = raw_request(
            live_server.port,
            b"GET %s HTTP/1.1\r\nHost: %s\r\nX-Forwarded-Host: evil.example\r\n\r\n"
            % (path.encode(), host.encode()),
        )
        assert response.status < 500
        location = response.headers.get("location", "/")
        assert location.startswith("/") and not location.startswith("//"), location


def test_vote_redirect_is_relative(live_server: Gunicorn, redis_client: redis.Redis) -> None:
    body = vote_body()
    response = raw_request(
        live_server.port,
        b"POST / HTTP/1.1\r\nHost: vote.test\r\nX-Forwarded-Host: evil.example\r\n"
        b"%sContent-Length: %d\r\n\r\n%s" % (FORM, len(body), body),
    )
    assert response.status == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("value", ["//evil.example", "/prefix"])
def test_no_client_sets_the_script_name(live_server: Gunicorn, value: str) -> None:
    # Nothing in front of the app sets SCRIPT_NAME; from a client (even on loopback, which
    # gunicorn trusts by default) it is dropped, not a prefix for the page's URLs nor a 500.
    response = raw_request(
        live_server.port,
        b"GET / HTTP/1.1\r\nHost: vote.test\r\nSCRIPT_NAME: %s\r\n\r\n" % value.encode(),
    )
    assert response.status == 200
    assert b'action="/"' in response.body
    assert value.encode() not in response.body
