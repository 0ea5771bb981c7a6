"""Stream lifecycle: create, describe, list, delete, retention, tags, modes."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .conftest import error_of

THREE_SHARD_RANGES = [
    ("0", "113427455640312821154458202477256070484"),
    ("113427455640312821154458202477256070485", "226854911280625642308916404954512140969"),
    ("226854911280625642308916404954512140970", "340282366920938463463374607431768211455"),
]


def test_create_stream_splits_the_hash_space_evenly(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=3)
    kinesis.get_waiter("stream_exists").wait(StreamName="s")
    description = kinesis.describe_stream(StreamName="s")["StreamDescription"]
    assert description["StreamStatus"] == "ACTIVE"
    assert description["HasMoreShards"] is False
    assert description["RetentionPeriodHours"] == 24
    ranges = [(s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"]) for s in description["Shards"]]
    assert ranges == THREE_SHARD_RANGES
    assert [s["ShardId"] for s in description["Shards"]] == [f"shardId-00000000000{i}" for i in range(3)]
    for shard in description["Shards"]:
        assert len(shard["SequenceNumberRange"]["StartingSequenceNumber"]) == 56
        assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]


def test_adjacent_starting_sequence_numbers_differ_by_the_shard_fields(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=2)
    shards = kinesis.list_shards(StreamName="s")["Shards"]
    first, second = (int(s["SequenceNumberRange"]["StartingSequenceNumber"]) for s in shards)
    assert second - first == 22300745198530623141535718272648361505980432


def test_on_demand_stream_starts_with_four_shards(kinesis) -> None:
    kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert summary["OpenShardCount"] == 4


def test_duplicate_stream_is_resource_in_use(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    assert error_of(excinfo) == ("ResourceInUseException", "Stream s under account 123456789012 already exists.", 400)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"StreamName": "s", "ShardCount": 0}, "1 validation error detected: Value '0' at 'shardCount' failed to "
         "satisfy constraint: Member must have value greater than or equal to 1"),
        ({"StreamName": "bad/name", "ShardCount": 1}, "1 validation error detected: Value 'bad/name' at 'streamName' "
         "failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
        ({"StreamName": "s", "StreamModeDetails": {"StreamMode": "PROVISIONED"}}, "1 validation error "
         "detected: Value null at 'shardCount' failed to satisfy constraint: Member must not be null"),
    ],
)
def test_create_stream_validation(raw_kinesis, params, message) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_stream(**params)
    assert error_of(excinfo) == ("ValidationException", message, 400)


def test_create_stream_without_shard_count_or_mode_is_on_demand_with_four_shards(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s")
    summary = raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert (summary["StreamModeDetails"], summary["OpenShardCount"]) == ({"StreamMode": "ON_DEMAND"}, 4)


def test_shard_quota_is_enforced(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="big", ShardCount=10000)
    raw_kinesis.create_stream(StreamName="big2", ShardCount=9999)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_stream(StreamName="more", ShardCount=2)
    code, message, _ = error_of(excinfo)
    assert code == "LimitExceededException"
    assert message.startswith("This request would exceed the shard limit for the account 123456789012 in us-east-1. "
                              "Current shard count for the account: 19999. Limit: 20000. Number of additional "
                              "shards that would have resulted from this request: 2.")
    assert raw_kinesis.describe_limits()["ShardLimit"] == 20000


@pytest.mark.parametrize(("region", "quota"), [("us-east-1", 20000), ("us-west-2", 20000), ("eu-west-1", 20000),
                                               ("eu-central-1", 6000), ("ap-southeast-2", 6000)])
def test_default_shard_quota_by_region(mock, region, quota) -> None:
    import boto3

    client = boto3.client("kinesis", region_name=region)
    assert client.describe_limits()["ShardLimit"] == quota


def test_list_streams_is_sorted_and_pages(kinesis) -> None:
    for name in ("b", "a", "c"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    page = kinesis.list_streams(Limit=2)
    assert (page["StreamNames"], page["HasMoreStreams"]) == (["a", "b"], True)
    rest = kinesis.list_streams(NextToken=page["NextToken"])
    assert (rest["StreamNames"], rest["HasMoreStreams"]) == (["c"], False)
    assert kinesis.list_streams(ExclusiveStartStreamName="a")["StreamNames"] == ["b", "c"]


def test_list_shards_pages_with_next_token(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=3)
    first = kinesis.list_shards(StreamName="s", MaxResults=2)
    assert [s["ShardId"] for s in first["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    second = kinesis.list_shards(NextToken=first["NextToken"])
    assert [s["ShardId"] for s in second["Shards"]] == ["shardId-000000000002"]
    assert "NextToken" not in second


def test_list_shards_needs_a_stream_or_a_token(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.list_shards()
    assert error_of(excinfo) == ("InvalidArgumentException", "Either NextToken or StreamName should be provided.", 400)


def test_delete_stream_forgets_it(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    raw_kinesis.delete_stream(StreamName="s")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.describe_stream(StreamName="s")
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream s under account 123456789012 not found.", 400)


def test_retention_increase_and_decrease(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    raw_kinesis.increase_stream_retention_period(StreamName="s", RetentionPeriodHours=48)
    assert raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["RetentionPeriodHours"] == 48
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.increase_stream_retention_period(StreamName="s", RetentionPeriodHours=30)
    assert error_of(excinfo)[1] == ("Requested retention period (30 hours) for stream s can not be shorter than "
                                    "existing retention period (48 hours). Use DecreaseRetentionPeriod API.")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.decrease_stream_retention_period(StreamName="s", RetentionPeriodHours=12)
    assert error_of(excinfo) == ("InvalidArgumentException", "Minimum allowed retention period is 24 hours. "
                                 "Requested retention period (12 hours) is too short.", 400)
    raw_kinesis.decrease_stream_retention_period(StreamName="s", RetentionPeriodHours=24)


def test_tags_add_list_remove(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.add_tags_to_stream(StreamName="s", Tags={"team": "data", "env": "test"})
    tags = kinesis.list_tags_for_stream(StreamName="s")
    assert tags["Tags"] == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "data"}]
    assert tags["HasMoreTags"] is False
    kinesis.remove_tags_from_stream(StreamName="s", TagKeys=["env"])
    assert kinesis.list_tags_for_stream(StreamName="s")["Tags"] == [{"Key": "team", "Value": "data"}]


def test_unimplemented_operation_names_itself(raw_kinesis, monkeypatch: pytest.MonkeyPatch) -> None:
    from mock_putrecord.kinesis.responses import OPERATIONS

    # Every Kinesis operation is modelled: take one away to see the answer.
    monkeypatch.delitem(OPERATIONS, "ListChannels")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.list_channels()
    code, message, status = error_of(excinfo)
    assert (code, status) == ("NotImplemented", 501)
    assert message.startswith("mock_putrecord does not implement the Kinesis operation ListChannels.")
