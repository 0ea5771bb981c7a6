"""Hostile clients cannot wear the server down: one regression test per repro of issue 17."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from typing import Callable, Iterator

import pytest

from mock_putrecord.core.faults import CALL_LOG_SIZE, faults
from mock_putrecord.server import MockServer
from mock_putrecord.server.limits import MAX_BODY_BYTES, Limits

from .conftest import kinesis_call, raw_request, signed_headers
from .test_robustness import assert_alive, exchange

HEAD = b"POST / HTTP/1.1\r\nHost: x\r\n"


def wait_until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def quick_server() -> Iterator[MockServer]:
    """Short timeouts and few connections, so that the limits show in a test's time."""
    with MockServer(limits=Limits(read_timeout=0.5, idle_timeout=0.5, max_connections=8)) as server:
        yield server


# ------------------------------------------------------------ chunked bodies
def test_negative_chunk_size_is_400_and_reads_nothing_more(server: MockServer) -> None:
    answer = exchange(server, HEAD + b"Transfer-Encoding: chunked\r\n\r\n-100000\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"\r\nConnection: close\r\n" in answer
    assert_alive(server)


@pytest.mark.parametrize("size_line", [b"+5", b"0x5", b"5_0", b" 5", b"5" * 17, b""])
def test_chunk_size_that_is_not_plain_hex_is_400(server: MockServer, size_line: bytes) -> None:
    answer = exchange(server, HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + size_line + b"\r\nhello\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert_alive(server)


def test_one_oversized_chunk_is_413_before_it_is_read(server: MockServer) -> None:
    answer = exchange(server, HEAD + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % (MAX_BODY_BYTES + 1))
    assert answer.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n")
    assert_alive(server)


def test_chunks_adding_up_over_the_cap_are_413() -> None:
    with MockServer(limits=Limits(max_body_bytes=1000)) as server:
        chunk = b"258\r\n" + b"x" * 0x258 + b"\r\n"  # 600 bytes
        answer = exchange(server, HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunk + chunk + b"0\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n")
        assert_alive(server)


def test_chunk_without_its_crlf_is_400(server: MockServer) -> None:
    answer = exchange(server, HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")


# ------------------------------------------------------------ Content-Length
@pytest.mark.parametrize(
    "lengths",
    [[b"2", b"2"], [b"2", b"3"], [b"+2"], [b"-2"], [b"0x2"], [b"2 2"], [b"\xd9\xa2"]],
    ids=["twice-same", "twice-different", "plus", "minus", "hex", "two-numbers", "arabic-digit"],
)
def test_duplicate_or_malformed_content_length_is_400(server: MockServer, lengths: list[bytes]) -> None:
    head = HEAD + b"".join(b"Content-Length: " + value + b"\r\n" for value in lengths)
    answer = exchange(server, head + b"\r\n{}")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"\r\nConnection: close\r\n" in answer
    assert_alive(server)


def test_content_length_and_chunked_together_are_400(server: MockServer) -> None:
    answer = exchange(server, HEAD + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")


# ------------------------------------------------------------ headers and CORS
def test_folded_header_is_400(server: MockServer) -> None:
    answer = exchange(server, b"OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\n"
                              b"Access-Control-Request-Headers: x-amz-target,\r\n content-type\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert_alive(server)


def test_cors_preflight_copies_only_header_and_method_names(server: MockServer) -> None:
    reply = raw_request(server, "OPTIONS", "/", {
        "Origin": "http://app.example",
        "Access-Control-Request-Headers": 'X-Amz-Target ,content-type,"quoted",a b, x-amz-date',
        "Access-Control-Request-Method": "POST, <script>",
    })
    assert reply.status == 200
    assert reply.headers["access-control-allow-headers"] == "X-Amz-Target, content-type, x-amz-date"
    assert reply.headers["access-control-allow-methods"] == "POST"
    assert reply.headers["access-control-allow-origin"] == "*"


def test_cors_preflight_with_nothing_valid_allows_nothing(server: MockServer) -> None:
    reply = raw_request(server, "OPTIONS", "/", {"Origin": "http://a", "Access-Control-Request-Headers": '"x"'})
    assert reply.status == 200
    assert "access-control-allow-headers" not in reply.headers


# ------------------------------------------------------------ timeouts and the connection bound
def _half_request_lines(server: MockServer, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.create_connection((server.host, server.port), timeout=10)
        sock.sendall(b"POST / HT")
        socks.append(sock)
    return socks


def test_half_request_lines_are_closed_after_the_idle_timeout(quick_server: MockServer) -> None:
    threads_before = threading.active_count()
    socks = _half_request_lines(quick_server, 6)
    try:
        wait_until(lambda: quick_server.open_connections == 6)
        started = time.monotonic()
        for sock in socks:
            assert sock.recv(100) == b""  # closed by the server, no answer
        assert time.monotonic() - started < 3
        wait_until(lambda: quick_server.open_connections == 0)
        wait_until(lambda: threading.active_count() <= threads_before)
    finally:
        for sock in socks:
            sock.close()
    assert_alive(quick_server)


def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout(quick_server: MockServer) -> None:
    with socket.create_connection((quick_server.host, quick_server.port), timeout=10) as sock:
        body = b"{}"
        headers = signed_headers(quick_server, "Kinesis_20131202.ListStreams", body)
        request = b"POST / HTTP/1.1\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in headers.items())
        sock.sendall(request + b"Content-Length: 2\r\n\r\n{}")
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"Connection: close" not in answer
        time.sleep(0.2)  # well within the idle timeout: still open
        sock.sendall(request + b"Content-Length: 2\r\n\r\n{}")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK\r\n")
        started = time.monotonic()
        assert sock.recv(100) == b""
        assert 0.3 < time.monotonic() - started < 3


def test_slow_request_gets_408_after_the_read_timeout(quick_server: MockServer) -> None:
    with socket.create_connection((quick_server.host, quick_server.port), timeout=10) as sock:
        sock.sendall(HEAD + b"Content-Length: 100\r\n\r\n{\"Stream")
        started = time.monotonic()
        answer = b""
        while chunk := sock.recv(1000):
            answer += chunk
        assert 0.4 < time.monotonic() - started < 3
    assert answer == b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def test_connections_over_the_bound_get_503(quick_server: MockServer) -> None:
    socks = [socket.create_connection((quick_server.host, quick_server.port), timeout=10) for _ in range(8)]
    try:
        wait_until(lambda: quick_server.open_connections == 8)
        with socket.create_connection((quick_server.host, quick_server.port), timeout=10) as extra:
            answer = extra.recv(1000)
            assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
            assert extra.recv(100) == b""
        assert quick_server.open_connections == 8
    finally:
        for sock in socks:
            sock.close()
    wait_until(lambda: quick_server.open_connections == 0)
    assert_alive(quick_server)


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="^read_timeout must be a positive number of seconds, got 0$"):
        Limits(read_timeout=0)
    with pytest.raises(ValueError, match="^max_connections must be at least 1, got 0$"):
        Limits(max_connections=0)


# ------------------------------------------------------------ the call log
@pytest.fixture
def restore_call_log_size() -> Iterator[None]:
    yield
    faults.call_log_size = CALL_LOG_SIZE


def test_call_log_is_a_bounded_ring_buffer(restore_call_log_size: None) -> None:
    assert faults.call_log_size == CALL_LOG_SIZE == 10_000
    with MockServer(call_log_size=3) as server:
        server.mock.kinesis.create_stream("s", 1)
        for i in range(10):
            assert kinesis_call(server, "PutRecord", {"StreamName": "s", "Data": "AA==", "PartitionKey": str(i)}).status == 200
        assert kinesis_call(server, "DescribeStreamSummary", {"StreamName": "s"}).status == 200
        assert [call.operation for call in server.mock.faults.calls] == ["PutRecord", "PutRecord", "DescribeStreamSummary"]
        assert server.mock.faults.call_log_size == 3
    with pytest.raises(ValueError, match="^call_log_size must be at least 1, got 0$"):
        faults.call_log_size = 0


# ------------------------------------------------------------ the command line
@pytest.mark.parametrize("port", ["-1", "65536"])
def test_port_out_of_range_is_a_one_line_error(port: str) -> None:
    done = subprocess.run([sys.executable, "-m", "mock_putrecord", "serve", "--port", port],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"mock_putrecord serve: port must be between 0 and 65535, got {port}\n"


# ------------------------------------------------------------ unknown and unmodelled operations
def test_operation_in_the_model_but_not_modelled_is_501_naming_it(server: MockServer) -> None:
    body = b"{}"
    headers = signed_headers(server, "SageMaker.ListModels", body, service="sagemaker")
    reply = raw_request(server, "POST", "/", headers, body)
    assert reply.status == 501
    assert reply.json() == {"__type": "NotImplemented",
                            "message": "mock_putrecord does not implement the sagemaker operation ListModels."}


def test_operation_that_exists_nowhere_is_unknown_operation(server: MockServer) -> None:
    body = b"{}"
    headers = signed_headers(server, "SageMaker.ListTagz", body, service="sagemaker")
    reply = raw_request(server, "POST", "/", headers, body)
    assert (reply.status, reply.body) == (400, b'{"__type":"UnknownOperationException"}')
