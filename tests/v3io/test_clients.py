"""Plain aiohttp, httpx (sync and async), urllib3 and http.client reach the mock like
``requests`` does, with no socket opened, and leave non-v3io requests alone."""
from __future__ import annotations

import asyncio
import http.client
import json
import sys
from typing import Any

import pytest

from mock_putrecord import mock_putrecord

from .conftest import KEY, b64, no_network  # noqa: F401 (fixture)

aiohttp = pytest.importorskip("aiohttp", reason="aiohttp (test extra) is not installed")
httpx = pytest.importorskip("httpx", reason="httpx (test extra) is not installed")
urllib3 = pytest.importorskip("urllib3")

URL = "http://v3io-webapi:8081/bigdata/s/"
CREATE = {"X-v3io-function": "CreateStream", "X-v3io-session-key": KEY}
DESCRIBE = {"X-v3io-function": "DescribeStream", "X-v3io-session-key": KEY}
BODY = json.dumps({"ShardCount": 3, "RetentionPeriodHours": 5})
MISSING = b'{"ErrorCode": -2, "ErrorMessage": "Container not found"}'


def test_httpx_sync(no_network: None) -> None:
    with mock_putrecord() as mock:
        assert httpx.post(URL, content=BODY, headers=CREATE).status_code == 204
        response = httpx.put(URL, headers=DESCRIBE)
        assert (response.status_code, response.json()) == (200, {"ShardCount": 3, "RetentionPeriodHours": 5})
        missing = httpx.put("http://v3io-webapi:8081/nosuch/s/", headers=DESCRIBE)
        assert (missing.status_code, missing.content) == (404, MISSING)
        assert mock.v3io.describe_stream("bigdata", "s").shard_count == 3


def test_httpx_async_and_aiohttp(no_network: None) -> None:
    async def run() -> None:
        async with httpx.AsyncClient() as client:
            assert (await client.post(URL, content=BODY, headers=CREATE)).status_code == 204
        async with aiohttp.ClientSession() as session:
            async with session.put(URL, headers=DESCRIBE) as response:
                assert response.status == 200
                assert await response.json() == {"ShardCount": 3, "RetentionPeriodHours": 5}
            records = {"Records": [{"Data": b64("x"), "ShardId": 1}]}
            put = {"X-v3io-function": "PutRecords", "X-v3io-session-key": KEY}
            response = await session.request("POST", URL, json=records, headers=put)
            assert json.loads(await response.text()) == {
                "FailedRecordCount": 0, "Records": [{"SequenceNumber": 1, "ShardId": 1}]
            }
            response = await session.put("http://v3io-webapi:8081/nosuch/s/", headers=DESCRIBE)
            assert (response.status, await response.read()) == (404, MISSING)
            with pytest.raises(aiohttp.ClientResponseError):
                await session.put("http://v3io-webapi:8081/nosuch/s/", headers=DESCRIBE, raise_for_status=True)

    with mock_putrecord():
        asyncio.run(run())


def test_storey_style_helpers_in_process(no_network: None) -> None:
    """storey's integration helpers: create_stream, GetShardData's Seek/GetRecords and the
    GetItems-driven recursive_delete of the stream directory, all over plain aiohttp."""

    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            base = "http://v3io-webapi:8081/bigdata/storey/s"
            body = json.dumps({"ShardCount": 2, "RetentionPeriodHours": 1})
            response = await session.request("POST", f"{base}/", data=body, headers=CREATE, ssl=False)
            assert response.status == 204
            put = {"X-v3io-function": "PutRecords", "X-v3io-session-key": KEY}
            await session.post(f"{base}/", data=json.dumps({"Records": [{"Data": b64("a"), "ShardId": 0}]}), headers=put)
            seek = {"X-v3io-function": "Seek", "X-v3io-session-key": KEY}
            response = await session.request("PUT", f"{base}/0", data=json.dumps({"Type": "EARLIEST"}), headers=seek)
            location = json.loads(await response.text())["Location"]
            get = {"X-v3io-function": "GetRecords", "X-v3io-session-key": KEY}
            response = await session.put(f"{base}/0", data=json.dumps({"Location": location}), headers=get)
            records = json.loads(await response.text())
            assert (records["RecordsBehindLatest"], [r["Data"] for r in records["Records"]]) == (0, [b64("a")])
            # recursive_delete: GetItems pages (no NextMarker on the last), DELETE each, then the dir
            items = {"X-v3io-function": "GetItems", "X-v3io-session-key": KEY}
            names: list[str] = []
            marker = ""
            while True:
                response = await session.put(f"{base}/", headers=items,
                                             data=json.dumps({"AttributesToGet": "__name", "Marker": marker}))
                assert response.status == 200
                page = json.loads(await response.text())
                names += [item["__name"]["S"] for item in page["Items"]]
                if "NextMarker" not in page:
                    break
                marker = page["NextMarker"]
            assert names == ["0", "1"]
            plain = {"X-v3io-session-key": KEY}
            for name in names:
                assert (await session.delete(f"{base}/{name}", headers=plain)).status == 204
            assert (await session.delete(f"{base}/", headers=plain)).status == 204
            response = await session.put(f"{base}/", headers=DESCRIBE)
            assert response.status == 404

    with mock_putrecord():
        asyncio.run(run())


