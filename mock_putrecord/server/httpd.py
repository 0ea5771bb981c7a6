"""The HTTP server: one thread per connection, keep-alive, never dies on bad input.

Built on :class:`http.server.ThreadingHTTPServer`. Each request is read whole (by
``Content-Length`` or chunked, with strict framing), routed (:mod:`.routing`), dispatched
to the same adapters and backends as the in-process mock, and answered with one ``send``:
status line, the adapter's headers, a correct ``Content-Length`` and the body. A
connection that opens with the HTTP/2 preface, upgrades with ``Upgrade: h2c`` or
negotiates ``h2`` by TLS ALPN is handed to :mod:`.http2` for good. The server tracks every
connection's phase (idle, reading, answering) so that a reaper thread can enforce the
:class:`~mock_putrecord.server.limits.Limits` timeouts and ``stop()`` can end idle ones.
"""
from __future__ import annotations

import logging
import re
import socket
import ssl
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
from .limits import Limits
from .persistence import Gate
from .routing import RawRequest, RoutingDefaults, cbor_answer, is_cbor, route

try:  # HTTP/2 needs the ``h2`` library (the ``server`` extra); HTTP/1.1 never does
    from . import http2
except ModuleNotFoundError as _missing:  # pragma: no cover - exercised without the extra
    if _missing.name not in ("h2", "hpack", "hyperframe"):
        raise
    http2 = None  # type: ignore[assignment]

HTTP2_MISSING = "HTTP/2 needs the h2 package: pip install 'mock_putrecord[server]'"


def http2_available() -> bool:
    """True when the ``h2`` library is installed, so HTTP/2 is served."""
    return http2 is not None

_log = logging.getLogger("mock_putrecord.server")
_REASONS = {status.value: status.phrase for status in HTTPStatus}
_DIGITS = re.compile(rb"[0-9]+")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")
_BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
_TIMED_OUT = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
"""What an HTTP/2 client sends first (RFC 9113 §3.4)."""
PRI_LINE = PREFACE[:16]
"""Its first line, which arrives as an HTTP/1.x request line."""

IDLE, READING, BUSY, CLOSED = "idle", "reading", "busy", "closed"
"""A connection's phase: waiting for a request, reading one, answering one, cut off."""


class _BadRequestBody(Exception):
    """The body could not be read (bad chunk framing, short read, over the cap)."""

    def __init__(self, response: WireResponse) -> None:
        super().__init__(response.status)
        self.response = response


def _bad_request() -> _BadRequestBody:
    return _BadRequestBody(WireResponse(400, b"", {}))


class Connection:
    """One accepted connection as the server tracks it: its socket (the TLS one once
    wrapped), its phase and since when, so that timeouts and ``stop()`` can end it."""

    __slots__ = ("sock", "phase", "since", "http2")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.phase = IDLE
        self.since = time.monotonic()
        self.http2 = False


class MockHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its open connections: it refuses connections
    over :attr:`Limits.max_connections`, closes those that idle or read for too long, and
    ``close_connections`` ends idle keep-alive connections instead of leaving their
    threads blocked."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        defaults: RoutingDefaults,
        *,
        log_requests: bool = False,
        limits: Limits = Limits(),
        ssl_context: ssl.SSLContext | None = None,
        gate: Gate | None = None,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.defaults = defaults
        self.log_requests = log_requests
        self.limits = limits
        self.ssl_context = ssl_context
        self.gate = gate
        self.stopping = False
        self._connections: dict[socket.socket, Connection] = {}  # keyed by the accepted socket
        self._handler_threads: set[threading.Thread] = set()
        self._connections_lock = threading.Lock()
        self._reaper_stop = threading.Event()
        self.event_streams: set[ChunkSource] = set()
        """Event streams being written (ended first when the server stops)."""
        super().__init__(address, RequestHandler)
        self._reaper = threading.Thread(target=self._reap, name="mock_putrecord-http-reaper", daemon=True)
        self._reaper.start()

    def respond(self, raw: RawRequest) -> WireResponse:
        """Answer one request (inside the :class:`Gate`, when state is being persisted)."""
        gate = self.gate
        if gate is None:
            return answer(raw, self.defaults)
        with gate.request():
            return answer(raw, self.defaults)

    @property
    def authority(self) -> str:
        """``host:port`` of the bound socket (``[::1]:port`` for IPv6)."""
        host, port = self.socket.getsockname()[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    # ------------------------------------------------------------ connection tracking
    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._connections_lock:
            full = len(self._connections) >= self.limits.max_connections
            if not full:
                self._connections[request] = Connection(request)
        if full:  # answered from the accept loop: never blocks it, never starts a thread
            _log.warning("mock_putrecord server: %d connections open, refusing one more",
                         self.limits.max_connections)
            _send_and_close(request, _BUSY)
            return
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"mock_putrecord-http-{client_address}",
            daemon=True,
        )
        with self._connections_lock:
            self._handler_threads.add(thread)
        thread.start()

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.pop(request, None)
                self._handler_threads.discard(threading.current_thread())

    def connection(self, request: socket.socket) -> Connection:
        """The tracking record of an accepted socket."""
        with self._connections_lock:
            tracked = self._connections.get(request)
        return tracked if tracked is not None else Connection(request)

    def set_phase(self, connection: Connection, phase: str) -> None:
        """Move ``connection`` to ``phase`` (unless a timeout already cut it off)."""
        with self._connections_lock:
            if connection.phase != CLOSED:
                connection.phase = phase
                connection.since = time.monotonic()

    @property
    def open_connections(self) -> int:
        """How many connections are open now."""
        with self._connections_lock:
            return len(self._connections)

    def _reap(self) -> None:
        """Close connections past their idle or read deadline, or stuck answering a client
        that does not read (a slow or silent client costs a thread only for that long)."""
        limits = self.limits
        interval = min(1.0, max(0.02, min(limits.read_timeout, limits.idle_timeout) / 4))
        stalled = max(limits.read_timeout, limits.idle_timeout)
        while not self._reaper_stop.wait(interval):
            now = time.monotonic()
            with self._connections_lock:
                for tracked in self._connections.values():
                    if tracked.phase == IDLE and now - tracked.since > limits.idle_timeout:
                        tracked.phase = CLOSED
                        _shutdown(tracked.sock)
                    elif tracked.phase == READING and now - tracked.since > limits.read_timeout:
                        tracked.phase = CLOSED
                        if not tracked.http2:
                            _send_now(tracked.sock, _TIMED_OUT)
                        _shutdown(tracked.sock)
                    elif tracked.phase == BUSY and now - tracked.since > stalled:
                        # answers take milliseconds: this one is stuck writing to a client
                        # that does not read
                        tracked.phase = CLOSED
                        _shutdown(tracked.sock)

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
                idle = [tracked.sock for tracked in self._connections.values() if tracked.phase != BUSY]
                remaining = len(self._connections)
                threads = list(self._handler_threads)
            for conn in idle:
                _shutdown(conn)
            if remaining == len(idle) or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        with self._connections_lock:
            leftovers = [tracked.sock for tracked in self._connections.values()]
        for conn in leftovers:
            _shutdown(conn)
        join_deadline = max(deadline, time.monotonic()) + 1.0
        for thread in threads:
            thread.join(max(0.0, join_deadline - time.monotonic()))

    def server_close(self) -> None:
        self._reaper_stop.set()
        super().server_close()


def _shutdown(conn: socket.socket) -> None:
    try:
        # socket.socket's own shutdown, also for a TLS socket: SSLSocket.shutdown would
        # drop its TLS state under the thread that is reading from it
        socket.socket.shutdown(conn, socket.SHUT_RDWR)
    except OSError:
        pass


def _send_now(conn: socket.socket, data: bytes) -> None:
    """Best effort, never blocking: a short answer before the connection is cut."""
    try:
        socket.socket.send(conn, data, socket.MSG_DONTWAIT)
    except OSError:
        pass


def _send_and_close(conn: socket.socket, data: bytes) -> None:
    _send_now(conn, data)
    _shutdown(conn)
    conn.close()


