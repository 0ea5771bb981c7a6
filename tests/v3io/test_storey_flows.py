"""storey's StreamTarget flows, ported from mlrun/storey@7f9ec9d
``integration/test_flow_integration.py`` (every test there that writes a v3io stream), in
process: storey writes through its ``V3ioDriver`` (the ``v3io.aio`` client); the test reads
back with storey's ``GetShardData`` and tears down with its ``recursive_delete`` (GetItems
over the stream directory, then DELETE), both plain aiohttp (``storey_helpers``).

One change from storey: its async tests sleep 5 s before reading, hoping the target has
flushed; here they terminate the flow first, which flushes it for certain.

Skipped unless storey is installed: it pins numpy < 1.27, pandas < 2.4 and pyarrow < 24,
so CI runs these in a third virtualenv (``.ci/run``, the ``test-storey`` extra)."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any, Callable, Iterator

import pytest

storey = pytest.importorskip("storey", reason="storey is not installed (pip install -e '.[test-storey]')")

import pandas as pd  # noqa: E402  (storey depends on it)

from mock_putrecord import MockPutRecord, mock_putrecord  # noqa: E402

from .storey_helpers import GetShardData, V3ioHeaders, create_stream, generate_table_name, recursive_delete  # noqa: E402

from storey import (  # noqa: E402
    AsyncEmitSource, DataframeSource, Event, Map, Reduce, StreamTarget, SyncEmitSource, V3ioDriver, build_flow,
)


@pytest.fixture
def v3io_mock(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockPutRecord]:
    """An active mock, with storey's environment pointing at the in-process web API."""
    monkeypatch.setenv("V3IO_API", "http://v3io-webapi:8081")
    monkeypatch.setenv("V3IO_ACCESS_KEY", "storey-key")
    with mock_putrecord() as mock:
        yield mock


@pytest.fixture
def assign_stream_teardown_test(v3io_mock: MockPutRecord) -> Iterator[str]:
    """storey's fixture of the same name: a fresh stream path, then its recursive delete."""
    stream_path = generate_table_name("bigdata/storey_ci/stream_test")
    yield stream_path
    asyncio.run(recursive_delete(stream_path, V3ioHeaders()))
    assert v3io_mock.v3io.stream_paths("bigdata") == []  # the teardown really removed it


def shard_data(path: str) -> list[bytes]:
    return asyncio.run(GetShardData().get_shard_data(path))


def append_return(lst: list[Any], x: Any) -> list[Any]:
    lst.append(x)
    return lst


def test_write_to_v3io_stream(assign_stream_teardown_test: str) -> None:
    stream_path = assign_stream_teardown_test

    async def run() -> None:
        controller = build_flow([
            AsyncEmitSource(),
            Map(lambda x: str(x)),
            StreamTarget(V3ioDriver(), stream_path, sharding_func=lambda event: int(event.body), batch_size=8,
                         shards=2, full_event=False),
        ]).run()
        for i in range(10):
            await controller.emit(i)
        await controller.terminate()
        await controller.await_termination()
        assert await GetShardData().get_shard_data(f"{stream_path}/0") == [b"0", b"2", b"4", b"6", b"8"]
        assert await GetShardData().get_shard_data(f"{stream_path}/1") == [b"1", b"3", b"5", b"7", b"9"]

    asyncio.run(run())


def test_write_to_v3io_stream_flow_reuse(assign_stream_teardown_test: str) -> None:
    """ML-5351: the same flow run twice appends to the same stream."""
    stream_path = assign_stream_teardown_test
    flow = build_flow([
        AsyncEmitSource(),
        Map(lambda x: str(x)),
        StreamTarget(V3ioDriver(), stream_path, sharding_func=lambda event: int(event.body), batch_size=8, shards=2,
                     full_event=False),
    ])

    async def run(iteration: int) -> None:
        controller = flow.run()
        for i in range(10):
            await controller.emit(i)
        await controller.terminate()
        await controller.await_termination()
        assert await GetShardData().get_shard_data(f"{stream_path}/0") == [b"0", b"2", b"4", b"6", b"8"] * iteration
        assert await GetShardData().get_shard_data(f"{stream_path}/1") == [b"1", b"3", b"5", b"7", b"9"] * iteration

    asyncio.run(run(1))
    asyncio.run(run(2))


def test_write_to_v3io_stream_full_event_readback(assign_stream_teardown_test: str) -> None:
    stream_path = assign_stream_teardown_test

    async def run() -> None:
        controller = build_flow([
            AsyncEmitSource(),
            StreamTarget(V3ioDriver(), stream_path, sharding_func=lambda event: int(event.body), batch_size=8,
                         shards=2, full_event=True),
        ]).run()
        for i in range(10):
            await controller.emit(Event(i, id=str(i)))
        await controller.terminate()
        await controller.await_termination()
        shard0_data = await GetShardData().get_shard_data(f"{stream_path}/0")
        shard1_data = await GetShardData().get_shard_data(f"{stream_path}/1")
        wrapped = '{{"full_event_wrapper": true, "body": {0}, "id": "{0}"}}'
        assert shard0_data == [wrapped.format(i).encode() for i in (0, 2, 4, 6, 8)]
        assert shard1_data == [wrapped.format(i).encode() for i in (1, 3, 5, 7, 9)]

        controller = build_flow([
            AsyncEmitSource(),
            Reduce([], lambda acc, x: append_return(acc, x), full_event=True),
        ]).run()
        for record in shard0_data + shard1_data:
            await controller.emit(Event(json.loads(record.decode("utf8")),
                                        id="this-id-is-overridden-by-the-original-id"))
        await controller.terminate()
        result = await controller.await_termination()
        assert [(event.body, event.id) for event in result] == [(i, str(i)) for i in (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)]

    asyncio.run(run())


