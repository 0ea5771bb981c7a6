"""The v3io streaming web API through the server (routed by ``X-v3io-function``)."""
from __future__ import annotations

import base64
import importlib.util
import json

import pytest

from mock_putrecord.server import MockServer

from .conftest import raw_request, run_python

pytest.importorskip("mock_putrecord.v3io.responses", reason="the v3io service is not part of this build")

V3IO_HEADERS = {"Content-Type": "application/json", "X-v3io-session-key": "some-access-key"}


def v3io_call(server: MockServer, function: str, path: str, body: dict[str, object] | None = None) -> tuple[int, bytes]:
    headers = {**V3IO_HEADERS, "X-v3io-function": function}
    reply = raw_request(server, "PUT", path, headers, json.dumps(body).encode() if body is not None else b"")
    return reply.status, reply.body


def test_raw_web_api_calls_as_the_iguazio_reference_sends_them(server: MockServer) -> None:
    assert v3io_call(server, "CreateStream", "/bigdata/mystream/", {"ShardCount": 2, "RetentionPeriodHours": 1}) == (204, b"")
    status, body = v3io_call(server, "PutRecords", "/bigdata/mystream/", {"Records": [
        {"Data": base64.b64encode(b"first").decode(), "ShardId": 1},
        {"Data": base64.b64encode(b"second").decode(), "PartitionKey": "key"},
    ]})
    assert status == 200
    answer = json.loads(body)
    assert answer["FailedRecordCount"] == 0 and len(answer["Records"]) == 2
    assert answer["Records"][0]["ShardId"] == 1

    stored = server.mock.v3io.records("bigdata", "mystream", endpoint=server.v3io_endpoint)
    assert sorted(r.data for r in stored) == [b"first", b"second"]
    status, body = v3io_call(server, "DescribeStream", "/bigdata/mystream/")
    assert (status, json.loads(body)) == (200, {"ShardCount": 2, "RetentionPeriodHours": 1})


def test_v3io_errors_pass_through(server: MockServer) -> None:
    status, body = v3io_call(server, "PutRecords", "/bigdata/missing/", {"Records": [{"Data": "AAAA"}]})
    assert status == 404
    assert json.loads(body)["ErrorMessage"] == "ResourceNotFoundException"


def test_v3io_without_credentials_is_permission_denied(server: MockServer) -> None:
    reply = raw_request(server, "PUT", "/bigdata/s/", {"X-v3io-function": "CreateStream"}, b'{"ShardCount": 1}')
    assert reply.status == 403
    assert json.loads(reply.body) == {"ErrorCode": -13, "ErrorMessage": "Permission denied"}


def test_v3io_endpoint_option_shares_state_with_the_default_view() -> None:
    with MockServer(v3io_endpoint="v3io-webapi:8081") as server:
        assert server.v3io_endpoint == "v3io-webapi:8081"
        assert v3io_call(server, "CreateStream", "/users/s/", {"ShardCount": 1, "RetentionPeriodHours": 1})[0] == 204
        assert server.mock.v3io.stream_paths("users") == ["s"]  # default endpoint, no argument


def test_v3io_py_in_a_subprocess(server: MockServer) -> None:
    if importlib.util.find_spec("v3io") is None:
        pytest.skip("v3io-py is not installed")
    run_python(f"""
        import v3io.dataplane
        client = v3io.dataplane.Client(endpoint={server.url!r}, access_key="some-access-key")
        client.stream.create("bigdata", "py/stream", shard_count=3)
        client.stream.put_records("bigdata", "py/stream", records=[
            {{"data": "record-%d" % i, "shard_id": i % 3}} for i in range(9)])
        client.stream.create("bigdata", "py/doomed", shard_count=1)
        client.stream.delete("bigdata", "py/doomed")
        client.close()
    """, env={"V3IO_API": "", "V3IO_ACCESS_KEY": ""})
    view = server.mock.v3io
    assert view.shard_record_counts("bigdata", "py/stream", endpoint=server.v3io_endpoint) == [3, 3, 3]
    assert view.stream_paths("bigdata", endpoint=server.v3io_endpoint) == ["py/stream"]  # the other was deleted
