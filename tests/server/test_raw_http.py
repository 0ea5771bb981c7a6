"""Raw HTTP, sent the way kinesalite's connection tests and the AWS API reference examples
send it, gets AWS's answers byte for byte, with ``x-amzn-RequestId`` and the content type.

The front-door cases and their expected bodies are kinesalite 3.3.3's
``test/connection.js`` (captured against real AWS).
"""
from __future__ import annotations

import base64
import http.client
import json
import re
from typing import Any

import pytest

from mock_putrecord.server import MockServer

from .conftest import AMZ_JSON, UUID_RE, Reply, kinesis_call, raw_request, signed_headers

AMZ_CBOR = "application/x-amz-cbor-1.1"
CBOR_UNKNOWN = b"\xa1\x66__type\x78\x19UnknownOperationException"
CBOR_SERIALIZATION = b"\xa1\x66__type\x76SerializationException"
LIST_STREAMS = "Kinesis_20131202.ListStreams"


def xml(code: str, message: str) -> bytes:
    return f"<{code}>\n  <Message>{message}</Message>\n</{code}>\n".encode()


ACCESS_DENIED = xml("AccessDeniedException", "Unable to determine service/operation name to be authorized")
INCOMPLETE_HEADER = (
    "Authorization header requires 'Credential' parameter. "
    "Authorization header requires 'Signature' parameter. "
    "Authorization header requires 'SignedHeaders' parameter. "
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
    "Authorization=X"
)
INCOMPLETE_QUERY = (
    "AWS query-string parameters must include 'X-Amz-Algorithm'. "
    "AWS query-string parameters must include 'X-Amz-Credential'. "
    "AWS query-string parameters must include 'X-Amz-Signature'. "
    "AWS query-string parameters must include 'X-Amz-SignedHeaders'. "
    "AWS query-string parameters must include 'X-Amz-Date'. "
    "Re-examine the query-string parameters."
)


