"""Case 7: memory held per stored record of 1 KiB (data) put through boto3, measured
with tracemalloc as the growth of traced memory across the puts (after a warm-up batch),
with moto's figure for the same records alongside."""
from __future__ import annotations

import gc
import os
import tracemalloc
from typing import Any

import boto3

from mock_putrecord import mock_putrecord

from .common import REGION, Config, Row

SIZE = 1024


def _held(client: Any, stream: str, records: int) -> float:
    batch = [{"Data": os.urandom(SIZE), "PartitionKey": f"key-{i}"} for i in range(500)]
    client.put_records(StreamName=stream, Records=batch)  # warm-up: caches, first allocations
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(records // 500):
            fresh = [{"Data": os.urandom(SIZE), "PartitionKey": f"key-{i}"} for i in range(500)]
            client.put_records(StreamName=stream, Records=fresh)
        del fresh
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / records


def run(config: Config) -> list[Row]:
    records = config.pick(20_000, 10_000, 1_000)
    with mock_putrecord(region=REGION) as mock:
        mock.kinesis.create_stream("memory", shard_count=4)
        mock_bytes = _held(boto3.client("kinesis", region_name=REGION), "memory", records)
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("kinesis", region_name=REGION)
        client.create_stream(StreamName="memory", ShardCount=4)
        moto_bytes = _held(client, "memory", min(records, 5_000))
    ratio = mock_bytes / SIZE
    return [Row(
        case="7. Memory", measure=f"per stored 1 KiB record ({records:,} records)", unit="bytes",
        mock=mock_bytes, moto=moto_bytes, ratio=ratio, ratio_label="KiB held per 1 KiB record",
        target="<= 1.5 KiB", met=ratio <= 1.5,
    )]
