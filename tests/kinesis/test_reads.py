"""GetShardIterator (all five types) and GetRecords."""
from __future__ import annotations

import datetime

import pytest
from botocore.exceptions import ClientError

from .conftest import error_of


def _iterator(client, kind: str, shard: str = "shardId-000000000000", **extra) -> str:
    return client.get_shard_iterator(StreamName="s", ShardId=shard, ShardIteratorType=kind, **extra)["ShardIterator"]


@pytest.fixture
def stream_with_five(kinesis) -> list[str]:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    return [kinesis.put_record(StreamName="s", Data=f"r{i}".encode(), PartitionKey="k")["SequenceNumber"]
            for i in range(5)]


def test_trim_horizon_reads_everything_in_order(kinesis, stream_with_five) -> None:
    response = kinesis.get_records(ShardIterator=_iterator(kinesis, "TRIM_HORIZON"))
    assert [r["Data"] for r in response["Records"]] == [b"r0", b"r1", b"r2", b"r3", b"r4"]
    assert [r["SequenceNumber"] for r in response["Records"]] == stream_with_five
    assert response["MillisBehindLatest"] == 0
    assert isinstance(response["Records"][0]["ApproximateArrivalTimestamp"], datetime.datetime)


def test_at_and_after_sequence_number(kinesis, stream_with_five) -> None:
    at = _iterator(kinesis, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=stream_with_five[2])
    after = _iterator(kinesis, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=stream_with_five[2])
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=at)["Records"]] == [b"r2", b"r3", b"r4"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=after)["Records"]] == [b"r3", b"r4"]


def test_latest_sees_only_later_records_and_next_iterator_continues(kinesis, stream_with_five) -> None:
    iterator = _iterator(kinesis, "LATEST")
    assert kinesis.get_records(ShardIterator=iterator)["Records"] == []
    kinesis.put_record(StreamName="s", Data=b"new", PartitionKey="k")
    response = kinesis.get_records(ShardIterator=iterator, Limit=10)
    assert [r["Data"] for r in response["Records"]] == [b"new"]
    follow = kinesis.get_records(ShardIterator=response["NextShardIterator"])
    assert follow["Records"] == []


def test_limit_and_next_iterator_page_through(kinesis, stream_with_five) -> None:
    first = kinesis.get_records(ShardIterator=_iterator(kinesis, "TRIM_HORIZON"), Limit=2)
    assert [r["Data"] for r in first["Records"]] == [b"r0", b"r1"]
    assert first["MillisBehindLatest"] >= 0
    second = kinesis.get_records(ShardIterator=first["NextShardIterator"], Limit=2)
    assert [r["Data"] for r in second["Records"]] == [b"r2", b"r3"]


def test_at_timestamp_uses_arrival_time(kinesis, mock) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    mock.advance(0)  # freeze the clock
    kinesis.put_record(StreamName="s", Data=b"old", PartitionKey="k")
    mock.advance(60)
    # A second before "new" arrives: clear of the microsecond rounding of datetimes.
    cut = datetime.datetime.fromtimestamp(mock_now(mock) - 1, datetime.timezone.utc)
    kinesis.put_record(StreamName="s", Data=b"new", PartitionKey="k")
    records = kinesis.get_records(ShardIterator=_iterator(kinesis, "AT_TIMESTAMP", Timestamp=cut))["Records"]
    assert [r["Data"] for r in records] == [b"new"]


def mock_now(mock) -> float:
    from mock_putrecord.core.clock import clock

    return clock.now()


def test_at_timestamp_in_the_future_is_rejected(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    with pytest.raises(ClientError) as excinfo:
        _iterator(raw_kinesis, "AT_TIMESTAMP", Timestamp=future)
    code, message, _ = error_of(excinfo)
    assert code == "InvalidArgumentException"
    assert message.startswith("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis.")


def test_iterator_type_and_sequence_number_must_agree(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        _iterator(raw_kinesis, "AT_SEQUENCE_NUMBER")
    assert error_of(excinfo)[1] == (
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
        "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no "
        "StartingSequenceNumber.")
    with pytest.raises(ClientError) as excinfo:
        _iterator(raw_kinesis, "LATEST", StartingSequenceNumber="5")
    assert error_of(excinfo)[1].endswith("Request specified LATEST and also a StartingSequenceNumber.")


def test_sequence_number_of_another_shard_is_rejected(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=3)
    with pytest.raises(ClientError) as excinfo:
        _iterator(raw_kinesis, "AT_SEQUENCE_NUMBER", StartingSequenceNumber="5")
    assert error_of(excinfo) == ("InvalidArgumentException", "Invalid StartingSequenceNumber. It encodes "
                                 "shardId-000000000005, while it was used in a call to a shard with "
                                 "shardId-000000000000", 400)


def test_short_shard_ids_resolve_and_missing_shards_are_reported(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=2)
    assert _iterator(raw_kinesis, "LATEST", shard="shardId-1")
    with pytest.raises(ClientError) as excinfo:
        _iterator(raw_kinesis, "LATEST", shard="shardId-7")
    assert error_of(excinfo) == ("ResourceNotFoundException", "Shard shardId-000000000007 in stream s under account "
                                 "123456789012 does not exist", 400)
    with pytest.raises(ClientError) as excinfo:
        _iterator(raw_kinesis, "LATEST", shard="abc")
    assert error_of(excinfo)[1] == "Could not find shard abc in stream s under account 123456789012."


def test_invalid_and_expired_iterators(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.get_records(ShardIterator="AAAAAAAAAAFnotaniterator")
    assert error_of(excinfo) == ("InvalidArgumentException", "Invalid ShardIterator.", 400)
    mock.advance(0)
    iterator = _iterator(raw_kinesis, "TRIM_HORIZON")
    mock.advance(301)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.get_records(ShardIterator=iterator)
    code, message, _ = error_of(excinfo)
    assert code == "ExpiredIteratorException"
    assert message.startswith("Iterator expired. The iterator was created at time ")
    assert message.endswith("which is further in the future than the tolerated delay of 300000 milliseconds.")


def test_records_past_retention_are_not_returned(kinesis, mock) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    mock.advance(0)
    kinesis.put_record(StreamName="s", Data=b"expired", PartitionKey="k")
    mock.advance(24 * 3600 + 1)
    kinesis.put_record(StreamName="s", Data=b"fresh", PartitionKey="k")
    records = kinesis.get_records(ShardIterator=_iterator(kinesis, "TRIM_HORIZON"))["Records"]
    assert [r["Data"] for r in records] == [b"fresh"]


def test_an_iterator_wrapped_in_double_quotes_is_accepted(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    raw_kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")
    iterator = raw_kinesis.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    response = raw_kinesis.get_records(ShardIterator=f'"{iterator}"')
    assert [r["Data"] for r in response["Records"]] == [b"x"]
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.get_records(ShardIterator=f'"{iterator}')
    assert error_of(excinfo) == ("InvalidArgumentException", "Invalid ShardIterator.", 400)
