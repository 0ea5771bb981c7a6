"""The in-memory v3io streams: streams, shards and records (``container.py`` holds the
containers and the paths around them).

No HTTP here: the wire adapter (``responses.py``) and the test view (``view.py``) both
call these methods. Each shard is an
append-only list, so a put is O(1) per record and a read is O(log n) to find its start
plus O(records returned); nothing scans a shard per request.
"""
from __future__ import annotations

import base64
import binascii
import struct
import threading
import zlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import chain, compress, count, cycle, islice, repeat, zip_longest
from operator import attrgetter
from typing import Iterator, NamedTuple, Sequence, TypeVar
from urllib.parse import urlsplit

from ..core.clock import clock
from ..core.wire import BodySource
from .exceptions import (
    IllegalLocationException,
    InvalidArgumentException,
    InvalidShardCountException,
    ShardIDOutOfRangeException,
)

MAX_SHARD_COUNT = 4096
"""Platform limit on shards per stream (Iguazio software specifications)."""
MAX_RETENTION_HOURS = 8760
"""Platform limit on retention: one year."""
DEFAULT_GET_LIMIT = 1000
MAX_GET_RESPONSE_BYTES = 10 * 1024 * 1024
T = TypeVar("T")
DEFAULT_ENDPOINT = "v3io-webapi:8081"
"""The web-API address of a default Iguazio installation (v3io-py's examples)."""


def normalize_endpoint(endpoint: str) -> str:
    """``host:port`` in lower case: the key under which an endpoint's state lives.

    ``v3io-webapi:8081``, ``http://v3io-webapi:8081/`` and ``HTTP://V3IO-WEBAPI:8081``
    name the same web API; the scheme's default port is made explicit.
    """
    text = endpoint.strip()
    if "://" not in text:
        text = "http://" + text
    split = urlsplit(text)
    host = (split.hostname or "").lower()
    port = split.port or (443 if split.scheme.lower() == "https" else 80)
    return f"{host}:{port}"


def normalize_path(path: str) -> str:
    """A container-relative path without empty segments: ``/a//b/`` is ``a/b``."""
    return "/".join(part for part in path.split("/") if part)


class StoredRecord(NamedTuple):
    """A record as a shard keeps it. Blobs stay base64 text, as they travel on the wire,
    so neither a put nor a read re-encodes them."""

    data: str
    client_info: str | None
    partition_key: str | None
    arrival_ns: int


class RecordInput(NamedTuple):
    """One validated PutRecords entry (blobs as base64 text)."""

    data: str
    client_info: str | None = None
    partition_key: str | None = None
    shard_id: int | None = None


class PutColumns(NamedTuple):
    """A validated PutRecords batch as parallel lists (``None``: the field is absent from
    every record)."""

    data: list[str]
    client_info: list[str | None] | None = None
    partition_key: list[str | None] | None = None
    shard_id: list[int | None] | None = None


class PutResult(NamedTuple):
    """Where a put stored each record of a batch."""

    targets: list[int]
    """Per record its shard id, or ``-1`` when its ShardId is out of range."""
    sequences: list[int]
    """Per record its sequence number (``0`` for a refused record)."""
    failed: int
    """How many records were refused: known to the put, so nobody counts the ``-1``s again."""


@dataclass(frozen=True)
class PutRecordsBatch(BodySource):
    """A PutRecords body's source (see :class:`~mock_putrecord.core.wire.BodySource`): the
    batch validated from the object ``requests`` serialized the body from (``json=``)."""

    __slots__ = ("columns", "stream_name")
    columns: PutColumns
    stream_name: str | None


def _column(values: list[T]) -> list[T] | None:
    """``None`` when every value is ``None`` (the common, cheaper case)."""
    return None if values.count(None) == len(values) else values  # type: ignore[arg-type]


@dataclass(frozen=True)
class ReadRecord:
    """A record read back from a shard."""

    shard_id: int
    sequence_number: int
    data: bytes
    client_info: bytes | None
    partition_key: str | None
    arrival_time: float
    """Epoch seconds (``ArrivalTimeSec + ArrivalTimeNSec / 1e9``)."""
    arrival_time_sec: int
    arrival_time_nsec: int


@dataclass(frozen=True)
class GetRecordsResult:
    """What GetRecords returns: ``(sequence number, record)`` pairs and the position after."""

    records: list[tuple[int, StoredRecord]]
    next_location: str
    records_behind_latest: int
    msec_behind_latest: int


_LOCATION = struct.Struct("<QIHH")  # next sequence number, stream uid, shard id, shard generation
_stream_uids = count(1)


