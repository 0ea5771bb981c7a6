"""SubscribeToShard: the event stream on the wire, every starting position, live
delivery, the 5-minute lifetime on the virtual clock, takeovers, resharding and errors."""
from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any, Iterator

import pytest
from botocore.eventstream import EventStream, EventStreamBuffer
from botocore.exceptions import ClientError

from mock_putrecord import MockPutRecord, mock_putrecord
from mock_putrecord.core.dispatch import dispatch
from mock_putrecord.core.streaming import StreamingWireResponse
from mock_putrecord.core.wire import WireRequest

from ..helpers import requires_operation
from .conftest import error_of

ACCOUNT = "123456789012"
SHARD = "shardId-000000000000"


@pytest.fixture
def consumer_arn(kinesis: Any) -> str:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    return str(kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["Consumer"]["ConsumerARN"])


def _subscribe(kinesis: Any, arn: str, shard: str = SHARD, **position: Any) -> EventStream:
    position.setdefault("Type", "TRIM_HORIZON")
    response = kinesis.subscribe_to_shard(ConsumerARN=arn, ShardId=shard, StartingPosition=position)
    return response["EventStream"]


def _events(stream: EventStream) -> Iterator[dict[str, Any]]:
    for event in stream:
        yield event["SubscribeToShardEvent"]


def test_returns_botocore_event_stream_with_records(mock: MockPutRecord, kinesis: Any, consumer_arn: str) -> None:
    put = kinesis.put_record(StreamName="s", Data=b"one", PartitionKey="k")
    stream = _subscribe(kinesis, consumer_arn)
    assert isinstance(stream, EventStream)
    event = next(_events(stream))
    stream.close()
    [record] = event["Records"]
    assert (record["Data"], record["PartitionKey"], record["SequenceNumber"]) == (b"one", "k", put["SequenceNumber"])
    assert record["ApproximateArrivalTimestamp"].timestamp() == pytest.approx(time.time(), abs=5)
    assert event["ContinuationSequenceNumber"] == put["SequenceNumber"]
    assert event["MillisBehindLatest"] == 0
    assert "ChildShards" not in event


def test_wire_messages_parse_with_botocores_eventstream_decoder(mock: MockPutRecord, kinesis: Any,
                                                               consumer_arn: str) -> None:
    kinesis.put_record(StreamName="s", Data=b"one", PartitionKey="k")
    body = json.dumps({"ConsumerARN": consumer_arn, "ShardId": SHARD, "StartingPosition": {"Type": "TRIM_HORIZON"}})
    request = WireRequest("POST", "https://kinesis.us-east-1.amazonaws.com/", "/", "", {}, body.encode(),
                          "kinesis", "SubscribeToShard", "us-east-1", ACCOUNT)
    response = dispatch(request)
    assert isinstance(response, StreamingWireResponse)
    assert response.headers["Content-Type"] == "application/vnd.amazon.eventstream"
    chunks = response.chunks()
    buffer = EventStreamBuffer()  # checks the prelude and message CRCs
    buffer.add_data(next(chunks) + next(chunks))
    initial, first = list(buffer)
    response.source.close()  # type: ignore[union-attr]
    assert initial.headers == {":event-type": "initial-response", ":content-type": "application/json",
                               ":message-type": "event"}
    assert json.loads(initial.payload) == {}
    assert first.headers[":event-type"] == "SubscribeToShardEvent"
    payload = json.loads(first.payload)
    assert payload["Records"][0]["Data"] == "b25l"
    assert list(payload) == ["Records", "MillisBehindLatest", "ContinuationSequenceNumber"]


def test_empty_shard_continues_from_the_starting_sequence_number(mock: MockPutRecord, kinesis: Any,
                                                                 consumer_arn: str) -> None:
    stream = _subscribe(kinesis, consumer_arn)
    event = next(_events(stream))
    stream.close()
    starting = kinesis.list_shards(StreamName="s")["Shards"][0]["SequenceNumberRange"]["StartingSequenceNumber"]
    assert (event["Records"], event["ContinuationSequenceNumber"]) == ([], starting)


@pytest.mark.parametrize("kind, expected", [
    ("TRIM_HORIZON", [b"0", b"1", b"2"]),
    ("LATEST", []),
    ("AT_SEQUENCE_NUMBER", [b"1", b"2"]),
    ("AFTER_SEQUENCE_NUMBER", [b"2"]),
    ("AT_TIMESTAMP", [b"1", b"2"]),
])
def test_every_starting_position(mock: MockPutRecord, kinesis: Any, consumer_arn: str, kind: str,
                                 expected: list[bytes]) -> None:
    mock.advance(0)
    mock.advance(5)  # the consumer is ACTIVE
    sequence = []
    for index in range(3):
        sequence.append(kinesis.put_record(StreamName="s", Data=str(index).encode(), PartitionKey="k")["SequenceNumber"])
        mock.advance(1)
    position: dict[str, Any] = {"Type": kind}
    if kind.endswith("SEQUENCE_NUMBER"):
        position["SequenceNumber"] = sequence[1]
    if kind == "AT_TIMESTAMP":
        position["Timestamp"] = mock.kinesis.records("s")[1].arrival - 0.5  # botocores round to ms differently
    stream = _subscribe(kinesis, consumer_arn, **position)
    event = next(_events(stream))
    stream.close()
    assert [r["Data"] for r in event["Records"]] == expected


