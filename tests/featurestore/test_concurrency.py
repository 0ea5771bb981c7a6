"""Concurrent producers: no lost offline rows, and the online record is the one with the
greatest EventTime whatever the interleaving."""
from __future__ import annotations

import random
import threading
from typing import Any

import boto3

from mock_putrecord import MockPutRecord

from .conftest import RAW, record


def test_concurrent_puts_of_one_identifier(mock: MockPutRecord, create_group: Any) -> None:
    create_group(offline=True)
    threads_count, per_thread = 8, 40
    # Every (thread, index) pair gets a distinct second of 2024, in shuffled order.
    seconds = list(range(threads_count * per_thread))
    random.Random(7).shuffle(seconds)
    barrier = threading.Barrier(threads_count)
    failures: list[BaseException] = []

    def producer(chunk: list[int]) -> None:
        client = boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1", config=RAW)
        barrier.wait()
        try:
            for second in chunk:
                minute, sec = divmod(second, 60)
                hour, minute = divmod(minute, 60)
                stamp = f"2024-01-01T{hour:02d}:{minute:02d}:{sec:02d}Z"
                client.put_record(FeatureGroupName="fs-main", Record=record(event_time=stamp, age=str(second)))
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    chunks = [seconds[number::threads_count] for number in range(threads_count)]
    threads = [threading.Thread(target=producer, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(mock.featurestore.offline_rows("fs-main")) == threads_count * per_thread
    latest = max(seconds)
    assert mock.featurestore.online_record("fs-main", "c1")["age"] == str(latest)  # type: ignore[index]
