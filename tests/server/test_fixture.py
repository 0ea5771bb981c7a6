"""The plugin's ``putrecord_server`` fixture, in a pytest run of its own."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import CLIENT_ENV, SUBPROCESS_TIMEOUT

INNER_TESTS = '''
import subprocess, sys
import pytest

PRODUCER = """
import sys, boto3
boto3.client("kinesis", endpoint_url=sys.argv[1], region_name=sys.argv[2]).put_record(
    StreamName="s", Data=b"from-child", PartitionKey="k")
"""


def test_function_scoped_server(putrecord_server):
    putrecord_server.mock.kinesis.create_stream("s", 1)
    subprocess.run([sys.executable, "-c", PRODUCER, putrecord_server.url, "us-east-1"], check=True)
    assert putrecord_server.mock.kinesis.data("s") == [b"from-child"]


def test_each_test_starts_empty(putrecord_server):
    assert putrecord_server.mock.kinesis.stream_names() == []


@pytest.mark.putrecord_mock(region="eu-north-1", account_id="444455556666")
def test_marker_options_apply(putrecord_server):
    putrecord_server.mock.kinesis.create_stream("s", 1)
    subprocess.run([sys.executable, "-c", PRODUCER, putrecord_server.url, "eu-north-1"], check=True)
    assert putrecord_server.mock.kinesis.stream("s").arn == "arn:aws:kinesis:eu-north-1:444455556666:stream/s"
    assert putrecord_server.mock.kinesis.data("s") == [b"from-child"]
'''


def test_putrecord_server_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=SUBPROCESS_TIMEOUT,
        env={**os.environ, **CLIENT_ENV},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