class RequestHandler(BaseHTTPRequestHandler):
    """Reads one request at a time off a keep-alive connection and answers it."""

    server: MockHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "mock_putrecord"
    default_request_version = "HTTP/1.1"  # answer even garbage with a status line
    sys_version = ""
    tracked: Connection

    def setup(self) -> None:
        self.tracked = self.server.connection(self.request)
        # no socket timeout: the reaper enforces every deadline, and a blocking socket
        # reads a large body with fewer system calls than one with a timeout
        context = self.server.ssl_context
        if context is not None:  # the handshake runs here, off the accept loop, timed as a read
            self.server.set_phase(self.tracked, READING)
            wrapped = context.wrap_socket(self.request, server_side=True, do_handshake_on_connect=False)
            self.tracked.sock = self.request = wrapped
            try:
                wrapped.do_handshake()
            except (OSError, ValueError):
                wrapped.close()
                raise
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if isinstance(self.request, ssl.SSLSocket):
                self.request.close()  # socketserver closes only the socket it accepted

    def handle(self) -> None:
        connection = self.connection
        if isinstance(connection, ssl.SSLSocket) and connection.selected_alpn_protocol() == "h2":
            self._http2()
        else:
            super().handle()

    def handle_one_request(self) -> None:
        self.server.set_phase(self.tracked, IDLE)
        try:
            super().handle_one_request()
        finally:
            self.server.set_phase(self.tracked, IDLE)
        if self.server.stopping:
            self.close_connection = True

    def _http2(self, initial: bytes = b"", upgrade: tuple[bytes, RawRequest] | None = None) -> None:
        """Hand the connection to HTTP/2 for good."""
        self.close_connection = True
        if http2 is None:  # a GOAWAY (HTTP_1_1_REQUIRED) that says why, in HTTP/2 framing
            _log.warning("mock_putrecord server: a client spoke HTTP/2; %s", HTTP2_MISSING)
            debug = HTTP2_MISSING.encode()
            goaway = (len(debug) + 8).to_bytes(3, "big") + b"\x07\x00" + bytes(4) + bytes(4) + (13).to_bytes(4, "big")
            self.wfile.write(b"\x00\x00\x00\x04\x00" + bytes(4) + goaway + debug)
            return
        session = http2.H2Session(self.server, self.tracked, self.rfile, self.connection,
                                  self.address_string(), self.server.respond)
        session.run(initial, upgrade)

    def parse_request(self) -> bool:
        self.server.set_phase(self.tracked, READING)
        if getattr(self, "raw_requestline", b"") == PRI_LINE:  # HTTP/2 with prior knowledge (h2c)
            rest = self.rfile.read(len(PREFACE) - len(PRI_LINE))
            if PRI_LINE + rest == PREFACE:
                self._http2(PREFACE)
                return False
        if not super().parse_request():
            return False
        # obs-fold and bare CR/LF in a value: refused (RFC 9112 §5.2), never copied on
        for value in self.headers.values():
            if "\r" in value or "\n" in value:
                self.send_error(400, "Folded or malformed header value")
                return False
        return True

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
        self.server.set_phase(self.tracked, BUSY)
        settings = self._h2c_upgrade()
        if settings is not None:
            self.wfile.write(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
            self._http2(upgrade=(settings, raw))
            return
        response = self.server.respond(raw)
        if self.server.stopping:
            self.close_connection = True
        self._send(response)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _serve

    def _h2c_upgrade(self) -> bytes | None:
        """The ``HTTP2-Settings`` of a valid ``Upgrade: h2c`` request over cleartext that
        this server can honour; ``None``: answer in HTTP/1.1 (RFC 9113 §3.2 allows it)."""
        upgrade = self.headers.get("upgrade")
        if upgrade is None or http2 is None or self.server.ssl_context is not None:
            return None
        if "h2c" not in [token.strip().lower() for token in upgrade.split(",")]:
            return None
        values = self.headers.get_all("http2-settings") or []
        connection = [token.strip().lower() for token in (self.headers.get("connection") or "").split(",")]
        if len(values) != 1 or "upgrade" not in connection or "http2-settings" not in connection:
            return None
        return http2.settings_from_header(values[0])

    def _own_address(self) -> str:
        return self.server.authority

    def _read_body(self) -> bytes:
        lengths = self.headers.get_all("content-length") or []
        encoding = (self.headers.get("transfer-encoding") or "").lower()
        if encoding:
            if lengths or encoding.replace(" ", "") != "chunked":
                # both framings at once is how requests are smuggled (RFC 9112 §6.1)
                raise _bad_request()
            return self._read_chunked()
        if not lengths:
            return b""
        if len(lengths) > 1 or not _DIGITS.fullmatch(lengths[0].encode("latin-1", "replace")):
            raise _bad_request()  # two lengths, a sign, spaces, hex...: RFC 9110 §8.6
        length = int(lengths[0])
        if length > self.server.limits.max_body_bytes:
            raise _BadRequestBody(replies.too_large())
        body = self.rfile.read(length)
        if len(body) != length:
            raise _bad_request()
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        room = self.server.limits.max_body_bytes
        while True:
            match = _CHUNK_SIZE.fullmatch(self.rfile.readline(1024))
            if match is None:  # a sign, a non-hex digit, an overlong line: no size
                raise _bad_request()
            size = int(match.group(1), 16)
            if size == 0:
                for _ in range(100):
                    if self.rfile.readline(8192) in (b"\r\n", b"\n", b""):
                        return b"".join(chunks)
                raise _bad_request()  # endless trailers
            if size > room:
                raise _BadRequestBody(replies.too_large())
            room -= size
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise _bad_request()
            chunks.append(chunk)

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
                # a live stream (heartbeats every 5 s) is progress: not a stalled answer
                self.server.set_phase(self.tracked, BUSY)
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
            if routed.service == "kinesis" and is_cbor(raw.headers):
                response = cbor_answer(routed, response)
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
