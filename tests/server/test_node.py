"""The AWS SDK for JavaScript v3, in its default configuration, against the server.

``@aws-sdk/client-kinesis`` speaks HTTP/2 by default (h2c with prior knowledge over
``http://``, ALPN ``h2`` over ``https://``); the Feature Store runtime client speaks
HTTP/1.1. The packages are installed once into a cache directory shared by every run
(``MOCK_PUTRECORD_NODE_CACHE``, default ``~/.cache/mock_putrecord-node``), under a lock so
that pytest-xdist workers install them once.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mock_putrecord.server import MockServer

from .conftest import CLIENT_ENV

pytest.importorskip("h2", reason="the JavaScript SDK speaks HTTP/2: needs the server extra (h2)")
pytest.importorskip("mock_putrecord.featurestore.responses", reason="the Feature Store is not part of this build")

PACKAGES = ("@aws-sdk/client-kinesis@^3", "@aws-sdk/client-sagemaker-featurestore-runtime@^3")
PRODUCER = Path(__file__).with_name("node") / "producer.js"
SUBSCRIBER = Path(__file__).with_name("node") / "subscriber.js"
INSTALL_TIMEOUT = 300
RUN_TIMEOUT = 60

pytestmark = pytest.mark.node


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """``node_modules`` holding the two SDK clients, installed on first use."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the AWS SDK for JavaScript (not on PATH)")
    cache = Path(os.environ.get("MOCK_PUTRECORD_NODE_CACHE") or Path.home() / ".cache" / "mock_putrecord-node")
    cache.mkdir(parents=True, exist_ok=True)
    modules = cache / "node_modules"
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time across xdist workers
        if not all((modules / spec.rsplit("@", 1)[0] / "package.json").exists() for spec in PACKAGES):
            (cache / "package.json").write_text('{"private": true}\n')
            done = subprocess.run(
                [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES],
                cwd=cache, capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
            )
            assert done.returncode == 0, f"npm install failed:\n{done.stderr[-3000:]}"
    return modules


def create_group(server: MockServer) -> None:
    server.mock.featurestore.create_feature_group(
        "node-group", record_identifier="id", event_time="t", features={"id": "String", "t": "String"})


def run_node(modules: Path, script: Path, *args: str, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``script`` with the SDK on its path; its last line of output, parsed."""
    env = {**os.environ, **CLIENT_ENV, "NODE_PATH": str(modules), **(extra_env or {})}
    done = subprocess.run(["node", str(script), *args], capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_producer(modules: Path, url: str, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    return run_node(modules, PRODUCER, url, "orders", "node-group", extra_env=extra_env)


def check(server: MockServer, result: dict[str, Any]) -> None:
    assert result["kinesisHandler"] == "NodeHttp2Handler"  # the SDK's default: HTTP/2
    assert result["status"] == "ACTIVE"
    assert result["failed"] == 0
    assert result["featureRecord"] == [{"FeatureName": "id", "ValueAsString": "n-1"},
                                       {"FeatureName": "t", "ValueAsString": "2024-01-01T00:00:00Z"}]
    # read back in Python: every record, in order per partition key, on the shard the SDK was told
    records = server.mock.kinesis.records("orders")
    assert sorted(r.data for r in records) == sorted([b"node-%d" % i for i in range(20)] + [b"single"])
    assert {r.partition_key: r.data for r in records}["pk-7"] == b"node-7"
    single = next(r for r in records if r.data == b"single")
    assert single.shard_id == result["single"]
    assert server.mock.featurestore.online_record("node-group", "n-1") == {"id": "n-1", "t": "2024-01-01T00:00:00Z"}


def test_javascript_sdk_over_h2c(node_modules: Path, server: MockServer) -> None:
    create_group(server)
    check(server, run_producer(node_modules, server.url))


def test_javascript_sdk_over_tls_with_alpn(node_modules: Path) -> None:
    pytest.importorskip("cryptography", reason="--tls needs the server extra (cryptography)")
    with MockServer(tls=True) as server:
        create_group(server)
        assert server.certificate is not None
        result = run_producer(node_modules, server.url.replace("127.0.0.1", "localhost"),
                              {"NODE_EXTRA_CA_CERTS": server.certificate})
        check(server, result)


def check_subscription(server: MockServer, result: dict[str, Any]) -> None:
    """What the SDK decoded is what the stream holds: every record, in order, with its
    sequence number, key and arrival time, the one put during the subscription included."""
    assert result["handler"] == "NodeHttp2Handler"
    stored = server.mock.kinesis.records("s")
    assert [(r["data"], r["key"], r["sequence"]) for r in result["records"]] == \
        [(r.data.decode(), r.partition_key, r.sequence_number) for r in stored]
    assert [r["arrival"] for r in result["records"]] == [round(r.arrival * 1000) for r in stored]  # the SDK: Math.round(seconds * 1000)
    assert stored[-1].data == b"live" and stored[-1].sequence_number == result["live"]
    assert result["events"][0] == {"count": 3, "continuation": stored[2].sequence_number, "behind": 0}
    assert result["events"][-1]["continuation"] == result["live"]


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "tls"])
def test_javascript_sdk_subscribes_to_shard_over_http2(node_modules: Path, tls: bool) -> None:
    if tls:
        pytest.importorskip("cryptography", reason="--tls needs the server extra (cryptography)")
    with MockServer(tls=tls) as server:
        server.mock.kinesis.create_stream("s", 1)
        server.mock.kinesis.put("s", [(b"before-%d" % i, "pk-%d" % i) for i in range(3)])
        url, env = server.url, None
        if tls:
            assert server.certificate is not None
            url, env = url.replace("127.0.0.1", "localhost"), {"NODE_EXTRA_CA_CERTS": server.certificate}
        check_subscription(server, run_node(node_modules, SUBSCRIBER, url, "s", extra_env=env))
