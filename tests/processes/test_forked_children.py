"""Forked children (``ProcessPoolExecutor``, ``multiprocessing`` with fork, ``os.fork``)
write into the parent's state: at once, in order, nothing lost."""
from __future__ import annotations

import base64
import concurrent.futures
import multiprocessing
import os
import sys
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from mock_putrecord import MockConfigurationError, MockPutRecord, UnmockedRequestError, mock_putrecord

from . import producers
from .conftest import loopback_servers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")
FORK = multiprocessing.get_context("fork") if hasattr(os, "fork") else None


def _loopback_only(connections: list[Any]) -> None:
    """Every connection the child opened went to this process's loopback server."""
    servers = {tuple(address.rsplit(":", 1)) for address in loopback_servers()}
    assert connections, "the child made no request at all"
    assert {(host, str(port)) for host, port in connections} <= servers, connections


def test_process_pool_kinesis_producers_write_every_record_in_order(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("orders", 3)
    jobs = [("orders", f"producer-{n}", 10) for n in range(4)]

    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=FORK) as pool:
        results = list(pool.map(producers.kinesis_producer, jobs))

    assert {result["pid"] for result in results}.isdisjoint({os.getpid()})
    records = mock.kinesis.records("orders")
    assert len(records) == 80
    # What each child was told is exactly what the parent stores.
    answered = {seq: shard for result in results for shard, seq in result["answers"]}
    assert {str(r.sequence_number): r.shard_id for r in records} == answered
    assert all(result["failed"] == 0 for result in results)
    for shard_id, shard_records in mock.kinesis.records_by_shard("orders").items():
        numbers = [r.sequence_number for r in shard_records]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), shard_id
    # Each producer's records, in its own order (one partition key: one shard).
    for _, key, _ in jobs:
        mine = [r.data for r in records if r.partition_key == key]
        assert mine == [f"{key}:{i}".encode() for i in range(20)]
        assert len({r.shard_id for r in records if r.partition_key == key}) == 1
    for result in results:
        _loopback_only(result["connections"])
    assert len(loopback_servers()) == 1


