"""Authentication and the function header."""
from __future__ import annotations

import base64

import pytest

from mock_putrecord import MockPutRecord

from .conftest import Call, assert_error


def test_missing_session_key_is_permission_denied(call: Call, stream: str) -> None:
    response = call(None, stream, None, headers={"X-v3io-function": "DescribeStream"})
    assert_error(response, 403, "Permission denied", -13)


def test_empty_session_key_is_permission_denied(call: Call, stream: str) -> None:
    response = call(None, stream, None, headers={"X-v3io-function": "DescribeStream", "X-v3io-session-key": ""})
    assert_error(response, 403, "Permission denied", -13)


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + base64.b64encode(b"user:secret").decode(),
        "AWS4-HMAC-SHA256 Credential=secret/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab",
        "AWS secret:signature",
    ],
)
def test_authorization_header_forms_are_accepted(call: Call, stream: str, authorization: str) -> None:
    response = call(None, stream, None, headers={"X-v3io-function": "DescribeStream", "Authorization": authorization})
    assert response.status_code == 200


@pytest.mark.parametrize("authorization", ["Basic !!!", "Basic " + base64.b64encode(b"nocolon").decode(), "Bearer x"])
def test_malformed_authorization_is_permission_denied(call: Call, stream: str, authorization: str) -> None:
    response = call(None, stream, None, headers={"X-v3io-function": "DescribeStream", "Authorization": authorization})
    assert_error(response, 403, "Permission denied", -13)


def test_header_names_are_case_insensitive(call: Call, stream: str) -> None:
    response = call(None, stream, None, headers={"x-V3IO-function": "DescribeStream", "X-V3io-Session-Key": "k"})
    assert response.status_code == 200


def test_restricted_access_keys(call: Call, stream: str, mock: MockPutRecord) -> None:
    mock.v3io.set_access_keys({"good"})
    headers = {"X-v3io-function": "DescribeStream", "X-v3io-session-key": "good"}
    assert call(None, stream, None, headers=headers).status_code == 200
    headers["X-v3io-session-key"] = "other"
    assert_error(call(None, stream, None, headers=headers), 403, "Permission denied", -13)


def test_restriction_is_reset_with_the_mock(call: Call, stream: str, mock: MockPutRecord) -> None:
    mock.v3io.set_access_keys({"good"})
    mock.reset()
    assert call("CreateStream", stream, {"ShardCount": 1, "RetentionPeriodHours": 1}).status_code == 204


def test_unknown_function_is_invalid_argument(call: Call, stream: str) -> None:
    assert_error(call("PutObjectFancy", stream, {}), 400, "InvalidArgumentException", -201326592)


def test_missing_function_header_is_a_put_object_which_a_stream_refuses(call: Call, stream: str) -> None:
    # Without X-v3io-function a POST is the simple-object PUT Object; a stream is a directory.
    assert_error(call(None, stream, {"Records": []}), 400, "Is a directory", -21)


def test_url_without_container_is_invalid(call: Call) -> None:
    assert_error(call("CreateStream", "/", {"ShardCount": 1, "RetentionPeriodHours": 1}), 400, "InvalidArgumentException")


def test_requests_headers_and_plain_mappings_are_read_alike() -> None:
    """``requests``' CaseInsensitiveDict is looked up directly, any other mapping scanned."""
    from requests.structures import CaseInsensitiveDict

    from mock_putrecord.v3io.responses import _access_key, header

    plain = {"x-V3IO-function": "PutRecords", "AUTHORIZATION": "AWS key:sig"}
    for headers in (plain, CaseInsensitiveDict(plain)):
        assert header(headers, "x-v3io-function") == "PutRecords"
        assert header(headers, "x-v3io-session-key") is None
        assert _access_key(headers) == "key"
        assert _access_key({**headers, "X-V3IO-SESSION-KEY": " s "}) == "s"
