"""Kinesis's 10 MiB records and requests reach the backend through the HTTP server too:
its body cap sits above the largest valid Kinesis request."""
from __future__ import annotations

import base64

from mock_putrecord.kinesis.responses import MAX_BODY_BYTES as KINESIS_CAP
from mock_putrecord.server import MockServer
from mock_putrecord.server.httpd import MAX_BODY_BYTES as SERVER_CAP

from .conftest import kinesis_call

MIB = 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_the_server_admits_what_kinesis_admits() -> None:
    assert SERVER_CAP >= KINESIS_CAP


def test_a_ten_mib_record_over_http(server: MockServer) -> None:
    reply = kinesis_call(server, "CreateStream", {"StreamName": "big", "ShardCount": 1, "MaxRecordSizeInKiB": 10240})
    assert reply.status == 200
    reply = kinesis_call(server, "PutRecord", {"StreamName": "big", "Data": _b64(b"a" * (10 * MIB - 1)),
                                               "PartitionKey": "k"})
    assert reply.status == 200, reply.body[:200]
    assert [len(r.data) for r in server.mock.kinesis.records("big")] == [10 * MIB - 1]


def test_a_ten_mib_put_records_over_http_and_the_size_error_above(server: MockServer) -> None:
    kinesis_call(server, "CreateStream", {"StreamName": "s", "ShardCount": 2})
    records = [{"Data": _b64(b"a" * (MIB - 1)), "PartitionKey": str(i)} for i in range(10)]
    reply = kinesis_call(server, "PutRecords", {"StreamName": "s", "Records": records})
    assert (reply.status, reply.json()["FailedRecordCount"]) == (200, 0)
    reply = kinesis_call(server, "PutRecords", {"StreamName": "s", "Records": records + [
        {"Data": _b64(b"b" * 64), "PartitionKey": "k"}]})
    assert (reply.status, reply.json()) == (400, {"__type": "InvalidArgumentException",
                                                  "message": "Records size exceeds 10 MB limit"})
    assert len(server.mock.kinesis.records("s")) == 10
