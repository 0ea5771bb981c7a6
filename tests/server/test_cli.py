"""``python -m mock_putrecord serve``: prints its address, serves, stops cleanly on signals."""
from __future__ import annotations

import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from typing import Iterator

import pytest

from .conftest import CLIENT_ENV, run_python

STARTUP_TIMEOUT = 60


def start_cli(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Start the command and return it with the URL from its first line of output."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_putrecord", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **CLIENT_ENV},
    )
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
            raise AssertionError("the server printed nothing")
        line = proc.stdout.readline()
    finally:
        selector.close()
    match = re.fullmatch(r"mock_putrecord server listening on (http://127\.0\.0\.1:\d+)\n", line)
    if match is None:
        proc.kill()
        raise AssertionError(f"unexpected first line {line!r}; stderr: {proc.communicate(timeout=10)[1]}")
    return proc, match.group(1)


@pytest.fixture
def cli() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, url = start_cli("--port", "0")
    yield proc, url
    if proc.poll() is None:
        proc.kill()
        proc.communicate(timeout=10)


PRODUCE_AND_READ = """
import boto3, json, sys
client = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1")
if sys.argv[2] == "produce":
    client.create_stream(StreamName="cli", ShardCount=1)
    client.put_records(StreamName="cli", Records=[{"Data": b"r%d" % i, "PartitionKey": "k"} for i in range(5)])
else:
    shard = client.list_shards(StreamName="cli")["Shards"][0]["ShardId"]
    it = client.get_shard_iterator(StreamName="cli", ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    print(json.dumps([r["Data"].decode() for r in client.get_records(ShardIterator=it)["Records"]]))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serves_clients_then_stops_cleanly_on_signal(cli: tuple[subprocess.Popen[str], str], signum: int) -> None:
    proc, url = cli
    subprocess.run([sys.executable, "-c", PRODUCE_AND_READ, url, "produce"], check=True, timeout=120,
                   env={**os.environ, **CLIENT_ENV})
    read = subprocess.run([sys.executable, "-c", PRODUCE_AND_READ, url, "read"], check=True, timeout=120,
                          capture_output=True, text=True, env={**os.environ, **CLIENT_ENV})
    assert json.loads(read.stdout) == [f"r{i}" for i in range(5)]  # a second process sees the first's writes

    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert stdout == "mock_putrecord server shutting down\n"
    assert "Traceback" not in stderr


def test_signal_while_a_client_holds_a_keep_alive_connection(cli: tuple[subprocess.Popen[str], str]) -> None:
    proc, url = cli
    import http.client
    from urllib.parse import urlsplit

    split = urlsplit(url)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
    conn.request("GET", "/")  # any request: the connection is now open and idle
    conn.getresponse().read()
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert time.monotonic() - started < 10
    conn.close()


def test_a_port_in_use_is_reported(cli: tuple[subprocess.Popen[str], str]) -> None:
    _, url = cli
    port = url.rsplit(":", 1)[1]
    done = subprocess.run([sys.executable, "-m", "mock_putrecord", "serve", "--port", port],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("mock_putrecord serve: ") and "Address already in use" in done.stderr


def test_options_reach_the_server() -> None:
    proc, url = start_cli("--account-id", "999988887777", "--region", "eu-central-1")
    try:
        out = run_python(f"""
            import boto3, botocore.exceptions
            client = boto3.client("kinesis", endpoint_url={url!r}, region_name="eu-central-1")
            try:
                client.describe_stream(StreamName="x")
            except botocore.exceptions.ClientError as error:
                print(error.response["Error"]["Message"])
        """)
        assert out == "Stream x under account 999988887777 not found.\n"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert proc.returncode == 0
