"""``mock.v3io``: declare v3io containers and streams and read what was written (records,
objects, KV items), without HTTP."""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from ..core.context import MockContext, require_active
from .models import (
    DEFAULT_ENDPOINT,
    ReadRecord,
    RecordInput,
    Shard,
    StoredRecord,
    Stream,
    normalize_endpoint,
    normalize_path,
)
from .container import V3ioContainer, v3io_backend


@dataclass(frozen=True)
class StreamInfo:
    """What DescribeStream says about a stream."""

    container: str
    path: str
    shard_count: int
    retention_hours: int


@dataclass(frozen=True)
class PutResult:
    """Where a record put through the view went."""

    shard_id: int
    sequence_number: int


def _read(shard: Shard, sequence: int, record: StoredRecord) -> ReadRecord:
    sec, nsec = divmod(record.arrival_ns, 1_000_000_000)
    return ReadRecord(
        shard_id=shard.shard_id,
        sequence_number=sequence,
        data=base64.b64decode(record.data),
        client_info=None if record.client_info is None else base64.b64decode(record.client_info),
        partition_key=record.partition_key,
        arrival_time=record.arrival_ns / 1e9,
        arrival_time_sec=sec,
        arrival_time_nsec=nsec,
    )


class V3ioView:
    """The Python view of the in-memory v3io streams (the backend the web API uses).

    Streams live per web-API endpoint and container. Every method takes an optional
    ``endpoint``; it defaults to the ``V3IO_API`` environment variable, else
    ``http://v3io-webapi:8081``. Paths are container-relative (``"my/stream"``);
    leading and trailing slashes do not matter.
    """

    def __init__(self, context: MockContext) -> None:
        self._context = context

    @staticmethod
    def default_endpoint() -> str:
        """The endpoint used when a method is given none (``host:port``)."""
        return normalize_endpoint(os.environ.get("V3IO_API") or DEFAULT_ENDPOINT)

    def _endpoint(self, endpoint: str | None) -> str:
        return normalize_endpoint(endpoint) if endpoint else self.default_endpoint()

    def container(self, name: str, *, endpoint: str | None = None) -> V3ioContainer:
        """One container's state.

        :raises ContainerNotFound: no such container (see :meth:`create_container`).
        """
        require_active("v3io")
        return v3io_backend.container(self._endpoint(endpoint), name)

    def create_container(self, name: str, *, endpoint: str | None = None) -> V3ioContainer:
        """Create a container at the endpoint (an existing one is left as it is). Every
        endpoint starts with the mock's ``v3io_containers`` (default ``bigdata``,
        ``users``, ``projects``)."""
        require_active("v3io")
        return v3io_backend.create_container(self._endpoint(endpoint), name)

    def container_names(self, *, endpoint: str | None = None) -> list[str]:
        """The names of the endpoint's containers, sorted."""
        require_active("v3io")
        return [container.name for container in v3io_backend.containers(self._endpoint(endpoint))]

    def create_stream(
        self,
        container: str,
        path: str,
        *,
        shard_count: int = 1,
        retention_hours: int = 24,
        endpoint: str | None = None,
    ) -> StreamInfo:
        """Create a stream, as CreateStream does (same limits and errors).

        :raises ResourceInUseException: the path exists already.
        :raises InvalidArgumentException: a count or retention outside v3io's limits.
        """
        stream = self.container(container, endpoint=endpoint).create_stream(
            normalize_path(path), shard_count, retention_hours
        )
        return StreamInfo(container, stream.path, stream.shard_count, stream.retention_hours)

    def stream(self, container: str, path: str, *, endpoint: str | None = None) -> Stream:
        """The stream model (``ResourceNotFoundException`` if there is none)."""
        return self.container(container, endpoint=endpoint).stream(normalize_path(path))

    def describe_stream(self, container: str, path: str, *, endpoint: str | None = None) -> StreamInfo:
        """Shard count and retention, as DescribeStream returns them."""
        stream = self.stream(container, path, endpoint=endpoint)
        return StreamInfo(container, stream.path, stream.shard_count, stream.retention_hours)

    def stream_paths(self, container: str, *, endpoint: str | None = None) -> list[str]:
        """The paths of the container's streams, sorted."""
        return sorted(self.container(container, endpoint=endpoint).streams)

    def delete_stream(self, container: str, path: str, *, endpoint: str | None = None) -> None:
        """Remove a stream and its records."""
        self.container(container, endpoint=endpoint).delete(normalize_path(path))

    def put_records(
        self,
        container: str,
        path: str,
        records: Iterable[bytes | str],
        *,
        partition_key: str | None = None,
        shard_id: int | None = None,
        client_info: bytes | None = None,
        endpoint: str | None = None,
    ) -> list[PutResult | None]:
        """Append records as PutRecords would (same routing); ``None`` marks a record whose
        ``shard_id`` is out of range. ``str`` data is stored as UTF-8."""
        info = None if client_info is None else base64.b64encode(client_info).decode()
        inputs = [
            RecordInput(
                base64.b64encode(item.encode() if isinstance(item, str) else item).decode(),
                info,
                partition_key,
                shard_id,
            )
            for item in records
        ]
        results = self.stream(container, path, endpoint=endpoint).put(inputs)
        return [None if result is None else PutResult(*result) for result in results]

    def records(
        self,
        container: str,
        path: str,
        shard_id: int | None = None,
        *,
        endpoint: str | None = None,
    ) -> list[ReadRecord]:
        """Retained records of one shard, or of every shard (by shard, then sequence)."""
        stream = self.stream(container, path, endpoint=endpoint)
        with stream.lock:
            shards: Sequence[Shard] = stream.shards if shard_id is None else [stream.shard(shard_id)]
            return [_read(shard, sequence, record) for shard in shards for sequence, record in shard]

    def shard_record_counts(self, container: str, path: str, *, endpoint: str | None = None) -> list[int]:
        """The number of retained records in each shard, by shard id."""
        stream = self.stream(container, path, endpoint=endpoint)
        with stream.lock:
            return [len(shard) for shard in stream.shards]

    def put_object(self, container: str, path: str, data: bytes | str, *, endpoint: str | None = None) -> None:
        """Write an object, as PUT Object does (``str`` is stored as UTF-8)."""
        body = data.encode() if isinstance(data, str) else bytes(data)
        self.container(container, endpoint=endpoint).put_object(normalize_path(path), body)

    def get_object(self, container: str, path: str, *, endpoint: str | None = None) -> bytes:
        """An object's bytes (``NoSuchFileOrDirectory`` if there is none)."""
        stored = self.container(container, endpoint=endpoint).object_or_missing(normalize_path(path))
        return bytes(stored.data)

    def item(self, container: str, path: str, *, endpoint: str | None = None) -> dict[str, Any]:
        """A KV item's user attributes as Python values (``N`` as int or float, ``B`` as
        bytes, an array attribute as a list, as v3io-py reads it); ``NoSuchFileOrDirectory``
        if there is no such item."""
        from .kv import decode_with_arrays as decode

        box = self.container(container, endpoint=endpoint)
        key = normalize_path(path)
        stored = box.objects.get(key) or box.shard_attributes.get(key) or box.object_or_missing(key)
        return {name: decode(typed) for name, typed in stored.attributes.items()}

    def set_access_keys(self, keys: Iterable[str] | None) -> None:
        """Accept only these access keys (session key, Basic password or AWS key id);
        others get ``403 Permission denied``. ``None`` (the default after every reset)
        accepts any non-empty key."""
        v3io_backend.access_keys = None if keys is None else frozenset(keys)