def test_write_to_v3io_stream_timestamps(assign_stream_teardown_test: str) -> None:
    """ML-1219: timestamps are written as their string form."""
    df = pd.DataFrame([["hello", pd.Timestamp("2018-05-07 13:52:37"), datetime(2012, 8, 8, 21, 46, 24, 862000)]],
                      columns=["string", "ts", "datetime"])
    stream_path = assign_stream_teardown_test
    controller = build_flow([
        DataframeSource(df),
        StreamTarget(V3ioDriver(), stream_path, sharding_func=lambda event: 0, infer_columns_from_data=True,
                     full_event=False),
    ]).run()
    controller.await_termination()
    shard0_data = shard_data(f"{stream_path}/0")
    assert len(shard0_data) == 1
    assert json.loads(shard0_data[0].decode("utf-8")) == {
        "datetime": "2012-08-08 21:46:24.862000", "string": "hello", "ts": "2018-05-07 13:52:37",
    }


def test_write_to_v3io_stream_with_column_inference(assign_stream_teardown_test: str) -> None:
    stream_path = assign_stream_teardown_test
    controller = build_flow([
        SyncEmitSource(),
        StreamTarget(V3ioDriver(), stream_path, sharding_func=lambda event: event.body["x"],
                     infer_columns_from_data=True, shards=2, full_event=False),
    ]).run()
    for i in range(10):
        controller.emit({"x": i, "y": f"{i}+{i}={i * 2}"})
    controller.terminate()
    controller.await_termination()
    assert shard_data(f"{stream_path}/0") == [f'{{"x": {i}, "y": "{i}+{i}={i * 2}"}}'.encode() for i in (0, 2, 4, 6, 8)]
    assert shard_data(f"{stream_path}/1") == [f'{{"x": {i}, "y": "{i}+{i}={i * 2}"}}'.encode() for i in (1, 3, 5, 7, 9)]


def test_write_to_pre_existing_stream(assign_stream_teardown_test: str) -> None:
    stream_path = assign_stream_teardown_test
    asyncio.run(create_stream(stream_path))
    df = pd.DataFrame([["hello", "goodbye"]], columns=["first", "second"])
    controller = build_flow([
        DataframeSource(df),
        StreamTarget(V3ioDriver(), stream_path, sharding_func=lambda event: 0, infer_columns_from_data=True,
                     full_event=False),
    ]).run()
    controller.await_termination()
    assert shard_data(f"{stream_path}/0") == [b'{"first": "hello", "second": "goodbye"}']


def test_write_dict_to_v3io_stream(assign_stream_teardown_test: str) -> None:
    stream_path = assign_stream_teardown_test
    controller = build_flow([
        SyncEmitSource(),
        StreamTarget(V3ioDriver(), stream_path, sharding_func=lambda event: int(event.key), columns=["$key"],
                     infer_columns_from_data=True, shards=2, full_event=False),
    ]).run()
    for i in range(10):
        controller.emit({"mydata": "abcdefg"}, key=f"{i}")
    controller.terminate()
    controller.await_termination()
    assert [json.loads(d) for d in shard_data(f"{stream_path}/0")] == [
        {"mydata": "abcdefg", "key": f"{i}"} for i in (0, 2, 4, 6, 8)]
    assert [json.loads(d) for d in shard_data(f"{stream_path}/1")] == [
        {"mydata": "abcdefg", "key": f"{i}"} for i in (1, 3, 5, 7, 9)]


@pytest.mark.parametrize("sharding_func_type", ["func", "partition_num", "field"])
def test_write_to_v3io_stream_unbalanced(assign_stream_teardown_test: str, sharding_func_type: str) -> None:
    sharding_func: Callable[[Any], int] | int | str = {
        "func": lambda event: 0, "partition_num": 0, "field": "n"}[sharding_func_type]
    stream_path = assign_stream_teardown_test
    controller = build_flow([
        SyncEmitSource(),
        Map((lambda x: {"n": x}) if sharding_func_type == "field" else (lambda x: str(x))),
        StreamTarget(V3ioDriver(), stream_path, sharding_func=sharding_func, shards=2, full_event=False),
    ]).run()
    for i in range(5):
        controller.emit(i * 2)
    controller.terminate()
    controller.await_termination()
    expected_data = [b"0", b"2", b"4", b"6", b"8"]
    if sharding_func_type == "field":
        expected_data = [json.dumps({"n": int(element)}).encode("utf8") for element in expected_data]
    assert shard_data(f"{stream_path}/0") == expected_data
    assert shard_data(f"{stream_path}/1") == []


def test_push_error_on_write_to_v3io_stream(assign_stream_teardown_test: str) -> None:
    class Context:
        def __init__(self) -> None:
            self.num_push_error_called = 0

        def push_error(self, *args: Any, **kwargs: Any) -> None:
            self.num_push_error_called += 1

    context = Context()
    stream_path = assign_stream_teardown_test
    controller = build_flow([
        SyncEmitSource(),
        StreamTarget(V3ioDriver(), stream_path, sharding_func=lambda event: 0, shards=1, context=context,
                     full_event=False),
    ]).run()
    # Write a 3MB record, which exceeds the 2MB v3io record size limit, then a small record.
    controller.emit("3" * (1024 * 1024 * 3))
    controller.emit("0")
    controller.terminate()
    controller.await_termination()
    assert context.num_push_error_called == 1
    assert shard_data(f"{stream_path}/0") == [b"0"]
