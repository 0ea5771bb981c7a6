"""SplitShard, MergeShards and UpdateShardCount: lineage, closed ranges, routing."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .conftest import error_of

HALF = str(2**127)


def test_split_closes_parent_and_routes_to_children(kinesis, mock) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.put_record(StreamName="s", Data=b"before", PartitionKey="a")
    kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey=HALF)
    shards = kinesis.list_shards(StreamName="s")["Shards"]
    assert [s["ShardId"] for s in shards] == ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]
    assert "EndingSequenceNumber" in shards[0]["SequenceNumberRange"]
    assert shards[1]["ParentShardId"] == shards[2]["ParentShardId"] == "shardId-000000000000"
    assert shards[1]["HashKeyRange"]["EndingHashKey"] == str(2**127 - 1)
    assert shards[2]["HashKeyRange"]["StartingHashKey"] == HALF
    response = kinesis.put_record(StreamName="s", Data=b"after", PartitionKey="a", ExplicitHashKey=str(2**128 - 1))
    assert response["ShardId"] == "shardId-000000000002"
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["OpenShardCount"] == 2


def test_reading_a_closed_parent_ends_with_child_shards(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    kinesis.put_record(StreamName="s", Data=b"before", PartitionKey="a")
    kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey=HALF)
    iterator = kinesis.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    response = kinesis.get_records(ShardIterator=iterator)
    assert [r["Data"] for r in response["Records"]] == [b"before"]
    assert "NextShardIterator" not in response
    assert [c["ShardId"] for c in response["ChildShards"]] == ["shardId-000000000001", "shardId-000000000002"]


def test_split_key_must_be_inside_the_range(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.split_shard(StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey="1")
    assert error_of(excinfo)[1] == (
        "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream s under account "
        "123456789012 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's "
        "EndingHashKey 340282366920938463463374607431768211455.")


def test_merge_adjacent_shards(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=2)
    kinesis.merge_shards(StreamName="s", ShardToMerge="shardId-000000000000",
                         AdjacentShardToMerge="shardId-000000000001")
    child = kinesis.list_shards(StreamName="s")["Shards"][-1]
    assert child["ShardId"] == "shardId-000000000002"
    assert (child["ParentShardId"], child["AdjacentParentShardId"]) == ("shardId-000000000000", "shardId-000000000001")
    assert child["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2**128 - 1)}


def test_merge_non_adjacent_shards_is_rejected(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=3)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.merge_shards(StreamName="s", ShardToMerge="shardId-000000000000",
                                 AdjacentShardToMerge="shardId-000000000002")
    assert error_of(excinfo)[1] == ("Shards shardId-000000000000 and shardId-000000000002 in stream s under account "
                                    "123456789012 are not an adjacent pair of shards eligible for merging")


def test_update_shard_count_uniform_scaling(kinesis) -> None:
    kinesis.create_stream(StreamName="s", ShardCount=2)
    response = kinesis.update_shard_count(StreamName="s", TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    assert (response["CurrentShardCount"], response["TargetShardCount"]) == (2, 4)
    open_shards = kinesis.list_shards(StreamName="s", ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert len(open_shards) == 4
    assert open_shards[0]["HashKeyRange"]["StartingHashKey"] == "0"
    assert open_shards[-1]["HashKeyRange"]["EndingHashKey"] == str(2**128 - 1)


def test_split_or_merge_of_a_shard_already_split_is_refused(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="test", ShardCount=2)
    raw_kinesis.split_shard(StreamName="test", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126))
    message = ("Shard shardId-000000000000 in stream test under account 123456789012 has already been merged or "
               "split, and thus is not eligible for merging or splitting.")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.split_shard(StreamName="test", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**125))
    assert error_of(excinfo) == ("InvalidArgumentException", message, 400)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.merge_shards(StreamName="test", ShardToMerge="shardId-000000000000",
                                 AdjacentShardToMerge="shardId-000000000001")
    assert error_of(excinfo) == ("InvalidArgumentException", message, 400)


def test_merge_of_a_shard_already_merged_is_refused(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="test", ShardCount=3)
    raw_kinesis.merge_shards(StreamName="test", ShardToMerge="shardId-000000000000",
                             AdjacentShardToMerge="shardId-000000000001")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.merge_shards(StreamName="test", ShardToMerge="shardId-000000000001",
                                 AdjacentShardToMerge="shardId-000000000002")
    assert error_of(excinfo) == ("InvalidArgumentException", "Shard shardId-000000000001 in stream test under account "
                                 "123456789012 has already been merged or split, and thus is not eligible for "
                                 "merging or splitting.", 400)


def test_missing_shard_is_still_not_found(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="test", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.split_shard(StreamName="test", ShardToSplit="shardId-000000000007", NewStartingHashKey=HALF)
    assert error_of(excinfo) == ("ResourceNotFoundException", "Could not find shard shardId-000000000007 in stream "
                                 "test under account 123456789012.", 400)


@pytest.mark.parametrize("call", [
    lambda c: c.update_shard_count(StreamName="od", TargetShardCount=5, ScalingType="UNIFORM_SCALING"),
    lambda c: c.split_shard(StreamName="od", ShardToSplit="shardId-000000000000", NewStartingHashKey="10"),
    lambda c: c.merge_shards(StreamName="od", ShardToMerge="shardId-000000000000",
                             AdjacentShardToMerge="shardId-000000000001"),
], ids=["UpdateShardCount", "SplitShard", "MergeShards"])
def test_resharding_an_on_demand_stream_is_a_validation_error(raw_kinesis, call) -> None:
    raw_kinesis.create_stream(StreamName="od", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    with pytest.raises(ClientError) as excinfo:
        call(raw_kinesis)
    assert error_of(excinfo) == ("ValidationException", "Request is invalid. Stream od under account 123456789012 is "
                                 "in On-Demand mode.", 400)
    assert len(raw_kinesis.list_shards(StreamName="od")["Shards"]) == 4


@pytest.mark.parametrize(("initial", "target", "total"),
                         [(2, 4, 6), (4, 5, 15), (10, 13, 37), (4, 2, 6), (5, 3, 7), (3, 3, 3)])
def test_uniform_scaling_reaches_aws_totals_with_a_real_lineage(raw_kinesis, initial, target, total) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=initial)
    response = raw_kinesis.update_shard_count(StreamName="s", TargetShardCount=target, ScalingType="UNIFORM_SCALING")
    assert (response["StreamName"], response["CurrentShardCount"], response["TargetShardCount"]) == ("s", initial, target)
    shards = raw_kinesis.list_shards(StreamName="s")["Shards"]
    assert len(shards) == total
    by_id = {s["ShardId"]: s for s in shards}

    def span(shard: dict) -> tuple[int, int]:
        return int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"])

    for shard in shards:
        parent, adjacent = shard.get("ParentShardId"), shard.get("AdjacentParentShardId")
        if parent is None:
            continue
        assert "EndingSequenceNumber" in by_id[parent]["SequenceNumberRange"]
        if adjacent is None:  # a split child lies inside its parent
            low, high = span(by_id[parent])
            assert low <= span(shard)[0] <= span(shard)[1] <= high
        else:  # a merge child covers exactly its two adjacent parents
            assert span(by_id[parent])[1] + 1 == span(by_id[adjacent])[0]
            assert span(shard) == (span(by_id[parent])[0], span(by_id[adjacent])[1])
    open_shards = sorted((s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]), key=span)
    assert len(open_shards) == target
    assert span(open_shards[0])[0] == 0 and span(open_shards[-1])[1] == 2**128 - 1
    assert all(span(a)[1] + 1 == span(b)[0] for a, b in zip(open_shards, open_shards[1:]))  # no gap, no overlap
    summary = raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == target


def test_uniform_scaling_four_to_five_lineage(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=4)
    raw_kinesis.update_shard_count(StreamName="s", TargetShardCount=5, ScalingType="UNIFORM_SCALING")
    shards = raw_kinesis.list_shards(StreamName="s")["Shards"]
    lineage = [(s["ShardId"][-2:], s.get("ParentShardId", "")[-2:], s.get("AdjacentParentShardId", "")[-2:])
               for s in shards[4:]]
    assert lineage == [
        ("04", "00", ""), ("05", "00", ""), ("06", "01", ""), ("07", "01", ""),
        ("08", "02", ""), ("09", "02", ""), ("10", "03", ""), ("11", "03", ""),
        ("12", "04", "05"), ("13", "06", "07"), ("14", "08", "09"),
    ]


def test_uniform_scaling_counts_its_short_lived_shards_against_the_quota(raw_kinesis, mock) -> None:
    mock.kinesis.backend().shard_quota = 10
    raw_kinesis.create_stream(StreamName="s", ShardCount=6)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_shard_count(StreamName="s", TargetShardCount=7, ScalingType="UNIFORM_SCALING")
    code, message, _ = error_of(excinfo)
    assert code == "LimitExceededException"
    assert "Current shard count for the account: 6. Limit: 10. Number of additional shards that would have " \
           "resulted from this request: 6." in message
    assert len(raw_kinesis.list_shards(StreamName="s")["Shards"]) == 6
