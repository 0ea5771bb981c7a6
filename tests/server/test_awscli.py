"""The AWS CLI (v1, ``pip install awscli``) against the server; skipped where it is absent."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from mock_putrecord.server import MockServer

from .conftest import CLIENT_ENV, SUBPROCESS_TIMEOUT

pytestmark = pytest.mark.skipif(importlib.util.find_spec("awscli") is None, reason="awscli is not installed")


def aws(server: MockServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awscli", *args, "--endpoint-url", server.url, "--output", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, **CLIENT_ENV},
        timeout=SUBPROCESS_TIMEOUT,
    )


def test_aws_kinesis_put_records(server: MockServer) -> None:
    server.mock.kinesis.create_stream("cli-stream", 2)
    done = aws(server, "kinesis", "put-records", "--stream-name", "cli-stream",
               "--records", "Data=hello,PartitionKey=k1", "Data=world,PartitionKey=k2")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["FailedRecordCount"] == 0
    stored = {r.partition_key: r for r in server.mock.kinesis.records("cli-stream")}
    assert {key: r.data for key, r in stored.items()} == {"k1": b"hello", "k2": b"world"}
    assert {r["SequenceNumber"] for r in answer["Records"]} == {str(r.sequence_number) for r in stored.values()}


def test_aws_cli_reports_service_errors(server: MockServer) -> None:
    done = aws(server, "kinesis", "describe-stream", "--stream-name", "nope")
    assert done.returncode == 255
    assert done.stderr.strip() == (
        "An error occurred (ResourceNotFoundException) when calling the DescribeStream operation: "
        "Stream nope under account 123456789012 not found."
    )