def test_records_put_while_open_arrive_without_a_polling_interval(mock: MockPutRecord, kinesis: Any,
                                                                 consumer_arn: str) -> None:
    stream = _subscribe(kinesis, consumer_arn, Type="LATEST")
    events = _events(stream)
    assert next(events)["Records"] == []
    latencies = []
    for index in range(5):
        sent = time.monotonic()
        threading.Timer(0.05, kinesis.put_record,
                        kwargs={"StreamName": "s", "Data": str(index).encode(), "PartitionKey": "k"}).start()
        event = next(events)
        latencies.append(time.monotonic() - sent - 0.05)
        assert [r["Data"] for r in event["Records"]] == [str(index).encode()]
    stream.close()
    assert max(latencies) < 2  # woken by the put, not by the 5-second heartbeat or liveness timers


def test_ends_after_five_minutes_on_the_virtual_clock(mock: MockPutRecord, kinesis: Any, consumer_arn: str) -> None:
    mock.advance(0)
    mock.advance(5)
    stream = _subscribe(kinesis, consumer_arn)
    events = _events(stream)
    next(events)
    threading.Timer(0.05, mock.advance, args=(299,)).start()
    assert next(events)["Records"] == []  # the heartbeat of an idle shard
    threading.Timer(0.05, mock.advance, args=(1,)).start()
    assert list(events) == []


def test_idle_subscription_gets_a_heartbeat_every_five_seconds(mock: MockPutRecord, kinesis: Any,
                                                               consumer_arn: str) -> None:
    mock.advance(0)
    mock.advance(5)
    stream = _subscribe(kinesis, consumer_arn)
    events = _events(stream)
    next(events)
    threading.Timer(0.05, mock.advance, args=(4,)).start()
    threading.Timer(0.1, mock.advance, args=(1,)).start()
    event = next(events)
    stream.close()
    assert (event["Records"], event["MillisBehindLatest"]) == ([], 0)


def test_second_subscription_within_five_seconds_is_in_use(mock: MockPutRecord, kinesis: Any, raw_kinesis: Any,
                                                           consumer_arn: str) -> None:
    mock.advance(0)
    mock.advance(5)
    first = _subscribe(kinesis, consumer_arn)
    mock.advance(4.9)
    with pytest.raises(ClientError) as excinfo:
        _subscribe(raw_kinesis, consumer_arn)
    assert error_of(excinfo) == (
        "ResourceInUseException",
        f"Another active subscription exists for this consumer: {ACCOUNT}:s:{SHARD}:app", 400)
    mock.advance(0.1)
    second = _subscribe(kinesis, consumer_arn)  # takes over: the first ends
    assert list(_events(first)) == []
    assert next(_events(second))["Records"] == []
    second.close()


def test_only_active_consumers_subscribe(mock: MockPutRecord, kinesis: Any, raw_kinesis: Any) -> None:
    mock.advance(0)
    kinesis.create_stream(StreamName="s", ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["Consumer"]
    with pytest.raises(ClientError) as excinfo:
        _subscribe(raw_kinesis, consumer["ConsumerARN"])
    created = int(consumer["ConsumerCreationTimestamp"].timestamp())
    assert error_of(excinfo) == (
        "ResourceInUseException",
        f"Consumer app with creation timestamp {created} under stream: s , account {ACCOUNT} is not in ACTIVE status.",
        400)


def test_unknown_consumer_and_shard(kinesis: Any, raw_kinesis: Any, consumer_arn: str) -> None:
    missing = consumer_arn.replace("/consumer/app:", "/consumer/other:")
    with pytest.raises(ClientError) as excinfo:
        _subscribe(raw_kinesis, missing)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Consumer {missing}, account {ACCOUNT} not found.", 400)
    with pytest.raises(ClientError) as excinfo:
        _subscribe(raw_kinesis, consumer_arn, shard="shardId-000000000007")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        f"Shard shardId-000000000007 in stream s under account {ACCOUNT} does not exist", 400)


