"""HTTP/2 streams answered concurrently on one connection, and SubscribeToShard's event
stream as DATA frames (h2c and TLS), decoded with botocore's own EventStream parser."""
from __future__ import annotations

import base64
import http.client
import json
import ssl
import time
from typing import Any, Iterator

import pytest

pytest.importorskip("h2", reason="HTTP/2 needs the server extra (h2)")

import botocore.session  # noqa: E402
import h2.errors  # noqa: E402
import h2.settings  # noqa: E402
from botocore.eventstream import EventStream, EventStreamBuffer  # noqa: E402
from botocore.parsers import EventStreamJSONParser  # noqa: E402

from mock_putrecord.kinesis import subscriptions  # noqa: E402
from mock_putrecord.server import MockServer, http2  # noqa: E402
from mock_putrecord.server.limits import Limits  # noqa: E402

from .conftest import kinesis_call, signed_headers  # noqa: E402
from .h2client import H2Client  # noqa: E402

SHARD = "shardId-000000000000"


def call(server: MockServer, client: H2Client, operation: str, params: dict[str, Any]) -> int:
    body = json.dumps(params).encode()
    return client.send("POST", "/", signed_headers(server, f"Kinesis_20131202.{operation}", body), body)


def consumer(server: MockServer, client: H2Client, stream: str = "s") -> str:
    """A one-shard stream with an ACTIVE consumer (real time: it is active at once)."""
    server.mock.kinesis.create_stream(stream, 1)
    [reply] = client.wait(call(server, client, "DescribeStreamSummary", {"StreamName": stream}))
    arn = reply.json()["StreamDescriptionSummary"]["StreamARN"]
    [reply] = client.wait(call(server, client, "RegisterStreamConsumer", {"StreamARN": arn, "ConsumerName": "app"}))
    return str(reply.json()["Consumer"]["ConsumerARN"])


def subscribe(server: MockServer, client: H2Client, consumer_arn: str) -> int:
    return call(server, client, "SubscribeToShard", {
        "ConsumerARN": consumer_arn, "ShardId": SHARD, "StartingPosition": {"Type": "TRIM_HORIZON"}})


