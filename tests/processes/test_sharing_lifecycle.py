"""The sharing's life: nothing at activation, one server per activation once a child needs
it, everything undone at the outermost stop; processes outside an activation stay apart."""
from __future__ import annotations

import json
import multiprocessing
import multiprocessing.spawn
import os
import socket
import subprocess
import sys

import boto3
import pytest

from mock_putrecord import mock_putrecord
from mock_putrecord.children import child_environment

from .conftest import loopback_servers

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")


def _fork_and_wait() -> None:
    process = multiprocessing.get_context("fork").Process(target=int)
    process.start()
    process.join(30)
    assert process.exitcode == 0


def _refused(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


@needs_fork
def test_activation_starts_nothing_a_fork_starts_one_server_and_stop_ends_it() -> None:
    with mock_putrecord():
        assert loopback_servers() == []
        _fork_and_wait()
        _fork_and_wait()
        servers = loopback_servers()
        assert len(servers) == 1
    assert loopback_servers() == []
    assert _refused(servers[0])


def test_the_server_lives_until_the_outermost_stop_and_each_activation_has_its_own() -> None:
    with mock_putrecord():
        with mock_putrecord():
            first = child_environment()["AWS_ENDPOINT_URL_KINESIS"]
        assert child_environment()["AWS_ENDPOINT_URL_KINESIS"] == first
    assert child_environment() == {}
    assert _refused(first.removeprefix("http://"))
    with mock_putrecord():
        assert loopback_servers() == []
        assert child_environment()["AWS_ENDPOINT_URL_KINESIS"].startswith("http://127.0.0.1:")
    assert loopback_servers() == []


def test_the_process_is_exactly_as_before_after_stop() -> None:
    environment = dict(os.environ)
    popen_init = subprocess.Popen.__dict__["__init__"]
    command_line = multiprocessing.spawn.get_command_line

    with mock_putrecord():
        subprocess.run([sys.executable, "-c", "pass"], check=True, timeout=60)
        if hasattr(os, "fork"):
            _fork_and_wait()
        assert subprocess.Popen.__dict__["__init__"] is not popen_init

    assert dict(os.environ) == environment
    assert subprocess.Popen.__dict__["__init__"] is popen_init
    assert multiprocessing.spawn.get_command_line is command_line
    assert loopback_servers() == []


def test_children_started_outside_an_activation_get_nothing() -> None:
    show = "import os; print(os.environ.get('AWS_ENDPOINT_URL_KINESIS'))"
    done = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "None"


def test_a_child_with_its_own_mock_stays_independent() -> None:
    """As a pytest-xdist worker does: a process that activates its own mock answers in
    its own memory, even if it was started during the parent's activation."""
    worker = """
import json, boto3
from mock_putrecord import mock_putrecord
with mock_putrecord():
    client = boto3.client("kinesis", region_name="us-east-1")
    client.create_stream(StreamName="worker-only", ShardCount=1)
    print(json.dumps(client.list_streams()["StreamNames"]))
"""
    with mock_putrecord() as mock:
        mock.kinesis.create_stream("parent-only", 1)
        done = subprocess.run([sys.executable, "-c", worker], capture_output=True, text=True, timeout=120,
                              cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": os.getcwd()})
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == ["worker-only"]
        assert mock.kinesis.stream_names() == ["parent-only"]


@needs_fork
def test_a_process_forked_outside_an_activation_keeps_its_own_state() -> None:
    reader, writer = multiprocessing.get_context("fork").Pipe(duplex=False)

    def child() -> None:
        with mock_putrecord():
            client = boto3.client("kinesis", region_name="us-east-1")
            client.create_stream(StreamName="child-only", ShardCount=1)
            writer.send(client.list_streams()["StreamNames"])

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    streams = reader.recv()
    process.join(30)
    assert streams == ["child-only"]
    assert loopback_servers() == []
