"""storey's stream-source flows, in process. In production a storey flow reads a v3io stream
through nuclio's v3io stream trigger: v3io-go's consumer group (``streamconsumergroup``)
seeks each shard, reads it with GetRecords and hands each record to the flow's
``AsyncEmitSource``/``SyncEmitSource`` as an event with ``shard_id``, ``offset`` and
``path``; with ``explicit_ack=True`` storey commits the handled offsets through
``context.platform.explicit_ack`` (storey ``tests/test_flow.py`` ``test_offset_commit`` drives
that with an in-memory committer). Here the committer is the real thing, v3io-go's: the
offset goes into the shard object's ``__<group>_committed_sequence_number`` attribute, and
the next run resumes after it. ``ConsumerGroupTrigger`` ports those v3io-go calls
(mlrun/v3io-go ``streamconsumergroup.go``, ``claim.go``) to plain aiohttp with storey's
own ``V3ioHeaders``. Skipped unless storey is installed (see ``test_storey_flows``)."""
from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, Iterator

import pytest

storey = pytest.importorskip("storey", reason="storey is not installed (pip install -e '.[test-storey]')")

import aiohttp  # noqa: E402  (storey depends on it)

from mock_putrecord import MockPutRecord, mock_putrecord  # noqa: E402

from .storey_helpers import V3ioHeaders, generate_table_name, recursive_delete  # noqa: E402

from storey import (  # noqa: E402
    AsyncEmitSource, Event, Map, Reduce, StreamTarget, SyncEmitSource, V3ioDriver, build_flow,
)

GROUP = "cg0"
COMMITTED = f"__{GROUP}_committed_sequence_number"


class ConsumerGroupTrigger(V3ioHeaders):
    """The web-API calls of v3io-go's consumer group, as nuclio's trigger makes them."""

    def __init__(self, stream_path: str, shards: int) -> None:
        super().__init__()
        self.stream_path = stream_path.rstrip("/")
        self.shards = shards
        self.platform = self  # the flow's context: storey calls context.platform.explicit_ack

    async def _call(self, headers: dict[str, str], path: str, body: dict[str, Any]) -> tuple[int, Any]:
        async with aiohttp.ClientSession() as session:
            response = await session.put(f"{self._webapi_url}/{path}", headers=headers, data=json.dumps(body),
                                         ssl=False)
            text = await response.text()
            return response.status, (json.loads(text) if text.startswith("{") else text)

    async def join(self, member_id: str) -> bool:
        """setStateInPersistency for a new state file: only the first replica creates it."""
        state = {"schema_version": "0.0.1", "session_states": [{"member_id": member_id, "shards": [0, 1]}]}
        status, body = await self._call(
            self._put_item_headers, f"{self.stream_path}/{GROUP}-state.json",
            {"Item": {"state": {"S": json.dumps(state)}}, "UpdateMode": "CreateOrReplaceAttributes",
             "ConditionExpression": "not(exists(state))"})
        if status == 400 and "16777244" in json.dumps(body):  # the condition is false: already created
            return False
        assert status == 200, body
        return True

    async def committed(self, shard: int) -> int | None:
        """getShardSequenceNumberFromPersistency: the committed number, or None."""
        status, body = await self._call(self._get_item_headers, f"{self.stream_path}/{shard}",
                                        {"AttributesToGet": COMMITTED})
        assert status == 200, body
        value = body["Item"].get(COMMITTED)
        return None if value is None else int(value["N"])

    async def explicit_ack(self, qualified_offset: Any) -> None:
        """setShardSequenceNumberInPersistency, storey's committer."""
        status, body = await self._call(
            self._put_item_headers, f"{qualified_offset.topic}/{qualified_offset.partition}",
            {"Item": {COMMITTED: {"N": str(qualified_offset.offset)}}, "UpdateMode": "CreateOrReplaceAttributes",
             "ConditionExpression": "__obj_type == 3"})
        assert status == 200, body

    async def events(self) -> list[Event]:
        """getShardLocationFromPersistency, then claim.fetchRecordBatch to the shard's end."""
        events = []
        for shard in range(self.shards):
            committed = await self.committed(shard)
            seek = {"Type": "EARLIEST"} if committed is None else {"Type": "SEQUENCE",
                                                                   "StartingSequenceNumber": committed + 1}
            status, body = await self._call(self._seek_headers, f"{self.stream_path}/{shard}", seek)
            assert status == 200, body
            location = body["Location"]
            while True:
                status, body = await self._call(self._get_records_headers, f"{self.stream_path}/{shard}",
                                                {"Location": location})
                assert status == 200, body
                for record in body["Records"]:
                    event = Event(base64.b64decode(record["Data"]))
                    event.shard_id, event.offset, event.path = shard, record["SequenceNumber"], self.stream_path
                    events.append(event)
                if body["RecordsBehindLatest"] == 0:
                    break
                location = body["NextLocation"]
        return events