class _Raw:
    """What botocore's EventStream reads: ``stream()`` over the DATA frames of one stream."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def stream(self, **_: Any) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        pass


def botocore_events(client: H2Client, stream_id: int) -> EventStream:
    """The event stream as boto3 would hand it out (model, parser and all)."""
    model = botocore.session.get_session().get_service_model("kinesis")
    shape = model.operation_model("SubscribeToShard").output_shape.members["EventStream"]
    return EventStream(_Raw(client.chunks(stream_id)), shape, EventStreamJSONParser(), "SubscribeToShard")


@pytest.fixture
def h2c(server: MockServer) -> Iterator[H2Client]:
    client = H2Client.connect(server.host, server.port)
    yield client
    client.close()


def test_the_server_bounds_concurrent_streams(h2c: H2Client) -> None:
    h2c.pump()  # the server's SETTINGS
    assert h2c.conn.remote_settings.max_concurrent_streams == http2.MAX_CONCURRENT_STREAMS


def test_a_slow_stream_does_not_hold_up_the_others(server: MockServer, h2c: H2Client) -> None:
    """A subscription stays open for minutes; puts on the same connection are answered
    meanwhile, and the subscription delivers them live."""
    arn = consumer(server, h2c)
    subscription = subscribe(server, h2c, arn)
    status, headers = h2c.status(subscription)
    assert (status, headers["content-type"]) == (200, "application/vnd.amazon.eventstream")
    assert "content-length" not in headers
    events = iter(botocore_events(h2c, subscription))
    assert next(events)["SubscribeToShardEvent"]["Records"] == []  # the shard is empty
    started = time.monotonic()
    puts = [call(server, h2c, "PutRecord", {"StreamName": "s", "Data": base64.b64encode(b"r%d" % i).decode(),
                                            "PartitionKey": "k"}) for i in range(5)]
    replies = h2c.wait(*puts)
    assert time.monotonic() - started < 4  # before the subscription's next heartbeat (5 s)
    assert [reply.status for reply in replies] == [200] * 5
    sequence_numbers = [reply.json()["SequenceNumber"] for reply in replies]
    seen: list[tuple[bytes, str]] = []
    while len(seen) < 5:
        event = next(events)["SubscribeToShardEvent"]
        seen += [(record["Data"], record["SequenceNumber"]) for record in event["Records"]]
    assert seen == [(b"r%d" % i, sequence_numbers[i]) for i in range(5)]
    assert event["ContinuationSequenceNumber"] == sequence_numbers[-1]
    assert event["MillisBehindLatest"] == 0
    # the client ends the subscription: the server ends its event source, the connection lives
    h2c.conn.reset_stream(subscription)
    h2c.flush()
    deadline = time.monotonic() + 5
    while server._httpd.event_streams and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.01)
    assert not server._httpd.event_streams  # type: ignore[union-attr]
    [reply] = h2c.wait(call(server, h2c, "ListStreams", {}))
    assert reply.json()["StreamNames"] == ["s"]


def test_concurrent_large_answers_share_the_connection_window(server: MockServer, h2c: H2Client) -> None:
    """Three ~1 MB GetRecords answered at once: each waits for its own and the connection's
    WINDOW_UPDATEs, and every byte arrives on the right stream."""
    streams = ["a", "b", "c"]
    for index, name in enumerate(streams):
        server.mock.kinesis.create_stream(name, 1)
        server.mock.kinesis.put(name, [(bytes([index]) * 20_000 + b"%d" % i, "k") for i in range(50)])
    iterators = h2c.wait(*[call(server, h2c, "GetShardIterator", {
        "StreamName": name, "ShardId": SHARD, "ShardIteratorType": "TRIM_HORIZON"}) for name in streams])
    gets = [call(server, h2c, "GetRecords", {"ShardIterator": reply.json()["ShardIterator"]}) for reply in iterators]
    replies = h2c.wait(*gets)
    for index, reply in enumerate(replies):
        assert reply.status == 200
        got = [base64.b64decode(record["Data"]) for record in reply.json()["Records"]]
        assert got == [bytes([index]) * 20_000 + b"%d" % i for i in range(50)]


def test_a_failing_stream_is_reset_and_the_others_are_answered(server: MockServer, h2c: H2Client,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug while writing one answer resets that stream (INTERNAL_ERROR), nothing else."""
    server.mock.kinesis.create_stream("s", 1)
    session_send = http2.H2Session._send

    def send(self: http2.H2Session, stream_id: int, response: Any, method: bytes) -> None:
        if b"boom" in response.body:
            raise RuntimeError("boom")
        session_send(self, stream_id, response, method)

    monkeypatch.setattr(http2.H2Session, "_send", send)
    bad = call(server, h2c, "DescribeStreamSummary", {"StreamName": "boom"})
    good = call(server, h2c, "ListStreams", {})
    [reply] = h2c.wait(good)
    assert reply.json()["StreamNames"] == ["s"]
    while bad not in h2c.reset:
        assert h2c.pump()


def wire_messages(client: H2Client, stream_id: int, count: int) -> list[Any]:
    buffer = EventStreamBuffer()  # checks the prelude and message CRCs
    messages: list[Any] = []
    chunks = client.chunks(stream_id)
    while len(messages) < count:
        buffer.add_data(next(chunks))
        messages += list(buffer)
    return messages


