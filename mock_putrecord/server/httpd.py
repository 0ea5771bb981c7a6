"""The HTTP/1.1 server: one thread per connection, keep-alive, never dies on bad input.

Built on :class:`http.server.ThreadingHTTPServer`. Each request is read whole (by
``Content-Length`` or chunked), routed (:mod:`.routing`), dispatched to the same adapters
and backends as the in-process mock, and answered with one ``send``: status line, the
adapter's headers, a correct ``Content-Length`` and the body.
"""
from __future__ import annotations

import logging
import socket
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from ..core import dispatch
from ..core.streaming import ChunkSource, StreamingWireResponse
from ..core.wire import WireRequest, WireResponse
from . import replies
from .headers import Headers
from .routing import RawRequest, RoutingDefaults, route

MAX_BODY_BYTES = 16 * 1024 * 1024
"""Bodies above this get a bare 413 and the connection is closed (Kinesis caps requests
at 7 MiB and v3io at 10 MB, so no valid request comes near it)."""

_log = logging.getLogger("mock_putrecord.server")
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class _BadRequestBody(Exception):
    """The body could not be read (bad chunk framing, short read, over the cap)."""

    def __init__(self, response: WireResponse) -> None:
        super().__init__(response.status)
        self.response = response


class MockHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its open connections, so that ``close`` can end
    idle keep-alive connections instead of leaving their threads blocked."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        defaults: RoutingDefaults,
        *,
        log_requests: bool = False,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.defaults = defaults
        self.log_requests = log_requests
        self.stopping = False
        self._connections: dict[socket.socket, bool] = {}  # socket -> busy
        self._handler_threads: set[threading.Thread] = set()
        self._connections_lock = threading.Lock()
        self.event_streams: set[ChunkSource] = set()
        """Event streams being written (ended first when the server stops)."""
        super().__init__(address, RequestHandler)

    @property
    def authority(self) -> str:
        """``host:port`` of the bound socket (``[::1]:port`` for IPv6)."""
        host, port = self.socket.getsockname()[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    # ------------------------------------------------------------ connection tracking
    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"mock_putrecord-http-{client_address}",
            daemon=True,
        )
        with self._connections_lock:
            self._connections[request] = False
            self._handler_threads.add(thread)
        thread.start()

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(request, None)
                self._handler_threads.discard(threading.current_thread())

    def set_busy(self, connection: socket.socket, busy: bool) -> None:
        """Record whether ``connection`` is in the middle of a request."""
        with self._connections_lock:
            if connection in self._connections:
                self._connections[connection] = busy

    def handle_error(self, request: object, client_address: object) -> None:
        """Log and carry on: one broken connection never stops the server."""
        _log.debug("connection from %s failed", client_address, exc_info=True)

    def close_connections(self, grace: float) -> None:
        """End every connection: idle ones at once, busy ones after at most ``grace`` s."""
        self.stopping = True
        for source in list(self.event_streams):
            source.close()
        deadline = time.monotonic() + grace
        while True:
            with self._connections_lock:
                idle = [conn for conn, busy in self._connections.items() if not busy]
                remaining = len(self._connections)
                threads = list(self._handler_threads)
            for conn in idle:
                _shutdown(conn)
            if remaining == len(idle) or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        with self._connections_lock:
            leftovers = list(self._connections)
        for conn in leftovers:
            _shutdown(conn)
        join_deadline = max(deadline, time.monotonic()) + 1.0
        for thread in threads:
            thread.join(max(0.0, join_deadline - time.monotonic()))


