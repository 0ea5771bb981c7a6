"""Producers in other processes (plain boto3 with ``endpoint_url``) write through the server;
the test reads the records back in process, from the same backends."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from mock_putrecord import mock_putrecord
from mock_putrecord.server import MockServer

from .conftest import CLIENT_ENV, SUBPROCESS_TIMEOUT, run_python

PRODUCER = """
import boto3, json, sys
from botocore.config import Config

client = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1",
                      config=Config(retries={"total_max_attempts": 1}))
single = client.put_record(StreamName="orders", Data=b"first", PartitionKey="pk-0")
batch = client.put_records(
    StreamName="orders",
    Records=[{"Data": b"order-%d" % i, "PartitionKey": "pk-%d" % i} for i in range(1, 50)],
)
print(json.dumps({"single": single, "batch": batch}, default=str))
"""


def test_boto3_subprocess_writes_are_read_back_through_mock_kinesis(server: MockServer) -> None:
    server.mock.kinesis.create_stream("orders", 3)

    out = json.loads(run_python(PRODUCER.replace("sys.argv[1]", repr(server.url))))

    records = server.mock.kinesis.records("orders")
    assert sorted(r.data for r in records) == sorted([b"first"] + [b"order-%d" % i for i in range(1, 50)])
    answered = {out["single"]["SequenceNumber"]: out["single"]["ShardId"]}
    assert out["batch"]["FailedRecordCount"] == 0
    answered.update({r["SequenceNumber"]: r["ShardId"] for r in out["batch"]["Records"]})
    assert {str(r.sequence_number): r.shard_id for r in records} == answered
    assert {r.partition_key for r in records} == {"pk-%d" % i for i in range(50)}


def test_subprocess_sees_streams_created_in_process_and_vice_versa(server: MockServer) -> None:
    server.mock.kinesis.create_stream("made-here", 1)
    code = f"""
        import boto3
        client = boto3.client("kinesis", endpoint_url={server.url!r}, region_name="us-east-1")
        client.create_stream(StreamName="made-there", ShardCount=2)
        print(" ".join(client.list_streams()["StreamNames"]))
    """
    assert run_python(code).split() == ["made-here", "made-there"]
    assert server.mock.kinesis.stream_names() == ["made-here", "made-there"]
    assert len(server.mock.kinesis.shard_ids("made-there")) == 2


def test_state_is_that_of_an_enclosing_activation() -> None:
    with mock_putrecord() as mock:
        mock.kinesis.create_stream("outer", 1)
        with MockServer() as server:
            run_python(f"""
                import boto3
                boto3.client("kinesis", endpoint_url={server.url!r}, region_name="us-east-1").put_record(
                    StreamName="outer", Data=b"via-server", PartitionKey="k")
            """)
        # the server's activation was nested: stopping it kept the state
        assert mock.kinesis.data("outer") == [b"via-server"]


def test_region_comes_from_the_signature_scope(server: MockServer) -> None:
    server.mock.kinesis.create_stream("regional", 1, region="eu-west-1")
    run_python(f"""
        import boto3
        boto3.client("kinesis", endpoint_url={server.url!r}, region_name="eu-west-1").put_record(
            StreamName="regional", Data=b"in-eu", PartitionKey="k")
    """)
    assert server.mock.kinesis.data("regional", region="eu-west-1") == [b"in-eu"]
    assert server.mock.kinesis.stream_names(region="us-east-1") == []


def test_errors_reach_the_subprocess_as_botocore_client_errors(server: MockServer) -> None:
    code = f"""
        import boto3, botocore.exceptions
        from botocore.config import Config
        client = boto3.client("kinesis", endpoint_url={server.url!r}, region_name="us-east-1",
                              config=Config(parameter_validation=False))
        try:
            client.put_records(StreamName="missing", Records=[{{"Data": b"x", "PartitionKey": "k"}}])
        except botocore.exceptions.ClientError as error:
            print(error.response["Error"]["Code"], "|", error.response["Error"]["Message"],
                  "|", error.response["ResponseMetadata"]["HTTPStatusCode"])
    """
    assert run_python(code).strip() == (
        "ResourceNotFoundException | Stream missing under account 123456789012 not found. | 400"
    )


def test_several_producer_processes_at_once_lose_nothing(server: MockServer) -> None:
    server.mock.kinesis.create_stream("shared", 4)
    code = textwrap.dedent("""
        import boto3, sys
        worker = sys.argv[2]
        client = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1")
        for batch in range(10):
            result = client.put_records(StreamName="shared", Records=[
                {"Data": ("%s-%d-%d" % (worker, batch, i)).encode(), "PartitionKey": "%s-%d" % (worker, i)}
                for i in range(20)])
            assert result["FailedRecordCount"] == 0, result
    """)
    env = {**os.environ, **CLIENT_ENV}
    workers = [
        subprocess.Popen([sys.executable, "-c", code, server.url, f"w{n}"], env=env, stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=SUBPROCESS_TIMEOUT)
        assert worker.returncode == 0, stderr
    data = server.mock.kinesis.data("shared")
    expected = {f"w{n}-{b}-{i}".encode() for n in range(4) for b in range(10) for i in range(20)}
    assert len(data) == len(expected) == 800
    assert set(data) == expected
    # within a shard, each producer's records keep the order in which it sent them
    for shard_records in server.mock.kinesis.records_by_shard("shared").values():
        for n in range(4):
            mine = [r.data.decode().split("-") for r in shard_records if r.data.startswith(f"w{n}-".encode())]
            assert mine == sorted(mine, key=lambda parts: (int(parts[1]), int(parts[2])))


def test_scripted_faults_are_retried_by_the_subprocess_and_logged_with_attempts(server: MockServer) -> None:
    server.mock.kinesis.create_stream("flaky", 1)
    server.mock.faults.fail_next("kinesis", "PutRecords", "ServiceUnavailable", status=503, count=2)
    out = run_python(f"""
        import boto3
        from botocore.config import Config
        client = boto3.client("kinesis", endpoint_url={server.url!r}, region_name="us-east-1",
                              config=Config(retries={{"mode": "standard", "total_max_attempts": 3}}))
        result = client.put_records(StreamName="flaky", Records=[{{"Data": b"x", "PartitionKey": "k"}}])
        print(result["ResponseMetadata"]["RetryAttempts"])
    """)
    assert out.strip() == "2"
    calls = [(c.operation, c.attempt, c.status, c.error_code) for c in server.mock.faults.calls]
    assert calls == [
        ("PutRecords", 1, 503, "ServiceUnavailable"),
        ("PutRecords", 2, 503, "ServiceUnavailable"),
        ("PutRecords", 3, 200, None),
    ]
    assert server.mock.kinesis.data("flaky") == [b"x"]
