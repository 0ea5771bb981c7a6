"""Per-shard throughput limits on a virtual clock, injected faults, and the call log."""
from __future__ import annotations

from collections import defaultdict

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_putrecord import mock_putrecord

from .conftest import error_of

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def _batch(count: int, size: int = 100, prefix: str = "k") -> list[dict[str, object]]:
    return [{"Data": b"x" * size, "PartitionKey": f"{prefix}{i}"} for i in range(count)]


def test_1500_records_at_one_instant_exactly_1000_fit_then_1000_more_after_a_second() -> None:
    with mock_putrecord(shard_throughput=True) as mock:
        client = boto3.client("kinesis", region_name="us-east-1")
        mock.kinesis.create_stream("s", shard_count=1)
        failed = [client.put_records(StreamName="s", Records=_batch(500))["FailedRecordCount"] for _ in range(3)]
        assert failed == [0, 0, 500]
        assert len(mock.kinesis.records("s")) == 1000
        mock.advance(1)
        failed = [client.put_records(StreamName="s", Records=_batch(500))["FailedRecordCount"] for _ in range(3)]
        assert failed == [0, 0, 500]
        assert len(mock.kinesis.records("s")) == 2000


def test_throttled_entries_carry_aws_code_and_message_and_fit_entries_are_stored() -> None:
    with mock_putrecord(shard_throughput=True) as mock:
        client = boto3.client("kinesis", region_name="us-east-1")
        mock.kinesis.create_stream("orders", shard_count=1)
        client.put_records(StreamName="orders", Records=_batch(500))
        client.put_records(StreamName="orders", Records=_batch(499))
        response = client.put_records(StreamName="orders", Records=_batch(3, prefix="late"))
        assert response["FailedRecordCount"] == 2
        assert "SequenceNumber" in response["Records"][0]
        assert response["Records"][1] == {
            "ErrorCode": "ProvisionedThroughputExceededException",
            "ErrorMessage": "Rate exceeded for shard shardId-000000000000 in stream orders under account 123456789012.",
        }
        assert [f.index for f in mock.faults.failed_records] == [1, 2]


def test_byte_limit_of_one_mib_per_second() -> None:
    with mock_putrecord(shard_throughput=True) as mock:
        client = boto3.client("kinesis", region_name="us-east-1")
        mock.kinesis.create_stream("s", shard_count=1)
        records = [{"Data": b"x" * (256 * 1024 - 2), "PartitionKey": f"k{i}"} for i in range(5)]
        response = client.put_records(StreamName="s", Records=records)
        assert [("ErrorCode" in r) for r in response["Records"]] == [False, False, False, False, True]


def test_limits_are_per_shard() -> None:
    with mock_putrecord(shard_throughput=True) as mock:
        client = boto3.client("kinesis", region_name="us-east-1")
        mock.kinesis.create_stream("s", shard_count=2)
        low = [{"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": "0"}] * 500
        high = [{"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": str(2**128 - 1)}] * 500
        for records in (low, low, high, high):
            assert client.put_records(StreamName="s", Records=records)["FailedRecordCount"] == 0


def test_put_record_over_the_limit_raises_after_botocore_retries() -> None:
    with mock_putrecord(shard_throughput=True) as mock:
        client = boto3.client("kinesis", region_name="us-east-1",
                              config=Config(retries={"total_max_attempts": 3, "mode": "standard"}))
        mock.kinesis.create_stream("s", shard_count=1)
        client.put_records(StreamName="s", Records=_batch(500))
        client.put_records(StreamName="s", Records=_batch(500))
        with pytest.raises(ClientError) as excinfo:
            client.put_record(StreamName="s", Data=b"x", PartitionKey="k")
        assert error_of(excinfo) == ("ProvisionedThroughputExceededException",
                                     "Rate exceeded for shard shardId-000000000000 in stream s under account "
                                     "123456789012.", 400)
        attempts = [c.attempt for c in mock.faults.calls if c.operation == "PutRecord"]
        assert attempts == [1, 2, 3]  # botocore retried the throttle; virtual time stood still
        assert len(mock.faults.retried_calls) == 2


