"""RecordDistributionStrategy: USER_PARTITION_KEY (the default) routes by key; AUTO (on-
demand streams only) ignores PartitionKey and ExplicitHashKey, takes records without a
key, and spreads records evenly over the open shards."""
from __future__ import annotations

from collections import Counter

import pytest
from botocore.exceptions import ClientError

from mock_putrecord.kinesis.exceptions import InvalidArgumentException

from .conftest import error_of

ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/{}"


def _auto_stream(client, name: str = "s") -> str:
    client.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"},
                         RecordDistributionStrategy="AUTO")
    return ARN.format(name)


def test_summary_shows_the_strategy_of_on_demand_streams(raw_kinesis) -> None:
    _auto_stream(raw_kinesis)
    raw_kinesis.create_stream(StreamName="u", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    raw_kinesis.create_stream(StreamName="p", ShardCount=1)
    summaries = {name: raw_kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                 for name in ("s", "u", "p")}
    assert summaries["s"]["RecordDistributionStrategy"] == "AUTO"
    assert summaries["u"]["RecordDistributionStrategy"] == "USER_PARTITION_KEY"
    assert "RecordDistributionStrategy" not in summaries["p"]


def test_auto_takes_records_without_a_key_and_reads_them_back_without_one(raw_kinesis, mock) -> None:
    _auto_stream(raw_kinesis)
    shard = raw_kinesis.put_record(StreamName="s", Data=b"one")["ShardId"]
    response = raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"two"}, {"Data": b"three"}])
    assert response["FailedRecordCount"] == 0
    stored = mock.kinesis.records("s")
    assert sorted(r.data for r in stored) == [b"one", b"three", b"two"]
    assert {r.partition_key for r in stored} == {None}
    iterator = raw_kinesis.get_shard_iterator(StreamName="s", ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    record = raw_kinesis.get_records(ShardIterator=iterator)["Records"][0]
    assert record["Data"] == b"one" and "PartitionKey" not in record


def test_auto_spreads_records_evenly_and_ignores_keys(raw_kinesis, mock) -> None:
    _auto_stream(raw_kinesis)
    same_key = [{"Data": b"x", "PartitionKey": "k", "ExplicitHashKey": "0"} for _ in range(10)]
    raw_kinesis.put_records(StreamName="s", Records=same_key)
    raw_kinesis.put_record(StreamName="s", Data=b"y", PartitionKey="k")
    raw_kinesis.put_record(StreamName="s", Data=b"y", PartitionKey="k")
    counts = Counter(r.shard_id for r in mock.kinesis.records("s"))
    assert sorted(counts.values()) == [3, 3, 3, 3]  # 12 records over 4 shards
    assert {r.partition_key for r in mock.kinesis.records("s")} == {None}


def test_auto_ignores_an_out_of_range_explicit_hash_key(raw_kinesis, mock) -> None:
    _auto_stream(raw_kinesis)
    raw_kinesis.put_record(StreamName="s", Data=b"x", ExplicitHashKey=str(2**128))
    assert len(mock.kinesis.records("s")) == 1


def test_auto_still_validates_the_key_shape(raw_kinesis) -> None:
    _auto_stream(raw_kinesis)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": ""}])
    assert error_of(excinfo) == ("ValidationException", "1 validation error detected: Value '' at "
                                 "'records.1.member.partitionKey' failed to satisfy constraint: Member must have "
                                 "length greater than or equal to 1", 400)


def test_user_partition_key_streams_still_require_a_key(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": "k"}, {"Data": b"y"}])
    assert error_of(excinfo) == ("ValidationException", "1 validation error detected: Value null at "
                                 "'records.2.member.partitionKey' failed to satisfy constraint: Member must not be "
                                 "null", 400)
    assert mock.kinesis.records("s") == []


def test_auto_needs_an_on_demand_stream(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_stream(StreamName="p", ShardCount=1, RecordDistributionStrategy="AUTO")
    assert error_of(excinfo) == ("InvalidArgumentException", "RecordDistributionStrategy AUTO is not supported for "
                                 "stream p under account 123456789012 because it is not in On-Demand mode.", 400)
    assert raw_kinesis.list_streams()["StreamNames"] == []
    raw_kinesis.create_stream(StreamName="p", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_stream_record_distribution_strategy(StreamARN=ARN.format("p"),
                                                               RecordDistributionStrategy="AUTO")
    assert error_of(excinfo)[0] == "InvalidArgumentException"


def test_update_strategy_switches_routing_for_new_records_only(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"before", "PartitionKey": "k"}] * 4)
    assert len({r.shard_id for r in mock.kinesis.records("s")}) == 1
    raw_kinesis.update_stream_record_distribution_strategy(StreamARN=ARN.format("s"),
                                                           RecordDistributionStrategy="AUTO")
    raw_kinesis.put_records(StreamName="s", Records=[{"Data": b"after", "PartitionKey": "k"}] * 4)
    after = [r for r in mock.kinesis.records("s") if r.data == b"after"]
    assert len({r.shard_id for r in after}) == 4
    assert [r.partition_key for r in mock.kinesis.records("s") if r.data == b"before"] == ["k"] * 4
    raw_kinesis.update_stream_record_distribution_strategy(StreamARN=ARN.format("s"),
                                                           RecordDistributionStrategy="USER_PARTITION_KEY")
    assert raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"][
        "RecordDistributionStrategy"] == "USER_PARTITION_KEY"
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(StreamName="s", Data=b"x")
    assert error_of(excinfo)[0] == "ValidationException"


def test_update_strategy_of_a_missing_stream(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_stream_record_distribution_strategy(StreamARN=ARN.format("nope"),
                                                               RecordDistributionStrategy="AUTO")
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream nope under account 123456789012 not found.", 400)


def test_switching_to_provisioned_returns_to_partition_keys(raw_kinesis) -> None:
    arn = _auto_stream(raw_kinesis)
    raw_kinesis.update_stream_mode(StreamARN=arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    summary = raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_record(StreamName="s", Data=b"x")
    assert error_of(excinfo)[0] == "ValidationException"


def test_the_view_declares_auto_and_large_record_streams(raw_kinesis, mock) -> None:
    stream = mock.kinesis.create_stream("v", on_demand=True, max_record_size_kib=2048, distribution="AUTO")
    assert (stream.mode, stream.distribution, stream.max_record_size_kib, len(stream.open_shard_ids)) == (
        "ON_DEMAND", "AUTO", 2048, 4)
    raw_kinesis.put_record(StreamName="v", Data=b"x" * (2 * 1024 * 1024 - 1))
    with pytest.raises(InvalidArgumentException) as excinfo:
        mock.kinesis.create_stream("p", distribution="AUTO")
    assert excinfo.value.message == ("RecordDistributionStrategy AUTO is not supported for stream p under account "
                                     "123456789012 because it is not in On-Demand mode.")


def test_concurrent_auto_producers_lose_nothing_and_stay_even(mock) -> None:
    import threading

    import boto3

    client = boto3.client("kinesis", region_name="us-east-1")
    client.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"},
                         RecordDistributionStrategy="AUTO")

    def produce(worker: int) -> None:
        for batch in range(25):
            client.put_records(StreamName="s", Records=[{"Data": b"%d-%d-%d" % (worker, batch, i)} for i in range(10)])

    threads = [threading.Thread(target=produce, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = mock.kinesis.records("s")
    assert len(stored) == len({r.data for r in stored}) == 8 * 25 * 10
    assert sorted(Counter(r.shard_id for r in stored).values()) == [500, 500, 500, 500]