_Columns = tuple[list[str], "list[str | None] | None", "list[str | None] | None"]
"""Data, ClientInfo and PartitionKey columns."""


class _Chunk:
    """The records one request stored in one shard: they share an arrival time.

    A put that spreads a batch over several shards stores, per shard, the whole batch's
    columns (shared, never changed) and the batch's shard per record instead of the
    shard's own columns: picking them out is left to the first read, so a put pays
    nothing per record and shard, and a stream nobody reads never pays for it."""

    __slots__ = ("first", "size", "arrival_ns", "_state", "_shard")

    def __init__(
        self, first: int, size: int, arrival_ns: int, columns: _Columns, selectors: bytes | None, shard: int
    ) -> None:
        self.first = first
        self.size = size
        self.arrival_ns = arrival_ns
        self._state = (columns, selectors)
        """The columns, with the batch's shard id per record while they are the whole
        batch's (``None`` once they are this chunk's own). One attribute, so a reader
        never sees one half of another reader's update."""
        self._shard = shard

    def columns(self) -> _Columns:
        """Data, ClientInfo and PartitionKey of this chunk's records."""
        columns, selectors = self._state
        if selectors is None:
            return columns
        pick = selectors.translate(_selector(self._shard))
        data, client_info, keys = columns
        columns = (
            list(compress(data, pick)),
            None if client_info is None else list(compress(client_info, pick)),
            None if keys is None else list(compress(keys, pick)),
        )
        self._state = (columns, None)  # racing readers compute the same columns
        return columns


_chunk_arrival = attrgetter("arrival_ns")
_KEY_CACHE_SIZE = 10_000
"""Distinct partition keys a stream remembers the shard of (then it starts over)."""
_selectors: dict[int, bytes] = {}


def _selector(target: int) -> bytes:
    """A ``bytes.translate`` table that maps ``target`` to 1 and every other byte to 0."""
    table = _selectors.get(target)
    if table is None:
        table = _selectors[target] = bytes(target) + b"\1" + bytes(255 - target)
    return table


class Shard:
    """An append-only run of records, kept as one chunk per request. Sequence numbers
    start at 1 and are consecutive. A put appends one chunk (O(1)); a read bisects to
    its chunk (O(log n)) and then slices (O(records returned))."""

    __slots__ = ("shard_id", "generation", "_chunks", "_firsts", "_start", "_next")

    def __init__(self, shard_id: int, generation: int = 0) -> None:
        self.shard_id = shard_id
        self.generation = generation
        self._chunks: list[_Chunk] = []
        self._firsts: list[int] = []  # _chunks[i].first, for bisecting
        self._start = 0  # index of the first retained chunk
        self._next = 1

    @property
    def first_sequence(self) -> int:
        """The sequence number of the earliest retained record (or of the next one)."""
        return self._chunks[self._start].first if self._start < len(self._chunks) else self._next

    @property
    def next_sequence(self) -> int:
        """The sequence number the next appended record gets."""
        return self._next

    def __len__(self) -> int:
        return self._next - self.first_sequence

    def append(
        self,
        data: list[str],
        client_info: list[str | None] | None,
        partition_key: list[str | None] | None,
        arrival_ns: int,
    ) -> int:
        """Store records (parallel lists); returns the first one's sequence number."""
        return self.append_picked(len(data), arrival_ns, (data, client_info, partition_key), None)

    def append_picked(self, size: int, arrival_ns: int, batch: _Columns, selectors: bytes | None) -> int:
        """Store the ``size`` records of ``batch`` whose byte in ``selectors`` is this
        shard's id (``None``: all of them); returns the first one's sequence number."""
        first = self._next
        self._chunks.append(_Chunk(first, size, arrival_ns, batch, selectors, self.shard_id))
        self._firsts.append(first)
        self._next = first + size
        return first

    def oldest_arrival_ns(self) -> int | None:
        """Arrival time of the earliest retained record."""
        return self._chunks[self._start].arrival_ns if self._start < len(self._chunks) else None

    def expire_before(self, cutoff_ns: int) -> None:
        """Forget records that arrived before ``cutoff_ns`` (O(log n), amortised O(1) memory)."""
        chunks = self._chunks
        start = bisect_left(chunks, cutoff_ns, lo=self._start, key=_chunk_arrival)
        self._start = start
        if start > 1024 and start * 2 > len(chunks):
            del chunks[:start]
            del self._firsts[:start]
            self._start = 0

    def sequence_at_time(self, at_ns: int) -> int:
        """The first retained record that arrived at or after ``at_ns``, else the end."""
        index = bisect_left(self._chunks, at_ns, lo=self._start, key=_chunk_arrival)
        return self._chunks[index].first if index < len(self._chunks) else self._next

    def read(self, sequence: int, limit: int, max_bytes: int) -> list[tuple[int, StoredRecord]]:
        """Up to ``limit`` records from ``sequence`` on, at least one if any, staying under
        ``max_bytes`` of data."""
        sequence = max(sequence, self.first_sequence)
        out: list[tuple[int, StoredRecord]] = []
        if sequence >= self._next:
            return out
        chunks = self._chunks
        index = bisect_right(self._firsts, sequence, lo=self._start) - 1
        size = 0
        while index < len(chunks) and len(out) < limit:
            chunk = chunks[index]
            offset = sequence - chunk.first
            stop = min(chunk.size, offset + limit - len(out))
            chunk_data, chunk_info, chunk_keys = chunk.columns()
            for i in range(offset, stop):
                data = chunk_data[i]
                size += len(data)
                if out and size > max_bytes:
                    return out
                info = chunk_info[i] if chunk_info is not None else None
                key = chunk_keys[i] if chunk_keys is not None else None
                out.append((sequence, StoredRecord(data, info, key, chunk.arrival_ns)))
                sequence += 1
            index += 1
        return out

    def record_at(self, sequence: int) -> StoredRecord:
        """The record with this sequence number (must be retained)."""
        return self.read(sequence, 1, MAX_GET_RESPONSE_BYTES)[0][1]

    def __iter__(self) -> Iterator[tuple[int, StoredRecord]]:
        sequence = self.first_sequence
        while sequence < self._next:
            batch = self.read(sequence, 10_000, 1 << 62)
            yield from batch
            sequence = batch[-1][0] + 1