def test_scripted_request_errors_then_success() -> None:
    with mock_putrecord() as mock:
        client = boto3.client("kinesis", region_name="us-east-1", config=NO_RETRY)
        mock.kinesis.create_stream("s", shard_count=1)
        mock.faults.fail_next("kinesis", "PutRecords", "KMSThrottlingException",
                              message="Request was denied due to KMS throttling.", count=2)
        for _ in range(2):
            with pytest.raises(ClientError) as excinfo:
                client.put_records(StreamName="s", Records=_batch(1))
            assert error_of(excinfo) == ("KMSThrottlingException", "Request was denied due to KMS throttling.", 400)
        assert client.put_records(StreamName="s", Records=_batch(1))["FailedRecordCount"] == 0
        assert [(c.error_code, c.injected) for c in mock.faults.failed_calls] == [
            ("KMSThrottlingException", True), ("KMSThrottlingException", True)]


def test_botocore_retries_a_scripted_service_unavailable() -> None:
    with mock_putrecord() as mock:
        client = boto3.client("kinesis", region_name="us-east-1",
                              config=Config(retries={"max_attempts": 3, "mode": "standard"}))
        mock.kinesis.create_stream("s", shard_count=1)
        mock.faults.fail_next("kinesis", "PutRecords", "ServiceUnavailable", status=503)
        assert client.put_records(StreamName="s", Records=_batch(1))["FailedRecordCount"] == 0
        assert [(c.attempt, c.status) for c in mock.faults.calls if c.operation == "PutRecords"] == [(1, 503), (2, 200)]


def test_seeded_record_failures_are_reproducible() -> None:
    def run() -> list[str | None]:
        with mock_putrecord() as mock:
            client = boto3.client("kinesis", region_name="us-east-1")
            mock.kinesis.create_stream("s", shard_count=2)
            mock.faults.fail_records("kinesis", 0.2, errors=["ProvisionedThroughputExceededException",
                                                            "InternalFailure"], seed=7)
            response = client.put_records(StreamName="s", Records=_batch(200))
            codes = [r.get("ErrorCode") for r in response["Records"]]
            assert response["FailedRecordCount"] == sum(code is not None for code in codes)
            assert len(mock.kinesis.records("s")) == 200 - response["FailedRecordCount"]
            return codes

    first, second = run(), run()
    assert first == second
    assert {"ProvisionedThroughputExceededException", "InternalFailure"} <= set(first)


def test_realistic_producer_retries_until_every_record_is_stored_once_in_key_order() -> None:
    """A producer that re-sends failed records (as the KPL does) under both the shard
    limits and random faults ends with every record stored exactly once, per key in order."""
    with mock_putrecord(shard_throughput=True) as mock:
        client = boto3.client("kinesis", region_name="us-east-1", config=NO_RETRY)
        mock.kinesis.create_stream("events", shard_count=1)
        mock.faults.fail_records("kinesis", 0.05, errors=["InternalFailure"], seed=1)
        keys = [f"user-{i % 400}" for i in range(4000)]
        queues: dict[str, list[bytes]] = defaultdict(list)
        for n, key in enumerate(keys):
            queues[key].append(f"{key}:{n}".encode())
        rounds = 0
        while any(queues.values()):
            rounds += 1
            # At most one in-flight record per key keeps per-key order through partial failures.
            sent = [{"Data": queue[0], "PartitionKey": key} for key, queue in queues.items() if queue][:500]
            response = client.put_records(StreamName="events", Records=sent)
            for record, result in zip(sent, response["Records"]):
                if "ErrorCode" not in result:
                    queues[str(record["PartitionKey"])].pop(0)
            if any(r.get("ErrorCode") == "ProvisionedThroughputExceededException" for r in response["Records"]):
                mock.advance(1)  # back off on throttling, as a producer sleeping would
        stored = mock.kinesis.records("events")
        assert sorted(r.data for r in stored) == sorted(f"{k}:{n}".encode() for n, k in enumerate(keys))
        by_key: dict[str, list[int]] = defaultdict(list)
        for record in sorted(stored, key=lambda r: int(r.sequence_number)):
            by_key[record.partition_key].append(int(record.data.split(b":")[1]))
        assert all(numbers == sorted(numbers) for numbers in by_key.values())
        assert rounds > 10  # throttling and faults really happened
        assert {f.error_code for f in mock.faults.failed_records} == {
            "InternalFailure", "ProvisionedThroughputExceededException"}
