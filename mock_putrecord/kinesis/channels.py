"""Kinesis channels (botocore 1.44): a stream delivered to S3 or to S3 Tables.

A channel reads one on-demand stream from the records put after it was created and
delivers them in batches, one per shard. A batch is delivered when the oldest record in
it is ``DataFreshnessInSeconds`` old on the mock's clock (checked when the clock moves
and whenever a channel is looked at), or at once by ``mock.kinesis.flush_channels()``.

Delivery to a general purpose bucket writes an object when moto mocks S3 in the same
process and the bucket exists; every batch, written or not, is kept for the view
(``mock.kinesis.channel(name).batches``). S3 Tables destinations are accepted and their
batches kept for the view only.

Object layout (``OutputKeyTemplate`` may use the same placeholders)::

    {StreamName}/{yyyy}/{MM}/{dd}/{HH}/{ChannelName}-{ShardId}-{FirstSequenceNumber}[.gz]

The body is the records' data, one record per line (``BYTE_ARRAY``: concatenated as
is), gzip-compressed for ``GZIP``. ``ZSTD`` objects need the ``zstandard`` package; without
it the batch stays in the view only.
"""
from __future__ import annotations

import binascii
import gzip
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.clock import clock
from .attachments import Attachment, all_attached, attached_count, find_attached
from ..core.moto_state import moto_mocks_s3
from ..core.validation import ValidationException
from .consumers import TRANSITION_SECONDS
from .exceptions import InvalidArgumentException, ResourceInUseException

if TYPE_CHECKING:
    from .models import KinesisBackend, Stream

DEFAULT_FRESHNESS_SECONDS = 300
DEFAULT_KEY_TEMPLATE = "{StreamName}/{yyyy}/{MM}/{dd}/{HH}/{ChannelName}-{ShardId}-{FirstSequenceNumber}"
# Which destination each record format may go to (the model's RecordFormatType documentation).
_FORMATS = {"S3": {"JSON", "STRING", "BYTE_ARRAY"}, "S3_TABLES": {"JSON", "GSR_JSON"}}


@dataclass(frozen=True)
class ChannelBatch:
    """One delivery: the records of one shard, and where they went."""

    shard_id: str
    sequence_numbers: list[str]
    records: list[bytes]
    key: str | None
    """The S3 object key (general purpose buckets)."""
    body: bytes
    """The object's body as written (or as it would have been)."""
    written: bool
    """True when the object was written to a (moto-mocked) bucket."""
    delivered_at: float


