"""One policy for a bug inside a handler: the service's own 500 in its wire format, and
the traceback on the ``mock_putrecord`` logger; never a Python exception's name."""
from __future__ import annotations

import json
import logging

import pytest

from mock_putrecord import mock_putrecord
from mock_putrecord.core.dispatch import adapter_for
from mock_putrecord.core.errors import INTERNAL_FAILURE_MESSAGE
from mock_putrecord.core.wire import WireRequest, WireResponse
from tests.helpers import call_raw


def _broken(request: WireRequest) -> WireResponse:
    raise KeyError("boom")


@pytest.mark.parametrize(("service", "operation", "kwargs"), [
    ("kinesis", "ListStreams", {}),
    ("sagemaker", "ListFeatureGroups", {}),
    ("sagemaker-featurestore-runtime", "GetRecord", {"method": "GET", "path": "/FeatureGroup/g"}),
    ("v3io", "DescribeStream", {"path": "/bigdata/s/", "headers": {"X-v3io-session-key": "k"}}),
])
def test_a_handler_bug_is_the_services_internal_failure(
    service: str, operation: str, kwargs: dict[str, object], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with mock_putrecord():
        adapter = adapter_for(service)
        assert adapter is not None
        monkeypatch.setitem(adapter.operations, operation, _broken)  # type: ignore[arg-type]
        with caplog.at_level(logging.ERROR, logger="mock_putrecord"):
            response = call_raw(service, operation, b"{}", **kwargs)  # type: ignore[arg-type]
    assert response.status == 500
    body = json.loads(response.body)
    if service == "v3io":
        assert body == {"ErrorCode": -1, "ErrorMessage": "InternalFailure"}
    elif service == "sagemaker-featurestore-runtime":  # rest-json: the code is a header
        assert response.headers["x-amzn-ErrorType"] == "InternalFailure"
        assert body == {"message": INTERNAL_FAILURE_MESSAGE}
    else:
        assert body == {"__type": "InternalFailure", "message": INTERNAL_FAILURE_MESSAGE}
    assert "KeyError" not in response.body.decode()
    [record] = [r for r in caplog.records if r.name == "mock_putrecord"]
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    assert f"{service} {operation}" in record.getMessage()


def test_a_handler_bug_is_logged_in_the_faults_call_log(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_putrecord() as mock:
        adapter = adapter_for("kinesis")
        assert adapter is not None
        monkeypatch.setitem(adapter.operations, "ListStreams", _broken)  # type: ignore[arg-type]
        call_raw("kinesis", "ListStreams", b"{}")
        [call] = mock.faults.calls
        assert (call.status, call.error_code) == (500, "InternalFailure")
