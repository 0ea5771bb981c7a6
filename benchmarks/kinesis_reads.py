"""Case 3: reads. ``GetRecords`` (Limit 1,000) from ``TRIM_HORIZON`` and from
``AT_SEQUENCE_NUMBER`` 90% deep into a one-shard stream of 1M records, next to the same
call on a 10k-record shard and the canned floor (a fixed 1,000-record body). The cost
should depend on the records returned, not on the shard's size. No moto column: filling
a 1M-record shard in moto takes hours (quadratic puts)."""
from __future__ import annotations

import base64
import os
from typing import Any

import boto3

from mock_putrecord import mock_putrecord

from .common import REGION, Config, Row, interleaved, median
from .kinesis_put import floor_client

LIMIT = 1000


def _fill(mock: Any, name: str, size: int) -> list[int]:
    """Store ``size`` 100-byte records; returns their sequence numbers."""
    backend = mock.kinesis.backend()
    mock.kinesis.create_stream(name, shard_count=1)
    data = [os.urandom(100) for _ in range(500)]
    sequences: list[int] = []
    for first in range(0, size, 500):
        entries = [(data[i], f"k{i}", None) for i in range(min(500, size - first))]
        _, results = backend.put_records(name, None, entries)
        sequences.extend(sequence for _, sequence, _, _ in results)
    return sequences


def _records_body(count: int) -> bytes:
    data = base64.b64encode(os.urandom(100)).decode()
    record = ('{"SequenceNumber":"49651234567890123456789012345678901234567890123456789012",'
              '"ApproximateArrivalTimestamp":1.7e9,"Data":"%s","PartitionKey":"k1"}' % data)
    return ('{"Records":[%s],"NextShardIterator":"AAAA","MillisBehindLatest":0}'
            % ",".join([record] * count)).encode()


def run(config: Config) -> list[Row]:
    big = config.pick(1_000_000, 1_000_000, 20_000)
    small = config.pick(10_000, 10_000, 2_000)
    rounds = config.pick(30, 15, 3)
    with mock_putrecord(region=REGION) as mock:
        big_sequences = _fill(mock, "big", big)
        _fill(mock, "small", small)
        client = boto3.client("kinesis", region_name=REGION)
        floor = floor_client(_records_body(LIMIT))
        shard = "shardId-000000000000"

        def iterator(stream: str, **extra: Any) -> str:
            return client.get_shard_iterator(StreamName=stream, ShardId=shard, **extra)["ShardIterator"]

        deep = iterator("big", ShardIteratorType="AT_SEQUENCE_NUMBER",
                        StartingSequenceNumber=str(big_sequences[int(big * 0.9)]))
        head = iterator("big", ShardIteratorType="TRIM_HORIZON")
        small_head = iterator("small", ShardIteratorType="TRIM_HORIZON")
        first = client.get_records(ShardIterator=deep, Limit=LIMIT)["Records"][0]
        assert first["SequenceNumber"] == str(big_sequences[int(big * 0.9)])
        times = interleaved({
            "trim": lambda: client.get_records(ShardIterator=head, Limit=LIMIT),
            "deep": lambda: client.get_records(ShardIterator=deep, Limit=LIMIT),
            "small": lambda: client.get_records(ShardIterator=small_head, Limit=LIMIT),
            "floor": lambda: floor.get_records(ShardIterator="AAAA", Limit=LIMIT),
            "iter_deep": lambda: iterator("big", ShardIteratorType="AT_SEQUENCE_NUMBER",
                                          StartingSequenceNumber=str(big_sequences[-1000])),
        }, rounds)
    ms = {name: median(values) * 1e3 for name, values in times.items()}
    rows = []
    for key, label in (("trim", f"TRIM_HORIZON, {big:,}-record shard"),
                       ("deep", f"AT_SEQUENCE_NUMBER at 90%, {big:,}-record shard")):
        versus_small = ms[key] / ms["small"]
        rows.append(Row(
            case="3. GetRecords (1,000 records)", measure=label, unit="ms/call", mock=ms[key], floor=ms["floor"],
            ratio=versus_small, ratio_label=f"cost vs same call on a {small:,}-record shard",
            target="O(records returned): ~1.0x", met=versus_small <= 1.25,
            note=f"{small:,}-record shard: {ms['small']:.2f} ms; GetShardIterator deep: {ms['iter_deep']:.2f} ms; "
                 f"throughput vs floor {ms['floor'] / ms[key]:.2f}x",
            extra={"small_ms": ms["small"], "iterator_ms": ms["iter_deep"]},
        ))
    return rows
