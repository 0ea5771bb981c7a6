"""Kinesis queues (botocore 1.44): a stream's records delivered one by one, with
visibility timeouts, acknowledgements and built-in dead-letter handling.

A queue is named per account and region and reads one stream (``Stream.queues``, by
name); it goes when the stream goes. It keeps no copy of the records: per shard, a
cursor to the first record never delivered, and an :class:`Entry` for each record
delivered but not yet acknowledged (in flight, visible again, or dead-lettered).

Semantics follow the model's operation documentation: a receive returns at most 10
records, each with a new receipt handle, and makes them invisible for the visibility
timeout; an acknowledgement removes a record; a record received ``MaxReceiveCount``
times (default 6) without acknowledgement becomes a dead-letter record when its last
visibility timeout lapses; records past the stream's retention are no longer delivered.
Status changes (CREATING, UPDATING, DELETING) take 5 seconds on a virtual clock and
no time on the real clock, as for consumers.
"""
from __future__ import annotations

import binascii
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, NamedTuple

from ..core.clock import clock
from .attachments import Attachment, all_attached, attached_count, find_attached
from ..core.validation import ValidationException
from .consumers import MAX_CONSUMERS, TRANSITION_SECONDS, live_consumers
from .exceptions import InvalidArgumentException, LimitExceededException, ResourceInUseException

if TYPE_CHECKING:
    from .models import KinesisBackend, Stream

DEFAULT_VISIBILITY_SECONDS = 30
DEFAULT_MAX_RECEIVE_COUNT = 6
DEFAULT_WAIT_SECONDS = 9
MAX_RECEIVE = 10

RecordKey = tuple[int, int]
"""``(shard index, position)`` of a stream record."""


@dataclass
class Entry:
    """A record the queue has delivered and not yet seen acknowledged."""

    receive_count: int = 0
    first_receive: float = 0.0
    visible_at: float = 0.0
    handle: str = ""
    dead: bool = False


class Delivery(NamedTuple):
    """One record returned by a receive."""

    key: RecordKey
    handle: str
    entry: Entry


