"""SubscribeToShard: a consumer's push subscription to one shard.

:func:`subscribe` checks the request as AWS does and returns a :class:`Subscription`,
whose iteration is the response body: an ``initial-response`` message, then
``SubscribeToShardEvent`` messages (see ``eventstream.py``). An event goes out at once,
then whenever records arrive (the stream's listeners wake the subscription, so there
is no polling interval), every :data:`HEARTBEAT_SECONDS` on the mock's clock while the
shard is idle, and a last one with ``ChildShards`` when a closed shard is read to its end.
The subscription ends after :data:`LIFETIME_SECONDS` on the mock's clock (so
``mock.advance(300)`` ends it), when a later subscription takes it over, when the
consumer is deregistered or the stream deleted, or when the client closes it.
"""
from __future__ import annotations

import binascii
import threading
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..core.clock import clock
from ..core.settings import settings
from . import eventstream, iterators
from .consumers import Consumer, resolve_consumer_arn
from .exceptions import DryRunOperationException, ResourceInUseException
from .models import child_shards

if TYPE_CHECKING:
    from .models import KinesisBackend, Stream
    from .shards import Shard

LIFETIME_SECONDS = 300.0
"""AWS: events flow "for up to 5 minutes", then the consumer subscribes again."""
TAKEOVER_SECONDS = 5.0
"""A second subscription within 5 s of a successful one is refused; later, it takes over."""
HEARTBEAT_SECONDS = 5.0
"""An idle subscription still gets an (empty) event this often."""
BYTES_PER_SECOND = 2 * 1024 * 1024
"""Enhanced fan-out's rate per consumer per shard (with ``shard_throughput=True``)."""
MAX_EVENT_BYTES = 10 * 1024 * 1024
MAX_EVENT_RECORDS = 10000
_LIVENESS_SECONDS = 5.0
"""The longest a waiting reader sleeps without re-checking that its client is still
there (records and clock moves wake it at once; this only bounds a forgotten wait)."""


