"""DryRun on PutRecord, PutRecords, GetRecords and GetShardIterator: every check a real
call makes runs first and its error wins; otherwise DryRunOperationException (HTTP 400),
and nothing is written, no sequence number or throughput token used, no iterator moved."""
from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_putrecord import mock_putrecord
from mock_putrecord.kinesis.sequence import parse_sequence

from .conftest import error_of

DRY_RUN = ("DryRunOperationException", "The request was rejected because the DryRun parameter was specified.", 400)
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=False)


def test_put_record_dry_run_writes_nothing_and_uses_no_sequence_number(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k", DryRun=True)
    assert error_of(excinfo) == DRY_RUN
    assert mock.kinesis.records("s") == []
    sequence = raw_kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")["SequenceNumber"]
    assert parse_sequence(sequence).seq_ix == 1  # the first number the shard hands out


def test_put_record_dry_run_false_is_a_normal_put(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    raw_kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k", DryRun=False)
    assert [r.data for r in mock.kinesis.records("s")] == [b"x"]


@pytest.mark.parametrize(("call", "expected"), [
    (dict(StreamName="nope", Data=b"x", PartitionKey="k"),
     ("ResourceNotFoundException", "Stream nope under account 123456789012 not found.", 400)),
    (dict(StreamName="s", Data=b"x" * (1024 * 1024 + 1), PartitionKey="k"),
     ("ValidationException", "1 validation error detected: Value at 'data' failed to satisfy constraint: Member "
      "must have length less than or equal to 1048576.", 400)),
    (dict(StreamName="s", Data=b"x"),
     ("ValidationException", "1 validation error detected: Value null at 'partitionKey' failed to satisfy "
      "constraint: Member must not be null", 400)),
    (dict(StreamName="s", Data=b"x", PartitionKey="k", ExplicitHashKey=str(2**128)),
     ("InvalidArgumentException", "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
      f"Specified value was {2**128}", 400)),
])
def test_put_record_dry_run_reports_the_real_error_first(raw_kinesis, mock, call, expected) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(DryRun=True, **call)
    assert error_of(excinfo) == expected


def test_dry_run_must_be_a_boolean(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": "k"}], DryRun="yes")
    assert error_of(excinfo)[0] == "SerializationException"


def test_put_records_dry_run_writes_nothing(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=2)
    records = [{"Data": b"x%d" % i, "PartitionKey": f"k{i}"} for i in range(10)]
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=records, DryRun=True)
    assert error_of(excinfo) == DRY_RUN
    assert mock.kinesis.records("s") == []
    response = raw_kinesis.put_records(StreamName="s", Records=records)
    assert sorted(parse_sequence(r["SequenceNumber"]).seq_ix for r in response["Records"])[0] == 1


def test_put_records_dry_run_reports_the_real_error_first(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    records = [{"Data": b"a" * (1024 * 1024 - 1), "PartitionKey": "k"} for _ in range(11)]
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=records, DryRun=True)
    assert error_of(excinfo) == ("InvalidArgumentException", "Records size exceeds 10 MB limit", 400)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamARN="arn:aws:kinesis:us-east-1:123456789012:stream/nope",
                                Records=records[:1], DryRun=True)
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream nope under account 123456789012 not found.", 400)


def test_put_record_dry_run_on_a_throttled_shard_is_throttled_and_takes_no_token() -> None:
    with mock_putrecord(shard_throughput=True) as mock:
        client = boto3.client("kinesis", region_name="us-east-1", config=NO_RETRY)
        mock.kinesis.create_stream("s", shard_count=1)
        for _ in range(5):  # never consumes: the shard's 1,000 records/s stay available
            with pytest.raises(ClientError) as excinfo:
                client.put_record(StreamName="s", Data=b"x", PartitionKey="k", DryRun=True)
            assert error_of(excinfo) == DRY_RUN
        response = client.put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": "k"}] * 500)
        assert response["FailedRecordCount"] == 0
        response = client.put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": "k"}] * 500)
        assert response["FailedRecordCount"] == 0
        with pytest.raises(ClientError) as excinfo:
            client.put_record(StreamName="s", Data=b"x", PartitionKey="k", DryRun=True)
        assert error_of(excinfo) == ("ProvisionedThroughputExceededException", "Rate exceeded for shard "
                                     "shardId-000000000000 in stream s under account 123456789012.", 400)
        assert len(mock.kinesis.records("s")) == 1000


def test_put_records_dry_run_consumes_no_injected_record_fault() -> None:
    with mock_putrecord() as mock:
        client = boto3.client("kinesis", region_name="us-east-1", config=NO_RETRY)
        mock.kinesis.create_stream("s", shard_count=1)
        records = [{"Data": b"x", "PartitionKey": f"k{i}"} for i in range(20)]
        mock.faults.fail_records("kinesis", 0.5, errors=["InternalFailure"], seed=7)
        with pytest.raises(ClientError):
            client.put_records(StreamName="s", Records=records, DryRun=True)
        after_dry_run = [("ErrorCode" in r) for r in client.put_records(StreamName="s", Records=records)["Records"]]
        assert len(mock.faults.failed_records) == sum(after_dry_run) > 0  # only the real call failed records

    with mock_putrecord() as mock:
        client = boto3.client("kinesis", region_name="us-east-1", config=NO_RETRY)
        mock.kinesis.create_stream("s", shard_count=1)
        mock.faults.fail_records("kinesis", 0.5, errors=["InternalFailure"], seed=7)
        fresh = [("ErrorCode" in r) for r in client.put_records(StreamName="s", Records=records)["Records"]]
    assert after_dry_run == fresh  # the dry run drew nothing from the seeded generator


def test_get_records_dry_run_does_not_advance_or_read(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    raw_kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")
    iterator = raw_kinesis.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.get_records(ShardIterator=iterator, DryRun=True)
    assert error_of(excinfo) == DRY_RUN
    assert [r["Data"] for r in raw_kinesis.get_records(ShardIterator=iterator)["Records"]] == [b"x"]


def test_get_records_dry_run_reports_a_bad_iterator_first(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.get_records(ShardIterator="AAAAAAAAAAFnot-an-iterator", DryRun=True)
    assert error_of(excinfo) == ("InvalidArgumentException", "Invalid ShardIterator.", 400)


def test_get_shard_iterator_dry_run(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                                       ShardIteratorType="LATEST", DryRun=True)
    assert error_of(excinfo) == DRY_RUN
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.get_shard_iterator(StreamName="s", ShardId="shardId-000000000009",
                                       ShardIteratorType="LATEST", DryRun=True)
    assert error_of(excinfo) == ("ResourceNotFoundException", "Shard shardId-000000000009 in stream s under "
                                 "account 123456789012 does not exist", 400)