@pytest.mark.parametrize("tls", [False, True], ids=["h2c", "tls"])
def test_subscribe_to_shard_streams_the_in_process_events(tls: bool) -> None:
    """The same messages as the in-process event stream: an initial-response, then
    SubscribeToShardEvents whose records are those put, in order."""
    if tls:
        pytest.importorskip("cryptography", reason="TLS tests need the server extra (cryptography)")
    with MockServer(tls=tls) as server:
        context = None
        if tls:
            context = ssl.create_default_context(cafile=server.certificate)
            context.set_alpn_protocols(["h2"])
        client = H2Client.connect(server.host, server.port, tls=context)
        try:
            arn = consumer(server, client)
            server.mock.kinesis.put("s", [(b"before-%d" % i, "k%d" % i) for i in range(3)])
            expected = server.mock.kinesis.records("s")
            stream_id = subscribe(server, client, arn)
            initial, first = wire_messages(client, stream_id, 2)
            assert initial.headers == {":event-type": "initial-response", ":content-type": "application/json",
                                       ":message-type": "event"}
            assert json.loads(initial.payload) == {}
            assert first.headers == {":event-type": "SubscribeToShardEvent", ":content-type": "application/json",
                                     ":message-type": "event"}
            payload = json.loads(first.payload)
            assert list(payload) == ["Records", "MillisBehindLatest", "ContinuationSequenceNumber"]
            assert [(base64.b64decode(r["Data"]), r["PartitionKey"], r["SequenceNumber"]) for r in payload["Records"]] \
                == [(r.data, r.partition_key, r.sequence_number) for r in expected]
            assert payload["ContinuationSequenceNumber"] == expected[-1].sequence_number
            assert payload["MillisBehindLatest"] == 0
            client.conn.reset_stream(stream_id)
            client.flush()
        finally:
            client.close()


def test_a_subscription_error_is_an_ordinary_json_answer(server: MockServer, h2c: H2Client) -> None:
    server.mock.kinesis.create_stream("s", 1)
    arn = kinesis_call(server, "DescribeStreamSummary", {"StreamName": "s"}).json()[
        "StreamDescriptionSummary"]["StreamARN"]
    [reply] = h2c.wait(subscribe(server, h2c, f"{arn}/consumer/missing:1"))
    assert reply.status == 400
    assert reply.json()["__type"] == "ResourceNotFoundException"
    assert int(reply.headers["content-length"]) == len(reply.body)


def test_stop_ends_a_live_subscription() -> None:
    server = MockServer().start()
    client = H2Client.connect(server.host, server.port)
    try:
        arn = consumer(server, client)
        stream_id = subscribe(server, client, arn)
        wire_messages(client, stream_id, 2)
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 3  # not the stop grace: the event stream ended at once
        while client.pump():
            pass
        assert stream_id in client.replies  # the stream was ended cleanly (END_STREAM), not cut
    finally:
        client.close()
        if server.is_running:
            server.stop()


