"""SubscribeToShard through the server: an HTTP/1.1 chunked event stream that a boto3
client in another process reads with botocore's own EventStream."""
from __future__ import annotations

import json

from mock_putrecord.server import MockServer

from .conftest import run_python


def test_a_subprocess_boto3_client_reads_a_live_subscription(server: MockServer) -> None:
    kinesis = server.mock.kinesis
    kinesis.create_stream("s")
    kinesis.put("s", [(b"before", "k")])
    out = run_python(f"""
        import json, threading, boto3
        client = boto3.client("kinesis", endpoint_url={server.url!r}, region_name="us-east-1")
        arn = client.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
        consumer = client.register_stream_consumer(StreamARN=arn, ConsumerName="app")["Consumer"]["ConsumerARN"]
        stream = client.subscribe_to_shard(ConsumerARN=consumer, ShardId="shardId-000000000000",
                                           StartingPosition={{"Type": "TRIM_HORIZON"}})["EventStream"]
        seen = []
        for event in stream:
            seen += [r["Data"].decode() for r in event["SubscribeToShardEvent"]["Records"]]
            if seen == ["before"]:
                client.put_record(StreamName="s", Data=b"during", PartitionKey="k")
            if len(seen) == 2:
                stream.close()
                break
        print(json.dumps(seen))
    """)
    assert json.loads(out) == ["before", "during"]
