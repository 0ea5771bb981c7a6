"""``mock.kinesis``: declare streams and read what was written, without boto3."""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Iterable, Mapping

from ..core.context import MockContext, require_active
from .models import KinesisBackend, Stream, kinesis_backends
from .exceptions import ResourceNotFoundException
from .shards import StoredRecord

if TYPE_CHECKING:
    from .channels import Channel, ChannelBatch
    from .queues import QueueView

__all__ = ["ChannelInfo", "KinesisView", "StreamInfo"]


@dataclass(frozen=True)
class StreamInfo:
    """A stream as it was when the view was asked: a plain record, detached from the
    mock's state (later writes do not change it, and changing it changes nothing)."""

    name: str
    arn: str
    account_id: str
    region: str
    status: str
    mode: str
    """``PROVISIONED`` or ``ON_DEMAND``."""
    created: float
    """Creation time in epoch seconds (``StreamCreationTimestamp``)."""
    retention_hours: int
    max_record_size_kib: int
    distribution: str
    """``RecordDistributionStrategy``."""
    encryption_type: str
    key_id: str | None
    shard_ids: tuple[str, ...]
    """Every shard, open and closed, in creation order."""
    open_shard_ids: tuple[str, ...]
    """The open shards, by starting hash key."""
    shard_record_counts: tuple[int, ...]
    """Records stored in each shard of :attr:`shard_ids` (including those past the
    retention period)."""
    tags: Mapping[str, str]
    policy: str | None
    """The resource policy (JSON text), if one was put."""

    @property
    def record_count(self) -> int:
        """Records stored in the whole stream."""
        return sum(self.shard_record_counts)

    @classmethod
    def of(cls, stream: Stream) -> StreamInfo:
        """Snapshot ``stream`` (under its lock, so the counts agree with each other)."""
        with stream.lock:
            return cls(
                name=stream.name, arn=stream.arn, account_id=stream.account_id, region=stream.region,
                status=stream.status, mode=stream.mode, created=stream.created,
                retention_hours=stream.retention_hours, max_record_size_kib=stream.max_record_size_kib,
                distribution=stream.distribution, encryption_type=stream.encryption_type, key_id=stream.key_id,
                shard_ids=tuple(shard.shard_id for shard in stream.shards),
                open_shard_ids=tuple(shard.shard_id for shard in stream.open_shards),
                shard_record_counts=tuple(len(shard) for shard in stream.shards),
                tags=MappingProxyType(dict(stream.tags)), policy=stream.policy,
            )


@dataclass(frozen=True)
class ChannelInfo:
    """A channel and what it delivered, as a plain record."""

    name: str
    arn: str
    stream_name: str
    destination_type: str
    """``S3`` or ``S3_TABLES``."""
    batches: list[ChannelBatch]
    """Every delivery so far, in order (written to S3 or not)."""


