"""HTTP/2 on one connection, with the ``h2`` protocol library (the ``server`` extra).

The connection's thread owns the socket: it reads frames, collects each stream's headers
and body, and writes every frame out. Each complete request is answered on a thread of
its own, through the same :func:`~mock_putrecord.server.httpd.answer` as HTTP/1.1, so a
slow stream (a SubscribeToShard event stream lasts minutes) never holds up the others.
Those threads only queue frames in the shared ``h2`` state, under one lock, and wake the
connection's thread to send them: one thread reads and writes the socket, as a TLS socket
needs. Concurrency is bounded by SETTINGS_MAX_CONCURRENT_STREAMS (``h2`` refuses more open
streams), so by one thread per open stream.

An event stream (``application/vnd.amazon.eventstream``) goes out as DATA frames, one or
more per message, as the messages are produced, within the client's flow-control windows.
A session starts three ways: prior knowledge (h2c, ``PRI * HTTP/2.0`` as the request
line), ``Upgrade: h2c`` (the upgrading request is stream 1), and TLS with ALPN ``h2``.
"""
from __future__ import annotations

import base64
import binascii
import logging
import os
import select
import socket
import ssl
import threading
import time
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

from ..core.streaming import ChunkSource, StreamingWireResponse
from ..core.wire import WireResponse
from . import replies
from .headers import Headers
from .routing import RawRequest

if TYPE_CHECKING:
    from .httpd import Connection, MockHTTPServer

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
"""What an HTTP/2 client sends first; its first line parses as an HTTP/1.x request line."""
MAX_CONCURRENT_STREAMS = 100
"""Streams a client may have open at once on one connection, so threads answering them."""
MAX_HEADER_LIST_SIZE = 64 * 1024
WINDOW = 1 << 20
"""The flow-control window offered per stream and for the connection: a typical
PutRecords body arrives without waiting for WINDOW_UPDATEs (the default is 64 KiB)."""
JOIN_SECONDS = 2.0
"""How long a closing connection waits for the threads still answering its streams."""
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length", "date"}
)
_log = logging.getLogger("mock_putrecord.server")


@dataclass
class _Stream:
    headers: list[tuple[bytes, bytes]]
    body: list[bytes] = field(default_factory=list)
    size: int = 0


class _Gone(Exception):
    """The stream (or the whole connection) ended before its answer was all sent."""


