"""Concurrent producers and readers never lose, duplicate or reorder a record.

Kinesis: 8 threads, each with its own boto3 client, put 50,000 records to one 4-shard
stream, mixing PutRecords and PutRecord, while 2 reader threads follow every shard with
GetRecords. The Feature Store: concurrent puts of the same record identifiers. v3io:
concurrent producers and readers through ``requests``. asyncio: 50 aiobotocore producers.
"""
from __future__ import annotations

import asyncio
import base64
import datetime
import random
import threading
import time
from collections import defaultdict
from typing import Any, Callable

import pytest
import requests

from mock_putrecord import MockPutRecord, mock_putrecord

from .conftest import raw_client

SHARDS = 4
THREADS = 8
TOTAL = 50_000
PER_THREAD = TOTAL // THREADS  # 6,250
BATCH = 500
SINGLES = PER_THREAD % BATCH  # 250 PutRecord calls per thread, 12 PutRecords of 500
KEYS_PER_THREAD = 16


def _run_threads(targets: list[Callable[[], None]], timeout: float = 120) -> None:
    """Start every target at once; re-raise the first failure of any thread."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def wrap(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                barrier.wait()
                target()
            except BaseException as error:  # surfaced in the test's thread
                errors.append(error)

        return run

    threads = [threading.Thread(target=wrap(t), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]


# ---------------------------------------------------------------- Kinesis, threads
def _kinesis_producer(worker: int, acks: dict[str, tuple[str, str]]) -> Callable[[], None]:
    """Put PER_THREAD records ``w<worker>:<key>:<n>`` with per-key counters ``n``."""

    def produce() -> None:
        client = raw_client("kinesis")
        counters = [0] * KEYS_PER_THREAD
        rng = random.Random(worker)

        def next_record() -> tuple[str, str]:
            k = rng.randrange(KEYS_PER_THREAD)
            key = f"w{worker}-k{k}"
            data = f"{key}:{counters[k]}"
            counters[k] += 1
            return data, key

        singles, batches = SINGLES, (PER_THREAD - SINGLES) // BATCH
        plan = ["one"] * singles + ["batch"] * batches
        rng.shuffle(plan)
        for step in plan:
            if step == "one":
                data, key = next_record()
                answer = client.put_record(StreamName="s", Data=data.encode(), PartitionKey=key)
                acks[data] = (answer["ShardId"], answer["SequenceNumber"])
                continue
            records = [next_record() for _ in range(BATCH)]
            answer = client.put_records(
                StreamName="s", Records=[{"Data": d.encode(), "PartitionKey": k} for d, k in records])
            assert answer["FailedRecordCount"] == 0
            for (data, _), result in zip(records, answer["Records"]):
                acks[data] = (result["ShardId"], result["SequenceNumber"])

    return produce


def _kinesis_reader(shard_ids: list[str], done: threading.Event, seen: dict[str, list[tuple[int, str]]]) -> Callable[[], None]:
    """Follow every shard from TRIM_HORIZON until the producers are done and caught up."""

    def read() -> None:
        client = raw_client("kinesis")
        iterators = {
            shard: client.get_shard_iterator(StreamName="s", ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for shard in shard_ids
        }
        drained_after_done = False
        while not drained_after_done:
            finished = done.is_set()  # read before the pass: a full pass after it drains all
            empty = True
            for shard in shard_ids:
                answer = client.get_records(ShardIterator=iterators[shard], Limit=10_000)
                iterators[shard] = answer["NextShardIterator"]
                for record in answer["Records"]:
                    empty = False
                    seen[shard].append((int(record["SequenceNumber"]), record["Data"].decode()))
            drained_after_done = finished and empty
            if empty:
                time.sleep(0.002)  # as a real consumer would, rather than spin on the GIL

    return read


def test_kinesis_threads_store_every_record_once_in_order(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("s", shard_count=SHARDS)
    shard_ids = mock.kinesis.shard_ids("s")
    acks: dict[str, tuple[str, str]] = {}
    done = threading.Event()
    reader_views: list[dict[str, list[tuple[int, str]]]] = [defaultdict(list), defaultdict(list)]
    producers = [_kinesis_producer(w, acks) for w in range(THREADS)]

    def producing() -> None:
        _run_threads(producers)
        done.set()

    started = time.perf_counter()
    _run_threads([producing] + [_kinesis_reader(shard_ids, done, view) for view in reader_views])
    elapsed = time.perf_counter() - started

    stored = mock.kinesis.records("s")
    # Every record stored exactly once, and acknowledged where it is stored.
    assert len(stored) == len(acks) == TOTAL
    assert sorted(r.data.decode() for r in stored) == sorted(acks)
    assert {r.data.decode(): (r.shard_id, r.sequence_number) for r in stored} == acks
    # Sequence numbers unique in the stream, strictly increasing per shard.
    assert len({r.sequence_number for r in stored}) == TOTAL
    by_shard = mock.kinesis.records_by_shard("s")
    assert sum(map(len, by_shard.values())) == TOTAL and all(by_shard.values())
    for records in by_shard.values():
        numbers = [int(r.sequence_number) for r in records]
        assert all(a < b for a, b in zip(numbers, numbers[1:]))
        # Per partition key (one producer thread each), the put order is kept.
        counters: dict[str, int] = defaultdict(int)
        for record in records:
            key, n = record.data.decode().rsplit(":", 1)
            assert key == record.partition_key and int(n) == counters[key]
            counters[key] += 1
    # The concurrent readers saw each shard exactly as stored, nothing twice or skipped.
    for view in reader_views:
        for shard, records in by_shard.items():
            assert view[shard] == [(int(r.sequence_number), r.data.decode()) for r in records]
    print(f"\nkinesis: {TOTAL} records by {THREADS} threads + 2 readers in {elapsed:.2f}s")


# ---------------------------------------------------------------- Feature Store, threads
FS_IDS = [f"c{i}" for i in range(5)]
FS_PUTS_PER_THREAD = 60


def _iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def test_featurestore_concurrent_puts_keep_the_latest_event_time_online(mock: MockPutRecord) -> None:
    mock.featurestore.create_feature_group(
        "g", record_identifier="customer_id", event_time="event_time",
        features={"customer_id": "String", "event_time": "String", "writer": "String"},
        offline=True,
    )
    # Every put gets a distinct event time, so "the latest" is unambiguous.
    times = list(range(THREADS * FS_PUTS_PER_THREAD))
    random.Random(7).shuffle(times)
    puts: list[tuple[str, str, str]] = []  # (id, event_time, writer)
    lock = threading.Lock()

    def producer(worker: int) -> Callable[[], None]:
        def produce() -> None:
            client = raw_client("sagemaker-featurestore-runtime")
            rng = random.Random(100 + worker)
            for n in range(FS_PUTS_PER_THREAD):
                identifier = rng.choice(FS_IDS)
                event_time = _iso(1_700_000_000 + times[worker * FS_PUTS_PER_THREAD + n] / 100)
                writer = f"{worker}-{n}"
                client.put_record(FeatureGroupName="g", Record=[
                    {"FeatureName": "customer_id", "ValueAsString": identifier},
                    {"FeatureName": "event_time", "ValueAsString": event_time},
                    {"FeatureName": "writer", "ValueAsString": writer},
                ])
                with lock:
                    puts.append((identifier, event_time, writer))

        return produce

    _run_threads([producer(w) for w in range(THREADS)])
    assert len(puts) == THREADS * FS_PUTS_PER_THREAD
    rows = mock.featurestore.offline_rows("g")
    assert sorted((r["customer_id"], r["event_time"], r["writer"]) for r in rows) == sorted(puts)
    for identifier in FS_IDS:
        mine = [p for p in puts if p[0] == identifier]
        if not mine:
            continue
        latest = max(mine, key=lambda p: p[1])  # same format and length: sorts as time
        online = mock.featurestore.online_record("g", identifier)
        assert online is not None
        assert (online["event_time"], online["writer"]) == latest[1:]


# ---------------------------------------------------------------- v3io, threads
V3IO = "http://v3io-webapi:8081"
V3IO_STREAM = "/bigdata/reliability/stream/"
V3IO_BATCHES = 10
V3IO_BATCH = 100


def _v3io(session: requests.Session, function: str, path: str, body: dict[str, Any]) -> Any:
    response = session.post(V3IO + path, json=body, headers={"X-v3io-function": function, "X-v3io-session-key": "k"})
    assert response.status_code in (200, 204), response.text
    return response.json() if response.content else None


def test_v3io_concurrent_producers_and_readers(mock: MockPutRecord) -> None:
    with requests.Session() as session:
        _v3io(session, "CreateStream", V3IO_STREAM, {"ShardCount": SHARDS, "RetentionPeriodHours": 1})
    acks: dict[str, tuple[int, int]] = {}
    done = threading.Event()
    seen: list[dict[int, list[tuple[int, str]]]] = [defaultdict(list), defaultdict(list)]

    def producer(worker: int) -> Callable[[], None]:
        def produce() -> None:
            counters: dict[str, int] = defaultdict(int)
            rng = random.Random(worker)
            with requests.Session() as session:
                for _ in range(V3IO_BATCHES):
                    batch = []
                    for _ in range(V3IO_BATCH):
                        key = f"w{worker}-k{rng.randrange(8)}"
                        batch.append((f"{key}:{counters[key]}", key))
                        counters[key] += 1
                    answer = _v3io(session, "PutRecords", V3IO_STREAM, {"Records": [
                        {"Data": base64.b64encode(d.encode()).decode(), "PartitionKey": k} for d, k in batch]})
                    assert answer["FailedRecordCount"] == 0
                    for (data, _), result in zip(batch, answer["Records"]):
                        acks[data] = (result["ShardId"], result["SequenceNumber"])

        return produce

    def reader(view: dict[int, list[tuple[int, str]]]) -> Callable[[], None]:
        def read() -> None:
            with requests.Session() as session:
                locations = {
                    shard: _v3io(session, "Seek", f"{V3IO_STREAM}{shard}", {"Type": "EARLIEST"})["Location"]
                    for shard in range(SHARDS)
                }
                drained = False
                while not drained:
                    finished, empty = done.is_set(), True
                    for shard in range(SHARDS):
                        answer = _v3io(session, "GetRecords", f"{V3IO_STREAM}{shard}",
                                       {"Location": locations[shard], "Limit": 1000})
                        locations[shard] = answer["NextLocation"]
                        for record in answer["Records"]:
                            empty = False
                            view[shard].append((record["SequenceNumber"], base64.b64decode(record["Data"]).decode()))
                    drained = finished and empty
                    if empty:
                        time.sleep(0.002)

        return read

    def producing() -> None:
        _run_threads([producer(w) for w in range(THREADS)])
        done.set()

    _run_threads([producing, reader(seen[0]), reader(seen[1])])
    total = THREADS * V3IO_BATCHES * V3IO_BATCH
    stored = mock.v3io.records("bigdata", "reliability/stream")
    assert len(stored) == len(acks) == total
    assert {r.data.decode(): (r.shard_id, r.sequence_number) for r in stored} == acks
    for shard in range(SHARDS):
        mine = [r for r in stored if r.shard_id == shard]
        assert [r.sequence_number for r in mine] == list(range(1, len(mine) + 1))
        counters: dict[str, int] = defaultdict(int)
        for record in mine:
            key, n = record.data.decode().rsplit(":", 1)
            assert key == record.partition_key and int(n) == counters[key]
            counters[key] += 1
        for view in seen:
            assert view[shard] == [(r.sequence_number, r.data.decode()) for r in mine]


# ---------------------------------------------------------------- asyncio, aiobotocore
ASYNC_TASKS = 50
ASYNC_BATCHES = 4
ASYNC_BATCH = 50


async def test_asyncio_50_aiobotocore_producers() -> None:
    aio_session = pytest.importorskip("aiobotocore.session")
    from .conftest import RAW

    async with mock_putrecord(region="us-east-1") as mock:
        mock.kinesis.create_stream("s", shard_count=SHARDS)
        acks: dict[str, tuple[str, str]] = {}
        session = aio_session.get_session()

        async def produce(task: int) -> None:
            async with session.create_client("kinesis", region_name="us-east-1", config=RAW) as client:
                counters: dict[str, int] = defaultdict(int)
                for batch in range(ASYNC_BATCHES):
                    records = []
                    for i in range(ASYNC_BATCH):
                        key = f"t{task}-k{i % 5}"
                        records.append((f"{key}:{counters[key]}", key))
                        counters[key] += 1
                    if batch:  # the first round one PutRecord at a time, then PutRecords
                        answer = await client.put_records(
                            StreamName="s", Records=[{"Data": d.encode(), "PartitionKey": k} for d, k in records])
                        assert answer["FailedRecordCount"] == 0
                        results = answer["Records"]
                    else:
                        results = []
                        for data, key in records:
                            results.append(await client.put_record(StreamName="s", Data=data.encode(), PartitionKey=key))
                            await asyncio.sleep(0)  # interleave with the other tasks
                    for (data, _), result in zip(records, results):
                        acks[data] = (result["ShardId"], result["SequenceNumber"])

        await asyncio.wait_for(asyncio.gather(*(produce(t) for t in range(ASYNC_TASKS))), timeout=120)
        total = ASYNC_TASKS * ASYNC_BATCHES * ASYNC_BATCH
        stored = mock.kinesis.records("s")
        assert len(stored) == len(acks) == total
        assert {r.data.decode(): (r.shard_id, r.sequence_number) for r in stored} == acks
        assert len({r.sequence_number for r in stored}) == total
        for records in mock.kinesis.records_by_shard("s").values():
            numbers = [int(r.sequence_number) for r in records]
            assert all(a < b for a, b in zip(numbers, numbers[1:]))
            counters: dict[str, int] = defaultdict(int)
            for record in records:
                key, n = record.data.decode().rsplit(":", 1)
                assert int(n) == counters[key]
                counters[key] += 1
