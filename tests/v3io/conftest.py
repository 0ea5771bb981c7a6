"""Helpers for the v3io tests: an active mock and a tiny web-API client over requests."""
from __future__ import annotations

import base64
import json
import socket
from typing import Any, Callable, Iterator

import pytest
import requests

from mock_putrecord import MockPutRecord, mock_putrecord

ENDPOINT = "http://v3io-webapi:8081"
KEY = "test-access-key"

Call = Callable[..., requests.Response]


def b64(text: str | bytes) -> str:
    """Base64 text of ``text`` (UTF-8)."""
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


@pytest.fixture
def mock() -> Iterator[MockPutRecord]:
    with mock_putrecord() as handle:
        yield handle


@pytest.fixture
def call(mock: MockPutRecord) -> Call:
    """``call(function, path, body=None, method="POST", headers=None)``: one web-API request."""

    def send(
        function: str | None,
        path: str,
        body: Any = None,
        method: str = "POST",
        headers: dict[str, str] | None = None,
        endpoint: str = ENDPOINT,
    ) -> requests.Response:
        if headers is None:
            headers = {"X-v3io-session-key": KEY, "Content-Type": "application/json"}
            if function is not None:
                headers["X-v3io-function"] = function
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        return requests.request(method, endpoint + path, data=data, headers=headers, timeout=5)

    return send


@pytest.fixture
def stream(call: Call) -> str:
    """A 4-shard stream at /bigdata/test/stream/ (its URL path)."""
    response = call("CreateStream", "/bigdata/test/stream/", {"ShardCount": 4, "RetentionPeriodHours": 24})
    assert response.status_code == 204
    return "/bigdata/test/stream/"


def assert_error(response: requests.Response, status: int, message: str, code: int | None = None) -> None:
    """v3io's error body, exactly."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"ErrorCode", "ErrorMessage"}
    assert body["ErrorMessage"] == message
    if code is not None:
        assert body["ErrorCode"] == code
    else:
        assert isinstance(body["ErrorCode"], int) and body["ErrorCode"] < 0


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any attempt to open a connection."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield
