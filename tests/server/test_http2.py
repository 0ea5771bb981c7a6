"""HTTP/2: prior knowledge (h2c), ``Upgrade: h2c`` and TLS with ALPN, on the same services."""
from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
import time
from typing import Iterator

import pytest

pytest.importorskip("h2", reason="HTTP/2 needs the server extra (h2)")
pytest.importorskip("cryptography", reason="TLS tests need the server extra (cryptography)")

import h2.errors  # noqa: E402

from mock_putrecord.server import MockServer, httpd  # noqa: E402
from mock_putrecord.server.limits import Limits  # noqa: E402

from .conftest import AMZ_JSON, kinesis_call, signed_headers  # noqa: E402
from .h2client import H2Client  # noqa: E402
from .test_robustness import assert_alive  # noqa: E402


def put(server: MockServer, client: H2Client, stream: str, data: bytes, key: str) -> int:
    body = json.dumps({"StreamName": stream, "Data": base64.b64encode(data).decode(), "PartitionKey": key}).encode()
    return client.send("POST", "/", signed_headers(server, "Kinesis_20131202.PutRecord", body), body)


@pytest.fixture
def h2c(server: MockServer) -> Iterator[H2Client]:
    client = H2Client.connect(server.host, server.port)
    yield client
    client.close()


def test_prior_knowledge_serves_kinesis(server: MockServer, h2c: H2Client) -> None:
    server.mock.kinesis.create_stream("s", 1)
    [reply] = h2c.wait(put(server, h2c, "s", b"over h2", "k"))
    assert reply.status == 200
    assert reply.headers["content-type"] == AMZ_JSON
    assert set(reply.json()) == {"ShardId", "SequenceNumber"}
    assert int(reply.headers["content-length"]) == len(reply.body)
    assert "x-amzn-requestid" in reply.headers and "date" in reply.headers
    assert server.mock.kinesis.data("s") == [b"over h2"]


def test_many_streams_on_one_connection_keep_every_record(server: MockServer, h2c: H2Client) -> None:
    server.mock.kinesis.create_stream("s", 2)
    ids = [put(server, h2c, "s", b"r%d" % i, str(i)) for i in range(60)]
    replies = h2c.wait(*ids)
    assert [reply.status for reply in replies] == [200] * 60
    assert sorted(server.mock.kinesis.data("s")) == sorted(b"r%d" % i for i in range(60))


def test_errors_are_the_services_own(server: MockServer, h2c: H2Client) -> None:
    body = b'{"StreamName": "missing"}'
    [reply] = h2c.wait(h2c.send("POST", "/", signed_headers(server, "Kinesis_20131202.DescribeStream", body), body))
    assert reply.status == 400
    assert reply.json() == {"__type": "ResourceNotFoundException",
                            "message": "Stream missing under account 123456789012 not found."}


def test_large_answers_respect_flow_control(server: MockServer, h2c: H2Client) -> None:
    """GetRecords of ~2 MB: far more than the default 64 KiB window, so the server must wait
    for WINDOW_UPDATEs."""
    server.mock.kinesis.create_stream("s", 1)
    records = [{"Data": base64.b64encode(bytes([i % 256]) * 20_000).decode(), "PartitionKey": "k"} for i in range(100)]
    body = json.dumps({"StreamName": "s", "Records": records}).encode()
    [reply] = h2c.wait(h2c.send("POST", "/", signed_headers(server, "Kinesis_20131202.PutRecords", body), body))
    assert reply.json()["FailedRecordCount"] == 0
    body = json.dumps({"StreamName": "s", "ShardId": "shardId-000000000000",
                       "ShardIteratorType": "TRIM_HORIZON"}).encode()
    [reply] = h2c.wait(h2c.send("POST", "/", signed_headers(server, "Kinesis_20131202.GetShardIterator", body), body))
    body = json.dumps({"ShardIterator": reply.json()["ShardIterator"]}).encode()
    [reply] = h2c.wait(h2c.send("POST", "/", signed_headers(server, "Kinesis_20131202.GetRecords", body), body))
    assert reply.status == 200
    got = reply.json()["Records"]
    assert len(reply.body) > 2_000_000
    assert [base64.b64decode(r["Data"]) for r in got] == [bytes([i % 256]) * 20_000 for i in range(100)]


def test_body_over_the_cap_is_413_and_the_connection_lives() -> None:
    with MockServer(limits=Limits(max_body_bytes=100_000)) as server:
        client = H2Client.connect(server.host, server.port)
        try:
            client.conn.increment_flow_control_window(10_000_000)
            body = b"{" + b" " * 150_000 + b"}"
            stream_id = client.send("POST", "/", signed_headers(server, "Kinesis_20131202.ListStreams", body), body)
            [reply] = client.wait(stream_id)
            assert reply.status == 413
            body = b"{}"
            [reply] = client.wait(client.send("POST", "/", signed_headers(server, "Kinesis_20131202.ListStreams", body), body))
            assert reply.status == 200
        finally:
            client.close()


