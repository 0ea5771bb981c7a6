"""PutRecords and PutRecord: routing, sequence numbers, limits and whole-request errors."""
from __future__ import annotations

import hashlib

import pytest
from botocore.exceptions import ClientError

from ..helpers import call_raw, error_body
from .conftest import error_of

MD5_A = 16955237001963240173058271559858726497


def test_md5_of_partition_key_is_the_routing_hash() -> None:
    assert int(hashlib.md5(b"a").hexdigest(), 16) == MD5_A


def test_records_route_by_md5_over_even_hash_ranges(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=3)
    response = kinesis.put_records(
        StreamName="s", Records=[{"Data": b"", "PartitionKey": k} for k in ("a", "b", "e", "f")]
    )
    assert response["FailedRecordCount"] == 0
    assert [r["ShardId"] for r in response["Records"]] == [
        "shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000001",
    ]


def test_explicit_hash_key_overrides_partition_key_and_range_ends_are_inclusive(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=3)
    keys = ["340282366920938463463374607431768211455", "226854911280625642308916404954512140969",
            "226854911280625642308916404954512140970", "0"]
    response = kinesis.put_records(
        StreamName="s", Records=[{"Data": b"x", "PartitionKey": "a", "ExplicitHashKey": k} for k in keys]
    )
    assert [r["ShardId"] for r in response["Records"]] == [
        "shardId-000000000002", "shardId-000000000001", "shardId-000000000002", "shardId-000000000000",
    ]


def test_sequence_numbers_have_56_digits_increase_per_shard_and_are_unique(kinesis, mock) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=7)
    seen = []
    for batch in range(4):
        records = [{"Data": b"d", "PartitionKey": f"k{batch}-{i}"} for i in range(500)]
        seen += kinesis.put_records(StreamName="s", Records=records)["Records"]
    sequences = [r["SequenceNumber"] for r in seen]
    assert all(len(s) == 56 and s.isdigit() for s in sequences)
    assert len(set(sequences)) == len(sequences)
    for shard_id, stored in mock.kinesis.records_by_shard("s").items():
        numbers = [int(r.sequence_number) for r in stored]
        assert numbers == sorted(set(numbers)), shard_id


def test_put_record_returns_shard_and_sequence_and_stores_data(kinesis, mock) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=2)
    response = kinesis.put_record(StreamName="s", Data=b"payload", PartitionKey="b")
    assert response["ShardId"] == "shardId-000000000001"
    [record] = mock.kinesis.records("s")
    assert (record.data, record.partition_key, record.sequence_number) == (b"payload", "b", response["SequenceNumber"])


def test_put_records_by_stream_arn(kinesis, mock) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    assert arn == "arn:aws:kinesis:us-east-1:123456789012:stream/s"
    kinesis.put_records(StreamARN=arn, Records=[{"Data": b"1", "PartitionKey": "k"}])
    assert mock.kinesis.data("s") == [b"1"]


def test_unknown_stream_is_resource_not_found(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="nope", Records=[{"Data": b"1", "PartitionKey": "k"}])
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream nope under account 123456789012 not found.", 400)


def test_explicit_hash_key_out_of_range_fails_the_whole_request_and_stores_nothing(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    too_big = str(2**128)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=[
            {"Data": b"1", "PartitionKey": "k"}, {"Data": b"2", "PartitionKey": "k", "ExplicitHashKey": too_big}])
    assert error_of(excinfo) == (
        "InvalidArgumentException",
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
        f"Specified value was {too_big}", 400)
    assert mock.kinesis.records("s") == []


def test_record_of_exactly_one_mib_with_its_key_is_accepted(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    response = raw_kinesis.put_record(StreamName="s", Data=b"a" * (1024 * 1024 - 1), PartitionKey="k")
    assert response["ShardId"] == "shardId-000000000000"


def test_record_over_one_mib_is_a_validation_error(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"a" * (1024 * 1024 + 1), "PartitionKey": "a"}])
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value at 'records.1.member.data' failed to satisfy constraint: "
        "Member must have length less than or equal to 1048576.", 400)


def test_more_than_500_records_is_a_validation_error(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"", "PartitionKey": "k"}] * 501)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value '[com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@")
    assert message.endswith("]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500")


def test_empty_records_and_long_partition_key(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=[])
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": "p" * 257}])
    assert error_of(excinfo)[1] == (
        f"1 validation error detected: Value '{'p' * 257}' at 'records.1.member.partitionKey' failed to "
        "satisfy constraint: Member must have length less than or equal to 256")


def test_put_record_missing_members_lists_each_failure(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(StreamName="s")
    assert error_of(excinfo) == (
        "ValidationException",
        "2 validation errors detected: Value null at 'partitionKey' failed to satisfy constraint: Member must "
        "not be null; Value null at 'data' failed to satisfy constraint: Member must not be null", 400)


def test_wrong_json_types_are_serialization_exceptions(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    response = call_raw("kinesis", "PutRecords", {"StreamName": "s", "Records": {"Data": "x"}})
    assert (response.status, error_body(response)) == (
        400, {"__type": "SerializationException", "Message": "Start of structure or map found where not expected."})
    response = call_raw("kinesis", "PutRecords", b"{not json")
    assert (response.status, error_body(response)) == (400, {"__type": "SerializationException"})
    response = call_raw("kinesis", "PutRecords", {"StreamName": "s", "Records": [{"Data": "abc", "PartitionKey": "k"}]})
    assert error_body(response)["Message"] == (
        "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(StreamName=5, Data=b"x", PartitionKey="k")
    assert error_of(excinfo)[1] == (
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")


def test_invalid_sequence_number_for_ordering(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    bad = "49039857307708443467467104868809893875799651909875269635"
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(StreamName="s", Data=b"", PartitionKey="a", SequenceNumberForOrdering=bad)
    assert error_of(excinfo) == (
        "InvalidArgumentException",
        f"ExclusiveMinimumSequenceNumber {bad} used in PutRecord on stream s under account 123456789012 is invalid.",
        400)


def test_valid_sequence_number_for_ordering_is_accepted(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    first = kinesis.put_record(StreamName="s", Data=b"1", PartitionKey="a")["SequenceNumber"]
    second = kinesis.put_record(StreamName="s", Data=b"2", PartitionKey="a", SequenceNumberForOrdering=first)
    assert int(second["SequenceNumber"]) > int(first)