@pytest.fixture
def stream_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[MockPutRecord, str]]:
    monkeypatch.setenv("V3IO_API", "http://v3io-webapi:8081")
    monkeypatch.setenv("V3IO_ACCESS_KEY", "storey-key")
    with mock_putrecord() as mock:
        path = generate_table_name("bigdata/storey_ci/stream_test")
        yield mock, path
        asyncio.run(recursive_delete(path, V3ioHeaders()))  # shards and the state file
        assert mock.v3io.stream_paths("bigdata") == []


def write(stream_path: str, values: range) -> None:
    """A StreamTarget flow: even numbers to shard 0, odd ones to shard 1."""
    controller = build_flow([
        SyncEmitSource(),
        Map(lambda x: str(x)),
        StreamTarget(V3ioDriver(), stream_path, sharding_func=lambda event: int(event.body) % 2, shards=2,
                     full_event=False),
    ]).run()
    for i in values:
        controller.emit(i)
    controller.terminate()
    controller.await_termination()


def consume_async(trigger: ConsumerGroupTrigger) -> list[int]:
    async def run() -> list[int]:
        controller = build_flow([
            AsyncEmitSource(context=trigger, explicit_ack=True),
            Map(lambda body: int(body)),
            Reduce([], lambda acc, x: acc + [x]),
        ]).run()
        for event in await trigger.events():
            await controller.emit(event)
        await controller.terminate()
        result: list[int] = await controller.await_termination()
        return result

    return asyncio.run(run())


def consume_sync(trigger: ConsumerGroupTrigger) -> list[int]:
    controller = build_flow([
        SyncEmitSource(context=trigger, explicit_ack=True),
        Map(lambda body: int(body)),
        Reduce([], lambda acc, x: acc + [x]),
    ]).run()
    for event in asyncio.run(trigger.events()):
        controller.emit(event)
    controller.terminate()
    result: list[int] = controller.await_termination()
    return result


@pytest.mark.parametrize("consume", [consume_async, consume_sync], ids=["AsyncEmitSource", "SyncEmitSource"])
def test_stream_source_commits_offsets_and_resumes_after_them(stream_path: tuple[MockPutRecord, str],
                                                              consume: Any) -> None:
    mock, path = stream_path
    inner = path.split("/", 1)[1].rstrip("/")  # the stream's path inside the container
    write(path, range(10))
    trigger = ConsumerGroupTrigger(path, shards=2)
    assert asyncio.run(trigger.join("replica-0")) is True
    assert asyncio.run(ConsumerGroupTrigger(path, shards=2).join("replica-1")) is False  # one state file only

    assert consume(trigger) == [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]
    # storey committed the last handled offset of each shard on termination, into the shard objects
    assert [asyncio.run(trigger.committed(shard)) for shard in (0, 1)] == [5, 5]
    assert mock.v3io.item("bigdata", f"{inner}/0")[COMMITTED] == 5

    write(path, range(10, 14))
    assert consume(trigger) == [10, 12, 11, 13]  # resumed after the committed offsets
    assert [asyncio.run(trigger.committed(shard)) for shard in (0, 1)] == [7, 7]
    assert consume(trigger) == []  # nothing new

    # the stream is still a stream, its records untouched by the attributes
    assert [r.data for r in mock.v3io.records("bigdata", inner, 0)] == [
        str(i).encode() for i in (0, 2, 4, 6, 8, 10, 12)]
