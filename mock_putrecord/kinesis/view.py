"""``mock.kinesis``: declare streams and read what was written, without boto3."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..core.context import MockContext, require_active
from .models import KinesisBackend, Stream, kinesis_backends
from .exceptions import ResourceNotFoundException
from .shards import StoredRecord

if TYPE_CHECKING:
    from .channels import Channel
    from .queues import QueueView


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
    ) -> Stream:
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
        return stream

    def stream(self, name: str, *, region: str | None = None, account_id: str | None = None) -> Stream:
        """A stream by name (``ResourceNotFoundException`` if there is none)."""
        stream = self.backend(region, account_id).get_stream(name)
        stream.seen_by_test = True
        return stream

    def stream_names(self, *, region: str | None = None, account_id: str | None = None) -> list[str]:
        """The names of the streams, sorted."""
        return sorted(self.backend(region, account_id).streams)

    def shard_ids(self, name: str, *, region: str | None = None, account_id: str | None = None) -> list[str]:
        """Every shard id of the stream, open and closed, in creation order."""
        return [shard.shard_id for shard in self.stream(name, region=region, account_id=account_id).shards]

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
        stream = self.stream(name, region=region, account_id=account_id)
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

    def channel(self, name: str, *, region: str | None = None, account_id: str | None = None) -> Channel:
        """The channel ``name``; its ``batches`` are what it delivered, written to S3 or not
        (``ResourceNotFoundException`` if there is none)."""
        from . import channels

        backend = self.backend(region, account_id)
        channels.flush(backend, force=False)
        for channel in channels.all_channels(backend):
            if channel.name == name:
                return channel
        raise ResourceNotFoundException(f"Channel {name} under account {backend.account_id} not found.")

    def flush_channels(self, *, region: str | None = None, account_id: str | None = None) -> None:
        """Deliver every channel's pending records now, without waiting for their data
        freshness interval."""
        from . import channels

        channels.flush(self.backend(region, account_id), force=True)


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