def test_a_live_subscription_outlives_the_stall_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each event written counts as progress: a subscription with heartbeats closer than
    the timeouts is not cut off as a stalled answer (HTTP/2 and HTTP/1.1 chunked)."""
    monkeypatch.setattr(subscriptions, "HEARTBEAT_SECONDS", 0.1)
    with MockServer(limits=Limits(read_timeout=0.3, idle_timeout=0.3)) as server:
        client = H2Client.connect(server.host, server.port)
        try:
            arn = consumer(server, client)
            stream_id = subscribe(server, client, arn)
            started = time.monotonic()
            messages = wire_messages(client, stream_id, 12)  # ~1.1 s of heartbeats
            assert time.monotonic() - started > 0.9
            assert {m.headers[":event-type"] for m in messages[1:]} == {"SubscribeToShardEvent"}
            # and over HTTP/1.1, on a second consumer's subscription
            [reply] = client.wait(call(server, client, "RegisterStreamConsumer", {
                "StreamARN": arn.split("/consumer/")[0], "ConsumerName": "app2"}))
            body = json.dumps({"ConsumerARN": reply.json()["Consumer"]["ConsumerARN"], "ShardId": SHARD,
                               "StartingPosition": {"Type": "TRIM_HORIZON"}}).encode()
            conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
            conn.request("POST", "/", body, signed_headers(server, "Kinesis_20131202.SubscribeToShard", body))
            response = conn.getresponse()
            buffer = EventStreamBuffer()
            count = 0
            while count < 12:
                buffer.add_data(response.read1(65536))
                count += len(list(buffer))
            conn.close()
        finally:
            client.close()


def test_a_graceful_goaway_lets_open_streams_finish(server: MockServer, h2c: H2Client) -> None:
    """As the JavaScript SDK does: GOAWAY (NO_ERROR) right after the subscription's headers,
    then read it. Events keep coming; once the stream ends, the server closes the connection."""
    arn = consumer(server, h2c)
    stream_id = subscribe(server, h2c, arn)
    h2c.status(stream_id)
    h2c.sock.sendall(b"\x00\x00\x08\x07\x00\x00\x00\x00\x00" + bytes(8))  # GOAWAY, last stream 0, NO_ERROR
    server.mock.kinesis.put("s", [(b"after goaway", "k")])
    events = iter(botocore_events(h2c, stream_id))
    records: list[bytes] = []
    while not records:
        records += [record["Data"] for record in next(events)["SubscribeToShardEvent"]["Records"]]
    assert records == [b"after goaway"]
    h2c.conn.reset_stream(stream_id)
    h2c.flush()
    h2c.sock.settimeout(5)
    while h2c.pump():  # the server ends the connection: its last stream is done
        pass


def test_a_goaway_with_an_error_ends_the_connection_at_once(server: MockServer, h2c: H2Client) -> None:
    arn = consumer(server, h2c)
    stream_id = subscribe(server, h2c, arn)
    h2c.status(stream_id)
    h2c.sock.sendall(b"\x00\x00\x08\x07\x00\x00\x00\x00\x00" + bytes(4) + (2).to_bytes(4, "big"))  # INTERNAL_ERROR
    h2c.sock.settimeout(5)
    while h2c.pump():
        pass
    deadline = time.monotonic() + 5
    while server._httpd.event_streams and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.01)
    assert not server._httpd.event_streams  # type: ignore[union-attr]


def test_the_goaway_filter_finds_frames_split_anywhere() -> None:
    settings = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
    goaway = b"\x00\x00\x0a\x07\x00\x00\x00\x00\x00" + bytes(8) + b"hi"
    ping = b"\x00\x00\x08\x06\x00\x00\x00\x00\x00" + b"12345678"
    wire = http2.PREFACE + settings + goaway + ping
    for size in (1, 2, 5, 9, 17, len(wire)):
        incoming = http2._GoawayFilter()
        passed = b"".join(incoming.feed(wire[i:i + size]) for i in range(0, len(wire), size))
        assert passed == http2.PREFACE + settings + ping
        assert incoming.goaway


def test_a_client_over_the_stream_limit_is_refused(server: MockServer, h2c: H2Client) -> None:
    """100 requests left open (headers, no body yet), then one more: the server ends the
    connection (h2's TooManyStreamsError, a PROTOCOL_ERROR GOAWAY) instead of taking it."""
    h2c.pump()  # the server's SETTINGS
    for _ in range(http2.MAX_CONCURRENT_STREAMS):
        stream_id = h2c.conn.get_next_available_stream_id()
        h2c.conn.send_headers(stream_id, [(":method", "POST"), (":path", "/"), (":scheme", "http"),
                                          (":authority", "localhost")])
    h2c.flush()
    # a client that ignores the server's limit (h2 itself would refuse to send this one)
    h2c.conn.remote_settings = h2.settings.Settings(client=False, initial_values={
        h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1000})
    extra = h2c.conn.get_next_available_stream_id()
    h2c.conn.send_headers(extra, [(":method", "POST"), (":path", "/"), (":scheme", "http"),
                                  (":authority", "localhost")])
    h2c.flush()
    h2c.sock.settimeout(5)
    while h2c.pump():
        pass
    assert h2c.terminated is not None
    assert h2c.terminated.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    assert kinesis_call(server, "ListStreams", {}).status == 200
