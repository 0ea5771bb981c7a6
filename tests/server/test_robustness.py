"""Bad input gets an error answer and the server keeps serving."""
from __future__ import annotations

import http.client
import json
import socket
import time

import pytest

from mock_putrecord.core import dispatch
from mock_putrecord.core.wire import WireRequest, WireResponse
from mock_putrecord.server import MockServer
from mock_putrecord.server.limits import MAX_BODY_BYTES

from .conftest import AMZ_JSON, kinesis_call, raw_request, signed_headers


def assert_alive(server: MockServer) -> None:
    reply = kinesis_call(server, "ListStreams", {})
    assert reply.status == 200, reply.body


def exchange(server: MockServer, data: bytes, read_timeout: float = 10) -> bytes:
    """Send raw bytes, half-close, and read whatever comes back until the server closes."""
    with socket.create_connection((server.host, server.port), timeout=read_timeout) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def test_non_http_bytes(server: MockServer) -> None:
    answer = exchange(server, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 hello tls\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert_alive(server)


def test_unknown_method(server: MockServer) -> None:
    answer = exchange(server, b"BREW / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 501 Not Implemented\r\n")
    assert answer.endswith(b"\r\n\r\n501 Unsupported method ('BREW')\n")
    assert_alive(server)


def test_invalid_content_length(server: MockServer) -> None:
    answer = exchange(server, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert_alive(server)


def test_body_over_the_cap_is_413_and_the_connection_closes(server: MockServer) -> None:
    head = f"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
    answer = exchange(server, head)
    assert answer.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n")
    assert b"\r\nConnection: close\r\n" in answer
    assert_alive(server)


def test_client_hangs_up_mid_body(server: MockServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"Records\":")
    assert_alive(server)


def test_bad_chunk_framing(server: MockServer) -> None:
    answer = exchange(server, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert_alive(server)


def test_chunked_request_bodies_are_read(server: MockServer) -> None:
    server.mock.kinesis.create_stream("s", 1)
    body = json.dumps({"StreamName": "s", "Data": "aGk=", "PartitionKey": "k"}).encode()
    headers = signed_headers(server, "Kinesis_20131202.PutRecord", body)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.putrequest("POST", "/", skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for part in (body[:7], body[7:]):
            conn.send(b"%x\r\n%s\r\n" % (len(part), part))
        conn.send(b"0\r\n\r\n")
        response = conn.getresponse()
        assert response.status == 200, response.read()
        response.read()
    finally:
        conn.close()
    assert server.mock.kinesis.data("s") == [b"hi"]


def test_a_bug_in_an_adapter_is_a_500_not_a_dead_server(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(request: WireRequest) -> WireResponse | None:
        raise KeyError("boom")

    monkeypatch.setattr(dispatch, "dispatch", broken)
    reply = kinesis_call(server, "ListStreams", {})
    assert reply.status == 500
    assert reply.headers["content-type"] == AMZ_JSON
    assert reply.json() == {"__type": "InternalFailure", "message": "mock_putrecord internal error: KeyError: 'boom'"}
    monkeypatch.undo()
    assert_alive(server)


def test_unknown_target_is_unknown_operation(server: MockServer) -> None:
    body = b"{}"
    reply = raw_request(server, "POST", "/", signed_headers(server, "Kinesis_20131202.Nope", body), body)
    assert (reply.status, reply.body) == (400, b'{"__type":"UnknownOperationException"}')
    assert reply.headers["content-type"] == AMZ_JSON
    assert_alive(server)


def test_unparseable_json_is_serialization_exception(server: MockServer) -> None:
    body = b'{"StreamName": '
    reply = raw_request(server, "POST", "/", signed_headers(server, "Kinesis_20131202.PutRecords", body), body)
    assert (reply.status, reply.body) == (400, b'{"__type":"SerializationException"}')
    assert_alive(server)


def test_stop_ends_idle_keep_alive_connections_promptly() -> None:
    server = MockServer().start()
    connections = [http.client.HTTPConnection(server.host, server.port, timeout=10) for _ in range(5)]
    for conn in connections:
        assert kinesis_call(server, "ListStreams", {}, connection=conn).status == 200
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    for conn in connections:
        assert conn.sock is not None
        assert conn.sock.recv(1) == b""  # the server closed it
        conn.close()