class Subscription:
    """One open SubscribeToShard stream. Iterate it for the body's messages."""

    def __init__(self, backend: KinesisBackend, consumer: Consumer, stream: Stream, shard: Shard,
                 position: int, started: float) -> None:
        self.backend = backend
        self.consumer = consumer
        self.stream = stream
        self.shard = shard
        self.position = position
        """The shard position of the next record to send."""
        self.started = started
        self.superseded = False
        self.closed = False
        self._changed = threading.Condition()
        self._version = 0
        self._budget = float(BYTES_PER_SECOND)
        self._budget_at = started

    # ------------------------------------------------------------ waking
    def wake(self) -> None:
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    def close(self) -> None:
        """The client is gone: end the stream."""
        self.closed = True
        self.wake()

    def _ended(self, now: float) -> bool:
        consumer = self.consumer
        return (self.closed or self.superseded or now >= self.started + LIFETIME_SECONDS
                or not settings.active  # the mock stopped
                or self.backend.streams.get(self.stream.name) is not self.stream
                or consumer.gone_at is not None
                or self.stream.consumers.get(consumer.name) is not consumer)

    # ------------------------------------------------------------ the body
    def __iter__(self) -> Iterator[bytes]:
        listeners = (self.stream.listeners, clock.listeners)
        for listener_list in listeners:
            listener_list.append(self.wake)
        try:
            yield eventstream.event("initial-response", {})
            last_event: float | None = None
            while True:
                with self._changed:
                    version = self._version
                now = clock.now()
                if self._ended(now):
                    return
                payload, sent, at_end = self._next_event(now)
                if last_event is None or sent or at_end or now - last_event >= HEARTBEAT_SECONDS:
                    last_event = now
                    yield eventstream.event("SubscribeToShardEvent", payload)
                    if at_end:
                        return
                    if sent:
                        continue  # more may be waiting already
                self._wait(version, now, last_event)
        finally:
            for listener_list in listeners:
                try:
                    listener_list.remove(self.wake)
                except ValueError:
                    pass

    def _wait(self, version: int, now: float, last_event: float) -> None:
        timeout = _LIVENESS_SECONDS
        if not clock.is_virtual:  # real time: wake for the next heartbeat or the end
            due = min(last_event + HEARTBEAT_SECONDS, self.started + LIFETIME_SECONDS)
            timeout = max(0.0, min(timeout, due - now))
        with self._changed:
            if self._version == version:
                self._changed.wait(timeout)

    def _allowance(self, now: float) -> float:
        """Bytes the consumer may still receive now (unlimited unless throughput is on)."""
        if not settings.shard_throughput:
            return float(MAX_EVENT_BYTES)
        elapsed = now - self._budget_at
        if elapsed > 0:
            self._budget = min(float(BYTES_PER_SECOND), self._budget + elapsed * BYTES_PER_SECOND)
            self._budget_at = now
        return min(self._budget, float(MAX_EVENT_BYTES))

    def _next_event(self, now: float) -> tuple[dict[str, Any], bool, bool]:
        """The next SubscribeToShardEvent's payload, whether it carries records, and
        whether it is the shard's last."""
        stream, shard = self.stream, self.shard
        allowance = self._allowance(now)
        records: list[dict[str, Any]] = []
        with stream.lock:
            cutoff = shard.position_of_time(now - stream.retention_hours * 3600)
            position = max(self.position, cutoff)
            end = len(shard)
            size = 0
            while position < end and len(records) < MAX_EVENT_RECORDS:
                blob = shard.data[position]
                if size + len(blob) > allowance:
                    break
                size += len(blob)
                record = {
                    "SequenceNumber": shard.sequence_at(position),
                    "ApproximateArrivalTimestamp": shard.arrivals[position],
                    "Data": binascii.b2a_base64(blob, newline=False).decode("ascii"),
                }
                key = shard.keys[position]
                if key is not None:  # AUTO distribution stores records without one
                    record["PartitionKey"] = key
                records.append(record)
                position += 1
            behind = 0 if position >= end else max(0, int((now - shard.arrivals[position]) * 1000))
            at_end = not shard.is_open and position >= end
            last = shard.sequence_at(position - 1) if position > 0 else shard.starting_sequence_number
        if settings.shard_throughput:
            self._budget -= size
        self.position = position
        payload: dict[str, Any] = {"Records": records, "MillisBehindLatest": behind}
        if at_end:
            payload["ChildShards"] = child_shards(stream, shard)
        else:
            payload["ContinuationSequenceNumber"] = last
        return payload, bool(records), at_end


def subscribe(backend: KinesisBackend, consumer_arn: str, shard_id: str, starting: Mapping[str, Any],
              dry_run: bool = False) -> Subscription:
    """SubscribeToShard's checks, in AWS's order, and the new subscription."""
    with backend.lock:
        consumer = resolve_consumer_arn(backend, consumer_arn)
        stream = consumer.stream
        now = clock.now()
        if consumer.status(now) != "ACTIVE":
            # Text captured from a SubscribeToShard on a CREATING consumer.
            raise ResourceInUseException(
                f"Consumer {consumer.name} with creation timestamp {int(consumer.created)} under stream: "
                f"{stream.name} , account {stream.account_id} is not in ACTIVE status."
            )
        # GetShardIterator's checks and messages for the shard and the starting position.
        token = backend.get_shard_iterator(
            stream.name, None, shard_id, starting["Type"], starting.get("SequenceNumber"), starting.get("Timestamp"))
        iterator = iterators.decode(token, now)
        shard = stream.shards[iterator.shard_index]
        previous = consumer.subscriptions.get(shard.shard_id)
        if previous is not None and now - previous.started < TAKEOVER_SECONDS:
            raise ResourceInUseException(
                "Another active subscription exists for this consumer: "
                f"{stream.account_id}:{stream.name}:{shard.shard_id}:{consumer.name}"
            )
        if dry_run:
            raise DryRunOperationException()
        subscription = Subscription(backend, consumer, stream, shard, iterator.position, now)
        consumer.subscriptions[shard.shard_id] = subscription
        if previous is not None:
            previous.superseded = True
            previous.wake()
        return subscription
