"""The app's gunicorn worker: gevent, with deadlines and bounded bodies before the app runs.

The network load balancer passes TCP straight through and buffers nothing, so whatever a client
on the internet does reaches this process, and gunicorn's thread-based workers give a client
that sends nothing a thread of its own. Here each connection is a greenlet instead, and a client
is let go once it takes too long:

- the request line and headers must arrive within `keepalive` seconds (gunicorn's gevent worker
  bounds each wait for a request head by it, the first one included; gunicorn.conf.py sets it);
- the body must arrive within `BODY_TIMEOUT` seconds, and is read here, whole and bounded,
  before the app sees the request: over `MAX_BODY_BYTES` (declared or chunked) is 413, a
  malformed chunked encoding is 400, too slow is 408; the connection then closes. The app gets
  the body as a plain buffer with its Content-Length;
- the response must be written within `RESPONSE_TIMEOUT` seconds, into a send buffer of
  `SEND_BUFFER_BYTES`: a client that pipelines requests and stops reading is cut off then,
  having cost a greenlet and a bounded buffer (and no Redis connection: those go back to the
  pool after each command, see store.py).

A request of a version above HTTP/1.1 is answered as HTTP/1.1, the highest this server speaks
(RFC 9110, 2.5), not with the client's version echoed back.

Error pages written here, and gunicorn's own (400, 414, 431, ... for malformed requests), carry
the same security headers as the app's responses.
"""

from __future__ import annotations

import io
import socket
from typing import Any

import gevent
from gunicorn import util
from gunicorn.http.errors import NoMoreData, ParseException
from gunicorn.workers.ggevent import GeventWorker

from .headers import DEFAULT_CACHE_CONTROL, SECURITY_HEADERS
from .limits import MAX_BODY_BYTES

#: Seconds a client has to send a whole request body, however it trickles it.
BODY_TIMEOUT = 5
#: Seconds from a request's head to the end of its response (the app's work is bounded by the
#: Redis timeouts, well under this): what a client that stops reading is given at most.
RESPONSE_TIMEOUT = 10
#: The kernel's send buffer per connection (Linux doubles it): a page and its assets (under
#: 6 kB) fit five times over, 32 kB per 100 ms of round trip is still 320 kB/s to a far
#: client, and 1,000 stalled readers hold 32 MB instead of up to 4 MB each.
SEND_BUFFER_BYTES = 16 * 1024


class BodyRefused(Exception):
    """The request body is refused before the app runs; `status` and `reason` say why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


class _SlowBody(Exception):
    """Raised into the reading greenlet when BODY_TIMEOUT passes."""


class _SlowResponse(BaseException):  # noqa: N818
    """Raised into the serving greenlet when RESPONSE_TIMEOUT passes.

    Not an Exception, so gunicorn's handler of the app's errors lets it through to ours.
    """


def error_page(status: int, reason: str) -> bytes:
    """A complete plain-text error response that closes the connection."""
    text = f"{status} {reason}\n".encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(text))),
        ("Connection", "close"),
        DEFAULT_CACHE_CONTROL,
        *SECURITY_HEADERS,
    ]
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers)
    return (head + "\r\n").encode("latin-1") + text


class _ErrorPageSocket:
    """The client socket as gunicorn's error handler sees it: the page it writes is replaced.

    gunicorn picks the status of a malformed request and logs it; the page written is ours,
    with the security headers (and no echo of the malformed input).
    """

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def sendall(self, data: bytes) -> None:
        _, status, reason = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        if status == "501":
            # gunicorn's answer to a Transfer-Encoding it does not implement: the client's
            # error, so a 4xx (the 5xx alarm is for the app's own faults).
            status, reason = "400", "Bad Request"
        self._sock.sendall(error_page(int(status), reason))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _body_framing(req: Any) -> tuple[int | None, bool]:
    """Return the declared Content-Length (None if absent) and whether the body is chunked.

    gunicorn has already refused conflicting or malformed framing headers.
    """
    length = None
    chunked = False
    for name, value in req.headers:
        if name == "CONTENT-LENGTH":
            length = int(value)
        elif name == "TRANSFER-ENCODING":
            chunked = True
    return length, chunked


def read_body(req: Any, sock: Any, length: int | None) -> bytes:
    """Read the whole body of `req` (declared `length`, or chunked when None), bounded.

    Raises BodyRefused, or NoMoreData when the client went away before the end of the body.
    """
    if length is not None and length > MAX_BODY_BYTES:
        raise BodyRefused(413, "Content Too Large")
    # The client waits for this before sending the body; gunicorn would send it only when
    # the app starts reading, which is after this read.
    if req._expected_100_continue:
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        req._expected_100_continue = False
    body = bytearray()
    try:
        with gevent.Timeout(BODY_TIMEOUT, _SlowBody):
            while data := req.body.read(MAX_BODY_BYTES + 1 - len(body)):
                body += data
                if len(body) > MAX_BODY_BYTES:
                    raise BodyRefused(413, "Content Too Large")
    except _SlowBody:
        raise BodyRefused(408, "Request Timeout") from None
    except ParseException:
        raise BodyRefused(400, "Bad Request") from None
    if length is not None and len(body) < length:
        raise NoMoreData(bytes(body))
    return bytes(body)


class VotingWorker(GeventWorker):
    """gunicorn's gevent worker, reading each body before the app runs (see the module)."""

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        super().handle(listener, client, addr)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        if req.version > (1, 1):
            req.version = (1, 1)
        try:
            with gevent.Timeout(RESPONSE_TIMEOUT, _SlowResponse):
                keep_alive = self._handle_request(listener_name, req, sock, addr)
        except _SlowResponse:
            self.log.warning(
                "Cut off ip=%s: response not taken within %s s", addr[0], RESPONSE_TIMEOUT
            )
            raise StopIteration() from None
        # A fast client's next request is often there before this one is done, so reading it
        # does not wait, and gevent switches greenlets only where one waits: the worker's other
        # connections would wait until this client paused. Each connection takes its turn.
        gevent.sleep(0)
        return keep_alive

    def _handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        length, chunked = _body_framing(req)
        if length or chunked:
            try:
                body = read_body(req, sock, length)
            except BodyRefused as refused:
                self.log.warning("Refused request body from ip=%s: %s", addr[0], refused)
                sock.sendall(error_page(refused.status, refused.reason))
                # Let the client read the answer before the socket closes, unread bytes and all.
                util.close_graceful(sock)
                raise StopIteration() from None
            except NoMoreData:
                raise StopIteration() from None
            req.body = io.BytesIO(body)
            req.headers = [
                (name, value)
                for name, value in req.headers
                if name not in ("CONTENT-LENGTH", "TRANSFER-ENCODING")
            ]
            req.headers.append(("CONTENT-LENGTH", str(len(body))))
        return bool(super().handle_request(listener_name, req, sock, addr))

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        super().handle_error(req, _ErrorPageSocket(client), addr, exc)
