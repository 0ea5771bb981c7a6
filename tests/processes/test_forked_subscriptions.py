"""SubscribeToShard from a forked child: the parent's server streams the events and the
child reads each one as it comes, not when the subscription ends."""
from __future__ import annotations

import multiprocessing
import os

import boto3
import pytest

from mock_putrecord import MockPutRecord

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
FORK = multiprocessing.get_context("fork") if hasattr(os, "fork") else None


def test_a_forked_child_reads_a_live_subscription(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("events", 1)
    parent = boto3.client("kinesis", region_name="us-east-1")
    stream_arn = parent.describe_stream_summary(StreamName="events")["StreamDescriptionSummary"]["StreamARN"]
    consumer = parent.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["Consumer"]["ConsumerARN"]
    parent.put_record(StreamName="events", Data=b"before", PartitionKey="k")
    assert FORK is not None
    reader, writer = FORK.Pipe(duplex=False)
    resume_reader, resume_writer = FORK.Pipe(duplex=False)

    def child() -> None:
        client = boto3.client("kinesis", region_name="us-east-1")
        events = client.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                           StartingPosition={"Type": "TRIM_HORIZON"})["EventStream"]
        for event in events:
            data = [r["Data"] for r in event["SubscribeToShardEvent"]["Records"]]
            writer.send(data)
            if data == [b"during"]:
                break
            resume_reader.recv()
        events.close()

    process = FORK.Process(target=child)
    process.start()
    try:
        assert reader.poll(60) and reader.recv() == [b"before"]
        parent.put_record(StreamName="events", Data=b"during", PartitionKey="k")
        resume_writer.send(True)
        assert reader.poll(60) and reader.recv() == [b"during"]
    finally:
        process.join(30)
    assert process.exitcode == 0