class Stream:
    """A stream: its shards, retention and the round-robin position for keyless records."""

    def __init__(self, path: str, shard_count: int, retention_hours: int) -> None:
        self.path = path
        self.uid = next(_stream_uids) & 0xFFFFFFFF
        self.retention_hours = retention_hours
        self.shards = [Shard(i) for i in range(shard_count)]
        self.lock = threading.Lock()
        self._round_robin = 0
        self._key_shards: dict[str | None, Iterator[int]] = {}  # key -> repeat(its shard)
        self._key_shards_n = shard_count  # the shard count _key_shards was built for
        self._last_ns = 0
        self._oldest_ns: int | None = None  # a lower bound on every retained arrival

    @property
    def shard_count(self) -> int:
        """The number of shards."""
        return len(self.shards)

    def _now_ns(self) -> int:
        # Arrival times never go backwards within a stream, so TIME seeks can bisect.
        now = int(clock.now() * 1_000_000_000)
        if now < self._last_ns:
            now = self._last_ns
        self._last_ns = now
        return now

    def _expire(self, now_ns: int) -> None:
        # Retention applies "when new records are added" (CreateStream docs); the cheap
        # bound check keeps this O(1) until something is actually due.
        oldest = self._oldest_ns
        cutoff = now_ns - self.retention_hours * 3_600_000_000_000
        if oldest is None or oldest >= cutoff:
            return
        arrivals = []
        for shard in self.shards:
            shard.expire_before(cutoff)
            arrival = shard.oldest_arrival_ns()
            if arrival is not None:
                arrivals.append(arrival)
        self._oldest_ns = min(arrivals) if arrivals else None

    def put(self, records: Sequence[RecordInput]) -> list[tuple[int, int] | None]:
        """Append ``records``; per record ``(shard id, sequence number)``, or ``None`` when
        its ShardId is out of range (the only per-record failure)."""
        columns = PutColumns(
            [record.data for record in records],
            _column([record.client_info for record in records]),
            _column([record.partition_key for record in records]),
            _column([record.shard_id for record in records]),
        )
        targets, sequences, _ = self.put_columns(columns)
        return [None if target < 0 else (target, seq) for target, seq in zip(targets, sequences)]

    def put_columns(self, columns: PutColumns) -> PutResult:
        """Append a validated batch given as columns; where each record went.

        ``ShardId`` wins over ``PartitionKey``; a key maps to ``crc32(key) % shard_count``;
        records with neither go round-robin, starting at shard 0, across requests. The
        work per record is done by C-level ``map``/slicing: this is every producer's path.
        """
        data, client_info, keys, shard_ids = columns
        total = len(data)
        with self.lock:
            now = self._now_ns()
            self._expire(now)
            if self._oldest_ns is None:
                self._oldest_ns = now
            shards = self.shards
            n = len(shards)
            if keys is None and shard_ids is None:
                return self._put_round_robin(columns, now)
            targets = self._route(keys, shard_ids, total, n)
            try:
                selectors = bytes(targets)  # fewer than 257 shards, none out of range
            except ValueError:
                return self._put_sorted(columns, targets, now)
            # Sequence numbers in request order: one counter per shard, advanced in C.
            counters = [count(shard._next) for shard in shards]
            sequences = list(map(next, map(counters.__getitem__, targets)))
            batch = (data, client_info, keys)  # shared by the shards' chunks, never changed
            for target in range(n) if n <= 16 else sorted(set(selectors)):
                hits = selectors.count(target)
                if hits:  # each shard's records are picked out on its first read
                    shards[target].append_picked(hits, now, batch, None if hits == total else selectors)
            return PutResult(targets, sequences, 0)

    def _put_sorted(self, columns: PutColumns, targets: list[int], now: int) -> PutResult:
        """Store a routed batch with out-of-range records (-1) or more than 256 shards."""
        data, client_info, keys, _ = columns
        shards = self.shards
        total = len(data)
        sequences = [0] * total
        order = sorted(range(total), key=targets.__getitem__)
        ordered = list(map(targets.__getitem__, order))
        low = bisect_left(ordered, 0)
        while low < total:
            target = ordered[low]
            high = bisect_right(ordered, target, low)
            indices = order[low:high]
            first = shards[target].append(
                list(map(data.__getitem__, indices)),
                None if client_info is None else list(map(client_info.__getitem__, indices)),
                None if keys is None else list(map(keys.__getitem__, indices)),
                now,
            )
            any(map(sequences.__setitem__, indices, range(first, first + high - low)))
            low = high
        return PutResult(targets, sequences, targets.count(-1))

    def _put_round_robin(self, columns: PutColumns, now: int) -> PutResult:
        data, client_info = columns.data, columns.client_info
        total, n = len(data), len(self.shards)
        begin = self._round_robin % n
        self._round_robin += total
        order = [(begin + k) % n for k in range(min(n, total))]
        runs = []
        for k, target in enumerate(order):
            part = data[k::n]
            first = self.shards[target].append(
                part, None if client_info is None else client_info[k::n], None, now
            )
            runs.append(range(first, first + len(part)))
        # Interleave the per-shard runs back into request order (sequence numbers are >= 1,
        # so filter(None) only drops zip_longest's padding).
        sequences = list(filter(None, chain.from_iterable(zip_longest(*runs))))
        return PutResult(list(islice(cycle(order), total)), sequences, 0)

    def _route(
        self, keys: list[str | None] | None, shard_ids: list[int | None] | None, total: int, n: int
    ) -> list[int]:
        if shard_ids is None and keys is not None:
            routed = self._route_keys(keys, n)
            if routed is not None:
                return routed
            if None not in keys:
                encoded = map(str.encode, keys)  # type: ignore[arg-type]
                return list(map(n.__rmod__, map(zlib.crc32, encoded)))
        if keys is None and shard_ids is not None and None not in shard_ids:
            if min(shard_ids) >= 0 and max(shard_ids) < n:  # type: ignore[type-var,operator]
                return shard_ids  # type: ignore[return-value]
        targets: list[int] = []
        append = targets.append
        crc32 = zlib.crc32
        round_robin = self._round_robin
        for key, shard_id in zip(keys or repeat(None, total), shard_ids or repeat(None, total)):
            if shard_id is None:
                if key is None:
                    append(round_robin % n)
                    round_robin += 1
                else:
                    append(crc32(key.encode()) % n)
            else:
                append(shard_id if 0 <= shard_id < n else -1)
        self._round_robin = round_robin
        return targets

    def _route_keys(self, keys: list[str | None], n: int) -> list[int] | None:
        """Partition keys (some may be ``None``) to shards through a per-stream cache of
        ``repeat(shard)`` iterators, keyless records drawing from a round-robin cycle:
        two C-level maps per batch. ``None`` when the keys hardly repeat (not worth caching)."""
        cache = self._key_shards
        if self._key_shards_n != n or len(cache) > _KEY_CACHE_SIZE:
            cache.clear()
            self._key_shards_n = n
        begin = self._round_robin % n
        cache[None] = islice(cycle(range(n)), begin, None)
        try:
            targets = list(map(next, map(cache.__getitem__, keys)))
        except KeyError:
            missing = set(keys).difference(cache)
            if len(missing) * 4 > len(keys) and len(missing) > 64:
                return None  # mostly new keys: the caller hashes them directly
            crc32 = zlib.crc32
            for key in missing:
                cache[key] = repeat(crc32(key.encode()) % n)  # type: ignore[union-attr]
            cache[None] = islice(cycle(range(n)), begin, None)
            targets = list(map(next, map(cache.__getitem__, keys)))
        self._round_robin += keys.count(None)
        return targets

    def shard(self, shard_id: int) -> Shard:
        """The shard, or :class:`ShardIDOutOfRangeException`."""
        if not 0 <= shard_id < len(self.shards):
            raise ShardIDOutOfRangeException(f"shard {shard_id} of a {len(self.shards)}-shard stream")
        return self.shards[shard_id]

    def update_shard_count(self, shard_count: int) -> None:
        """Grow to ``shard_count`` shards (it must be larger than the current count)."""
        with self.lock:
            if shard_count <= len(self.shards):
                raise InvalidShardCountException(
                    f"the new shard count ({shard_count}) must exceed the current one ({len(self.shards)})"
                )
            self.shards.extend(Shard(i) for i in range(len(self.shards), shard_count))

    def clear_shard(self, shard_id: int) -> None:
        """Drop a shard's records (its object was deleted); old locations become illegal."""
        with self.lock:
            old = self.shards[shard_id]
            self.shards[shard_id] = Shard(shard_id, (old.generation + 1) & 0xFFFF)

    # ------------------------------------------------------------ reading
    def location(self, shard: Shard, sequence: int) -> str:
        """The opaque Location of ``sequence`` in ``shard`` (16 bytes, base64)."""
        raw = _LOCATION.pack(sequence, self.uid, shard.shard_id, shard.generation)
        return base64.b64encode(raw).decode("ascii")

    def seek(
        self,
        shard_id: int,
        seek_type: str,
        *,
        sequence_number: int | None = None,
        timestamp_ns: int | None = None,
    ) -> str:
        """A Location for ``EARLIEST``, ``LATEST``, ``SEQUENCE`` or ``TIME``."""
        with self.lock:
            shard = self.shard(shard_id)
            if seek_type == "EARLIEST":
                sequence = shard.first_sequence
            elif seek_type == "LATEST":
                sequence = shard.next_sequence
            elif seek_type == "SEQUENCE":
                assert sequence_number is not None
                # The end of the shard is accepted too: v3io-go's consumer group resumes
                # at committed + 1, which normally does not exist yet.
                if not shard.first_sequence <= sequence_number <= shard.next_sequence:
                    raise InvalidArgumentException(f"no record with sequence number {sequence_number}")
                sequence = sequence_number
            elif seek_type == "TIME":
                assert timestamp_ns is not None
                sequence = shard.sequence_at_time(timestamp_ns)
            else:
                raise InvalidArgumentException(f"unknown seek type {seek_type!r}")
            return self.location(shard, sequence)

    def get_records(self, shard_id: int, location: str, limit: int = DEFAULT_GET_LIMIT) -> GetRecordsResult:
        """Records from ``location`` on (at most ``limit`` and 10 MB of data)."""
        with self.lock:
            shard = self.shard(shard_id)
            sequence = self._decode_location(shard, location)
            records = shard.read(sequence, limit, MAX_GET_RESPONSE_BYTES)
            last = shard.next_sequence - 1
            if records:
                last_seq, last_record = records[-1]
                next_sequence = last_seq + 1
                behind = last - last_seq
                latest_ns = shard.record_at(last).arrival_ns if behind else last_record.arrival_ns
                msec = (latest_ns - last_record.arrival_ns) // 1_000_000
            else:
                next_sequence = max(sequence, shard.first_sequence)
                behind = 0
                msec = 0
            return GetRecordsResult(records, self.location(shard, next_sequence), behind, msec)

    def _decode_location(self, shard: Shard, location: str) -> int:
        try:
            raw = base64.b64decode(location, validate=True)
            sequence, uid, shard_id, generation = _LOCATION.unpack(raw)
        except (binascii.Error, struct.error, ValueError, TypeError):
            raise IllegalLocationException(f"{location!r} is not a location this mock issued") from None
        if (uid, shard_id, generation) != (self.uid, shard.shard_id, shard.generation):
            raise IllegalLocationException("the location belongs to another shard or stream")
        if sequence > shard.next_sequence or sequence < 1:
            raise IllegalLocationException(f"sequence {sequence} is beyond the end of the shard")
        return int(sequence)
