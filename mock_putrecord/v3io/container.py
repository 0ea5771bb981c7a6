"""A container's namespace: directories, objects (with KV attributes) and streams.

Every path is container-relative and normalised (``a/b``; the root is ``""``). A
directory keeps its children's names in a sorted list beside a name-to-kind dict, so a
listing or a GetItems page starts with a bisect at its marker and costs O(entries
returned), not O(directory). A stream is a directory too: its shard objects ``0..N-1``
are implied by the stream, and it can hold ordinary objects (consumer-group state).
"""
from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from itertools import count
from typing import Iterator, NamedTuple

from ..core.backends import register_resettable
from ..core.clock import clock
from ..core.settings import settings
from .exceptions import (
    ContainerNotFound,
    DirectoryNotEmpty,
    InvalidArgument,
    InvalidArgumentException,
    IsADirectory,
    NoSuchFileOrDirectory,
    NotADirectory,
    RangeNotSatisfiable,
    ResourceInUseException,
    ResourceIsnotStream,
    ResourceNotFoundException,
    V3ioError,
)
from .models import MAX_RETENTION_HOURS, MAX_SHARD_COUNT, Stream

OBJECT, DIRECTORY, STREAM, SHARD = "object", "directory", "stream", "shard"
_inodes = count(1)


def now_ns() -> int:
    """The mock clock in nanoseconds."""
    return int(clock.now() * 1_000_000_000)


@dataclass
class StoredObject:
    """A file: its bytes and its KV attributes (typed wire values, ``{"N": "5"}``). The
    bytes stay the immutable ``bytes`` a whole PUT sent (read back without a copy) until an
    append or an offset write turns them into a ``bytearray``."""

    data: bytes | bytearray = b""
    attributes: dict[str, dict[str, object]] = field(default_factory=dict)
    ctime_ns: int = field(default_factory=now_ns)
    mtime_ns: int = 0
    inode: int = field(default_factory=lambda: next(_inodes))

    def __post_init__(self) -> None:
        if not self.mtime_ns:
            self.mtime_ns = self.ctime_ns

    def touch(self) -> None:
        """Record a modification (mtime never goes backwards)."""
        self.mtime_ns = max(now_ns(), self.mtime_ns + 1)


class Directory:
    """A directory's children: ``kinds`` by name, plus the names in sorted order."""

    __slots__ = ("kinds", "names", "ctime_ns", "inode")

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        self.names: list[str] = []
        self.ctime_ns = now_ns()
        self.inode = next(_inodes)

    def add(self, name: str, kind: str) -> None:
        if name not in self.kinds:
            insort(self.names, name)
        self.kinds[name] = kind

    def remove(self, name: str) -> None:
        if self.kinds.pop(name, None) is not None:
            del self.names[bisect_left(self.names, name)]

    def names_after(self, marker: str | None, stop: str | None = None, low: str | None = None) -> Iterator[str]:
        """Child names greater than ``marker``, at least ``low`` and below ``stop``, in
        order (a bisect, then one name per step)."""
        names = self.names
        start = 0 if marker is None else bisect_right(names, marker)
        if low is not None:
            start = max(start, bisect_left(names, low))
        end = len(names) if stop is None else bisect_left(names, stop)
        for index in range(start, end):
            yield names[index]


class Resolved(NamedTuple):
    """What a container path names."""

    kind: str
    """``stream``, ``shard``, ``directory``, ``object`` or ``missing``."""
    stream: Stream | None = None
    shard_id: int | None = None


class Entry(NamedTuple):
    """One child of a directory, as listings and GetItems see it."""

    name: str
    kind: str
    """``object``, ``shard`` (a stream's shard object), ``directory`` or ``stream``."""
    obj: StoredObject | None = None


def _parent(path: str) -> tuple[str, str]:
    parent, _, name = path.rpartition("/")
    return parent, name


def _is_shard_name(name: str) -> bool:
    return name.isdigit() and name.isascii()


