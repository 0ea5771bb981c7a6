"""Spawned children (``subprocess``, ``multiprocessing``'s spawn context) reach the parent's
state through the service endpoint variables they are given."""
from __future__ import annotations

import asyncio
import importlib.util
import json
import multiprocessing
import os
import subprocess
import sys
import textwrap

import boto3
import pytest

from mock_putrecord import MockPutRecord
from mock_putrecord.children import ENDPOINT_VARIABLES, child_environment

from . import producers
from .conftest import loopback_servers

GUARD = """
import socket
_connect = socket.socket.connect
def _loopback_only(self, address):
    if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1"):
        raise OSError("test guard: a request tried to leave the machine for %r" % (address,))
    _connect(self, address)
socket.socket.connect = _loopback_only
"""
"""Prepended to every child script: a connection off the machine fails the child."""

SCRIPT = GUARD + """
import json, os, boto3
kinesis = boto3.client("kinesis")
answer = kinesis.put_records(StreamName="orders", Records=[
    {"Data": b"sub-" + str(i).encode(), "PartitionKey": "pk-" + str(i)} for i in range(20)])
runtime = boto3.client("sagemaker-featurestore-runtime")
runtime.put_record(FeatureGroupName="customers", Record=[
    {"FeatureName": "customer_id", "ValueAsString": "c9"},
    {"FeatureName": "event_time", "ValueAsString": "2024-01-01T00:00:00Z"}])
group = boto3.client("sagemaker").describe_feature_group(FeatureGroupName="customers")
print(json.dumps({
    "failed": answer["FailedRecordCount"],
    "sequence_numbers": [r["SequenceNumber"] for r in answer["Records"]],
    "group": group["FeatureGroupName"],
    "environment": {name: os.environ.get(name) for name in NAMES},
}))
""".replace("NAMES", repr(ENDPOINT_VARIABLES))


def _customers(mock: MockPutRecord) -> None:
    mock.featurestore.create_feature_group(
        "customers", record_identifier="customer_id", event_time="event_time",
        features={"customer_id": "String", "event_time": "String"},
    )


def test_a_subprocess_boto3_script_writes_into_the_parents_state(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("orders", 2)
    _customers(mock)
    before = dict(os.environ)

    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    url = f"http://{loopback_servers()[0]}"
    assert out["environment"] == {name: url for name in ENDPOINT_VARIABLES}
    assert out["failed"] == 0 and out["group"] == "customers"
    records = mock.kinesis.records("orders")
    assert sorted(r.data for r in records) == sorted(b"sub-%d" % i for i in range(20))
    assert sorted(str(r.sequence_number) for r in records) == sorted(out["sequence_numbers"])
    assert mock.featurestore.online_record("customers", "c9") == {"customer_id": "c9", "event_time": "2024-01-01T00:00:00Z"}
    assert dict(os.environ) == before  # the child got the variables, the parent kept its own


def test_an_explicit_env_gets_the_endpoints_unless_it_chose_its_own(mock: MockPutRecord) -> None:
    show = "import json, os; print(json.dumps({n: os.environ.get(n) for n in %r}))" % (ENDPOINT_VARIABLES,)
    env = {"PATH": os.environ.get("PATH", ""), "V3IO_API": "http://elsewhere:8081"}

    done = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True, timeout=60, check=True)

    url = f"http://{loopback_servers()[0]}"
    assert json.loads(done.stdout) == {
        "AWS_ENDPOINT_URL_KINESIS": url,
        "AWS_ENDPOINT_URL_SAGEMAKER_FEATURESTORE_RUNTIME": url,
        "AWS_ENDPOINT_URL_SAGEMAKER": url,
        "V3IO_API": "http://elsewhere:8081",
    }
    assert env == {"PATH": os.environ.get("PATH", ""), "V3IO_API": "http://elsewhere:8081"}  # not modified


def test_asyncio_subprocesses_get_the_endpoints_too(mock: MockPutRecord) -> None:
    async def run() -> bytes:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", "import os; print(os.environ['AWS_ENDPOINT_URL_KINESIS'])",
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await process.communicate()
        return out

    assert asyncio.run(run()).decode().strip() == f"http://{loopback_servers()[0]}"


def test_multiprocessing_spawn_producers_write_every_record(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("orders", 2)
    jobs = [("orders", f"spawned-{n}", 5) for n in range(2)]

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(producers.kinesis_producer, jobs)

    url = f"http://{loopback_servers()[0]}"
    assert [result["endpoint"] for result in results] == [url, url]
    records = mock.kinesis.records("orders")
    assert len(records) == 20
    for _, key, _ in jobs:
        assert [r.data for r in records if r.partition_key == key] == [f"{key}:{i}".encode() for i in range(10)]
    host, port = loopback_servers()[0].rsplit(":", 1)
    for result in results:
        assert {tuple(address) for address in result["connections"]} == {(host, int(port))}


def test_child_environment_names_the_server_for_other_launchers(mock: MockPutRecord) -> None:
    assert loopback_servers() == []  # nothing started yet: activation stays O(1)
    environment = child_environment()
    assert environment == {name: f"http://{loopback_servers()[0]}" for name in ENDPOINT_VARIABLES}
    assert child_environment() == environment  # one server per activation


def test_the_parents_own_clients_stay_in_process_with_the_loopback_endpoint(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("orders", 1)
    url = child_environment()["AWS_ENDPOINT_URL_KINESIS"]
    client = boto3.client("kinesis", region_name="us-east-1", endpoint_url=url)

    with producers.recording_connections() as connections:
        client.put_record(StreamName="orders", Data=b"parent", PartitionKey="k")

    assert connections == []
    assert mock.kinesis.data("orders") == [b"parent"]


@pytest.mark.skipif(importlib.util.find_spec("awscli") is None, reason="awscli is not installed")
def test_the_aws_cli_in_a_subprocess_writes_into_the_parents_state(mock: MockPutRecord) -> None:
    mock.kinesis.create_stream("cli-stream", 1)

    done = subprocess.run(
        [sys.executable, "-m", "awscli", "kinesis", "put-record", "--stream-name", "cli-stream",
         "--data", "hello", "--partition-key", "k", "--output", "json"],
        capture_output=True, text=True, timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert mock.kinesis.data("cli-stream") == [b"hello"]
    assert json.loads(done.stdout)["SequenceNumber"] == str(mock.kinesis.records("cli-stream")[0].sequence_number)


@pytest.mark.skipif(importlib.util.find_spec("v3io") is None, reason="v3io-py is not installed")
def test_a_v3io_py_subprocess_writes_where_mock_v3io_reads(mock: MockPutRecord) -> None:
    mock.v3io.create_stream("bigdata", "children/stream", shard_count=1)
    script = GUARD + """
import v3io.dataplane
client = v3io.dataplane.Client(access_key="key")  # the endpoint comes from V3IO_API
out = client.stream.put_records("bigdata", "children/stream", [{"data": "one"}, {"data": "two"}]).output
print(out.failed_record_count)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
    assert [r.data for r in mock.v3io.records("bigdata", "children/stream", 0)] == [b"one", b"two"]
