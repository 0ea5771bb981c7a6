"""Kinesis in CBOR (``application/x-amz-cbor-1.1``), encoded as the AWS SDK for Java v2 and
the KPL encode it: Jackson's CBOR generator writes objects and arrays with indefinite
length, blobs as byte strings, and timestamps as tag 1 holding integer epoch
milliseconds (``SdkCborGenerator``; aws-sdk-java-v2 issue 4661). Errors come back as a
CBOR map with ``__type`` and ``message``, which ``AwsCborProtocolFactory``'s JSON error
parser reads.

Sources (no JVM client can be fetched here: no Maven repository is reachable):

* content type: ``AwsCborProtocolFactory`` resolves ``"application/x-amz-cbor-"`` plus the
  service's JSON version (1.1 for Kinesis), aws/aws-sdk-java-v2
  ``core/protocols/aws-cbor-protocol/src/main/java/software/amazon/awssdk/protocols/cbor/AwsCborProtocolFactory.java``;
  its ``getDefaultTimestampFormats`` puts ``UNIX_TIMESTAMP_MILLIS`` in the payload;
* timestamps: ``SdkCborGenerator.writeValue(Instant)`` writes ``writeTag(1)`` then
  ``writeNumber(instant.toEpochMilli())``, a long, never a float (same module,
  ``.../protocols/cbor/internal/SdkCborGenerator.java``);
* blobs and structure: ``SdkJsonGenerator`` (``core/protocols/aws-json-protocol/.../
  protocols/json/SdkJsonGenerator.java``) calls ``writeBinary`` for a ``ByteBuffer`` and
  ``writeStartObject()``/``writeStartArray()`` without a size;
* Jackson's ``CBORGenerator`` (FasterXML/jackson-dataformats-binary
  ``cbor/src/main/java/com/fasterxml/jackson/dataformat/cbor/CBORGenerator.java``) writes
  ``BYTE_OBJECT_INDEFINITE`` (0xBF) for ``writeStartObject()``, the indefinite array
  marker (0x9F) for ``writeStartArray()``, ``BYTE_BREAK`` (0xFF) to end them, a byte-string
  length marker for ``writeBinary`` and minimal-length integers.
"""
from __future__ import annotations

import base64
import http.client
import json
from typing import Any

import pytest

cbor2 = pytest.importorskip("cbor2", reason="CBOR needs the server extra (cbor2)")

from botocore.eventstream import EventStreamBuffer  # noqa: E402

from mock_putrecord.server import MockServer  # noqa: E402

from .conftest import AMZ_JSON, Reply, raw_request, signed_headers  # noqa: E402

AMZ_CBOR = "application/x-amz-cbor-1.1"
KINESIS = "Kinesis_20131202."


# ------------------------------------------------------------ Jackson's encoding, by hand
def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for marker, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | marker]) + value.to_bytes(size, "big")
    raise ValueError(value)


def jackson(value: Any) -> bytes:
    """``value`` the way Jackson's CBORGenerator writes it for the Java SDK: indefinite-length
    maps and arrays, byte strings for ``bytes``, ``Millis`` as tag 1 + integer."""
    if isinstance(value, dict):
        return b"\xbf" + b"".join(jackson(k) + jackson(v) for k, v in value.items()) + b"\xff"
    if isinstance(value, list):
        return b"\x9f" + b"".join(jackson(v) for v in value) + b"\xff"
    if isinstance(value, Millis):
        return b"\xc1" + _head(0, int(value))
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    encoded = value.encode("utf-8")
    return _head(3, len(encoded)) + encoded


class Millis(int):
    """A timestamp as the Java SDK sends it."""


def call(server: MockServer, operation: str, body: bytes, content_type: str = AMZ_CBOR) -> Reply:
    return raw_request(server, "POST", "/", signed_headers(server, KINESIS + operation, body,
                                                           content_type=content_type), body)


def millis_decoder(value: Any, immutable: bool) -> Any:
    return ("millis", value)


def decoded(reply: Reply) -> Any:
    assert reply.headers["content-type"] == AMZ_CBOR
    return cbor2.loads(reply.body, semantic_decoders={1: millis_decoder})