def test_urllib3_and_http_client(no_network: None) -> None:
    with mock_putrecord() as mock:
        response = urllib3.request("POST", URL, body=BODY, headers=CREATE)
        assert (response.status, response.data) == (204, b"")
        connection = http.client.HTTPConnection("v3io-webapi", 8081)
        connection.request("PUT", "/bigdata/s/", headers=DESCRIBE)
        answer = connection.getresponse()
        assert (answer.status, answer.reason, answer.getheader("Content-Type")) == (200, "OK", "application/json")
        assert json.loads(answer.read()) == {"ShardCount": 3, "RetentionPeriodHours": 5}
        connection.request("PUT", "/nosuch/s/", headers=DESCRIBE)  # the connection is reusable
        assert connection.getresponse().read() == MISSING
        assert mock.v3io.stream_paths("bigdata") == ["s"]


def test_other_hosts_are_not_intercepted(no_network: None) -> None:
    with mock_putrecord():
        with pytest.raises(AssertionError, match="a socket was opened"):
            httpx.get("http://example.invalid:9/")
        with pytest.raises(Exception):
            urllib3.request("GET", "http://example.invalid:9/", retries=False)
        connection = http.client.HTTPConnection("example.invalid", 9)
        with pytest.raises(AssertionError, match="a socket was opened"):
            connection.request("GET", "/")


def test_loopback_addresses_are_left_to_the_server_listening_there(no_network: None) -> None:
    # python -m mock_putrecord serve / MockServer listen on loopback: raw HTTP must reach them.
    with mock_putrecord():
        connection = http.client.HTTPConnection("127.0.0.1", 9)
        with pytest.raises(AssertionError, match="a socket was opened"):
            connection.request("PUT", "/bigdata/s/", headers=DESCRIBE)
        with pytest.raises(AssertionError, match="a socket was opened"):
            httpx.put("http://localhost:9/bigdata/s/", headers=DESCRIBE)


def test_the_clients_are_restored_after_stop() -> None:
    originals: list[Any] = [
        aiohttp.ClientSession.__dict__["_request"],
        httpx.HTTPTransport.__dict__["handle_request"],
        httpx.AsyncHTTPTransport.__dict__["handle_async_request"],
        urllib3.connectionpool.HTTPConnectionPool.__dict__["urlopen"],
        http.client.HTTPConnection.__dict__["request"],
        http.client.HTTPConnection.__dict__["getresponse"],
    ]
    with mock_putrecord():
        assert httpx.HTTPTransport.__dict__["handle_request"] is not originals[1]
    assert [
        aiohttp.ClientSession.__dict__["_request"],
        httpx.HTTPTransport.__dict__["handle_request"],
        httpx.AsyncHTTPTransport.__dict__["handle_async_request"],
        urllib3.connectionpool.HTTPConnectionPool.__dict__["urlopen"],
        http.client.HTTPConnection.__dict__["request"],
        http.client.HTTPConnection.__dict__["getresponse"],
    ] == originals
    assert "aiohttp.client" in sys.modules