def test_writes_from_a_forked_child_are_visible_in_the_parent_at_once(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("events", 1)
    reader, writer = FORK.Pipe(duplex=False)
    resume_reader, resume_writer = FORK.Pipe(duplex=False)

    def child() -> None:
        client = boto3.client("kinesis", region_name="us-east-1")
        for index in range(3):
            client.put_record(StreamName="events", Data=b"%d" % index, PartitionKey="k")
            writer.send(index)
            resume_reader.recv()

    process = FORK.Process(target=child)
    process.start()
    try:
        for index in range(3):
            assert reader.recv() == index
            assert mock.kinesis.data("events") == [b"%d" % i for i in range(index + 1)]
            resume_writer.send(True)
    finally:
        process.join(30)
    assert process.exitcode == 0


def test_every_service_is_shared_with_forked_children(mock: MockPutRecord) -> None:
    mock.featurestore.create_feature_group(
        "customers", record_identifier="customer_id", event_time="event_time",
        features={"customer_id": "String", "event_time": "String"},
    )
    mock.v3io.create_stream("bigdata", "children/stream", shard_count=1)

    with FORK.Pool(2) as pool:
        stored = pool.map(producers.featurestore_producer, [("customers", ["c1", "c2"]), ("customers", ["c3"])])
        sent = pool.map(producers.v3io_producer, [("a", 3), ("b", 2)])

    assert mock.featurestore.online_count("customers") == 3
    assert [result["read"] for result in stored] == [
        [[{"FeatureName": "customer_id", "ValueAsString": c}] for c in customers] for customers in (["c1", "c2"], ["c3"])
    ]
    assert mock.featurestore.online_record("customers", "c3") == {"customer_id": "c3", "event_time": "2024-01-01T00:00:00Z"}
    assert [result["status"] for result in sent] == [200, 200]
    assert [result["body"]["FailedRecordCount"] for result in sent] == [0, 0]
    data = sorted(base64.b64decode(r.data).decode() if isinstance(r.data, str) else r.data.decode()
                  for r in mock.v3io.records("bigdata", "children/stream", 0))
    assert data == ["a:0", "a:1", "a:2", "b:0", "b:1"]
    for result in stored + sent:
        _loopback_only(result["connections"])


def test_errors_reach_the_child_exactly_and_faults_are_the_parents(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("orders", 1)
    mock.faults.fail_next("kinesis", "PutRecord", "ServiceUnavailable", message="Down for a while", status=503)
    no_retries = {"retries": {"total_max_attempts": 1}}

    def child(queue: Any) -> None:
        from botocore.config import Config

        client = boto3.client("kinesis", region_name="us-east-1", config=Config(**no_retries))
        outcome = []
        for stream in ("orders", "missing"):
            try:
                client.put_record(StreamName=stream, Data=b"x", PartitionKey="k")
                outcome.append("ok")
            except ClientError as error:
                outcome.append((error.response["Error"]["Code"], error.response["Error"]["Message"],
                                error.response["ResponseMetadata"]["HTTPStatusCode"]))
        queue.put(outcome)

    queue = FORK.Queue()
    process = FORK.Process(target=child, args=(queue,))
    process.start()
    outcome = queue.get(timeout=30)
    process.join(30)

    assert outcome == [
        ("ServiceUnavailable", "Down for a while", 503),
        ("ResourceNotFoundException", "Stream missing under account 123456789012 not found.", 400),
    ]
    assert [(c.operation, c.error_code, c.injected) for c in mock.faults.calls] == [
        ("PutRecord", "ServiceUnavailable", True),
        ("PutRecord", "ResourceNotFoundException", False),
    ]
    assert mock.kinesis.data("orders") == []


def test_the_views_refuse_in_a_forked_child(mock: MockPutRecord) -> None:
    def child(queue: Any) -> None:
        messages = []
        for name in ("kinesis", "featurestore", "v3io", "faults"):
            try:
                getattr(mock, name)
                messages.append(None)
            except MockConfigurationError as error:
                messages.append(str(error))
        queue.put(messages)

    queue = FORK.Queue()
    process = FORK.Process(target=child, args=(queue,))
    process.start()
    messages = queue.get(timeout=30)
    process.join(30)

    url = f"http://{loopback_servers()[0]}"
    assert messages == [
        f"mock.{name} is not available in a process forked while a mock was active: this process "
        f"sends its requests to the parent's mock (at {url}) and cannot see its state. Inspect the "
        "state in the parent, or use boto3 in the child."
        for name in ("kinesis", "featurestore", "v3io", "faults")
    ]


def test_a_child_that_outlives_the_activation_gets_a_clear_error_not_a_hang() -> None:
    resume_reader, resume_writer = FORK.Pipe(duplex=False)
    queue = FORK.Queue()

    def child() -> None:
        client = boto3.client("kinesis", region_name="us-east-1")
        resume_reader.recv()
        try:
            client.list_streams()
            queue.put("answered")
        except UnmockedRequestError as error:
            queue.put(str(error))

    with mock_putrecord():
        process = FORK.Process(target=child)
        process.start()
        url = f"http://{loopback_servers()[0]}"
    resume_writer.send(True)
    message = queue.get(timeout=30)
    process.join(30)

    assert message.startswith(
        "mock_putrecord: this process was forked from one whose mock answers its requests, but the "
        f"parent's server at {url} did not answer POST "
    )
    assert message.endswith("Has the parent's activation ended before this process finished?")


def test_grandchildren_share_the_same_state(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("family", 1)

    def grandchild() -> None:
        boto3.client("kinesis", region_name="us-east-1").put_record(StreamName="family", Data=b"grandchild", PartitionKey="k")

    def child() -> None:
        boto3.client("kinesis", region_name="us-east-1").put_record(StreamName="family", Data=b"child", PartitionKey="k")
        process = FORK.Process(target=grandchild)
        process.start()
        process.join(30)
        sys.exit(process.exitcode)

    process = FORK.Process(target=child)
    process.start()
    process.join(30)

    assert process.exitcode == 0
    assert mock.kinesis.data("family") == [b"child", b"grandchild"]
    assert len(loopback_servers()) == 1


def test_a_lock_another_thread_held_at_the_fork_does_not_hang_the_child(mock: MockPutRecord) -> None:
    import threading

    from mock_putrecord.core import activation

    mock.kinesis.create_stream("orders", 1)
    held, release = threading.Event(), threading.Event()

    def hold_the_activation_lock() -> None:
        with activation._lock:
            held.set()
            release.wait(30)

    def child() -> None:
        with mock_putrecord():  # a nested start takes the activation lock
            boto3.client("kinesis", region_name="us-east-1").put_record(StreamName="orders", Data=b"x", PartitionKey="k")

    holder = threading.Thread(target=hold_the_activation_lock)
    holder.start()
    held.wait(30)
    try:
        process = FORK.Process(target=child)
        process.start()
        process.join(30)
    finally:
        release.set()
        holder.join(30)
    assert process.exitcode == 0
    assert mock.kinesis.data("orders") == [b"x"]