# ------------------------------------------------------------ the Java SDK's requests
def test_java_encoded_put_records_and_get_records(server: MockServer) -> None:
    server.mock.kinesis.create_stream("orders", 2)
    records = [{"Data": b"\x00\x01binary\xff", "PartitionKey": "a", "ExplicitHashKey": str(2**128 - 1)},
               {"Data": b"second", "PartitionKey": "b", "ExplicitHashKey": "0"}]
    reply = call(server, "PutRecords", jackson({"Records": records, "StreamName": "orders"}))
    assert reply.status == 200, reply.body
    answer = decoded(reply)
    assert answer["FailedRecordCount"] == 0 and len(answer["Records"]) == 2
    assert answer["Records"][1]["ShardId"] == "shardId-000000000000"
    stored = server.mock.kinesis.records("orders")
    assert sorted((r.partition_key, r.data, r.explicit_hash_key) for r in stored) == [
        ("a", b"\x00\x01binary\xff", str(2**128 - 1)), ("b", b"second", "0")]

    arrival_ms = int(next(r for r in stored if r.partition_key == "b").arrival * 1000)  # floor: AT_TIMESTAMP is >=
    reply = call(server, "GetShardIterator", jackson({
        "StreamName": "orders", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP",
        "Timestamp": Millis(arrival_ms)}))
    iterator = decoded(reply)["ShardIterator"]
    reply = call(server, "GetRecords", jackson({"ShardIterator": iterator, "Limit": 10}))
    assert reply.status == 200
    [record] = decoded(reply)["Records"]
    assert record["Data"] == b"second"  # a CBOR byte string, not base64 text
    assert record["ApproximateArrivalTimestamp"] in (("millis", arrival_ms), ("millis", arrival_ms + 1))
    # on the wire: tag 1 (0xc1) followed by an unsigned integer, never a float
    stamp = reply.body.index(b"ApproximateArrivalTimestamp") + len(b"ApproximateArrivalTimestamp")
    assert reply.body[stamp] == 0xC1 and reply.body[stamp + 1] >> 5 == 0


def test_timestamps_in_answers_are_integer_millis(server: MockServer) -> None:
    server.mock.kinesis.create_stream("s", 1)
    reply = call(server, "DescribeStreamSummary", jackson({"StreamName": "s"}))
    summary = decoded(reply)["StreamDescriptionSummary"]
    created = server.mock.kinesis.stream("s").created
    assert summary["StreamCreationTimestamp"] == ("millis", round(created * 1000))
    assert summary["StreamName"] == "s"


def test_service_errors_are_cbor_maps(server: MockServer) -> None:
    reply = call(server, "DescribeStreamSummary", jackson({"StreamName": "missing"}))
    assert reply.status == 400
    assert decoded(reply) == {"__type": "ResourceNotFoundException",
                              "message": "Stream missing under account 123456789012 not found."}


def test_validation_errors_match_json(server: MockServer) -> None:
    server.mock.kinesis.create_stream("s", 1)
    params = {"StreamName": "s", "Data": b"x" * (1024 * 1024 + 1), "PartitionKey": "k"}
    cbor_reply = call(server, "PutRecord", jackson(params))
    json_params = {**params, "Data": base64.b64encode(params["Data"]).decode()}  # type: ignore[arg-type]
    json_reply = call(server, "PutRecord", json.dumps(json_params).encode(), AMZ_JSON)
    assert cbor_reply.status == json_reply.status == 400
    assert decoded(cbor_reply) == json_reply.json()


@pytest.mark.parametrize("body", [b"\xff\x00garbage", jackson(["a", "list"]), b"\xbf\x61a"],
                         ids=["not-cbor", "not-a-map", "truncated"])
def test_unreadable_cbor_is_serialization_exception(server: MockServer, body: bytes) -> None:
    reply = call(server, "ListStreams", body)
    assert reply.status == 400
    assert reply.body == b"\xa1f__typevSerializationException"
    assert reply.headers["content-type"] == AMZ_CBOR


def test_byte_string_where_the_model_has_text_is_serialization_exception(server: MockServer) -> None:
    reply = call(server, "DescribeStreamSummary", jackson({"StreamName": b"s"}))
    assert (reply.status, decoded(reply)) == (400, {"__type": "SerializationException"})


def test_unknown_operation_in_cbor(server: MockServer) -> None:
    reply = call(server, "Nope", jackson({}))
    assert (reply.status, decoded(reply)) == (400, {"__type": "UnknownOperationException"})


def test_missing_signature_is_answered_in_cbor(server: MockServer) -> None:
    body = jackson({})
    reply = raw_request(server, "POST", "/", {"Content-Type": AMZ_CBOR, "X-Amz-Target": KINESIS + "ListStreams"}, body)
    assert (reply.status, decoded(reply)) == (400, {"__type": "MissingAuthenticationTokenException",
                                                   "message": "Missing Authentication Token"})


def test_other_services_do_not_speak_cbor(server: MockServer) -> None:
    body = jackson({})
    headers = signed_headers(server, "SageMaker.ListFeatureGroups", body, service="sagemaker", content_type=AMZ_CBOR)
    reply = raw_request(server, "POST", "/", headers, body)
    assert (reply.status, decoded(reply)) == (400, {
        "__type": "SerializationException",
        "message": "mock_putrecord speaks CBOR for Kinesis only; this service speaks JSON 1.1."})


