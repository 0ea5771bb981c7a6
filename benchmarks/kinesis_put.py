"""Case 1: Kinesis ``put_records`` throughput, 500 records of 100 bytes per batch, into a
4-shard stream holding 10k, 100k and 1M records; mock_putrecord against the canned
floor (the same client with a ``before-send`` handler returning a fixed 500-entry
PutRecords body) and against moto's ``mock_aws``.

Mock and floor alternate in chunks of batches (median chunk); moto runs on its own
afterwards (it cannot be active together with the mock). moto's cost per batch grows with
the stream (quadratic in total), so its sizes are capped: 10k and 100k in a full run,
10k in ``--quick``.
"""
from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from mock_putrecord import mock_putrecord
from mock_putrecord.core import interception

from .common import REGION, Config, Row, collect, median, timed

BATCH = 500
SHARDS = 4
FLOOR_HEADERS = {
    "x-amzn-RequestId": "c5f0d1c4-3b2a-4c1e-9a56-0f6a1d2b3c4d",
    "x-amz-id-2": "a" * 96,
    "Content-Type": "application/x-amz-json-1.1",
}


class _Raw:
    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> list[bytes]:
        return [self.body]


def canned_handler(body: bytes) -> Any:
    """A ``before-send`` handler answering every request with ``body``."""
    headers = dict(FLOOR_HEADERS, **{"Content-Length": str(len(body))})

    def canned(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, headers, _Raw(body))

    return canned


def floor_client(body: bytes) -> Any:
    """A Kinesis client that never reaches the mock: the canned-response floor."""
    client = boto3.client("kinesis", region_name=REGION)
    client.meta.events.unregister("before-send", interception.before_send)
    client.meta.events.unregister("before-send", unique_id="mock_putrecord.before_send")
    client.meta.events.register_first("before-send", canned_handler(body))
    return client


def put_records_body(count: int = BATCH) -> bytes:
    entry = '{"SequenceNumber":"49651234567890123456789012345678901234567890123456789012","ShardId":"shardId-000000000001"}'
    return ('{"FailedRecordCount":0,"Records":[%s]}' % ",".join([entry] * count)).encode()


def batches(distinct: int = 8, size: int = 100) -> list[list[dict[str, Any]]]:
    """``distinct`` prepared batches (cycled): random data, 2,000 distinct partition keys."""
    return [
        [{"Data": os.urandom(size), "PartitionKey": f"user-{(b * BATCH + i) % 2000}"} for i in range(BATCH)]
        for b in range(distinct)
    ]


def _put(client: Any, stream: str, prepared: list[list[dict[str, Any]]], start: int, count: int) -> None:
    put = client.put_records
    for index in range(start, start + count):
        put(StreamName=stream, Records=prepared[index % len(prepared)])


def run(config: Config) -> list[Row]:
    sizes = config.pick([10_000, 100_000, 1_000_000], [10_000, 100_000, 1_000_000], [2_000, 5_000])
    moto_sizes = config.pick([10_000, 100_000], [10_000], [1_000])
    prepared = batches()
    rows: list[Row] = []
    per_size: dict[int, dict[str, float]] = {}
    with mock_putrecord(region=REGION) as mock:
        mocked = boto3.client("kinesis", region_name=REGION)
        floor = floor_client(put_records_body())
        mock.kinesis.create_stream("warm-up", shard_count=SHARDS)
        _put(mocked, "warm-up", prepared, 0, 20)
        _put(floor, "warm-up", prepared, 0, 20)
        for size in sizes:
            stream = f"bench-{size}"
            mock.kinesis.create_stream(stream, shard_count=SHARDS)
            total_batches = size // BATCH
            chunk = max(1, min(20, total_batches // 20))  # at least 20 chunks: a median worth the name
            mock_times, floor_times = [], []
            collect()
            for number, first in enumerate(range(0, total_batches, chunk)):
                count = min(chunk, total_batches - first)
                pair = [
                    (mock_times, lambda: _put(mocked, stream, prepared, first, count)),
                    (floor_times, lambda: _put(floor, stream, prepared, first, count)),
                ]
                for times, func in pair if number % 2 == 0 else pair[::-1]:
                    times.append(timed(func) / count)
            stored = mock.kinesis.stream(stream).record_count
            assert stored == size, (stored, size)  # the floor stored nothing, the mock everything
            tail = max(1, len(mock_times) // 10)
            per_size[size] = {
                "mock_ms": median(mock_times) * 1e3,
                "floor_ms": median(floor_times) * 1e3,
                "mock_tail_ms": median(mock_times[-tail:]) * 1e3,
                "floor_tail_ms": median(floor_times[-tail:]) * 1e3,
                "mock_total_s": sum(mock_times) * chunk,
                "floor_total_s": sum(floor_times) * chunk,
            }
            mock.kinesis.backend().delete_stream(stream, None)
            collect()
    moto_ms: dict[int, float] = {}
    for size in moto_sizes:
        moto_ms[size] = _moto(size, prepared)
    base = per_size[sizes[0]]["mock_ms"]
    for size in sizes:
        figures = per_size[size]
        ratio = figures["floor_ms"] / figures["mock_ms"]
        moto = moto_ms.get(size)
        rows.append(Row(
            case="1. Kinesis put_records", measure=f"{size:,} records, 500/batch", unit="ms/batch",
            mock=figures["mock_ms"], floor=figures["floor_ms"], moto=moto,
            ratio=ratio, ratio_label="throughput vs floor", target=">= 0.85", met=ratio >= 0.85,
            note=("" if moto is not None else "moto not run at this size (quadratic)")
            + (f"; moto {moto / figures['mock_ms']:.0f}x slower" if moto is not None else ""),
            extra=dict(figures, records_per_s=BATCH / figures["mock_ms"] * 1e3),
        ))
    # Judged in floor units (mock cost / floor cost of the interleaved chunks), so a
    # neighbour's load that slows both subjects at one size does not read as growth.
    raw = max(abs(per_size[size]["mock_ms"] / base - 1) for size in sizes)
    relative = {size: per_size[size]["mock_ms"] / per_size[size]["floor_ms"] for size in sizes}
    spread = max(abs(relative[size] / relative[sizes[0]] - 1) for size in sizes)
    largest = per_size[sizes[-1]]
    rows.append(Row(
        case="1. Kinesis put_records", measure=f"cost per batch, {sizes[0]:,} to {sizes[-1]:,}", unit="% change",
        mock=spread * 100, ratio=spread, ratio_label="max deviation from smallest size, in floor units",
        target="within ±15%", met=spread <= 0.15,
        note=f"raw ms/batch deviation {raw * 100:.1f}%; last 10% of the {sizes[-1]:,} run: mock "
             f"{largest['mock_tail_ms']:.2f} ms/batch, floor {largest['floor_tail_ms']:.2f}",
        extra={str(size): per_size[size]["mock_ms"] for size in sizes},
    ))
    return rows


def _moto(size: int, prepared: list[list[dict[str, Any]]]) -> float:
    """moto's milliseconds per batch over ``size`` records (one timed block)."""
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("kinesis", region_name=REGION)
        client.create_stream(StreamName="bench", ShardCount=SHARDS)
        _put(client, "bench", prepared, 0, 2)  # warm-up
        count = size // BATCH
        collect()
        return timed(lambda: _put(client, "bench", prepared, 0, count)) / count * 1e3