class KinesisView:
    """The Python view of the in-memory Kinesis (the same backend the wire API uses).

    Every method takes optional ``region`` and ``account_id``; they default to the
    mock's ``region`` option (or ``AWS_DEFAULT_REGION``) and ``account_id``.
    """

    def __init__(self, context: MockContext) -> None:
        self._context = context

    def backend(self, region: str | None = None, account_id: str | None = None) -> KinesisBackend:
        """The backend holding one account's streams in one region."""
        require_active("kinesis")
        return kinesis_backends.get(account_id or self._context.account_id, region or self._context.default_region)

    def create_stream(
        self,
        name: str,
        shard_count: int | None = 1,
        *,
        on_demand: bool = False,
        max_record_size_kib: int | None = None,
        distribution: str | None = None,
        region: str | None = None,
        account_id: str | None = None,
    ) -> StreamInfo:
        """Create an ACTIVE stream (``on_demand=True``: 4 shards, as AWS starts them).
        ``max_record_size_kib`` is ``MaxRecordSizeInKiB``; ``distribution`` the
        ``RecordDistributionStrategy`` (``"AUTO"`` needs ``on_demand=True``).

        :raises TypeError: ``name`` is not a str, or ``shard_count`` not an int.
        :raises ValueError: ``name`` is empty or ``shard_count`` below 1.
        """
        if not isinstance(name, str):
            raise TypeError(f"create_stream(): name must be a str, got {name!r}")
        if not name:
            raise ValueError("create_stream(): name must not be empty")
        if shard_count is not None or not on_demand:
            if isinstance(shard_count, bool) or not isinstance(shard_count, int):
                raise TypeError(f"create_stream(): shard_count must be an int, got {shard_count!r}")
            if shard_count < 1:
                raise ValueError(f"create_stream(): shard_count must be at least 1, got {shard_count}")
        mode = "ON_DEMAND" if on_demand else "PROVISIONED"
        stream = self.backend(region, account_id).create_stream(
            name, shard_count, mode, max_record_size_kib=max_record_size_kib, distribution=distribution)
        stream.seen_by_test = True
        return StreamInfo.of(stream)

    def stream(self, name: str, *, region: str | None = None, account_id: str | None = None) -> StreamInfo:
        """A stream by name, as a :class:`StreamInfo` snapshot (``ResourceNotFoundException``
        if there is none)."""
        return StreamInfo.of(self._stream(name, region, account_id))

    def _stream(self, name: str, region: str | None, account_id: str | None) -> Stream:
        stream = self.backend(region, account_id).get_stream(name)
        stream.seen_by_test = True
        return stream

    def stream_names(self, *, region: str | None = None, account_id: str | None = None) -> list[str]:
        """The names of the streams, sorted."""
        return sorted(self.backend(region, account_id).streams)

    def shard_ids(self, name: str, *, region: str | None = None, account_id: str | None = None) -> list[str]:
        """Every shard id of the stream, open and closed, in creation order."""
        return list(self.stream(name, region=region, account_id=account_id).shard_ids)

    def records(
        self,
        name: str,
        shard_id: str | None = None,
        *,
        region: str | None = None,
        account_id: str | None = None,
    ) -> list[StoredRecord]:
        """Stored records of a stream (or one shard), by shard then sequence number,
        including records past the retention period."""
        stream = self._stream(name, region, account_id)
        return self.backend(region, account_id).records(stream, shard_id)

    def records_by_shard(
        self, name: str, *, region: str | None = None, account_id: str | None = None
    ) -> dict[str, list[StoredRecord]]:
        """``{shard_id: [records...]}`` for every shard of the stream."""
        by_shard: dict[str, list[StoredRecord]] = {
            shard_id: [] for shard_id in self.shard_ids(name, region=region, account_id=account_id)
        }
        for record in self.records(name, region=region, account_id=account_id):
            by_shard[record.shard_id].append(record)
        return by_shard

    def data(self, name: str, *, region: str | None = None, account_id: str | None = None) -> list[bytes]:
        """Just the data blobs of a stream, by shard then sequence number."""
        return [record.data for record in self.records(name, region=region, account_id=account_id)]

    def put(
        self,
        name: str,
        records: Iterable[tuple[bytes, str]],
        *,
        region: str | None = None,
        account_id: str | None = None,
    ) -> list[tuple[str, str]]:
        """Put ``(data, partition_key)`` pairs as PutRecords would, without boto3.

        :returns: ``(shard_id, sequence_number)`` per record, in order (``"None"`` for a
            record that failed under throughput limits or an injected fault).
        """
        entries = [(data, key, None) for data, key in _checked_records(records)]
        _, results = self.backend(region, account_id).put_records(name, None, entries)
        return [(shard.shard_id, str(sequence)) for shard, sequence, _, _ in results]

    def queue(self, name: str, *, region: str | None = None, account_id: str | None = None) -> QueueView:
        """What the queue ``name`` holds now: its ``visible``, ``in_flight`` and
        ``dead_letter`` records (``ResourceNotFoundException`` if there is none)."""
        from . import queues

        backend = self.backend(region, account_id)
        for queue in queues.all_queues(backend):
            if queue.name == name:
                return queues.view(queue)
        raise ResourceNotFoundException(f"Queue {name} under account {backend.account_id} not found.")

    def channel(self, name: str, *, region: str | None = None, account_id: str | None = None) -> ChannelInfo:
        """The channel ``name``; its ``batches`` are what it delivered, written to S3 or not
        (``ResourceNotFoundException`` if there is none)."""
        from . import channels

        backend = self.backend(region, account_id)
        channels.flush(backend, force=False)
        for channel in channels.all_channels(backend):
            if channel.name == name:
                return _channel_info(channel)
        raise ResourceNotFoundException(f"Channel {name} under account {backend.account_id} not found.")

    def flush_channels(self, *, region: str | None = None, account_id: str | None = None) -> None:
        """Deliver every channel's pending records now, without waiting for their data
        freshness interval."""
        from . import channels

        channels.flush(self.backend(region, account_id), force=True)


def _channel_info(channel: Channel) -> ChannelInfo:
    return ChannelInfo(channel.name, channel.arn, channel.stream.name, channel.destination_type, list(channel.batches))


def _checked_records(records: Iterable[tuple[bytes, str]]) -> list[tuple[bytes, str]]:
    """``put``'s records, each a ``(bytes, str)`` pair, or an error naming the bad one."""
    checked: list[tuple[bytes, str]] = []
    for index, record in enumerate(records):
        if not isinstance(record, tuple) or len(record) != 2:
            raise TypeError(f"put(): records[{index}] must be a (data, partition_key) pair, got {record!r}")
        data, key = record
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"put(): records[{index}] data must be bytes, got {type(data).__name__} {data!r}"
                + (" (encode it, e.g. data.encode())" if isinstance(data, str) else "")
            )
        if not isinstance(key, str):
            raise TypeError(f"put(): records[{index}] partition_key must be a str, got {type(key).__name__} {key!r}")
        checked.append((bytes(data), key))
    return checked