@dataclass
class Channel(Attachment):
    """A channel from one stream to one destination."""

    name: str
    channel_id: str
    stream: Stream
    created: float
    role_arn: str
    record_configuration: dict[str, Any]
    destination_type: str
    destination: dict[str, Any]
    encryption: dict[str, Any] | None
    logging: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)
    policy: str | None = None
    ready_at: float = 0.0
    updated: bool = False
    gone_at: float | None = None
    cursors: dict[int, int] = field(default_factory=dict)
    batches: list[ChannelBatch] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return f"arn:aws:kinesis:{self.stream.region}:{self.stream.account_id}:channel/{self.name}/{self.channel_id}"

    @property
    def freshness(self) -> int:
        return int(self.destination.get("DataFreshnessInSeconds", DEFAULT_FRESHNESS_SECONDS))


    def description(self) -> dict[str, Any]:
        """The ``ChannelDescription`` structure."""
        described: dict[str, Any] = {
            "ChannelName": self.name, "ChannelARN": self.arn, "ChannelId": self.channel_id,
            "ChannelStatus": self.status(), "ChannelCreationTimestamp": self.created,
            "ServiceExecutionRoleARN": self.role_arn,
            "StreamConfigurationList": [{"StreamARN": self.stream.arn, "StreamCreationTimestamp": self.stream.created,
                                         "RecordConfiguration": self.record_configuration}],
            "LoggingConfiguration": self.logging,
        }
        key = "S3DestinationConfiguration" if self.destination_type == "S3" else "S3TablesDestinationConfiguration"
        described[key] = self.destination
        if self.encryption is not None:
            described["EncryptionConfiguration"] = self.encryption
        return described

    def summary(self) -> dict[str, Any]:
        """The ``ChannelSummary`` structure of ListChannels."""
        return {
            "ChannelName": self.name, "ChannelARN": self.arn, "ChannelId": self.channel_id,
            "ChannelStatus": self.status(), "ChannelCreationTimestamp": self.created,
            "ChannelDestinationType": self.destination_type,
            "Streams": [{"StreamARN": self.stream.arn, "StreamCreationTimestamp": self.stream.created}],
        }

    # ------------------------------------------------------------ delivery
    def deliver(self, now: float, force: bool) -> None:
        """Deliver every shard's pending records whose oldest is due (all if ``force``)."""
        if self.status(now) not in ("ACTIVE", "UPDATING"):
            return
        pending: list[tuple[str, list[str], list[bytes]]] = []
        with self.stream.lock:
            for shard in self.stream.shards:
                start = self.cursors.setdefault(shard.index, 0)
                end = len(shard)
                if start >= end or not (force or now - shard.arrivals[start] >= self.freshness):
                    continue
                pending.append((shard.shard_id, [shard.sequence_at(p) for p in range(start, end)],
                                shard.data[start:end]))
                self.cursors[shard.index] = end
        for shard_id, sequence_numbers, records in pending:
            self.batches.append(self._write(shard_id, sequence_numbers, records, now))

    def _write(self, shard_id: str, sequence_numbers: list[str], records: list[bytes], now: float) -> ChannelBatch:
        if self.destination_type != "S3":
            body = b"".join(record + b"\n" for record in records)
            return ChannelBatch(shard_id, sequence_numbers, records, None, body, False, now)
        storage = self.destination["StorageConfiguration"]
        fmt = self.record_configuration["RecordFormatType"]
        body = b"".join(records) if fmt == "BYTE_ARRAY" else b"".join(record + b"\n" for record in records)
        compression = storage["CompressionType"]
        suffix = ""
        compressed: bytes | None = body
        if compression == "GZIP":
            compressed, suffix = gzip.compress(body, mtime=0), ".gz"
        elif compression == "ZSTD":
            compressed, suffix = _zstd(body), ".zst"
        stamp = time.gmtime(now)
        fields = {
            "StreamName": self.stream.name, "ChannelName": self.name, "ChannelId": self.channel_id,
            "ShardId": shard_id, "FirstSequenceNumber": sequence_numbers[0],
            "LastSequenceNumber": sequence_numbers[-1], "yyyy": f"{stamp.tm_year:04d}", "MM": f"{stamp.tm_mon:02d}",
            "dd": f"{stamp.tm_mday:02d}", "HH": f"{stamp.tm_hour:02d}",
        }
        template = storage.get("OutputKeyTemplate") or DEFAULT_KEY_TEMPLATE
        key = _fill(template, fields) + suffix
        written = compressed is not None and _put_object(
            self.stream.region, storage["BucketARN"].rsplit(":", 1)[-1], key, compressed, storage)
        return ChannelBatch(shard_id, sequence_numbers, records, key, compressed or body, written, now)


def _fill(template: str, fields: dict[str, str]) -> str:
    for name, value in fields.items():
        template = template.replace("{" + name + "}", value)
    return template


def _zstd(body: bytes) -> bytes | None:
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        return None
    return bytes(zstandard.ZstdCompressor().compress(body))


def _put_object(region: str, bucket: str, key: str, body: bytes, storage: dict[str, Any]) -> bool:
    """Write the object through moto's S3, if moto is active and the bucket exists."""
    if not moto_mocks_s3():
        return False
    import boto3
    from botocore.exceptions import ClientError

    s3 = boto3.client("s3", region_name=region)
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=body, StorageClass=storage.get("StorageClass", "STANDARD"))
    except ClientError:  # no such bucket (or moto refused): the view still has the batch
        return False
    return True


# ---------------------------------------------------------------- registry
def all_channels(backend: KinesisBackend) -> list[Channel]:
    """Every channel of the account and Region that still exists, oldest first."""
    return all_attached(backend, "channels")


def channel_count(stream: Stream) -> int:
    return attached_count(stream, "channels")


def find(backend: KinesisBackend, arn: str) -> Channel:
    """The channel a ChannelARN names, or ResourceNotFoundException."""
    found: Channel = find_attached(backend, "channels", arn, "Channel")
    return found


def flush(backend: KinesisBackend, force: bool) -> None:
    """Deliver the due batches of every channel (every pending record if ``force``)."""
    now = clock.now()
    for channel in all_channels(backend):
        channel.deliver(now, force)


_watching_clock = False


def _on_clock_move() -> None:
    from .models import kinesis_backends

    for _, backend in kinesis_backends.items():
        flush(backend, force=False)


def _watch_clock() -> None:
    """Deliver due batches whenever the mock's clock moves (from the first channel on)."""
    global _watching_clock
    if not _watching_clock:
        _watching_clock = True
        clock.listeners.append(_on_clock_move)


