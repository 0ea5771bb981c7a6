"""HTTP/2 on one connection, with the ``h2`` protocol library (the ``server`` extra).

The connection's thread reads frames, collects each stream's headers and body, and answers
complete requests one at a time, in the order they were completed, through the same
:func:`~mock_putrecord.server.httpd.answer` as HTTP/1.1. Requests are small and answers
quick, so one thread per connection keeps the server's model (and its limits) unchanged.
A session starts three ways: prior knowledge (h2c, ``PRI * HTTP/2.0`` as the request
line), ``Upgrade: h2c`` (the upgrading request is stream 1), and TLS with ALPN ``h2``.
"""
from __future__ import annotations

import base64
import binascii
import logging
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from io import BufferedIOBase
from typing import TYPE_CHECKING, Callable

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings

from ..core.wire import WireResponse
from . import replies
from .headers import Headers
from .routing import RawRequest

if TYPE_CHECKING:
    import socket

    from .httpd import Connection, MockHTTPServer

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
"""What an HTTP/2 client sends first; its first line parses as an HTTP/1.x request line."""
MAX_CONCURRENT_STREAMS = 100
MAX_HEADER_LIST_SIZE = 64 * 1024
WINDOW = 1 << 20
"""The flow-control window offered per stream and for the connection: a typical
PutRecords body arrives without waiting for WINDOW_UPDATEs (the default is 64 KiB)."""
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length", "date"}
)
_log = logging.getLogger("mock_putrecord.server")


@dataclass
class _Stream:
    headers: list[tuple[bytes, bytes]]
    body: list[bytes] = field(default_factory=list)
    size: int = 0


