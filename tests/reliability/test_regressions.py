"""Bugs the reliability suite found, each pinned by a plain example."""
from __future__ import annotations

import json

import pytest

from mock_putrecord import MockPutRecord
from mock_putrecord.kinesis.models import partition_key_hash
from tests.helpers import call_raw

from .conftest import raw_client


@pytest.mark.parametrize("key", ["\udcff", "a\ud800b"])
def test_kinesis_unpaired_surrogate_partition_key_is_stored_not_a_traceback(mock: MockPutRecord, key: str) -> None:
    # JSON may carry "\udcff"; AWS's Java front end encodes it as "?" (hash and size).
    # PutRecords raised UnicodeEncodeError out of the mock; PutRecord answered a
    # garbled ValidationException ("Value null at 'utf-8' codec can't encode...").
    mock.kinesis.create_stream("s", shard_count=4)
    records = raw_client("kinesis").put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": key}])
    assert records["FailedRecordCount"] == 0
    single = call_raw("kinesis", "PutRecord", {"StreamName": "s", "Data": "eA==", "PartitionKey": key})
    assert single.status == 200, single.body
    stored = mock.kinesis.records("s")
    assert [r.partition_key for r in stored] == [key, key]
    assert partition_key_hash(key) == partition_key_hash(key.replace("\udcff", "?").replace("\ud800", "?"))
    assert {r.shard_id for r in stored} == {json.loads(single.body)["ShardId"]}


# ---------------------------------------------------------------- issue 13: no 500 naming a Python exception
def _error(response: object) -> tuple[int, dict[str, str]]:
    return response.status, json.loads(response.body)  # type: ignore[attr-defined]


def _not_null(path: str) -> str:
    return f"1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null"


def test_kinesis_body_nested_100000_deep_is_a_serialization_exception(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("s", shard_count=1)
    deep = b"[" * 100_000 + b"]" * 100_000
    for body in (deep, b'{"StreamName":"s","Records":' + deep + b"}"):
        assert _error(call_raw("kinesis", "PutRecords", body)) == (400, {"__type": "SerializationException"})
    assert mock.kinesis.records("s") == []


def test_kinesis_null_record_entry_is_a_validation_error(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("s", shard_count=1)
    entry = {"Data": "eA==", "PartitionKey": "k"}
    for records in ([None], [entry, None]):
        index = records.index(None) + 1
        answer = _error(call_raw("kinesis", "PutRecords", {"StreamName": "s", "Records": records}))
        assert answer == (400, {"__type": "ValidationException", "message": _not_null(f"records.{index}.member")})
    assert mock.kinesis.records("s") == []


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_kinesis_non_finite_timestamp_is_a_serialization_exception(mock: MockPutRecord, value: str) -> None:
    # NaN/Infinity are not JSON (1e400 overflows a double): the body is malformed.
    mock.kinesis.create_stream("s", shard_count=1)
    body = ('{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP",'
            f'"Timestamp":{value}}}')
    assert _error(call_raw("kinesis", "GetShardIterator", body)) == (400, {"__type": "SerializationException"})


@pytest.mark.parametrize(("operation", "member", "others", "low", "high"), [
    ("CreateStream", "ShardCount", {"StreamName": "n"}, 1, 2147483647),
    ("ListStreams", "Limit", {}, 1, 10000),
    ("UpdateShardCount", "TargetShardCount", {"StreamName": "s", "ScalingType": "UNIFORM_SCALING"}, 1, 2147483647),
    ("IncreaseStreamRetentionPeriod", "RetentionPeriodHours", {"StreamName": "s"}, 1, 2147483647),
    ("DecreaseStreamRetentionPeriod", "RetentionPeriodHours", {"StreamName": "s"}, 1, 2147483647),
])
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_kinesis_non_finite_integer_member_is_named_in_awss_format(
    mock: MockPutRecord, operation: str, member: str, others: dict[str, str], low: int, high: int, value: str
) -> None:
    mock.kinesis.create_stream("s", shard_count=1)
    body = json.dumps(others)[:-1] + (", " if others else "") + f'"{member}": {value}}}'
    path = member[0].lower() + member[1:]
    bound = f"less than or equal to {high}" if value == "Infinity" else f"greater than or equal to {low}"
    message = (f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: "
               f"Member must have value {bound}")
    assert _error(call_raw("kinesis", operation, body)) == (400, {"__type": "ValidationException", "message": message})
    assert [name for name in mock.kinesis.stream_names()] == ["s"]


@pytest.mark.parametrize("depth", [300, 330, 900])
def test_featurestore_string_member_given_deeply_nested_lists_is_a_validation_error(
    mock: MockPutRecord, depth: int
) -> None:
    nested = "[" * depth + "]" * depth
    body = '{"Record":[{"FeatureName":' + nested + ',"ValueAsString":"x"}]}'
    response = call_raw("sagemaker-featurestore-runtime", "PutRecord", body, method="PUT", path="/FeatureGroup/g")
    assert response.status == 400 and response.headers["x-amzn-ErrorType"] == "ValidationError"
    message = json.loads(response.body)["message"]
    assert message.startswith("1 validation error detected: Value '" + "[" * depth + "]" * depth + "' at ")
    control = call_raw("sagemaker", "DescribeFeatureGroup", '{"FeatureGroupName":' + nested + "}")
    assert control.status == 400 and json.loads(control.body)["__type"] == "ValidationException"
