"""Helpers shared by the test packages."""
from __future__ import annotations

import json
from typing import Any

import importlib
import importlib.util

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


def preload_service_modules() -> None:
    """Import every service's adapter and view now.

    pytester runs inner sessions in this process and restores ``sys.modules`` after each:
    a service module first imported inside one would be dropped and imported afresh in
    the next, while the dispatcher keeps the adapter it loaded first — two backends for
    one service. Importing them before any inner run keeps a single copy.
    """
    for service in ("kinesis", "featurestore", "v3io"):
        for module in ("responses", "view"):
            name = f"mock_putrecord.{service}.{module}"
            try:
                found = importlib.util.find_spec(name) is not None
            except ImportError:
                found = False
            if found:
                importlib.import_module(name)


def requires_operation(service: str, operation: str, member: str | None = None) -> Any:
    """A ``pytest.mark.skipif`` for tests of an operation (or one of its input members)
    that the installed botocore lacks (queues and channels came with botocore 1.44)."""
    import botocore
    import botocore.session
    import pytest

    model = botocore.session.get_session().get_service_model(service)
    present = operation in model.operation_names and (
        member is None or member in model.operation_model(operation).input_shape.members)
    what = f"{operation}.{member}" if member else operation
    return pytest.mark.skipif(
        not present, reason=f"botocore {botocore.__version__} has no {service} {what} (needs a newer botocore)")


def requires_enum_value(service: str, shape: str, value: str) -> Any:
    """A ``pytest.mark.skipif`` for tests of an enum value the installed botocore lacks."""
    import botocore
    import botocore.session
    import pytest

    enum = botocore.session.get_session().get_service_model(service).shape_for(shape).enum
    return pytest.mark.skipif(
        value not in enum, reason=f"botocore {botocore.__version__} has no {service} {shape} {value!r}"
    )
