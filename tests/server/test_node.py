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

import pytest

from mock_putrecord.server import MockServer

from .conftest import CLIENT_ENV

pytest.importorskip("h2", reason="the JavaScript SDK speaks HTTP/2: needs the server extra (h2)")
pytest.importorskip("mock_putrecord.featurestore.responses", reason="the Feature Store is not part of this build")

PACKAGES = ("@aws-sdk/client-kinesis@^3", "@aws-sdk/client-sagemaker-featurestore-runtime@^3")
PRODUCER = Path(__file__).with_name("node") / "producer.js"
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


def run_producer(modules: Path, url: str, extra_env: dict[str, str] | None = None) -> dict[str, object]:
    env = {**os.environ, **CLIENT_ENV, "NODE_PATH": str(modules), **(extra_env or {})}
    done = subprocess.run(["node", str(PRODUCER), url, "orders", "node-group"],
                          capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def check(server: MockServer, result: dict[str, object]) -> None:
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
