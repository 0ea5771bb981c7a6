"""The admin API under ``/_mock_putrecord/`` and its ``MockServer`` methods."""
from __future__ import annotations

import json
from typing import Any

import pytest

from mock_putrecord.server import MockServer
from mock_putrecord.version import __version__

from .conftest import Reply, kinesis_call, raw_request


def admin(server: MockServer, method: str, name: str, params: Any = None) -> Reply:
    body = b"" if params is None else json.dumps(params).encode()
    return raw_request(server, method, f"/_mock_putrecord/{name}", {"Content-Type": "application/json"}, body)


def put(server: MockServer, stream: str, data: str, key: str = "k") -> Reply:
    return kinesis_call(server, "PutRecord", {"StreamName": stream, "Data": data, "PartitionKey": key})


def test_health(server: MockServer) -> None:
    reply = admin(server, "GET", "health")
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    health = reply.json()
    assert health["status"] == "ok" and health["version"] == __version__
    assert health["url"] == server.url and health["tls"] is False
    assert health["open_connections"] >= 1
    assert set(health) == {"status", "version", "uptime_seconds", "clock", "url", "open_connections",
                           "http2", "cbor", "tls"}
    assert server.health()["status"] == "ok"


def test_state_summarises_every_service(server: MockServer) -> None:
    server.mock.kinesis.create_stream("orders", 2)
    for i in range(5):
        assert put(server, "orders", "AAAA", key=f"k{i}").status == 200
    kinesis_call(server, "CreateStream", {"StreamName": "eu", "ShardCount": 1}, region="eu-west-1")
    server.mock.featurestore.create_feature_group(
        "customers", record_identifier="id", event_time="t", features={"id": "String", "t": "String"})
    server.mock.featurestore.put_record("customers", {"id": "c1", "t": "2024-01-01T00:00:00Z"})
    server.mock.v3io.create_stream("bigdata", "clicks", shard_count=2)
    server.mock.v3io.put_records("bigdata", "clicks", [b"x"], shard_id=1)

    state = admin(server, "GET", "state").json()
    by_shard = server.mock.kinesis.records_by_shard("orders")
    assert state["kinesis"] == [
        {"account_id": "123456789012", "region": "us-east-1", "name": "orders", "status": "ACTIVE",
         "open_shards": 2, "records": 5, "shards": {shard: len(records) for shard, records in by_shard.items()}},
        {"account_id": "123456789012", "region": "eu-west-1", "name": "eu", "status": "ACTIVE",
         "open_shards": 1, "records": 0, "shards": {"shardId-000000000000": 0}},
    ]
    assert state["featurestore"] == [{"account_id": "123456789012", "region": "us-east-1", "name": "customers",
                                      "online_records": 1, "offline_rows": 0}]  # no offline store
    assert state["v3io"] == [{"endpoint": "v3io-webapi:8081", "container": "bigdata", "path": "clicks",
                              "records": 1, "shards": [0, 1]}]
    assert state["calls"] == 6 and state["failed_records"] == 0
    assert server.state() == state  # admin requests are not service calls: the log is unchanged


def test_reset_one_service_or_all(server: MockServer) -> None:
    server.mock.kinesis.create_stream("orders", 1)
    server.mock.featurestore.create_feature_group(
        "customers", record_identifier="id", event_time="t", features={"id": "String", "t": "String"})
    assert admin(server, "POST", "reset", {"service": "kinesis"}).json() == {"reset": "kinesis"}
    assert server.mock.kinesis.stream_names() == []
    assert server.mock.featurestore.feature_groups() == ["customers"]
    assert admin(server, "POST", "reset").json() == {"reset": "all"}
    assert server.mock.featurestore.feature_groups() == []
    reply = admin(server, "POST", "reset", {"service": "s3"})
    assert (reply.status, reply.json()) == (400, {
        "error": "service must be one of kinesis, featurestore, v3io, faults, got 's3'"})