def compact(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def assert_aws_reply(reply: Reply, status: int, content_type: str | None, body: bytes) -> None:
    """kinesalite's ``assertBody``: status, exact body, content type (or none), a correct
    Content-Length, a UUID request id and a 64-80 byte ``x-amz-id-2``."""
    assert (reply.status, reply.body) == (status, body)
    assert reply.headers.get("content-type") == content_type
    assert reply.headers["content-length"] == str(len(reply.body))
    assert re.fullmatch(UUID_RE, reply.headers["x-amzn-requestid"])
    assert 64 <= len(base64.b64decode(reply.headers["x-amz-id-2"])) <= 80


# (id, method, path, headers, body, sign, status, content type, body)
FRONT_DOOR_CASES = [
    ("post-no-auth", "POST", "/", {}, "", False, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("get", "GET", "/", {}, "", True, 403, None, ACCESS_DENIED),
    ("put", "PUT", "/", {}, "", True, 403, None, ACCESS_DENIED),
    ("delete", "DELETE", "/", {}, "", True, 403, None, ACCESS_DENIED),
    ("post-no-body", "POST", "/", {}, "", True, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("body-no-content-type", "POST", "/", {}, "{}", True, 403, None, ACCESS_DENIED),
    ("json-1.0", "POST", "/", {"content-type": "application/x-amz-json-1.0"}, "", True, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("random-content-type", "POST", "/", {"content-type": "application/x-amz-json-1.1asdf"}, "", True, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("random-target", "POST", "/", {"x-amz-target": "Whatever"}, "", True, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("empty-action", "POST", "/", {"x-amz-target": "Kinesis_20131202."}, "", True, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("random-action", "POST", "/", {"x-amz-target": "Kinesis_20131202.Whatever"}, "", True, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("random-service", "POST", "/", {"x-amz-target": "Whatever.Whatever"}, "", True, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("incomplete-action", "POST", "/", {"x-amz-target": "Kinesis_20131202.ListStream"}, "", True, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("valid-target-no-content-type", "POST", "/", {"x-amz-target": LIST_STREAMS}, "", True, 400, AMZ_CBOR, CBOR_SERIALIZATION),
    ("json-no-target", "POST", "/", {"content-type": AMZ_JSON}, "", True, 400, AMZ_JSON, compact({"__type": "UnknownOperationException"})),
    ("json-no-target-no-auth", "POST", "/", {"content-type": AMZ_JSON}, "", False, 400, AMZ_JSON, compact({"__type": "UnknownOperationException"})),
    ("app-json-no-target", "POST", "/", {"content-type": "application/json"}, "", True, 400, AMZ_CBOR, CBOR_UNKNOWN),
    ("app-json-valid-target", "POST", "/", {"content-type": "application/json", "x-amz-target": LIST_STREAMS}, "", True, 400, AMZ_CBOR, CBOR_SERIALIZATION),
    ("no-body", "POST", "/", {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS}, "", True, 400, AMZ_JSON, compact({"__type": "SerializationException"})),
    ("non-json-body", "POST", "/", {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS}, "hello", False, 400, AMZ_JSON, compact({"__type": "SerializationException"})),
    ("app-json-body", "POST", "/", {"content-type": "application/json", "x-amz-target": LIST_STREAMS}, "{}", False, 404, "application/json",
     compact({"Output": {"__type": "com.amazon.coral.service#UnknownOperationException"}, "Version": "1.0"})),
    ("app-json-non-json", "POST", "/", {"content-type": "application/json", "x-amz-target": LIST_STREAMS}, "hello", False, 400, "application/json",
     compact({"Output": {"__type": "com.amazon.coral.service#SerializationException"}, "Version": "1.0"})),
    ("app-json-spaces", "POST", "/", {"content-type": "     application/json     ;", "x-amz-target": LIST_STREAMS}, "hello", False, 400, "application/json",
     compact({"Output": {"__type": "com.amazon.coral.service#SerializationException"}, "Version": "1.0"})),
    ("no-auth", "POST", "/", {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS}, "{}", False, 400, AMZ_JSON,
     compact({"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})),
    ("no-auth-content-type-spaces", "POST", "/", {"content-type": "   application/x-amz-json-1.1   ;whatever", "x-amz-target": LIST_STREAMS}, "{}", False, 400, AMZ_JSON,
     compact({"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})),
    ("invalid-auth", "POST", "/", {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS, "Authorization": "X"}, "{}", False, 400, AMZ_JSON,
     compact({"__type": "IncompleteSignatureException", "message": INCOMPLETE_HEADER})),
    ("incomplete-auth-and-query", "POST", "/?X-Amz-Algorith", {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS, "Authorization": "X"}, "{}", False, 400, AMZ_JSON,
     compact({"__type": "IncompleteSignatureException", "message": INCOMPLETE_HEADER})),
    ("query-without-algorithm", "POST", "/?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d",
     {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS}, "{}", False, 400, AMZ_JSON,
     compact({"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"})),
    ("auth-header-and-query", "POST", "/?X-Amz-Algorithm", {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS, "Authorization": "X"}, "{}", False, 400, AMZ_JSON,
     compact({"__type": "InvalidSignatureException",
              "message": "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."})),
    *[
        (f"header-{auth!r}", "POST", "/", {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS, "Authorization": auth, "Date": "a"},
         "{}", False, 400, AMZ_JSON,
         compact({"__type": "IncompleteSignatureException",
                  "message": f"Authorization header requires 'SignedHeaders' parameter. Authorization={auth}"}))
        for auth in ("AWS4- Signature=b Credential=a", "AWS4- Signature=b,Credential=a", "AWS4- Signature=b, Credential=a")
    ],
    ("empty-algorithm-query", "POST", "/?X-Amz-Algorithm", {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS}, "{}", False, 400, AMZ_JSON,
     compact({"__type": "IncompleteSignatureException", "message": INCOMPLETE_QUERY})),
    ("missing-signed-headers-query", "POST", "/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d",
     {"content-type": AMZ_JSON, "x-amz-target": LIST_STREAMS}, "{}", False, 400, AMZ_JSON,
     compact({"__type": "IncompleteSignatureException",
              "message": "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."})),
]


@pytest.mark.parametrize(
    "method, path, headers, body, sign, status, content_type, expected",
    [case[1:] for case in FRONT_DOOR_CASES],
    ids=[case[0] for case in FRONT_DOOR_CASES],
)
def test_front_door_answers_as_aws(
    server: MockServer,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str,
    sign: bool,
    status: int,
    content_type: str | None,
    expected: bytes,
) -> None:
    sent = dict(headers)
    if sign:  # as aws4.sign: X-Amz-Date and Authorization over what is there
        request_headers = signed_headers(server, None, body.encode(), method=method, path=path)
        sent.update({k: v for k, v in request_headers.items() if k.lower() in ("x-amz-date", "authorization")})
        if body and not any(k.lower() == "content-type" for k in headers):
            sent["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"  # as aws4 does
    reply = raw_request(server, method, path, sent, body)
    assert_aws_reply(reply, status, content_type, expected)


def test_signed_list_streams_succeeds(server: MockServer) -> None:
    reply = kinesis_call(server, "ListStreams", {})
    assert reply.status == 200
    assert reply.headers["content-type"] == AMZ_JSON
    assert re.fullmatch(UUID_RE, reply.headers["x-amzn-requestid"])
    assert reply.json()["StreamNames"] == [] and reply.json()["HasMoreStreams"] is False


def test_cors_preflight(server: MockServer) -> None:
    reply = raw_request(server, "OPTIONS", "/", {
        "origin": "whatever", "access-control-request-headers": "a, b, c", "access-control-request-method": "d"})
    assert (reply.status, reply.body) == (200, b"")
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["access-control-allow-headers"] == "a, b, c"
    assert reply.headers["access-control-allow-methods"] == "d"
    assert reply.headers["access-control-max-age"] == "172800"
    assert reply.headers["content-length"] == "0"
    assert "content-type" not in reply.headers and "x-amz-id-2" not in reply.headers
    assert re.fullmatch(UUID_RE, reply.headers["x-amzn-requestid"])


def test_origin_exposes_the_aws_headers(server: MockServer) -> None:
    reply = raw_request(server, "POST", "/", {"origin": "whatever"})
    assert_aws_reply(reply, 400, AMZ_CBOR, CBOR_UNKNOWN)
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["access-control-expose-headers"] == (
        "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date")


def test_api_reference_put_records_example(server: MockServer) -> None:
    """The PutRecords "Sample Request" of the Kinesis API reference, sent as printed
    (pretty JSON, ``Connection: Keep-Alive``). Its third record's ``Data`` is not valid
    base64 (13 characters), so the first two are sent."""
    server.mock.kinesis.create_stream("exampleStreamName", 1)
    body = (
        '{\n    "Records": [\n        {\n            "Data": "XzxkYXRhPl8x",\n'
        '            "PartitionKey": "partitionKey1"\n        },\n        {\n'
        '            "Data": "f1PxFQo92Afh",\n            "PartitionKey": "partitionKey2"\n'
        '        }\n    ],\n    "StreamName": "exampleStreamName"\n}'
    ).encode()
    headers = signed_headers(server, "Kinesis_20131202.PutRecords", body)
    headers["Connection"] = "Keep-Alive"
    headers["User-Agent"] = "aws-sdk-java/1.11.0"
    reply = raw_request(server, "POST", "/", headers, body)
    assert reply.status == 200
    assert reply.headers["content-type"] == AMZ_JSON
    assert reply.headers["content-length"] == str(len(reply.body))
    assert re.fullmatch(UUID_RE, reply.headers["x-amzn-requestid"])
    assert re.fullmatch(
        rb'\{"FailedRecordCount":0,"Records":\['
        rb'\{"SequenceNumber":"\d{56}","ShardId":"shardId-000000000000"\},'
        rb'\{"SequenceNumber":"\d{56}","ShardId":"shardId-000000000000"\}\]\}',
        reply.body,
    )
    stored = server.mock.kinesis.records("exampleStreamName")
    assert [(r.data, r.partition_key) for r in stored] == [
        (base64.b64decode("XzxkYXRhPl8x"), "partitionKey1"),
        (base64.b64decode("f1PxFQo92Afh"), "partitionKey2"),
    ]
    assert [str(r.sequence_number) for r in stored] == [r["SequenceNumber"] for r in reply.json()["Records"]]


def test_put_record_answer_is_aws_bytes(server: MockServer) -> None:
    server.mock.kinesis.create_stream("s", 1)
    reply = kinesis_call(server, "PutRecord", {"StreamName": "s", "Data": "aGVsbG8=", "PartitionKey": "k"})
    assert reply.status == 200
    assert re.fullmatch(rb'\{"SequenceNumber":"\d{56}","ShardId":"shardId-000000000000"\}', reply.body)


def test_service_errors_from_the_backend(server: MockServer) -> None:
    reply = kinesis_call(server, "DescribeStream", {"StreamName": "missing"})
    assert reply.status == 400
    assert reply.headers["content-type"] == AMZ_JSON
    assert re.fullmatch(UUID_RE, reply.headers["x-amzn-requestid"])
    assert reply.json() == {
        "__type": "ResourceNotFoundException",
        "message": "Stream missing under account 123456789012 not found.",
    }


def test_validation_errors_are_aws_serialization_exceptions(server: MockServer) -> None:
    reply = kinesis_call(server, "PutRecord", {"StreamName": "s", "Data": "23456", "PartitionKey": "k"})
    assert reply.status == 400
    assert reply.json() == {
        "__type": "SerializationException",
        "Message": "'23456' can not be converted to a Blob: "
                   "Base64 encoded length is expected a multiple of 4 bytes but found: 5",
    }


def test_keep_alive_serves_many_requests_on_one_connection(server: MockServer) -> None:
    server.mock.kinesis.create_stream("s", 1)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        kinesis_call(server, "ListStreams", {}, connection=conn)
        first_socket = conn.sock
        assert first_socket is not None
        for i in range(20):
            reply = kinesis_call(server, "PutRecord", {"StreamName": "s", "Data": "AAAA", "PartitionKey": str(i)},
                                 connection=conn)
            assert reply.status == 200
            assert "connection" not in reply.headers
        assert conn.sock is first_socket  # never reconnected
    finally:
        conn.close()
    assert len(server.mock.kinesis.records("s")) == 20


def test_unimplemented_but_real_operation_is_not_implemented(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_putrecord.kinesis.responses import OPERATIONS

    # Every Kinesis operation is modelled now: take one away to see the answer.
    monkeypatch.delitem(OPERATIONS, "ListStreamConsumers")
    reply = kinesis_call(server, "ListStreamConsumers", {"StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s"})
    assert reply.status == 501
    assert reply.json()["__type"] == "NotImplemented"


def test_without_cbor2_cbor_bodies_get_a_clear_serialization_error(
    server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mock_putrecord.server import routing

    monkeypatch.setattr(routing, "cbor", None)
    body = b"\xa0"  # an empty CBOR map
    headers = signed_headers(server, LIST_STREAMS, body, content_type=AMZ_CBOR)
    reply = raw_request(server, "POST", "/", headers, body)
    assert reply.status == 400
    assert reply.headers["content-type"] == AMZ_CBOR
    assert b"SerializationException" in reply.body and b"pip install 'mock_putrecord[server]'" in reply.body
    assert b"cborEnabled=false" in reply.body