class _GoawayFilter:
    """Takes the client's graceful GOAWAY frames (NO_ERROR) out of the bytes it sends.

    A client may send one while its streams are still open: the AWS SDK for JavaScript
    closes its session (GOAWAY) as soon as a SubscribeToShard answer's headers arrive, and
    reads the event stream for minutes after. RFC 9113 §6.8 lets those streams complete,
    but ``h2`` closes the whole connection on any GOAWAY (python-hyper/h2#1181), so the
    session sees it here instead and ends once its streams are answered. Any other GOAWAY,
    or a malformed one, goes on to ``h2``, which ends the connection as before.
    """

    def __init__(self) -> None:
        self._preface = len(PREFACE)  # every client starts with it (RFC 9113 §3.4)
        self._passing = 0  # bytes of the current frame still to pass on
        self._held = b""  # an incomplete frame header, or an incomplete GOAWAY
        self.goaway = False

    def feed(self, data: bytes) -> bytes:
        """The bytes to hand to ``h2``: ``data`` less any graceful GOAWAY frame."""
        buffer = self._held + data if self._held else data
        self._held = b""
        if self._preface:
            if len(buffer) <= self._preface:
                self._preface -= len(buffer)
                return buffer
            skip, self._preface = self._preface, 0
            return buffer[:skip] + self.feed(buffer[skip:])
        parts: list[bytes] = []
        position, size = 0, len(buffer)
        while position < size:
            if self._passing:
                take = min(self._passing, size - position)
                parts.append(buffer[position:position + take])
                position += take
                self._passing -= take
                continue
            if size - position < 9:
                self._held = buffer[position:]
                break
            length = int.from_bytes(buffer[position:position + 3], "big")
            if buffer[position + 3] != 0x7 or not 8 <= length <= 16_384:  # not a GOAWAY h2 would accept
                self._passing = 9 + length
                continue
            if size - position < 9 + length:
                self._held = buffer[position:]
                break
            if int.from_bytes(buffer[position + 13:position + 17], "big") != h2.errors.ErrorCodes.NO_ERROR:
                self._passing = 9 + length  # an error: h2 ends the connection
                continue
            self.goaway = True
            position += 9 + length
        return b"".join(parts) if len(parts) != 1 else parts[0]


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
        # _lock guards the h2 state, _answering and _closed; it is notified when the client
        # grants window and when the connection ends, which answering threads wait for
        self._lock = threading.Condition()
        self._streams: dict[int, _Stream] = {}  # requests being received (connection thread only)
        self._answering: dict[int, ChunkSource | None] = {}  # streams being answered: their event source
        self._threads: set[threading.Thread] = set()
        self._buffered = 0
        self._closed = False
        self._incoming = _GoawayFilter()
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)
        self._sock_fd = sock.fileno()
        self._poller = select.poll()
        self._poller.register(self._sock_fd, select.POLLIN)
        self._poller.register(self._wake_read, select.POLLIN)
        tracked.http2 = True

    def run(self, initial: bytes = b"", upgrade: tuple[bytes, RawRequest] | None = None) -> None:
        """Serve until the connection ends. ``initial``: bytes already read (the preface);
        ``upgrade``: the ``HTTP2-Settings`` value and the request of an ``Upgrade: h2c``."""
        try:
            initial += self._unread()
            with self._lock:
                if upgrade is None:
                    self._conn.initiate_connection()
                else:
                    self._conn.initiate_upgrade_connection(upgrade[0])
                self._conn.increment_flow_control_window(WINDOW - 65_535)  # the connection's own window
            self._flush()
            if upgrade is not None:
                self._dispatch(1, upgrade[1])
            if initial:
                self._receive(initial)
            while not self._closed and not self._server.stopping and not self._drained():
                self._update_phase()
                data = self._read()
                if not data:
                    break
                self._receive(data)
            if (self._server.stopping or self._drained()) and not self._closed:
                with self._lock:  # our GOAWAY too, as RFC 9113 §6.8 asks before closing
                    self._conn.close_connection()
                self._flush()
        except (OSError, ValueError):
            pass  # the client went away, or a timeout or stop() shut the socket
        finally:
            self._end()

    # ------------------------------------------------------------ the socket
    def _unread(self) -> bytes:
        """What the HTTP/1.1 reader took off the socket but did not use (the frames that
        followed the preface): from here on the socket is read directly."""
        self._sock.setblocking(False)
        try:
            return self._rfile.read1(65536) or b""
        except (BlockingIOError, ssl.SSLWantReadError):
            return b""
        finally:
            self._sock.setblocking(True)

    def _read(self) -> bytes:
        """The next bytes from the client; meanwhile, send what answering threads queue."""
        sock = self._sock
        if not (isinstance(sock, ssl.SSLSocket) and sock.pending()):  # decrypted bytes need no wait
            while True:
                ready = {fd for fd, _ in self._poller.poll()}
                if self._wake_read in ready:
                    os.read(self._wake_read, 4096)
                    self._flush()
                if self._closed or self._drained():
                    return b""
                if self._sock_fd in ready:
                    break
        return sock.recv(65536)

    def _drained(self) -> bool:
        """The client said GOAWAY and every stream it opened is answered."""
        with self._lock:
            return self._incoming.goaway and not self._answering and not self._streams

    def _flush(self) -> None:
        """Send the frames queued so far (called by the connection's thread only)."""
        with self._lock:
            data = self._conn.data_to_send()
        if data:
            self._sock.sendall(data)

    def _wake(self) -> None:
        """Have the connection's thread send the frames just queued."""
        with self._lock:  # never write to the pipe's number once it is closed (and maybe reused)
            if self._wake_write < 0:
                return
            try:
                os.write(self._wake_write, b"\0")
            except BlockingIOError:
                pass  # a wake-up is pending already

    # ------------------------------------------------------------ reading
    def _receive(self, data: bytes) -> None:
        data = self._incoming.feed(data)
        with self._lock:
            try:
                events = self._conn.receive_data(data) if data else []
            except h2.exceptions.ProtocolError as error:
                _log.debug("HTTP/2 protocol error from %s: %s", self._client, error)
                self._closed = True  # h2 has queued the GOAWAY that names the error
                events = []
            self._lock.notify_all()  # window granted, settings changed, or closed
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self._streams[event.stream_id] = _Stream(list(event.headers))  # a StreamEnded follows if no body
            elif isinstance(event, h2.events.DataReceived):
                self._data(event)
            elif isinstance(event, h2.events.StreamEnded):
                self._complete(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                self._cancel(event.stream_id)
            elif isinstance(event, h2.events.ConnectionTerminated):
                self._closed = True
        self._flush()

    def _data(self, event: h2.events.DataReceived) -> None:
        stream_id = event.stream_id
        with self._lock:
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
            with self._lock:
                self._queue_head(stream_id, replies.too_large(), b"POST", end_stream=True)
                self._reset(stream_id)
        elif self._buffered > 4 * limit:  # many large bodies at once: a client to stop
            self._close(h2.errors.ErrorCodes.ENHANCE_YOUR_CALM)

    def _complete(self, stream_id: int) -> None:
        stream = self._streams.pop(stream_id, None)
        if stream is not None:
            self._buffered -= stream.size
            self._dispatch(stream_id, self._request(stream))

    def _drop(self, stream_id: int) -> None:
        stream = self._streams.pop(stream_id, None)
        if stream is not None:
            self._buffered -= stream.size

    def _cancel(self, stream_id: int) -> None:
        """The client reset the stream: forget its request, or end its event stream."""
        self._drop(stream_id)
        with self._lock:
            source = self._answering.get(stream_id)
        if source is not None:
            source.close()

    def _request(self, stream: _Stream) -> RawRequest:
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

    # ------------------------------------------------------------ answering
    def _dispatch(self, stream_id: int, raw: RawRequest) -> None:
        """Answer ``raw`` on a thread of its own (h2 bounds how many streams are open)."""
        thread = threading.Thread(target=self._respond, args=(stream_id, raw), daemon=True,
                                  name=f"mock_putrecord-h2-{self._client}-{stream_id}")
        with self._lock:
            self._answering[stream_id] = None
            self._threads.add(thread)
        self._update_phase()
        thread.start()

    def _respond(self, stream_id: int, raw: RawRequest) -> None:
        response: WireResponse | None = None
        try:
            response = self._answer(raw)
            self._send(stream_id, response, raw.method.encode("latin-1"))
        except _Gone:
            pass  # the client reset the stream, or the connection ended
        except Exception:  # never let one stream's failure leave the connection hanging
            _log.exception("mock_putrecord server: HTTP/2 stream %d failed", stream_id)
            with self._lock:
                self._reset(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
            self._wake()
        finally:
            with self._lock:
                self._answering.pop(stream_id, None)
                self._threads.discard(threading.current_thread())
            self._update_phase()
            self._wake()  # after a GOAWAY, the last answer lets the connection close
        if self._server.log_requests and response is not None:
            _log.info('%s "%s %s HTTP/2" %d %d', self._client, raw.method, raw.target, response.status,
                      len(response.body))

    def _send(self, stream_id: int, response: WireResponse, method: bytes) -> None:
        if isinstance(response, StreamingWireResponse) and response.source is not None:
            self._send_events(stream_id, response, response.source)
            return
        body = b"" if method == b"HEAD" or response.status in (204, 304) else response.body
        with self._lock:
            self._queue_head(stream_id, response, method, end_stream=not body)
        self._wake()
        if body:
            self._send_data(stream_id, body, end_stream=True)

    def _send_events(self, stream_id: int, response: WireResponse, source: ChunkSource) -> None:
        """An event stream: headers now, then each message as the source produces it; the
        stream ends when the source does, and the source when the client resets it."""
        with self._lock:
            if self._closed:
                source.close()
                raise _Gone
            self._answering[stream_id] = source
        self._server.event_streams.add(source)
        try:
            with self._lock:
                self._queue_head(stream_id, response, b"POST", end_stream=False, length=False)
            self._wake()
            for chunk in source:
                self._send_data(stream_id, chunk, end_stream=False)
                self._update_phase()  # a live stream is progress, not a stalled connection
            self._send_data(stream_id, b"", end_stream=True)
        finally:
            self._server.event_streams.discard(source)
            source.close()

    def _queue_head(self, stream_id: int, response: WireResponse, method: bytes, *, end_stream: bool,
                    length: bool = True) -> None:
        """Queue the HEADERS frame of ``response`` (with ``_lock`` held)."""
        headers = [(b":status", str(response.status).encode("ascii"))]
        for name, value in response.headers.items():
            lower = name.lower()
            if lower not in _HOP_BY_HOP:
                headers.append((lower.encode("latin-1"), value.encode("latin-1", "replace")))
        if length and response.status != 204:
            headers.append((b"content-length", str(len(response.body)).encode("ascii")))
        headers.append((b"date", formatdate(usegmt=True).encode("ascii")))
        try:
            self._conn.send_headers(stream_id, headers, end_stream=end_stream)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            raise _Gone from None  # the client reset the stream meanwhile: nothing to answer

    def _send_data(self, stream_id: int, data: bytes, *, end_stream: bool) -> None:
        """Queue ``data`` as DATA frames, waiting for the client's WINDOW_UPDATEs as needed."""
        view = memoryview(data)
        with self._lock:
            while True:
                if self._closed:
                    raise _Gone
                try:
                    window = min(self._conn.local_flow_control_window(stream_id), self._conn.max_outbound_frame_size)
                    if window <= 0 and view:
                        self._wake()  # what is queued must go out before the client can grant more
                        self._lock.wait()
                        continue
                    chunk, view = view[:window], view[window:]
                    self._conn.send_data(stream_id, chunk.tobytes(), end_stream=end_stream and not view)
                except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                    raise _Gone from None
                if not view:
                    break
        self._wake()

    def _reset(self, stream_id: int, code: h2.errors.ErrorCodes = h2.errors.ErrorCodes.NO_ERROR) -> None:
        try:
            self._conn.reset_stream(stream_id, code)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            pass

    def _close(self, code: h2.errors.ErrorCodes) -> None:
        with self._lock:
            self._closed = True
            try:
                self._conn.close_connection(code)
            except h2.exceptions.ProtocolError:
                pass
            self._lock.notify_all()

    def _update_phase(self) -> None:
        """Busy while any stream is being answered, reading while one is half received."""
        from .httpd import BUSY, IDLE, READING

        with self._lock:
            phase = BUSY if self._answering else READING if self._streams else IDLE
            self._server.set_phase(self._tracked, phase)

    def _end(self) -> None:
        """The connection is over: end every event stream, release every waiting thread,
        and give the answering threads a moment to finish."""
        with self._lock:
            self._closed = True
            sources = [source for source in self._answering.values() if source is not None]
            threads = list(self._threads)
            self._lock.notify_all()
        for source in sources:
            source.close()
        deadline = time.monotonic() + JOIN_SECONDS
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            os.close(self._wake_read)
            os.close(self._wake_write)
            self._wake_write = -1


def settings_from_header(value: str) -> bytes | None:
    """The ``HTTP2-Settings`` value of an ``Upgrade: h2c`` request, padded for decoding,
    or ``None`` if it is not base64url of whole SETTINGS entries (6 bytes each)."""
    padded = value.strip() + "=" * (-len(value.strip()) % 4)
    try:
        raw = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    return padded.encode("ascii") if len(raw) % 6 == 0 else None
