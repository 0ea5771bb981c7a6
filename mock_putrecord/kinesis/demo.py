"""The Kinesis part of ``python -m mock_putrecord demo``: a producer and a consumer
through unchanged boto3, against the active mock."""
from __future__ import annotations

import json
from collections import Counter
from typing import Callable

import boto3


def run(out: Callable[[str], None], region: str = "us-east-1") -> None:
    """Create a 4-shard stream, produce clicks for several users, read every shard back."""
    client = boto3.client("kinesis", region_name=region)
    client.create_stream(StreamName="clickstream", ShardCount=4)
    client.get_waiter("stream_exists").wait(StreamName="clickstream")

    users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    events = [{"user": users[i % len(users)], "page": f"/item/{i}"} for i in range(64)]
    batch = [{"Data": json.dumps(e).encode(), "PartitionKey": e["user"]} for e in events[:48]]
    response = client.put_records(StreamName="clickstream", Records=batch)
    out(f"PutRecords: {len(batch)} records, FailedRecordCount={response['FailedRecordCount']}")
    for event in events[48:]:
        client.put_record(StreamName="clickstream", Data=json.dumps(event).encode(), PartitionKey=event["user"])
    out(f"PutRecord:  {len(events) - len(batch)} more records, one call each")

    out("")
    out("Consumer (TRIM_HORIZON on every shard):")
    total = 0
    for shard in client.list_shards(StreamName="clickstream")["Shards"]:
        iterator = client.get_shard_iterator(
            StreamName="clickstream", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = client.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        total += len(records)
        keys = Counter(r["PartitionKey"] for r in records)
        start = int(shard["HashKeyRange"]["StartingHashKey"])
        out(
            f"  {shard['ShardId']}  hash from {start / 2**128:4.0%}  {len(records):3d} records  "
            + ", ".join(f"{k}×{n}" for k, n in sorted(keys.items()))
        )
        if records:
            first, last = records[0]["SequenceNumber"], records[-1]["SequenceNumber"]
            out(f"      sequence numbers {first[:12]}…{first[-6:]} .. …{last[-6:]} (56 digits, increasing)")
    out(f"Read back {total} of {len(events)} records; each user's clicks stayed on one shard, in order.")