def _shutdown(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class RequestHandler(BaseHTTPRequestHandler):
    """Reads one request at a time off a keep-alive connection and answers it."""

    server: MockHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "mock_putrecord"
    default_request_version = "HTTP/1.1"  # answer even garbage with a status line
    sys_version = ""

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            self.server.set_busy(self.connection, False)
        if self.server.stopping:
            self.close_connection = True

    def parse_request(self) -> bool:
        self.server.set_busy(self.connection, True)
        return super().parse_request()

    def _serve(self) -> None:
        try:
            raw = RawRequest(
                method=self.command,
                target=self.path,
                headers=Headers(self.headers.items()),
                body=self._read_body(),
                host=self.headers.get("host") or self._own_address(),
            )
        except _BadRequestBody as bad:
            self.close_connection = True
            self._send(bad.response)
            return
        response = answer(raw, self.server.defaults)
        if self.server.stopping:
            self.close_connection = True
        self._send(response)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _serve

    def _own_address(self) -> str:
        return self.server.authority

    def _read_body(self) -> bytes:
        encoding = (self.headers.get("transfer-encoding") or "").lower()
        if "chunked" in encoding:
            return self._read_chunked()
        length_text = self.headers.get("content-length")
        if not length_text:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise _BadRequestBody(WireResponse(400, b"", {})) from None
        if length < 0:
            raise _BadRequestBody(WireResponse(400, b"", {}))
        if length > MAX_BODY_BYTES:
            raise _BadRequestBody(replies.too_large())
        body = self.rfile.read(length)
        if len(body) != length:
            raise _BadRequestBody(WireResponse(400, b"", {}))
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequestBody(WireResponse(400, b"", {})) from None
            if size == 0:
                while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise _BadRequestBody(replies.too_large())
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)  # the CRLF after the chunk

    def _send(self, response: WireResponse) -> None:
        if isinstance(response, StreamingWireResponse) and response.source is not None:
            self._send_chunked(response, response.source)
            return
        status = response.status
        head_request = getattr(self, "command", None) == "HEAD"
        body = b"" if head_request or status in (204, 304) else response.body
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}"]
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "date"):
                lines.append(f"{name}: {value}")
        if status >= 200 and status != 204:
            lines.append(f"Content-Length: {len(response.body) if head_request else len(body)}")
        lines.append(f"Date: {formatdate(usegmt=True)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self.wfile.write(head + body)
        if self.server.log_requests:
            self.log_request(status, len(body))

    def _send_chunked(self, response: WireResponse, source: ChunkSource) -> None:
        """An event stream: HTTP/1.1 chunked, one chunk per message as it is produced;
        the stream ends when the source does or the client goes away."""
        lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}"]
        lines += [f"{name}: {value}" for name, value in response.headers.items()
                  if name.lower() not in ("content-length", "connection", "transfer-encoding", "date")]
        lines += [f"Date: {formatdate(usegmt=True)}", "Transfer-Encoding: chunked"]
        self.server.event_streams.add(source)
        try:
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace"))
            self.wfile.flush()
            for chunk in source:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client closed the stream
            self.close_connection = True
        finally:
            self.server.event_streams.discard(source)
            source.close()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A malformed request (bad request line, headers, method): a short HTTP/1.1 error
        and the connection is closed."""
        self.close_connection = True
        text = message or _REASONS.get(code, "Error")
        self._send(WireResponse(code, f"{code} {text}\n".encode("latin-1", "replace"),
                                {"Content-Type": "text/plain; charset=utf-8"}))

    def log_message(self, format: str, *args: object) -> None:
        if self.server.log_requests:
            _log.info("%s %s", self.address_string(), format % args)

    def log_error(self, format: str, *args: object) -> None:
        _log.debug("%s %s", self.address_string(), format % args)


def answer(
    raw: RawRequest,
    defaults: RoutingDefaults,
    handler: Callable[[WireRequest], WireResponse | None] | None = None,
) -> WireResponse:
    """Route and dispatch one request (through ``handler``, by default the core dispatcher);
    an exception anywhere becomes a 500 ``InternalFailure``, never a crash."""
    if handler is None:
        handler = dispatch.dispatch
    try:
        routed = route(raw, defaults)
        if isinstance(routed, WireResponse):
            response = routed
        else:
            answered = handler(routed)
            response = answered if answered is not None else _unclaimed(routed)
    except Exception as error:  # a mock bug: answer it, log it, keep serving
        _log.exception("mock_putrecord server: %s %s failed", raw.method, raw.target)
        response = replies.internal_failure(f"mock_putrecord internal error: {type(error).__name__}: {error}")
    if raw.headers.get("origin"):
        replies.add_cors(response)
    return response


def _unclaimed(request: WireRequest) -> WireResponse:
    """No adapter answered. Routing only lets through operations of the AWS API (or the
    mock's), so this is one the mock does not model: 501 NotImplemented, naming it, as
    docs/server.md promises (an unknown name never gets here: UnknownOperationException)."""
    if request.service == "v3io":
        return WireResponse(
            400,
            b'{"ErrorCode":-201326592,"ErrorMessage":"InvalidArgumentException"}',
            {"Content-Type": "application/json"},
        )
    if request.operation:  # routing let it through, so it is an operation of the AWS API
        return replies.json_error(
            "NotImplemented",
            f"mock_putrecord does not implement the {request.service} operation {request.operation}.",
            status=501,
        )
    return replies.json_error(
        "UnknownOperationException",
        f"mock_putrecord does not implement {request.service} {request.method}",
    )