@dataclass
class Queue(Attachment):
    """A queue on one stream."""

    name: str
    queue_id: str
    stream: Stream
    created: float
    starting_type: str
    starting_time: float | None
    visibility_seconds: int = DEFAULT_VISIBILITY_SECONDS
    dead_letter_type: str = "BUILT_IN"
    max_receive_count: int | None = DEFAULT_MAX_RECEIVE_COUNT
    tags: dict[str, str] = field(default_factory=dict)
    policy: str | None = None
    ready_at: float = 0.0
    """End of CREATING (and of UPDATING after an update)."""
    updated: bool = False
    gone_at: float | None = None
    cursors: dict[int, int] = field(default_factory=dict)
    entries: dict[RecordKey, Entry] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition, repr=False)
    version: int = 0
    """Bumped by :meth:`wake` (records put, clock moved, records settled)."""

    @property
    def arn(self) -> str:
        return f"arn:aws:kinesis:{self.stream.region}:{self.stream.account_id}:queue/{self.queue_id}"


    def description(self) -> dict[str, Any]:
        """The ``QueueDescription`` structure."""
        status = self.status()
        position: dict[str, Any] = {"Type": self.starting_type}
        if self.starting_time is not None and (status != "CREATING" or self.starting_type == "AT_TIMESTAMP"):
            position["Timestamp"] = self.starting_time
        dead_letter: dict[str, Any] = {"TargetType": self.dead_letter_type}
        if self.max_receive_count is not None and self.dead_letter_type == "BUILT_IN":
            dead_letter["MaxReceiveCount"] = self.max_receive_count
        return {
            "QueueName": self.name,
            "QueueARN": self.arn,
            "QueueStatus": status,
            "QueueCreationTimestamp": self.created,
            "StreamConfigurationList": [{"StreamARN": self.stream.arn, "StartingPosition": position}],
            "QueueAttributes": {"VisibilityTimeoutSeconds": self.visibility_seconds,
                                "DeadLetterConfiguration": dead_letter},
        }

    def summary(self) -> dict[str, Any]:
        """The ``QueueSummary`` structure of ListQueues."""
        return {
            "QueueName": self.name, "QueueARN": self.arn, "QueueStatus": self.status(),
            "QueueCreationTimestamp": self.created,
            "Streams": [{"StreamARN": self.stream.arn, "StreamCreationTimestamp": self.stream.created}],
        }

    # ------------------------------------------------------------ delivery
    def wake(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def _cursor(self, index: int) -> int:
        cursor = self.cursors.get(index)
        if cursor is None:  # a shard created after the queue: from its start
            cursor = self.cursors[index] = 0
        return cursor

    def _expire(self, now: float) -> None:
        """Forget records past the stream's retention, and dead-letter the records whose
        last allowed delivery lapsed."""
        stream = self.stream
        cutoff = now - stream.retention_hours * 3600
        for key in [k for k in self.entries if stream.shards[k[0]].arrivals[k[1]] < cutoff]:
            del self.entries[key]
        for shard in stream.shards:
            cursor = self._cursor(shard.index)
            if cursor < len(shard) and shard.arrivals[cursor] < cutoff:
                self.cursors[shard.index] = max(cursor, shard.position_of_time(cutoff))
        if self.dead_letter_type == "BUILT_IN" and self.max_receive_count is not None:
            for entry in self.entries.values():
                if not entry.dead and entry.receive_count >= self.max_receive_count and entry.visible_at <= now:
                    entry.dead = True
                    entry.visible_at = now

    def _candidates(self, dead: bool, now: float) -> Iterator[RecordKey]:
        for key in sorted(self.entries):
            entry = self.entries[key]
            if entry.dead == dead and entry.visible_at <= now:
                yield key
        if dead:
            return
        for shard in self.stream.shards:
            for position in range(self._cursor(shard.index), len(shard)):
                yield shard.index, position

    def take(self, limit: int, visibility: int, dead: bool, now: float) -> list[Delivery]:
        """Receive up to ``limit`` visible records (dead-letter ones if ``dead``)."""
        with self.stream.lock:
            self._expire(now)
            taken: list[Delivery] = []
            for key in self._candidates(dead, now):
                if len(taken) >= limit:
                    break
                entry = self.entries.get(key)
                if entry is None:
                    entry = self.entries[key] = Entry(first_receive=now)
                    self.cursors[key[0]] = key[1] + 1
                entry.receive_count += 1
                entry.visible_at = now + visibility
                entry.handle = _new_handle(self.queue_id, key, dead)
                taken.append(Delivery(key, entry.handle, entry))
            return taken

    def resolve(self, handle: str, dead: bool) -> tuple[RecordKey, Entry]:
        """The record a receipt handle names, if it is still the record's latest handle."""
        key = _parse_handle(handle, self.queue_id, dead)
        entry = self.entries.get(key) if key is not None else None
        if key is None or entry is None or entry.handle != handle or entry.dead != dead:
            # No capture of AWS's text; the model names InvalidArgumentException.
            raise InvalidArgumentException(f"The receipt handle {handle} is not valid for this queue.")
        return key, entry


def _new_handle(queue_id: str, key: RecordKey, dead: bool) -> str:
    return f"{'d' if dead else 'q'}.{queue_id}.{key[0]}.{key[1]}.{binascii.hexlify(os.urandom(12)).decode()}"


def _parse_handle(handle: str, queue_id: str, dead: bool) -> RecordKey | None:
    parts = handle.split(".")
    if len(parts) != 5 or parts[0] != ("d" if dead else "q") or parts[1] != queue_id:
        return None
    try:
        return int(parts[2]), int(parts[3])
    except ValueError:
        return None


# ---------------------------------------------------------------- registry
def all_queues(backend: KinesisBackend) -> list[Queue]:
    """Every queue of the account and Region that still exists, oldest first."""
    return all_attached(backend, "queues")


def queue_count(stream: Stream) -> int:
    return attached_count(stream, "queues")


def find(backend: KinesisBackend, arn: str) -> Queue:
    """The queue a QueueARN names, or ResourceNotFoundException."""
    found: Queue = find_attached(backend, "queues", arn, "Queue")
    return found


def _dead_letter(config: dict[str, Any] | None) -> tuple[str, int | None]:
    if config is None:
        return "BUILT_IN", DEFAULT_MAX_RECEIVE_COUNT
    target = config["TargetType"]
    count = config.get("MaxReceiveCount")
    if target == "BUILT_IN" and count is None:
        raise ValidationException("MaxReceiveCount is required when TargetType is BUILT_IN.")
    return target, count if target == "BUILT_IN" else None


def create(backend: KinesisBackend, name: str, configurations: list[dict[str, Any]],
           attributes: dict[str, Any] | None, tags: dict[str, str] | None) -> Queue:
    """CreateQueue."""
    if len(configurations) != 1:
        raise ValidationException("StreamConfigurationList must contain exactly one entry.")
    configuration = configurations[0]
    position = configuration.get("StartingPosition") or {"Type": "LATEST"}
    kind, stamp = position["Type"], position.get("Timestamp")
    if kind == "AT_TIMESTAMP" and stamp is None:
        raise ValidationException("Timestamp is required when the starting position Type is AT_TIMESTAMP.")
    if kind != "AT_TIMESTAMP" and stamp is not None:
        raise ValidationException(f"Timestamp must not be specified when the starting position Type is {kind}.")
    attributes = attributes or {}
    dead_type, max_count = _dead_letter(attributes.get("DeadLetterConfiguration"))
    with backend.lock:
        stream = backend.get_stream(None, configuration["StreamARN"])
        if stream.mode != "ON_DEMAND":
            raise InvalidArgumentException(
                f"Queues are supported only on data streams in on-demand capacity mode. Stream {stream.name} "
                f"under account {backend.account_id} is in PROVISIONED mode.")
        if any(q.name == name for q in all_queues(backend)):
            raise ResourceInUseException(f"Queue {name} under account {backend.account_id} already exists.")
        if len(live_consumers(stream)) + queue_count(stream) >= MAX_CONSUMERS:
            raise LimitExceededException(f"Only {MAX_CONSUMERS} consumers can be registered to a stream at once")
        now = clock.now()
        horizon = max(stream.created, now - stream.retention_hours * 3600)
        start_time = {"LATEST": now, "TRIM_HORIZON": horizon}.get(kind, max(float(stamp or 0), horizon))
        queue = Queue(
            name, binascii.hexlify(os.urandom(10)).decode(), stream, now, kind, start_time,
            visibility_seconds=attributes.get("VisibilityTimeoutSeconds", DEFAULT_VISIBILITY_SECONDS),
            dead_letter_type=dead_type, max_receive_count=max_count, tags=dict(tags or {}),
            ready_at=now + _transition(),
        )
        with stream.lock:
            for shard in stream.shards:
                queue.cursors[shard.index] = (len(shard) if kind == "LATEST"
                                              else shard.position_of_time(start_time))
        stream.queues[name] = queue
        stream.listeners.append(queue.wake)
        return queue


def _transition() -> float:
    return TRANSITION_SECONDS if clock.is_virtual else 0.0


def update(backend: KinesisBackend, arn: str, attributes: dict[str, Any]) -> Queue:
    """UpdateQueue: the attributes given change; UPDATING for a while."""
    with backend.lock:
        queue = find(backend, arn)
        if queue.gone_at is not None:
            raise ResourceInUseException(f"Queue {queue.name} under account {backend.account_id} is being deleted.")
        if "DeadLetterConfiguration" in attributes:
            queue.dead_letter_type, queue.max_receive_count = _dead_letter(attributes["DeadLetterConfiguration"])
        if "VisibilityTimeoutSeconds" in attributes:
            queue.visibility_seconds = attributes["VisibilityTimeoutSeconds"]
        delay = _transition()
        if delay:
            queue.updated = True
            queue.ready_at = clock.now() + delay
        return queue


def delete(backend: KinesisBackend, arn: str) -> None:
    """DeleteQueue: DELETING, then gone; receipt handles stop being valid at once."""
    with backend.lock:
        queue = find(backend, arn)
        now = clock.now()
        queue.gone_at = now + _transition()
        queue.entries.clear()
        try:
            queue.stream.listeners.remove(queue.wake)
        except ValueError:
            pass
        queue.wake()
        all_queues(backend)


def receive(backend: KinesisBackend, arn: str, limit: int | None, wait: int | None, visibility: int | None,
            dead: bool) -> tuple[Queue, list[Delivery]]:
    """Receive(DeadLetter)QueueRecords, long polling until a record is visible or the
    wait ends (on the mock's clock, and never longer than as much real time)."""
    queue = find(backend, arn)
    wait_seconds = DEFAULT_WAIT_SECONDS if wait is None else wait
    deadline = clock.now() + wait_seconds
    real_deadline = time.monotonic() + wait_seconds
    clock.listeners.append(queue.wake)
    try:
        while True:
            with queue.changed:
                version = queue.version
            now = clock.now()
            # take() locks the stream: never while holding queue.changed (puts wake the
            # queue from inside the stream's lock when shards change).
            taken = (queue.take(limit or MAX_RECEIVE, queue.visibility_seconds if visibility is None else visibility,
                                dead, now)
                     if queue.status(now) in ("ACTIVE", "UPDATING") else [])
            remaining = min(deadline - now, real_deadline - time.monotonic())
            if taken or remaining <= 0:
                return queue, taken
            with queue.changed:
                if queue.version == version:
                    queue.changed.wait(remaining)
    finally:
        clock.listeners.remove(queue.wake)


def settle(backend: KinesisBackend, arn: str, handles: list[str], dead: bool, action: str,
           visibility: list[int] | None = None) -> tuple[Queue, list[str], list[tuple[str, str, str]]]:
    """Acknowledge, restore or change the visibility of records by receipt handle.

    :returns: the queue, the handles that succeeded and ``(handle, code, message)`` for
        those that failed.
    """
    queue = find(backend, arn)
    done: list[str] = []
    failed: list[tuple[str, str, str]] = []
    now = clock.now()
    with queue.stream.lock:
        for index, handle in enumerate(handles):
            try:
                key, entry = queue.resolve(handle, dead)
            except InvalidArgumentException as error:
                failed.append((handle, error.code, error.message))
                continue
            if action == "acknowledge":
                del queue.entries[key]
            elif action == "restore":
                entry.dead, entry.receive_count, entry.visible_at, entry.handle = False, 0, now, ""
            else:
                entry.visible_at = now + (visibility or [])[index]
            done.append(handle)
    if done:
        queue.wake()
    return queue, done, failed


# ---------------------------------------------------------------- inspection
@dataclass(frozen=True)
class QueueRecordView:
    """A record as the queue holds it (``mock.kinesis.queue(...)``)."""

    sequence_number: str
    partition_key: str | None
    data: bytes
    shard_id: str
    receive_count: int


@dataclass(frozen=True)
class QueueView:
    """What a queue holds now: records waiting to be received (``visible``), received and
    not yet acknowledged (``in_flight``), and dead-lettered (``dead_letter``)."""

    name: str
    arn: str
    status: str
    visible: list[QueueRecordView]
    in_flight: list[QueueRecordView]
    dead_letter: list[QueueRecordView]


def view(queue: Queue) -> QueueView:
    now = clock.now()
    visible: list[QueueRecordView] = []
    in_flight: list[QueueRecordView] = []
    dead_letter: list[QueueRecordView] = []
    with queue.stream.lock:
        queue._expire(now)

        def record(key: RecordKey, count: int) -> QueueRecordView:
            shard = queue.stream.shards[key[0]]
            return QueueRecordView(shard.sequence_at(key[1]), shard.keys[key[1]], shard.data[key[1]],
                                   shard.shard_id, count)

        for key in sorted(queue.entries):
            entry = queue.entries[key]
            target = dead_letter if entry.dead else (visible if entry.visible_at <= now else in_flight)
            target.append(record(key, entry.receive_count))
        for shard in queue.stream.shards:
            for position in range(queue._cursor(shard.index), len(shard)):
                visible.append(record((shard.index, position), 0))
    return QueueView(queue.name, queue.arn, queue.status(now), visible, in_flight, dead_letter)