class H2Session:
    """Serve one HTTP/2 connection until the client or a timeout ends it."""

    def __init__(self, server: MockHTTPServer, tracked: Connection, rfile: BufferedIOBase, sock: socket.socket,
                 client: str, answer: Callable[[RawRequest], WireResponse]) -> None:
        self._server = server
        self._tracked = tracked
        self._rfile = rfile
        self._sock = sock
        self._client = client
        self._answer = answer
        config = h2.config.H2Configuration(client_side=False, header_encoding=None)
        self._conn = h2.connection.H2Connection(config=config)
        self._conn.local_settings = h2.settings.Settings(client=False, initial_values={
            h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: MAX_CONCURRENT_STREAMS,
            h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: MAX_HEADER_LIST_SIZE,
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: WINDOW,
        })
        self._streams: dict[int, _Stream] = {}
        self._ready: deque[tuple[int, _Stream]] = deque()
        self._buffered = 0
        self._closed = False
        tracked.http2 = True

    def run(self, initial: bytes = b"", upgrade: tuple[bytes, RawRequest] | None = None) -> None:
        """Serve until the connection ends. ``initial``: bytes already read (the preface);
        ``upgrade``: the ``HTTP2-Settings`` value and the request of an ``Upgrade: h2c``."""
        from .httpd import BUSY, IDLE, READING

        try:
            if upgrade is None:
                self._conn.initiate_connection()
            else:
                self._conn.initiate_upgrade_connection(upgrade[0])
            self._conn.increment_flow_control_window(WINDOW - 65_535)  # the connection's own window
            self._flush()
            if upgrade is not None:
                self._server.set_phase(self._tracked, BUSY)
                self._respond(1, upgrade[1])
            if initial:
                self._receive(initial)
            while not self._closed:
                while self._ready and not self._closed:
                    self._server.set_phase(self._tracked, BUSY)
                    stream_id, stream = self._ready.popleft()
                    self._respond(stream_id, self._request(stream))
                if self._closed or self._server.stopping:
                    break
                self._server.set_phase(self._tracked, READING if self._streams else IDLE)
                data = self._rfile.read1(65536)
                if not data:
                    break
                self._receive(data)
            if self._server.stopping and not self._closed:
                self._conn.close_connection()
                self._flush()
        except (OSError, ValueError):
            pass  # the client went away, or a timeout or stop() shut the socket

    # ------------------------------------------------------------ reading
    def _receive(self, data: bytes) -> None:
        try:
            events = self._conn.receive_data(data)
        except h2.exceptions.ProtocolError as error:
            _log.debug("HTTP/2 protocol error from %s: %s", self._client, error)
            self._closed = True  # h2 has queued the GOAWAY that names the error
            self._flush()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self._streams[event.stream_id] = _Stream(list(event.headers))  # a StreamEnded follows if no body
            elif isinstance(event, h2.events.DataReceived):
                self._data(event)
            elif isinstance(event, h2.events.StreamEnded):
                self._complete(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                self._drop(event.stream_id)
            elif isinstance(event, h2.events.ConnectionTerminated):
                self._closed = True
        self._flush()

    def _data(self, event: h2.events.DataReceived) -> None:
        stream_id = event.stream_id
        if event.flow_controlled_length:
            self._conn.acknowledge_received_data(event.flow_controlled_length, stream_id)
        stream = self._streams.get(stream_id)
        if stream is None or event.data is None:
            return
        stream.body.append(event.data)
        stream.size += len(event.data)
        self._buffered += len(event.data)
        limit = self._server.limits.max_body_bytes
        if stream.size > limit:  # the same 413 as HTTP/1.1, then the rest of it is refused
            self._drop(stream_id)
            self._send(stream_id, replies.too_large(), b"POST")
            self._reset(stream_id)
        elif self._buffered > 4 * limit:  # many large bodies at once: a client to stop
            self._close(h2.errors.ErrorCodes.ENHANCE_YOUR_CALM)

    def _complete(self, stream_id: int) -> None:
        stream = self._streams.pop(stream_id, None)
        if stream is not None:
            self._ready.append((stream_id, stream))

    def _drop(self, stream_id: int) -> None:
        stream = self._streams.pop(stream_id, None)
        if stream is not None:
            self._buffered -= stream.size

    def _request(self, stream: _Stream) -> RawRequest:
        self._buffered -= stream.size
        pseudo: dict[bytes, bytes] = {}
        regular: list[tuple[str, str]] = []
        for name, value in stream.headers:
            if name.startswith(b":"):
                pseudo[name] = value
            else:
                regular.append((name.decode("latin-1"), value.decode("latin-1")))
        authority = pseudo.get(b":authority", b"").decode("latin-1")
        headers = Headers(regular)
        return RawRequest(
            method=pseudo.get(b":method", b"GET").decode("latin-1"),
            target=pseudo.get(b":path", b"/").decode("latin-1"),
            headers=headers,
            body=b"".join(stream.body),
            host=authority or headers.get("host") or self._server.authority,
        )

    # ------------------------------------------------------------ writing
    def _respond(self, stream_id: int, raw: RawRequest) -> None:
        response = self._answer(raw)
        self._send(stream_id, response, raw.method.encode("latin-1"))
        if self._server.log_requests:
            _log.info('%s "%s %s HTTP/2" %d %d', self._client, raw.method, raw.target, response.status,
                      len(response.body))

    def _send(self, stream_id: int, response: WireResponse, method: bytes) -> None:
        body = b"" if method == b"HEAD" or response.status in (204, 304) else response.body
        headers = [(b":status", str(response.status).encode("ascii"))]
        for name, value in response.headers.items():
            lower = name.lower()
            if lower not in _HOP_BY_HOP:
                headers.append((lower.encode("latin-1"), value.encode("latin-1", "replace")))
        if response.status != 204:
            headers.append((b"content-length", str(len(response.body)).encode("ascii")))
        headers.append((b"date", formatdate(usegmt=True).encode("ascii")))
        try:
            self._conn.send_headers(stream_id, headers, end_stream=not body)
            self._send_body(stream_id, body)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            pass  # the client reset the stream meanwhile: nothing to answer
        self._flush()

    def _send_body(self, stream_id: int, body: bytes) -> None:
        view = memoryview(body)
        while view and not self._closed:
            window = min(self._conn.local_flow_control_window(stream_id), self._conn.max_outbound_frame_size)
            if window <= 0:  # wait for the client's WINDOW_UPDATE
                self._flush()
                data = self._rfile.read1(65536)
                if not data:
                    self._closed = True
                    return
                self._receive(data)
                continue
            chunk, view = view[:window], view[window:]
            self._conn.send_data(stream_id, chunk.tobytes(), end_stream=not view)

    def _reset(self, stream_id: int) -> None:
        try:
            self._conn.reset_stream(stream_id, h2.errors.ErrorCodes.NO_ERROR)
        except h2.exceptions.StreamClosedError:
            pass

    def _close(self, code: h2.errors.ErrorCodes) -> None:
        self._closed = True
        try:
            self._conn.close_connection(code)
        except h2.exceptions.ProtocolError:
            pass

    def _flush(self) -> None:
        data = self._conn.data_to_send()
        if data:
            self._sock.sendall(data)


def settings_from_header(value: str) -> bytes | None:
    """The ``HTTP2-Settings`` value of an ``Upgrade: h2c`` request, padded for decoding,
    or ``None`` if it is not base64url of whole SETTINGS entries (6 bytes each)."""
    padded = value.strip() + "=" * (-len(value.strip()) % 4)
    try:
        raw = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    return padded.encode("ascii") if len(raw) % 6 == 0 else None