class V3ioContainer:
    """One container of one web-API endpoint."""

    def __init__(self, endpoint: str, name: str) -> None:
        self.endpoint = endpoint
        self.name = name
        self.lock = threading.RLock()
        self.streams: dict[str, Stream] = {}
        self.objects: dict[str, StoredObject] = {}
        self.directories: dict[str, Directory] = {"": Directory()}
        self.shard_attributes: dict[str, StoredObject] = {}
        """KV attributes of shard objects (their data is the stream's records)."""
        self.created_ns = now_ns()
        self.identifier = next(_inodes)

    # ------------------------------------------------------------ lookup
    def resolve(self, path: str) -> Resolved:
        """Classify a normalised container-relative path."""
        stream = self.streams.get(path)
        if stream is not None:
            return Resolved(STREAM, stream)
        if path in self.directories:
            return Resolved(DIRECTORY)
        if path in self.objects:
            return Resolved(OBJECT)
        parent, last = _parent(path)
        stream = self.streams.get(parent)
        if stream is not None and _is_shard_name(last):
            return Resolved(SHARD, stream, int(last))
        return Resolved("missing")

    def stream(self, path: str, not_stream: type[V3ioError] = ResourceIsnotStream) -> Stream:
        """The stream at ``path``, or the v3io error for what is there instead."""
        stream = self.streams.get(path)
        if stream is not None:
            return stream
        if self.resolve(path).kind == "missing":
            raise ResourceNotFoundException(f"no stream at {self.name}/{path}")
        raise not_stream(f"{self.name}/{path} is not a stream")

    def _make_parents(self, path: str) -> Directory:
        """The parent directory of ``path``, creating missing ancestors (as PutObject,
        PutItem and CreateStream do)."""
        parent, _ = _parent(path)
        directory = self.directories.get(parent)
        if directory is not None:
            return directory
        if parent in self.objects or self.resolve(parent).kind == SHARD:
            raise NotADirectory(f"{self.name}/{parent} is an object")
        grand = self._make_parents(parent)
        directory = self.directories[parent] = Directory()
        grand.add(_parent(parent)[1], DIRECTORY)
        return directory

    # ------------------------------------------------------------ streams
    def create_stream(self, path: str, shard_count: int, retention_hours: int) -> Stream:
        """Create a stream; the path must not exist (a directory counts)."""
        if not 1 <= shard_count <= MAX_SHARD_COUNT:
            raise InvalidArgumentException(f"ShardCount must be 1..{MAX_SHARD_COUNT}, got {shard_count}")
        if not 1 <= retention_hours <= MAX_RETENTION_HOURS:
            raise InvalidArgumentException(
                f"RetentionPeriodHours must be 1..{MAX_RETENTION_HOURS}, got {retention_hours}"
            )
        if not path:
            raise InvalidArgumentException("a stream needs a path inside the container")
        with self.lock:
            if self.resolve(path).kind != "missing":
                raise ResourceInUseException(f"{self.name}/{path} already exists")
            parts = path.split("/")
            if any("/".join(parts[:i]) in self.streams for i in range(1, len(parts))):
                raise InvalidArgumentException(f"{self.name}/{path} is inside a stream")
            try:
                parent = self._make_parents(path)
            except NotADirectory:
                raise InvalidArgumentException(f"{self.name}/{path} is below an object") from None
            stream = self.streams[path] = Stream(path, shard_count, retention_hours)
            self.directories[path] = Directory()
            parent.add(_parent(path)[1], STREAM)
            return stream

    # ------------------------------------------------------------ objects
    def put_object(self, path: str, data: bytes, *, append: bool = False, offset: int | None = None) -> None:
        """PUT Object: replace, append (``Range: -1``) or write at ``offset``."""
        if not path:
            raise InvalidArgument("PUT needs an object path")
        with self.lock:
            resolved = self.resolve(path)
            if resolved.kind in (DIRECTORY, STREAM, SHARD):
                raise IsADirectory(f"{self.name}/{path} is a {resolved.kind}")
            obj = self.objects.get(path)
            if obj is None:
                if offset:
                    raise RangeNotSatisfiable(f"offset {offset} of a new object")
                parent = self._make_parents(path)
                obj = self.objects[path] = StoredObject(bytes(data))
                parent.add(_parent(path)[1], OBJECT)
                return
            if append:
                obj.data = bytearray(obj.data) if isinstance(obj.data, bytes) else obj.data
                obj.data += data
            elif offset is not None:
                if offset > len(obj.data):
                    raise RangeNotSatisfiable(f"offset {offset} beyond {len(obj.data)} bytes")
                obj.data = bytearray(obj.data) if isinstance(obj.data, bytes) else obj.data
                obj.data[offset : offset + len(data)] = data
            else:
                obj.data = bytes(data)
            obj.touch()

    def make_directory(self, path: str) -> None:
        """PUT of ``path/`` with no body: an empty directory (and its parents)."""
        if not path:
            return
        with self.lock:
            kind = self.resolve(path).kind
            if kind in (DIRECTORY, STREAM):
                return
            if kind != "missing":
                raise NotADirectory(f"{self.name}/{path} is an object")
            parent = self._make_parents(path)
            self.directories[path] = Directory()
            parent.add(_parent(path)[1], DIRECTORY)

    def item_for_write(self, path: str) -> StoredObject:
        """The object PutItem/UpdateItem write to, created (with its table) if missing."""
        obj = self.objects.get(path) or self.shard_attributes.get(path)
        if obj is not None:
            return obj
        resolved = self.resolve(path)
        kind = resolved.kind
        if kind == SHARD and self.shard_exists(resolved):
            # v3io-go's consumer group keeps its committed sequence numbers as attributes
            # of the shard objects (UpdateItem on <stream>/<shard>, "__obj_type == 3").
            obj = self.shard_attributes[path] = StoredObject()
            return obj
        if kind != "missing":
            raise IsADirectory(f"{self.name}/{path} is a {kind}, not an item")
        if not path:
            raise InvalidArgument("an item needs a name")
        parent = self._make_parents(path)
        obj = self.objects[path] = StoredObject()
        parent.add(_parent(path)[1], OBJECT)
        return obj

    @staticmethod
    def shard_exists(resolved: Resolved) -> bool:
        """True when a ``shard`` resolution names a shard the stream has."""
        return resolved.stream is not None and resolved.shard_id is not None and (
            resolved.shard_id < resolved.stream.shard_count
        )

    def object_or_missing(self, path: str) -> StoredObject:
        """The object at ``path`` (404 "No such file or directory" if there is none)."""
        obj = self.objects.get(path)
        if obj is None:
            raise NoSuchFileOrDirectory(f"{self.name}/{path}")
        return obj

    # ------------------------------------------------------------ delete
    def delete(self, path: str) -> None:
        """DELETE of an object, an empty directory, a shard object (clears the shard) or
        a stream directory (removes the stream and the objects kept in it, such as
        consumer-group state)."""
        with self.lock:
            resolved = self.resolve(path)
            kind = resolved.kind
            if kind == OBJECT:
                del self.objects[path]
            elif kind == STREAM:
                directory = self.directories[path]
                for name in list(directory.names):
                    if directory.kinds[name] != OBJECT:
                        raise DirectoryNotEmpty(f"{self.name}/{path} holds directories")
                for name in directory.names:
                    del self.objects[f"{path}/{name}"]
                for shard_id in range(self.streams[path].shard_count):
                    self.shard_attributes.pop(f"{path}/{shard_id}", None)
                del self.streams[path]
                del self.directories[path]
            elif kind == SHARD:
                assert resolved.stream is not None and resolved.shard_id is not None
                if resolved.shard_id >= resolved.stream.shard_count:
                    raise NoSuchFileOrDirectory(f"{self.name}/{path}")
                resolved.stream.clear_shard(resolved.shard_id)
                self.shard_attributes.pop(path, None)
                return
            elif kind == DIRECTORY:
                if not path:
                    raise InvalidArgument("the container root cannot be deleted")
                if self.directories[path].names:
                    raise DirectoryNotEmpty(f"{self.name}/{path} is not empty")
                del self.directories[path]
            else:
                raise NoSuchFileOrDirectory(f"{self.name}/{path}")
            parent, name = _parent(path)
            self.directories[parent].remove(name)

    # ------------------------------------------------------------ listing
    def entries(
        self, path: str, marker: str | None = None, stop: str | None = None, low: str | None = None
    ) -> Iterator[Entry]:
        """The children of directory ``path`` in name order, after ``marker`` (a child
        name), from ``low`` and before ``stop``. A stream's shard objects are listed among
        its other objects. The caller holds ``self.lock`` and stops iterating when its
        page is full."""
        directory = self.directories.get(path)
        if directory is None:
            raise NoSuchFileOrDirectory(f"{self.name}/{path}")
        base = f"{path}/" if path else ""
        stream = self.streams.get(path)
        shards = _shard_names(stream.shard_count, marker, stop, low) if stream is not None else iter(())
        children = directory.names_after(marker, stop, low)
        shard = next(shards, None)
        child = next(children, None)
        while shard is not None or child is not None:
            if child is None or (shard is not None and shard < child):
                assert shard is not None and stream is not None
                yield Entry(shard, SHARD, self.shard_attributes.get(base + shard))
                shard = next(shards, None)
                continue
            kind = directory.kinds[child]
            yield Entry(child, kind, self.objects.get(base + child) if kind == OBJECT else None)
            child = next(children, None)


