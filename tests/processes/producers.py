"""Producers that run in child processes (module level, so pools can pickle them).

Each records every socket connection it opens, so a test can check that no request left
the machine: a child of a live activation talks to the parent's loopback server only.
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
from typing import Any, Iterator

import boto3

REGION = "us-east-1"
V3IO_ENDPOINT = "http://v3io-webapi:8081"
V3IO_STREAM = "/bigdata/children/stream/"


@contextlib.contextmanager
def recording_connections() -> Iterator[list[Any]]:
    """Every address a socket of this process connects to, while the block runs."""
    addresses: list[Any] = []
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        addresses.append(address[:2] if isinstance(address, tuple) else address)
        original(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    try:
        yield addresses
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]


def kinesis_producer(job: tuple[str, str, int]) -> dict[str, Any]:
    """PutRecord ``count`` records, then one PutRecords batch of ``count`` more, all under
    partition key ``key``: returns what Kinesis answered, the pid and the connections."""
    stream, key, count = job
    with recording_connections() as connections:
        client = boto3.client("kinesis", region_name=REGION)
        answers = []
        for index in range(count):
            answer = client.put_record(StreamName=stream, Data=f"{key}:{index}".encode(), PartitionKey=key)
            answers.append([answer["ShardId"], answer["SequenceNumber"]])
        batch = client.put_records(
            StreamName=stream,
            Records=[{"Data": f"{key}:{index}".encode(), "PartitionKey": key} for index in range(count, 2 * count)],
        )
        answers.extend([entry["ShardId"], entry["SequenceNumber"]] for entry in batch["Records"])
    return {"pid": os.getpid(), "answers": answers, "connections": connections,
            "failed": batch["FailedRecordCount"], "endpoint": os.environ.get("AWS_ENDPOINT_URL_KINESIS")}


def featurestore_producer(job: tuple[str, list[str]]) -> dict[str, Any]:
    """PutRecord one record per customer id into feature group ``group``, then GetRecord
    each back (a GET with a query string) from the same child."""
    group, customers = job
    with recording_connections() as connections:
        client = boto3.client("sagemaker-featurestore-runtime", region_name=REGION)
        for customer in customers:
            client.put_record(
                FeatureGroupName=group,
                Record=[
                    {"FeatureName": "customer_id", "ValueAsString": customer},
                    {"FeatureName": "event_time", "ValueAsString": "2024-01-01T00:00:00Z"},
                ],
            )
        read = [client.get_record(FeatureGroupName=group, RecordIdentifierValueAsString=customer,
                                  FeatureNames=["customer_id"])["Record"] for customer in customers]
    return {"pid": os.getpid(), "connections": connections, "read": read}


def v3io_producer(job: tuple[str, int]) -> dict[str, Any]:
    """One v3io PutRecords of ``count`` records through ``requests``, as raw web-API users do."""
    import requests

    prefix, count = job
    records = [{"Data": base64.b64encode(f"{prefix}:{i}".encode()).decode(), "ShardId": 0} for i in range(count)]
    with recording_connections() as connections:
        response = requests.post(
            V3IO_ENDPOINT + V3IO_STREAM,
            data=json.dumps({"Records": records}),
            headers={"X-v3io-function": "PutRecords", "X-v3io-session-key": "key", "Content-Type": "application/json"},
            timeout=30,
        )
    return {"status": response.status_code, "body": response.json(), "connections": connections}