def test_starting_position_is_validated_server_side(raw_kinesis: Any, consumer_arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        _subscribe(raw_kinesis, consumer_arn, Type="AT_SEQUENCE_NUMBER")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidArgumentException", 400)
    with pytest.raises(ClientError) as excinfo:
        _subscribe(raw_kinesis, consumer_arn, Type="SOMEWHERE")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert "at 'startingPosition.type' failed to satisfy constraint: Member must satisfy enum value set" in message


def test_shard_end_carries_child_shards_and_ends(mock: MockPutRecord, kinesis: Any, consumer_arn: str) -> None:
    kinesis.put_record(StreamName="s", Data=b"before", PartitionKey="k")
    kinesis.split_shard(StreamName="s", ShardToSplit=SHARD, NewStartingHashKey=str(1 << 127))
    events = list(_events(_subscribe(kinesis, consumer_arn)))
    assert [r["Data"] for e in events for r in e["Records"]] == [b"before"]
    last = events[-1]
    assert "ContinuationSequenceNumber" not in last
    assert [c["ShardId"] for c in last["ChildShards"]] == ["shardId-000000000001", "shardId-000000000002"]
    assert last["ChildShards"][0]["ParentShards"] == [SHARD]


def test_an_open_subscription_sees_its_shard_close(mock: MockPutRecord, kinesis: Any, consumer_arn: str) -> None:
    events = _events(_subscribe(kinesis, consumer_arn))
    next(events)
    threading.Timer(0.05, kinesis.split_shard, kwargs={
        "StreamName": "s", "ShardToSplit": SHARD, "NewStartingHashKey": str(1 << 127)}).start()
    rest = list(events)
    assert len(rest[-1]["ChildShards"]) == 2


def test_deregistering_the_consumer_ends_its_subscriptions(kinesis: Any, consumer_arn: str) -> None:
    events = _events(_subscribe(kinesis, consumer_arn))
    next(events)
    threading.Timer(0.05, kinesis.deregister_stream_consumer, kwargs={"ConsumerARN": consumer_arn}).start()
    assert list(events) == []


def test_two_mebibytes_per_second_with_shard_throughput(kinesis: Any) -> None:
    with mock_putrecord(shard_throughput=True) as mock:
        kinesis.create_stream(StreamName="t", ShardCount=1)
        stream_arn = kinesis.describe_stream_summary(StreamName="t")["StreamDescriptionSummary"]["StreamARN"]
        arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["Consumer"]["ConsumerARN"]
        mock.advance(5)
        blob = b"x" * (512 * 1024 - 1)  # with its key, half a MiB
        for _ in range(3):  # 1 MiB/s per shard for writes: three seconds of puts
            put = kinesis.put_records(StreamName="t", Records=[{"Data": blob, "PartitionKey": "k"}] * 2)
            assert put["FailedRecordCount"] == 0
            mock.advance(1)
        stream = _subscribe(kinesis, arn)
        events = _events(stream)
        first = next(events)
        assert len(first["Records"]) == 4  # 2 MiB
        assert first["MillisBehindLatest"] > 0
        threading.Timer(0.05, mock.advance, args=(1,)).start()
        assert len(next(events)["Records"]) == 2
        stream.close()


@requires_operation("kinesis", "SubscribeToShard", "DryRun")
def test_dry_run_checks_and_subscribes_nothing(kinesis: Any, raw_kinesis: Any, consumer_arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId=SHARD,
                                       StartingPosition={"Type": "LATEST"}, DryRun=True)
    assert error_of(excinfo) == (
        "DryRunOperationException", "The request was rejected because the DryRun parameter was specified.", 400)
    _subscribe(kinesis, consumer_arn).close()  # no subscription was taken


def test_aiobotocore_reads_the_same_events() -> None:
    aiobotocore_session = pytest.importorskip("aiobotocore.session")

    async def scenario() -> list[list[bytes]]:
        async with mock_putrecord() as mock:
            async with aiobotocore_session.get_session().create_client("kinesis", region_name="us-east-1") as client:
                await client.create_stream(StreamName="s", ShardCount=1)
                await client.put_record(StreamName="s", Data=b"a", PartitionKey="k")
                stream_arn = (await client.describe_stream_summary(StreamName="s"))["StreamDescriptionSummary"]["StreamARN"]
                consumer = await client.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")
                response = await client.subscribe_to_shard(
                    ConsumerARN=consumer["Consumer"]["ConsumerARN"], ShardId=SHARD,
                    StartingPosition={"Type": "TRIM_HORIZON"})
                received: list[list[bytes]] = []
                async for event in response["EventStream"]:
                    received.append([r["Data"] for r in event["SubscribeToShardEvent"]["Records"]])
                    if len(received) == 1:
                        await client.put_record(StreamName="s", Data=b"b", PartitionKey="k")
                    else:
                        mock.advance(300)
                return received

    assert asyncio.run(scenario()) == [[b"a"], [b"b"]]
