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
