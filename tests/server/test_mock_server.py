"""MockServer's life cycle and its relation to activation."""
from __future__ import annotations

import re
import socket

import pytest

from mock_putrecord import mock_putrecord
from mock_putrecord.core.activation import active_activations
from mock_putrecord.server import MockServer

from .conftest import kinesis_call


def test_url_host_and_port_of_a_running_server() -> None:
    with MockServer() as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert server.host == "127.0.0.1"
        assert server.url.endswith(f":{server.port}") and server.port > 0
        assert server.is_running
        assert server.v3io_endpoint == f"127.0.0.1:{server.port}"
    assert not server.is_running


def test_url_before_start_raises() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        MockServer().url


def test_stop_before_start_raises() -> None:
    with pytest.raises(RuntimeError, match=r"stop\(\) called before start\(\)"):
        MockServer().stop()


def test_start_twice_raises() -> None:
    with MockServer() as server:
        with pytest.raises(RuntimeError, match="already running"):
            server.start()


def test_the_server_holds_an_activation_while_running() -> None:
    assert active_activations() == []
    server = MockServer().start()
    try:
        assert active_activations() == [server.mock]
        assert server.mock.is_active
    finally:
        server.stop()
    assert active_activations() == []
    assert not server.mock.is_active


def test_outermost_server_starts_empty_and_clears_on_stop() -> None:
    with MockServer() as server:
        server.mock.kinesis.create_stream("temporary", 1)
    with MockServer() as server:
        assert server.mock.kinesis.stream_names() == []


def test_the_socket_is_closed_after_stop() -> None:
    with MockServer() as server:
        port = server.port
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_restart_serves_again() -> None:
    server = MockServer()
    for _ in range(2):
        server.start()
        try:
            assert kinesis_call(server, "ListStreams", {}).status == 200
        finally:
            server.stop()


def test_a_port_in_use_raises_and_leaves_no_activation() -> None:
    with MockServer() as first:
        with pytest.raises(OSError):
            MockServer(port=first.port).start()
        assert active_activations() == [first.mock]


def test_account_and_default_region_come_from_the_mock() -> None:
    with MockServer(mock=mock_putrecord(region="ap-south-1", account_id="111122223333")) as server:
        reply = kinesis_call(server, "DescribeStream", {"StreamName": "x"}, region="ap-south-1")
        assert reply.json()["message"] == "Stream x under account 111122223333 not found."
        server.mock.kinesis.create_stream("local", 1)  # the view defaults to ap-south-1
        assert server.mock.kinesis.stream_names(region="ap-south-1") == ["local"]


async def test_async_with() -> None:
    async with MockServer() as server:
        assert kinesis_call(server, "ListStreams", {}).status == 200
    assert not server.is_running


def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        server = MockServer("::1").start()
    except OSError as error:
        pytest.skip(f"cannot bind ::1: {error}")
    try:
        assert server.url == f"http://[::1]:{server.port}"
        assert kinesis_call(server, "ListStreams", {}).status == 200
    finally:
        server.stop()
