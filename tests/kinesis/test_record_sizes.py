"""Record and request sizes: MaxRecordSizeInKiB (1024-10240) per stream, 10 MiB per
PutRecords request, and which constraint an oversize record is told it broke."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mock_putrecord.kinesis.responses import MAX_BODY_BYTES

from .conftest import error_of

MIB = 1024 * 1024


def test_max_record_size_is_set_at_creation_and_shown_in_the_summary(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1, MaxRecordSizeInKiB=4096)
    raw_kinesis.create_stream(StreamName="d", ShardCount=1)
    assert raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["MaxRecordSizeInKiB"] == 4096
    assert raw_kinesis.describe_stream_summary(StreamName="d")["StreamDescriptionSummary"]["MaxRecordSizeInKiB"] == 1024


@pytest.mark.parametrize(("value", "constraint"), [
    (1023, "Member must have value greater than or equal to 1024"),
    (10241, "Member must have value less than or equal to 10240"),
])
def test_max_record_size_bounds(raw_kinesis, value, constraint) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_stream(StreamName="s", ShardCount=1, MaxRecordSizeInKiB=value)
    assert error_of(excinfo) == ("ValidationException", f"1 validation error detected: Value '{value}' at "
                                 f"'maxRecordSizeInKiB' failed to satisfy constraint: {constraint}", 400)
    arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s"
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=value)
    assert error_of(excinfo) == ("ValidationException", f"1 validation error detected: Value '{value}' at "
                                 f"'maxRecordSizeInKiB' failed to satisfy constraint: {constraint}", 400)


def test_put_record_up_to_the_stream_maximum(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1, MaxRecordSizeInKiB=10240)
    raw_kinesis.put_record(StreamName="s", Data=b"a" * (10 * MIB - 1), PartitionKey="k")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(StreamName="s", Data=b"a" * (10 * MIB + 1), PartitionKey="k")
    assert error_of(excinfo) == (
        "ValidationException", "1 validation error detected: Value at 'data' failed to satisfy constraint: "
        "Member must have length less than or equal to 10485760.", 400)
    assert [len(r.data) for r in mock.kinesis.records("s")] == [10 * MIB - 1]


def test_update_max_record_size_applies_to_later_puts(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    arn = raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(StreamName="s", Data=b"a" * (2 * MIB), PartitionKey="k")
    assert error_of(excinfo)[0] == "ValidationException"
    assert raw_kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2049)["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    assert raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["MaxRecordSizeInKiB"] == 2049
    raw_kinesis.put_record(StreamName="s", Data=b"a" * (2 * MIB), PartitionKey="k")
    assert len(mock.kinesis.records("s")) == 1


def test_update_max_record_size_of_a_missing_stream(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_max_record_size(StreamARN="arn:aws:kinesis:us-east-1:123456789012:stream/nope",
                                           MaxRecordSizeInKiB=2048)
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream nope under account 123456789012 not found.", 400)


def test_data_within_the_limit_but_not_with_its_key_names_both(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(StreamName="s", Data=b"a" * MIB, PartitionKey="abc")
    assert error_of(excinfo) == (
        "ValidationException", "1 validation error detected: Value at 'data' failed to satisfy constraint: "
        "Member must have length less than or equal to 1048576 when added to the length of 'partitionKey' in "
        "UTF-8 (3 bytes).", 400)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": "k"},
                                                         {"Data": b"a" * (MIB - 1), "PartitionKey": "é"}])
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value at 'records.2.member.data' failed to satisfy constraint: "
        "Member must have length less than or equal to 1048576 when added to the length of "
        "'records.2.member.partitionKey' in UTF-8 (2 bytes).")
    assert mock.kinesis.records("s") == []


def test_put_records_request_up_to_ten_mib(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    records = [{"Data": b"a" * (MIB - 1), "PartitionKey": "k"} for _ in range(10)]  # 10 MiB - 10 + 10 bytes
    response = raw_kinesis.put_records(StreamName="s", Records=records)
    assert response["FailedRecordCount"] == 0
    assert len(mock.kinesis.records("s")) == 10


def test_put_records_request_over_ten_mib_is_rejected(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    records = [{"Data": b"a" * (MIB - 1), "PartitionKey": "k"} for _ in range(10)] + [
        {"Data": b"b", "PartitionKey": "k"}]
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=records)
    assert error_of(excinfo) == ("InvalidArgumentException", "Records size exceeds 10 MB limit", 400)
    assert mock.kinesis.records("s") == []


def test_body_cap_admits_the_largest_valid_request() -> None:
    # 10 MiB of data in base64 plus 500 entries' JSON framing and 256-character keys.
    largest = 10 * MIB * 4 // 3 + 500 * (256 + 64)
    assert largest < MAX_BODY_BYTES


def test_a_large_record_counts_fully_against_shard_throughput() -> None:
    import boto3
    from botocore.config import Config

    from mock_putrecord import mock_putrecord

    with mock_putrecord(shard_throughput=True) as mock:
        client = boto3.client("kinesis", region_name="us-east-1",
                              config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
        client.create_stream(StreamName="s", ShardCount=1, MaxRecordSizeInKiB=4096)
        client.put_record(StreamName="s", Data=b"a" * (3 * MIB), PartitionKey="k")  # a full bucket takes it
        with pytest.raises(ClientError) as excinfo:
            client.put_record(StreamName="s", Data=b"b", PartitionKey="k")
        assert error_of(excinfo)[0] == "ProvisionedThroughputExceededException"
        mock.advance(2)  # 2 MiB of the 3 MiB debt repaid: still nothing left
        with pytest.raises(ClientError):
            client.put_record(StreamName="s", Data=b"b", PartitionKey="k")
        mock.advance(1.5)  # debt repaid and the bucket refilled
        client.put_record(StreamName="s", Data=b"b" * (MIB // 2 - 1), PartitionKey="k")
        assert [len(r.data) for r in mock.kinesis.records("s")] == [3 * MIB, MIB // 2 - 1]
