"""Concurrent producers: no record or sequence number is lost or duplicated."""
from __future__ import annotations

import threading

import requests

from mock_putrecord import MockPutRecord

from .conftest import Call, b64

THREADS = 8
BATCHES = 15
BATCH = 50


def test_concurrent_producers_lose_and_duplicate_nothing(call: Call, mock: MockPutRecord, stream: str) -> None:
    results: list[dict[str, object]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def produce(worker: int) -> None:
        try:
            start.wait()
            with requests.Session() as session:
                for batch in range(BATCHES):
                    records = []
                    for i in range(BATCH):
                        record: dict[str, object] = {"Data": b64(f"{worker}-{batch}-{i}")}
                        if i % 3 == 1:
                            record["PartitionKey"] = f"key-{i}"
                        elif i % 3 == 2:
                            record["ShardId"] = i % 4
                        records.append(record)
                    response = session.post(
                        "http://v3io-webapi:8081" + stream,
                        json={"Records": records},
                        headers={"X-v3io-function": "PutRecords", "X-v3io-session-key": "k"},
                    )
                    with lock:
                        results.append(response.json())
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=produce, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    total = THREADS * BATCHES * BATCH
    acknowledged = [(r["ShardId"], r["SequenceNumber"]) for body in results for r in body["Records"]]  # type: ignore[attr-defined]
    assert len(acknowledged) == len(set(acknowledged)) == total
    stored = mock.v3io.records("bigdata", "test/stream")
    assert sorted(r.data.decode() for r in stored) == sorted(
        f"{w}-{b}-{i}" for w in range(THREADS) for b in range(BATCHES) for i in range(BATCH)
    )
    for shard_id in range(4):
        sequences = [r.sequence_number for r in stored if r.shard_id == shard_id]
        assert sequences == list(range(1, len(sequences) + 1))  # consecutive, no gaps
    assert {(r.shard_id, r.sequence_number) for r in stored} == set(acknowledged)