def test_advance_moves_the_virtual_clock(server: MockServer) -> None:
    server.mock.kinesis.create_stream("s", 1)
    now = admin(server, "POST", "advance", {"seconds": 3600}).json()["now"]
    assert put(server, "s", "AAAA").status == 200
    [record] = server.mock.kinesis.records("s")
    assert record.arrival == pytest.approx(now, abs=0.001)
    assert admin(server, "GET", "health").json()["clock"] == {"now": now, "virtual": True}
    assert server.advance(1.5) == pytest.approx(now + 1.5)
    reply = admin(server, "POST", "advance", {"seconds": -1})
    assert (reply.status, reply.json()) == (400, {"error": "the clock only moves forward: advance() got -1.0 seconds"})
    reply = admin(server, "POST", "advance", {"seconds": "soon"})
    assert (reply.status, reply.json()) == (400, {"error": "seconds must be a number, got 'soon'"})


def test_fault_scripting_over_http(server: MockServer) -> None:
    server.mock.kinesis.create_stream("s", 1)
    reply = admin(server, "POST", "faults/fail_next", {"service": "kinesis", "operation": "PutRecord",
                                                      "code": "ServiceUnavailable", "status": 503, "count": 2})
    assert reply.json() == {"scripted": "PutRecord"}
    assert [put(server, "s", "AAAA").status for _ in range(3)] == [503, 503, 200]

    admin(server, "POST", "faults/fail_records", {"service": "kinesis", "rate": 1.0,
                                                  "errors": ["ProvisionedThroughputExceededException"]})
    reply = kinesis_call(server, "PutRecords", {"StreamName": "s", "Records": [
        {"Data": "AAAA", "PartitionKey": "a"}, {"Data": "AAAA", "PartitionKey": "b"}]})
    assert reply.json()["FailedRecordCount"] == 2
    calls = admin(server, "GET", "faults/calls?limit=4").json()
    assert [(c["operation"], c["status"], c["injected"]) for c in calls] == [
        ("PutRecord", 503, True), ("PutRecord", 503, True), ("PutRecord", 200, False), ("PutRecords", 200, False)]
    assert calls[0]["error_code"] == "ServiceUnavailable"
    assert admin(server, "POST", "faults/clear").json() == {"cleared": True}
    reply = kinesis_call(server, "PutRecords", {"StreamName": "s", "Records": [{"Data": "AAAA", "PartitionKey": "a"}]})
    assert reply.json()["FailedRecordCount"] == 0


def test_fault_scripting_from_python(server: MockServer) -> None:
    server.mock.kinesis.create_stream("s", 1)
    server.fail_next("kinesis", "PutRecord", "InternalFailure", status=500)
    assert put(server, "s", "AAAA").status == 500
    server.fail_records("kinesis", 1.0, errors=["InternalFailure"])
    reply = kinesis_call(server, "PutRecords", {"StreamName": "s", "Records": [{"Data": "AAAA", "PartitionKey": "a"}]})
    assert reply.json()["Records"][0]["ErrorCode"] == "InternalFailure"


@pytest.mark.parametrize("method, name, body, status, error", [
    ("GET", "nope", None, 404, "no admin operation 'nope'; see docs/server.md"),
    ("POST", "health", None, 405, "health takes GET, not POST"),
    ("GET", "reset", None, 405, "reset takes POST, not GET"),
    ("POST", "advance", b"[1]", 400, "the body must be a JSON object"),
    ("POST", "advance", b"{", 400, "the body must be a JSON object"),
    ("POST", "faults/fail_next", b'{"service": "kinesis"}', 400, "fail_next needs operation, code"),
    ("POST", "faults/fail_records", b'{"service": "kinesis", "rate": 2, "errors": ["X"]}', 400,
     "rate must be between 0 and 1, got 2.0"),
])
def test_bad_admin_requests(server: MockServer, method: str, name: str, body: bytes | None, status: int,
                            error: str) -> None:
    reply = raw_request(server, method, f"/_mock_putrecord/{name}", {}, body or b"")
    assert (reply.status, reply.json()) == (status, {"error": error})