def _shard_names(shard_count: int, marker: str | None, stop: str | None, low: str | None) -> Iterator[str]:
    """Shard object names in string order (``0, 1, 10, 11, 2, ...``) between the bounds."""
    names = sorted(str(i) for i in range(shard_count)) if shard_count > 10 else [str(i) for i in range(shard_count)]
    start = 0 if marker is None else bisect_right(names, marker)
    if low is not None:
        start = max(start, bisect_left(names, low))
    end = len(names) if stop is None else bisect_left(names, stop)
    return iter(names[start:end])


class V3ioBackend:
    """Every endpoint's containers, reset with the other backends. An endpoint gets the
    active mock's ``v3io_containers`` when first used; other names exist only once
    created. Optionally restricts the accepted access keys (``None``: any non-empty key)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._containers: dict[tuple[str, str], V3ioContainer] = {}
        self._endpoints: set[str] = set()
        self.access_keys: frozenset[str] | None = None
        register_resettable(self)

    def _open_endpoint(self, endpoint: str) -> None:
        with self._lock:
            if endpoint not in self._endpoints:
                for name in settings.v3io_containers:
                    self._containers.setdefault((endpoint, name), V3ioContainer(endpoint, name))
                self._endpoints.add(endpoint)

    def container(self, endpoint: str, name: str) -> V3ioContainer:
        """The container, or 404 "Container not found"."""
        container = self._containers.get((endpoint, name))
        if container is None:
            if endpoint not in self._endpoints:
                self._open_endpoint(endpoint)
                container = self._containers.get((endpoint, name))
            if container is None:
                raise ContainerNotFound(f"no container {name!r} at {endpoint}")
        return container

    def create_container(self, endpoint: str, name: str) -> V3ioContainer:
        """Create a container (an existing one is returned unchanged)."""
        if not name or "/" in name:
            raise InvalidArgument(f"{name!r} is not a container name")
        self._open_endpoint(endpoint)
        with self._lock:
            return self._containers.setdefault((endpoint, name), V3ioContainer(endpoint, name))

    def endpoints(self) -> set[str]:
        """Endpoints that hold state."""
        return set(self._endpoints)

    def containers(self, endpoint: str | None = None) -> list[V3ioContainer]:
        """A snapshot of the existing containers (of one endpoint, by name)."""
        if endpoint is not None:
            self._open_endpoint(endpoint)
        found = [c for (e, _), c in list(self._containers.items()) if endpoint is None or e == endpoint]
        return sorted(found, key=lambda container: (container.endpoint, container.name))

    def reset(self) -> None:
        """Forget every container, stream and object, and the access-key restriction."""
        with self._lock:
            self._containers = {}
            self._endpoints = set()
        self.access_keys = None


v3io_backend = V3ioBackend()
"""The process-wide v3io state."""
