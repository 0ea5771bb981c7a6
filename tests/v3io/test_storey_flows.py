"""storey's StreamTarget flows (after mlrun/storey@7f9ec9d ``integration/
test_flow_integration.py``), in process: storey writes through the ``v3io.aio`` client,
the test reads back and tears down with plain aiohttp exactly as storey's own helpers do
(``GetShardData``; ``recursive_delete``, which pages the stream directory with GetItems).
Skipped unless storey is installed (it pins numpy/pandas, so it is not a test extra)."""
from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, Iterator

import pytest

from mock_putrecord import mock_putrecord

storey = pytest.importorskip("storey", reason="storey is not installed")
aiohttp = pytest.importorskip("aiohttp")

WEBAPI = "http://v3io-webapi:8081"
KEY = "storey-key"


def _headers(function: str | None = None) -> dict[str, str]:
    headers = {"X-v3io-session-key": KEY}
    if function:
        headers["X-v3io-function"] = function
    return headers


async def get_shard_data(path: str) -> list[bytes]:
    """storey's GetShardData.get_shard_data."""
    async with aiohttp.ClientSession() as session:
        response = await session.request("PUT", f"{WEBAPI}/{path}", headers=_headers("Seek"),
                                         data=json.dumps({"Type": "EARLIEST"}), ssl=False)
        if response.status == 404:
            return []
        if response.status == 400 and json.loads(await response.text())["ErrorMessage"] == "ResourceNotFoundException":
            return []
        assert response.status == 200, await response.text()
        location = json.loads(await response.text())["Location"]
        data = []
        while True:
            response = await session.request("PUT", f"{WEBAPI}/{path}", headers=_headers("GetRecords"),
                                             data=json.dumps({"Location": location}), ssl=False)
            assert response.status == 200, await response.text()
            body = json.loads(await response.text())
            data += [base64.b64decode(record["Data"]) for record in body["Records"]]
            if body["RecordsBehindLatest"] == 0:
                return data
            location = body["NextLocation"]


async def recursive_delete(path: str) -> None:
    """storey's integration_test_utils.recursive_delete."""
    async with aiohttp.ClientSession() as session:
        marker = ""
        while True:
            response = await session.put(f"{WEBAPI}/{path}/", headers=_headers("GetItems"),
                                         data=json.dumps({"AttributesToGet": "__name", "Marker": marker}), ssl=False)
            if response.status == 404:
                break
            assert response.status == 200, await response.text()
            page = json.loads(await response.text())
            for item in page["Items"]:
                deleted = await session.delete(f"{WEBAPI}/{path}/{item['__name']['S']}", headers=_headers(), ssl=False)
                assert deleted.status < 300 or deleted.status in (404, 409)
            if "NextMarker" not in page:
                break
            marker = page["NextMarker"]
        deleted = await session.delete(f"{WEBAPI}/{path}/", headers=_headers(), ssl=False)
        assert deleted.status < 300 or deleted.status in (404, 409), await deleted.text()


@pytest.fixture
def stream_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("V3IO_API", WEBAPI)
    monkeypatch.setenv("V3IO_ACCESS_KEY", KEY)
    with mock_putrecord() as mock:
        yield "bigdata/storey_ci/stream_test"
        asyncio.run(recursive_delete("bigdata/storey_ci/stream_test"))
        assert mock.v3io.stream_paths("bigdata") == []  # the teardown removed it


def test_write_to_v3io_stream(stream_path: str) -> None:
    async def run() -> None:
        controller = storey.build_flow([
            storey.AsyncEmitSource(),
            storey.Map(lambda x: str(x)),
            storey.StreamTarget(storey.V3ioDriver(), stream_path, sharding_func=lambda event: int(event.body),
                                batch_size=8, shards=2, full_event=False),
        ]).run()
        for i in range(10):
            await controller.emit(i)
        await controller.terminate()
        await controller.await_termination()
        assert await get_shard_data(f"{stream_path}/0") == [b"0", b"2", b"4", b"6", b"8"]
        assert await get_shard_data(f"{stream_path}/1") == [b"1", b"3", b"5", b"7", b"9"]

    asyncio.run(run())


@pytest.mark.parametrize("sharding", ["func", "partition_num", "field"])
def test_write_to_v3io_stream_unbalanced(stream_path: str, sharding: str) -> None:
    sharding_func: Any = {"func": lambda event: 0, "partition_num": 0, "field": "n"}[sharding]
    controller = storey.build_flow([
        storey.SyncEmitSource(),
        storey.Map((lambda x: {"n": x}) if sharding == "field" else (lambda x: str(x))),
        storey.StreamTarget(storey.V3ioDriver(), stream_path, sharding_func=sharding_func, shards=2, full_event=False),
    ]).run()
    for i in range(5):
        controller.emit(i * 2)
    controller.terminate()
    controller.await_termination()
    expected = [str(i * 2).encode() for i in range(5)]
    if sharding == "field":
        expected = [json.dumps({"n": i * 2}).encode() for i in range(5)]
    assert asyncio.run(get_shard_data(f"{stream_path}/0")) == expected
    assert asyncio.run(get_shard_data(f"{stream_path}/1")) == []


def test_push_error_on_a_record_over_the_2mb_limit(stream_path: str) -> None:
    class Context:
        num_push_error_called = 0

        def push_error(self, *args: Any, **kwargs: Any) -> None:
            self.num_push_error_called += 1

    context = Context()
    controller = storey.build_flow([
        storey.SyncEmitSource(),
        storey.StreamTarget(storey.V3ioDriver(), stream_path, sharding_func=lambda event: 0, shards=1,
                            context=context, full_event=False),
    ]).run()
    controller.emit("3" * (1024 * 1024 * 3))  # over "the 2MB v3io record size limit"
    controller.emit("0")
    controller.terminate()
    controller.await_termination()
    assert context.num_push_error_called == 1
    assert asyncio.run(get_shard_data(f"{stream_path}/0")) == [b"0"]
