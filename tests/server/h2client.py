"""A small HTTP/2 client on the ``h2`` library, for the server's HTTP/2 tests."""
from __future__ import annotations

import socket
import ssl
from typing import Iterator, Mapping

import h2.config
import h2.connection
import h2.events
import h2.exceptions

from .conftest import Reply


class H2Client:
    """One HTTP/2 connection: send requests on streams, collect their answers."""

    def __init__(self, sock: socket.socket, *, initiate: bool = True) -> None:
        self.sock = sock
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.replies: dict[int, Reply] = {}
        self.reset: set[int] = set()
        self.terminated: h2.events.ConnectionTerminated | None = None
        self._partial: dict[int, tuple[int, dict[str, str], bytearray]] = {}
        if initiate:
            self.conn.initiate_connection()
            self.flush()

    @classmethod
    def connect(cls, host: str, port: int, *, tls: ssl.SSLContext | None = None) -> "H2Client":
        sock = socket.create_connection((host, port), timeout=10)
        if tls is not None:
            sock = tls.wrap_socket(sock, server_hostname=host)
            assert sock.selected_alpn_protocol() == "h2"
        return cls(sock)

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def send(self, method: str, path: str, headers: Mapping[str, str], body: bytes = b"",
             authority: str = "localhost") -> int:
        stream_id = self.conn.get_next_available_stream_id()
        pseudo = [(":method", method), (":path", path), (":scheme", "http"), (":authority", authority)]
        fields = pseudo + [(name.lower(), value) for name, value in headers.items() if name.lower() != "host"]
        self.conn.send_headers(stream_id, fields, end_stream=not body)
        view = memoryview(body)
        try:
            while view:
                window = min(self.conn.local_flow_control_window(stream_id), self.conn.max_outbound_frame_size)
                if window <= 0:
                    self.flush()
                    self.pump()
                    continue
                chunk, view = view[:window], view[window:]
                self.conn.send_data(stream_id, chunk.tobytes(), end_stream=not view)
        except h2.exceptions.StreamClosedError:
            pass  # the server answered and reset the stream before the body was all sent
        self.flush()
        return stream_id

    def pump(self) -> bool:
        """Read and handle one batch of frames; False when the server closed."""
        data = self.sock.recv(65536)
        if not data:
            return False
        for event in self.conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                headers = {str(k): str(v) for k, v in event.headers}
                self._partial[event.stream_id] = (int(headers.pop(":status")), headers, bytearray())
            elif isinstance(event, h2.events.DataReceived):
                self._partial[event.stream_id][2].extend(event.data or b"")
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                self._finish(event.stream_id)
            elif isinstance(event, h2.events.StreamReset):
                self.reset.add(event.stream_id)
            elif isinstance(event, h2.events.ConnectionTerminated):
                self.terminated = event
        self.flush()
        return True

    def chunks(self, stream_id: int) -> Iterator[bytes]:
        """The body of ``stream_id`` as it arrives (an event stream), until it ends or is reset."""
        offset = 0
        while True:
            partial = self._partial.get(stream_id)
            body = partial[2] if partial is not None else (
                self.replies[stream_id].body if stream_id in self.replies else b"")
            if len(body) > offset:
                chunk = bytes(body[offset:])
                offset += len(chunk)  # before yielding: the caller may pump more in meanwhile
                yield chunk
                continue
            if stream_id in self.replies or stream_id in self.reset:
                return
            assert self.pump(), "the server closed the connection"

    def status(self, stream_id: int) -> tuple[int, dict[str, str]]:
        """The status and headers of ``stream_id``'s answer, once they are in."""
        while stream_id not in self._partial and stream_id not in self.replies:
            assert self.pump(), "the server closed the connection"
        if stream_id in self.replies:
            return self.replies[stream_id].status, self.replies[stream_id].headers
        return self._partial[stream_id][0], self._partial[stream_id][1]

    def _finish(self, stream_id: int) -> None:
        status, headers, body = self._partial.pop(stream_id)
        self.replies[stream_id] = Reply(status, headers, bytes(body))

    def wait(self, *stream_ids: int) -> list[Reply]:
        while not all(sid in self.replies for sid in stream_ids):
            assert self.pump(), "the server closed the connection"
        return [self.replies[sid] for sid in stream_ids]

    def close(self) -> None:
        self.sock.close()