def _destination(params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    s3, tables = params.get("S3DestinationConfiguration"), params.get("S3TablesDestinationConfiguration")
    if (s3 is None) == (tables is None):
        raise InvalidArgumentException(
            "Exactly one of S3DestinationConfiguration and S3TablesDestinationConfiguration must be specified.")
    if s3 is not None:
        destination = {"DataFreshnessInSeconds": DEFAULT_FRESHNESS_SECONDS, **s3}
        storage = destination["StorageConfiguration"]
        destination.setdefault("DeadLetterQueueS3Configuration", {
            "BucketARN": storage["BucketARN"], "ExpectedBucketOwner": storage["ExpectedBucketOwner"]})
        return "S3", destination
    assert tables is not None
    if len(tables["S3TablesConfigurationList"]) != 1:
        raise InvalidArgumentException("S3TablesConfigurationList must contain exactly one table.")
    return "S3_TABLES", {"DataFreshnessInSeconds": DEFAULT_FRESHNESS_SECONDS, **tables}


def create(backend: KinesisBackend, params: dict[str, Any]) -> Channel:
    """CreateChannel, with the model's rules on destinations and record formats."""
    configurations = params["StreamConfigurationList"]
    if len(configurations) != 1:
        raise ValidationException("StreamConfigurationList must contain exactly one entry.")
    destination_type, destination = _destination(params)
    record_configuration = configurations[0]["RecordConfiguration"]
    fmt = record_configuration["RecordFormatType"]
    if fmt not in _FORMATS[destination_type]:
        kind = "general purpose Amazon S3" if destination_type == "S3" else "streaming table"
        raise InvalidArgumentException(f"RecordFormatType {fmt} is not supported for {kind} destinations.")
    if destination_type == "S3_TABLES" and "GSRSchemaARN" not in record_configuration:
        raise InvalidArgumentException("GSRSchemaARN is required when the channel destination is a streaming table.")
    with backend.lock:
        stream = backend.get_stream(None, configurations[0]["StreamARN"])
        if stream.mode != "ON_DEMAND":
            raise InvalidArgumentException(
                f"Channels are supported only on data streams in on-demand capacity mode. Stream {stream.name} "
                f"under account {backend.account_id} is in PROVISIONED mode.")
        name = params["ChannelName"]
        if any(c.name == name for c in all_channels(backend)):
            raise ResourceInUseException(f"Channel {name} under account {backend.account_id} already exists.")
        now = clock.now()
        channel = Channel(
            name, binascii.hexlify(os.urandom(16)).decode(), stream, now, params["ServiceExecutionRoleARN"],
            dict(record_configuration), destination_type, destination, params.get("EncryptionConfiguration"),
            params.get("LoggingConfiguration") or {"CloudWatchLogs": {"Enabled": False}},
            dict(params.get("Tags") or {}), ready_at=now + _transition(),
        )
        with stream.lock:
            channel.cursors = {shard.index: len(shard) for shard in stream.shards}
        stream.channels[name] = channel
        _watch_clock()
        return channel


def _transition() -> float:
    return TRANSITION_SECONDS if clock.is_virtual else 0.0


def update(backend: KinesisBackend, params: dict[str, Any]) -> Channel:
    """UpdateChannel: only the data freshness and the logging configuration change."""
    with backend.lock:
        channel = find(backend, params["ChannelARN"])
        if channel.gone_at is not None:
            raise ResourceInUseException(f"Channel {channel.name} under account {backend.account_id} is being deleted.")
        for key, kind in (("S3DestinationConfiguration", "S3"), ("S3TablesDestinationConfiguration", "S3_TABLES")):
            change = params.get(key)
            if change is None:
                continue
            if kind != channel.destination_type:
                raise InvalidArgumentException(
                    f"{key} does not match the destination of channel {channel.name} ({channel.destination_type}).")
            channel.destination["DataFreshnessInSeconds"] = change["DataFreshnessInSeconds"]
        if params.get("LoggingConfiguration") is not None:
            channel.logging = params["LoggingConfiguration"]
        delay = _transition()
        if delay:
            channel.updated = True
            channel.ready_at = clock.now() + delay
        return channel


def delete(backend: KinesisBackend, arn: str) -> None:
    """DeleteChannel: delivery stops; DELETING, then gone. Delivered data stays."""
    with backend.lock:
        channel = find(backend, arn)
        channel.gone_at = clock.now() + _transition()
        all_channels(backend)