# ------------------------------------------------------------ JSON and CBOR: the same state
def _as_json(value: Any) -> Any:
    """A request written for CBOR, as the JSON SDKs write it."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Millis):
        return int(value) / 1000
    return value


SCRIPT: list[tuple[str, dict[str, Any]]] = [
    ("CreateStream", {"StreamName": "diff", "ShardCount": 3}),
    ("PutRecords", {"StreamName": "diff", "Records": [
        {"Data": bytes(range(i, i + 40)), "PartitionKey": f"pk-{i % 5}"} for i in range(30)]}),
    ("PutRecord", {"StreamName": "diff", "Data": b"\xff" * 10, "PartitionKey": "x",
                   "ExplicitHashKey": "340282366920938463463374607431768211455"}),
    ("PutRecord", {"StreamName": "diff", "Data": b"", "PartitionKey": "empty"}),
    ("AddTagsToStream", {"StreamName": "diff", "Tags": {"team": "data", "env": "test"}}),
    ("IncreaseStreamRetentionPeriod", {"StreamName": "diff", "RetentionPeriodHours": 48}),
    ("PutRecords", {"StreamName": "diff", "Records": [{"Data": b"ok", "PartitionKey": "k"},
                                                      {"Data": b"bad", "PartitionKey": ""}]}),
    ("DescribeStreamSummary", {"StreamName": "diff"}),
    ("ListTagsForStream", {"StreamName": "diff"}),
    ("GetShardIterator", {"StreamName": "diff", "ShardId": "shardId-000000000001",
                          "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": Millis(0)}),
]


def _state(server: MockServer) -> Any:
    stream = server.mock.kinesis.stream("diff")
    records = [(r.shard_id, r.partition_key, r.data, r.explicit_hash_key) for r in server.mock.kinesis.records("diff")]
    return records, stream.retention_hours, len(stream.shard_ids), stream.status


def _normalised(answer: Any) -> Any:
    """An answer without what differs between two runs (ids, times, iterators)."""
    if isinstance(answer, dict):
        return {k: _normalised(v) for k, v in answer.items()
                if k not in ("SequenceNumber", "StreamCreationTimestamp", "ShardIterator", "StreamARN",
                             "ConsumerCount")}
    if isinstance(answer, list):
        return [_normalised(v) for v in answer]
    return answer


def test_the_same_requests_in_json_and_cbor_give_the_same_state(server: MockServer) -> None:
    json_answers = []
    for operation, params in SCRIPT:
        reply = call(server, operation, json.dumps(_as_json(params)).encode(), AMZ_JSON)
        json_answers.append((reply.status, _normalised(reply.json() if reply.body else None)))
    json_state = _state(server)
    server.mock.reset()

    cbor_answers = []
    for operation, params in SCRIPT:
        reply = call(server, operation, jackson(params))
        cbor_answers.append((reply.status, _normalised(_as_json(decoded(reply)) if reply.body else None)))
    assert _state(server) == json_state
    assert cbor_answers == json_answers
    assert [status for status, _ in cbor_answers] == [200] * 6 + [400] + [200] * 3
    assert len(json_state[0]) == 32 and json_state[1:] == (48, 3, "ACTIVE")


def test_subscribe_to_shard_in_cbor_still_streams(server: MockServer) -> None:
    """The event stream of a CBOR SubscribeToShard is not re-encoded into an empty CBOR body:
    its messages (which name their own content type) arrive as over JSON."""
    server.mock.kinesis.create_stream("s", 1)
    server.mock.kinesis.put("s", [(b"cbor reader", "k")])
    arn = server.mock.kinesis.stream("s").arn
    consumer = decoded(call(server, "RegisterStreamConsumer", jackson({"StreamARN": arn, "ConsumerName": "c"})))
    body = jackson({"ConsumerARN": consumer["Consumer"]["ConsumerARN"], "ShardId": "shardId-000000000000",
                    "StartingPosition": {"Type": "TRIM_HORIZON"}})
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request("POST", "/", body, signed_headers(server, KINESIS + "SubscribeToShard", body,
                                                       content_type=AMZ_CBOR))
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("content-type") == "application/vnd.amazon.eventstream"
        buffer = EventStreamBuffer()
        messages: list[Any] = []
        while len(messages) < 2:
            buffer.add_data(response.read1(65536))
            messages += list(buffer)
    finally:
        conn.close()
    assert [m.headers[":event-type"] for m in messages[:2]] == ["initial-response", "SubscribeToShardEvent"]
    assert [base64.b64decode(r["Data"]) for r in json.loads(messages[1].payload)["Records"]] == [b"cbor reader"]
