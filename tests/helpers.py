"""Helpers shared by the test packages."""
from __future__ import annotations

import json
from typing import Any

from mock_putrecord.core.dispatch import dispatch
from mock_putrecord.core.wire import WireRequest, WireResponse


def call_raw(service: str, operation: str, body: bytes | str | Any, *, region: str = "us-east-1",
             account_id: str = "123456789012", method: str = "POST", path: str = "/",
             headers: dict[str, str] | None = None) -> WireResponse:
    """Send an arbitrary body straight to the dispatcher (as a hostile client could)."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    request = WireRequest(method, f"https://{service}.{region}.amazonaws.com{path}", path, "",
                          headers or {}, body, service, operation, region, account_id)
    response = dispatch(request)
    assert response is not None
    return response


def error_body(response: WireResponse) -> dict[str, Any]:
    return dict(json.loads(response.body))
