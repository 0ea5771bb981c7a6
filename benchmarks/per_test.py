"""Case 2: per-test overhead. One cycle = activate, create a client, create a stream, put
one record, stop; mock_putrecord's ``with mock_putrecord()`` against moto's
``with mock_aws()``, alternating in blocks, median cycle."""
from __future__ import annotations

import boto3

from mock_putrecord import mock_putrecord

from .common import REGION, Config, Row, median, timed

RECORD = [{"Data": b"hello", "PartitionKey": "alice"}]


def cycle_mock() -> None:
    with mock_putrecord():
        client = boto3.client("kinesis", region_name=REGION)
        client.create_stream(StreamName="per-test", ShardCount=1)
        client.put_records(StreamName="per-test", Records=RECORD)


def cycle_moto() -> None:
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("kinesis", region_name=REGION)
        client.create_stream(StreamName="per-test", ShardCount=1)
        client.put_records(StreamName="per-test", Records=RECORD)


def run(config: Config) -> list[Row]:
    cycles = config.pick(200, 200, 10)
    moto_cycles = config.pick(200, 40, 4)
    blocks = min(10, moto_cycles)
    cycle_mock(), cycle_moto()  # warm-up: imports, model loading
    mock_times: list[float] = []
    moto_times: list[float] = []
    for _ in range(blocks):
        for _ in range(cycles // blocks):
            mock_times.append(timed(cycle_mock))
        for _ in range(moto_cycles // blocks):
            moto_times.append(timed(cycle_moto))
    mock_ms, moto_ms = median(mock_times) * 1e3, median(moto_times) * 1e3
    factor = moto_ms / mock_ms
    return [
        Row(case="2. Per-test overhead", measure=f"activate+client+create+put 1+stop ({cycles} cycles)",
            unit="ms/test", mock=mock_ms, moto=moto_ms, ratio=mock_ms, ratio_label="ms per test",
            target="<= 5 ms", met=mock_ms <= 5.0,
            note=f"moto: {len(moto_times)} cycles; min mock {min(mock_times) * 1e3:.2f} ms",
            extra={"mock_min_ms": min(mock_times) * 1e3, "moto_min_ms": min(moto_times) * 1e3}),
        Row(case="2. Per-test overhead", measure="moto / mock", unit="x", mock=None, moto=None,
            ratio=factor, ratio_label="times lower than moto", target=">= 15x", met=factor >= 15),
    ]