def test_upgrade_from_http1(server: MockServer) -> None:
    server.mock.kinesis.create_stream("s", 1)
    body = json.dumps({"StreamName": "s", "Data": "dXA=", "PartitionKey": "k"}).encode()
    headers = signed_headers(server, "Kinesis_20131202.PutRecord", body)
    client = H2Client(socket.create_connection((server.host, server.port), timeout=10), initiate=False)
    try:
        settings = client.conn.initiate_upgrade_connection()
        assert settings is not None
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        client.sock.sendall(
            f"POST / HTTP/1.1\r\nHost: {server.host}\r\n{head}Content-Length: {len(body)}\r\n"
            f"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: {settings.decode()}\r\n\r\n".encode()
            + body
        )
        switching = b""
        while b"\r\n\r\n" not in switching:
            switching += client.sock.recv(1)
        assert switching == b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
        client.flush()  # the client's preface and SETTINGS
        [reply] = client.wait(1)  # the upgrading request is stream 1
        assert reply.status == 200 and "SequenceNumber" in reply.json()
        [reply] = client.wait(put(server, client, "s", b"then h2", "k"))
        assert reply.status == 200
    finally:
        client.close()
    assert server.mock.kinesis.data("s") == [b"up", b"then h2"]


def test_upgrade_with_malformed_settings_is_answered_in_http1(server: MockServer) -> None:
    body = b"{}"
    headers = signed_headers(server, "Kinesis_20131202.ListStreams", body)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(f"POST / HTTP/1.1\r\nHost: x\r\n{head}Content-Length: 2\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                     f"Upgrade: h2c\r\nHTTP2-Settings: !!!\r\n\r\n{{}}".encode())
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK\r\n")


def test_garbage_after_the_preface_is_a_protocol_error(server: MockServer) -> None:
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(httpd.PREFACE + b"\x00\x00\x08\x07\x00\x00\x00\x00\x01" + b"nonsense" * 4)
        client = H2Client(sock, initiate=False)
        while client.pump():
            pass
        assert client.terminated is not None
        assert client.terminated.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    assert_alive(server)


def test_idle_http2_connection_is_closed_after_the_idle_timeout() -> None:
    with MockServer(limits=Limits(idle_timeout=0.4)) as server:
        client = H2Client.connect(server.host, server.port)
        try:
            started = time.monotonic()
            while client.pump():
                pass
            assert 0.3 < time.monotonic() - started < 3
        finally:
            client.close()


def test_tls_alpn_serves_http2_and_http1() -> None:
    with MockServer(tls=True) as server:
        assert server.url.startswith("https://127.0.0.1:")
        assert server.certificate is not None
        server.mock.kinesis.create_stream("s", 1)
        context = ssl.create_default_context(cafile=server.certificate)
        context.set_alpn_protocols(["h2"])
        client = H2Client.connect(server.host, server.port, tls=context)
        try:
            [reply] = client.wait(put(server, client, "s", b"tls h2", "k"))
            assert reply.status == 200
        finally:
            client.close()
        # a client that offers only HTTP/1.1 (or no ALPN, as botocore) gets HTTP/1.1
        conn = http.client.HTTPSConnection(server.host, server.port, context=ssl.create_default_context(
            cafile=server.certificate), timeout=10)
        body = json.dumps({"StreamName": "s", "Data": "aHR0cDE=", "PartitionKey": "k"}).encode()
        conn.request("POST", "/", body, signed_headers(server, "Kinesis_20131202.PutRecord", body))
        response = conn.getresponse()
        assert (response.status, response.version) == (200, 11)
        response.read()
        conn.close()
        assert server.mock.kinesis.data("s") == [b"tls h2", b"http1"]


def test_a_failed_tls_handshake_costs_nothing() -> None:
    with MockServer(tls=True) as server:
        with socket.create_connection((server.host, server.port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # plain HTTP to a TLS port
            try:
                assert sock.recv(1000) == b""
            except ConnectionResetError:
                pass  # closed with the request unread: a reset
        context = ssl.create_default_context(cafile=server.certificate)
        conn = http.client.HTTPSConnection(server.host, server.port, context=context, timeout=10)
        conn.request("GET", "/")
        assert conn.getresponse().status == 403
        conn.close()


def test_without_h2_http2_clients_are_told_why(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpd, "http2", None)
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(httpd.PREFACE)
        client = H2Client(sock)
        while client.pump():
            pass
    assert client.terminated is not None
    assert client.terminated.error_code == h2.errors.ErrorCodes.HTTP_1_1_REQUIRED
    assert client.terminated.additional_data == httpd.HTTP2_MISSING.encode()
    assert kinesis_call(server, "ListStreams", {}).status == 200  # HTTP/1.1 still served


def test_a_client_that_stops_reading_is_cut_off() -> None:
    """The answer waits for a WINDOW_UPDATE that never comes: the connection is closed
    after the longer of the two timeouts instead of holding its thread for ever."""
    with MockServer(limits=Limits(read_timeout=0.4, idle_timeout=0.4)) as server:
        server.mock.kinesis.create_stream("s", 1)
        server.mock.kinesis.put("s", [(b"x" * 50_000, "k") for _ in range(10)])
        client = H2Client.connect(server.host, server.port)
        try:
            body = json.dumps({"StreamName": "s", "ShardId": "shardId-000000000000",
                               "ShardIteratorType": "TRIM_HORIZON"}).encode()
            [reply] = client.wait(client.send("POST", "/", signed_headers(
                server, "Kinesis_20131202.GetShardIterator", body), body))
            body = json.dumps({"ShardIterator": reply.json()["ShardIterator"]}).encode()
            client.send("POST", "/", signed_headers(server, "Kinesis_20131202.GetRecords", body), body)
            started = time.monotonic()
            received = 0
            while chunk := client.sock.recv(65536):  # read the frames, never grant more window
                received += len(chunk)
            assert 0.3 < time.monotonic() - started < 5
            assert 65_535 <= received < 200_000  # one window's worth, not the ~670 kB answer
        finally:
            client.close()
        assert kinesis_call(server, "ListStreams", {}).status == 200
