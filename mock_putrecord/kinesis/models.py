"""Kinesis domain model: :class:`Stream` and :class:`KinesisBackend` (one method per API
operation). No HTTP here: ``responses.py`` adapts the wire format, ``view.py`` the
Python API, and both call these methods."""
from __future__ import annotations

import hashlib
import importlib
import threading
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from operator import add as _add
from operator import itemgetter, methodcaller
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..core.backends import BackendDict
from ..core.clock import clock
from ..core.faults import FailedRecord, faults
from ..core.settings import settings
from ..core.validation import ValidationException, failure, format_validation_errors
from . import distribution, iterators, scaling, tagging
from .exceptions import (
    DryRunOperationException,
    InternalFailure,
    InvalidArgumentException,
    LimitExceededException,
    ProvisionedThroughputExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationError,
)
from .account import AccountSettings
from .sequence import SEQ_IX_SHIFT, SEQ_SECS_MASK, SEQ_SECS_SHIFT, parse_sequence, resolve_shard_id, shard_id_name
from .shards import HASH_KEY_MAX, Shard, StoredRecord, even_ranges
from .throughput import ShardBudget

if TYPE_CHECKING:
    from .channels import Channel
    from .consumers import Consumer
    from .queues import Queue

DEFAULT_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760
ON_DEMAND_SHARDS = 4
DEFAULT_MAX_RECORD_SIZE_KIB = 1024
MAX_REQUEST_BYTES = 10 * 1024 * 1024
# AWS's default shard quota (Kinesis quotas page, 2026): 20,000 in these regions; "1,000
# or 6,000" elsewhere, without saying which region has which: the mock takes 6,000.
_LARGE_QUOTA_REGIONS = {"us-east-1", "us-west-2", "eu-west-1"}
LARGE_REGION_SHARD_QUOTA, OTHER_REGION_SHARD_QUOTA = 20000, 6000
USER_PARTITION_KEY, AUTO = distribution.USER_PARTITION_KEY, distribution.AUTO
# A shard's creation time in its sequence numbers is the stream's minus two seconds, so
# the first record's number is always above the shard's StartingSequenceNumber.
SEQ_ADJUST_SECS = 2


@dataclass
class Stream:
    """A Kinesis data stream."""

    name: str
    account_id: str
    region: str
    created: float
    mode: str = "PROVISIONED"
    retention_hours: int = DEFAULT_RETENTION_HOURS
    max_record_size_kib: int = DEFAULT_MAX_RECORD_SIZE_KIB
    status: str = "ACTIVE"
    encryption_type: str = "NONE"
    key_id: str | None = None
    distribution: str = USER_PARTITION_KEY
    """``RecordDistributionStrategy``: with ``AUTO``, keys are ignored and records rotate
    over the open shards."""
    warm_throughput_mibps: int | None = None
    """``WarmThroughput`` (on-demand streams in accounts with a billing commitment)."""
    shard_level_metrics: list[str] = field(default_factory=list)
    """Enhanced monitoring's shard-level metrics, in the order they were enabled."""
    policy: str | None = None
    """The resource policy (JSON text), if one was put."""
    shards: list[Shard] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    auto_cursor: int = field(default=0, repr=False)
    """The next open shard (by hash order) an ``AUTO`` record goes to."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _open: list[Shard] = field(default_factory=list, repr=False)
    _open_starts: list[int] = field(default_factory=list, repr=False)
    seen_by_test: bool = field(default=False, repr=False)
    """Set when a test declared or inspected the stream through ``mock.kinesis`` (the
    pytest plugin's opt-in check reports records put to streams that are not)."""
    consumers: dict[str, Consumer] = field(default_factory=dict, repr=False)
    """Registered consumers, queues and channels by name (``consumers.py``, ``queues.py``,
    ``channels.py`` own them; they go when the stream goes)."""
    queues: dict[str, Queue] = field(default_factory=dict, repr=False)
    channels: dict[str, Channel] = field(default_factory=dict, repr=False)
    listeners: list[Callable[[], None]] = field(default_factory=list, repr=False)
    """Called after records are stored or shards change (subscriptions and long polls
    wait on these instead of polling)."""

    def notify(self) -> None:
        """Wake whatever waits for this stream's records (cheap when nothing does)."""
        for listener in list(self.listeners):
            listener()

    @property
    def arn(self) -> str:
        return f"arn:aws:kinesis:{self.region}:{self.account_id}:stream/{self.name}"

    @property
    def create_secs(self) -> int:
        return int(self.created) - SEQ_ADJUST_SECS

    @property
    def open_shards(self) -> list[Shard]:
        return self._open

    @property
    def open_starts(self) -> list[int]:
        """The starting hash keys of :attr:`open_shards`, for bisecting."""
        return self._open_starts

    @property
    def max_record_bytes(self) -> int:
        return self.max_record_size_kib * 1024

    def add_shard(self, start: int, end: int, create_secs: int, parent: str | None = None,
                  adjacent: str | None = None) -> Shard:
        shard = Shard(len(self.shards), start, end, create_secs, parent, adjacent)
        self.shards.append(shard)
        return shard

    def reindex(self) -> None:
        """Rebuild the routing table of open shards (after create, split, merge, rescale)."""
        self._open = sorted((s for s in self.shards if s.is_open), key=lambda s: s.start_hash)
        self._open_starts = [s.start_hash for s in self._open]
        if self.listeners:
            self.notify()

    def shard(self, index: int) -> Shard | None:
        return self.shards[index] if 0 <= index < len(self.shards) else None


try:  # CPython's own MD5: three times faster than OpenSSL's on inputs as short as partition keys
    _md5: Callable[[bytes], Any] = importlib.import_module("_md5").md5
except ImportError:  # pragma: no cover - a Python built without it
    _md5 = hashlib.md5
_digest = methodcaller("digest")
_from_big = partial(int.from_bytes, byteorder="big")


# Producers reuse partition keys (user ids, device ids), so their MD5s are cached: a
# bounded dict of key -> (hash, UTF-8 length), cleared when it grows past the bound.
_KEY_HASHES: dict[str, tuple[int, int]] = {}
_KEY_HASH_CACHE_SIZE = 1 << 16


_first, _second = itemgetter(0), itemgetter(1)
SEQUENCE_NUMBER_STEP = 1 << SEQ_IX_SHIFT
"""The difference between consecutive sequence numbers of a shard written in one call
(same arrival second): a run of them is rendered from its first one by adding it."""
ShardRun = tuple[Shard, int, int, "list[int] | None"]
"""The records one PutRecords call stored in one shard, consecutively: ``(shard, first
sequence number, count, their indices in the request, or None for "all, in order")``.
The response is rendered from these runs instead of from one result per record."""


def utf8(key: str) -> bytes:
    """``key`` in UTF-8 as AWS's Java front end encodes it: an unpaired surrogate (JSON
    allows ``"\\udcff"``) becomes ``?`` instead of raising UnicodeEncodeError."""
    try:
        return key.encode("utf-8")
    except UnicodeEncodeError:
        return key.encode("utf-8", "replace")


def _key_hash_and_size(key: str) -> tuple[int, int]:
    encoded = utf8(key)
    return int.from_bytes(_md5(encoded).digest(), "big"), len(encoded)


def partition_key_hash(key: str) -> int:
    """MD5 of the UTF-8 partition key as a 128-bit integer (AWS's routing hash)."""
    return _key_hash_and_size(key)[0]


def parse_explicit_hash_key(text: str) -> int:
    """An ``ExplicitHashKey`` as an int, or InvalidArgumentException out of range."""
    value = int(text)
    if value > HASH_KEY_MAX:
        raise InvalidArgumentException(
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            f"Specified value was {text}"
        )
    return value


def _key_size(key: str | None) -> int:
    """A partition key's size in UTF-8 (cached), 0 for none."""
    if key is None:
        return 0
    known = _KEY_HASHES.get(key)
    return known[1] if known is not None else len(utf8(key))


PutResult = tuple[Shard, "int | None", "str | None", "str | None"]
INTERNAL_FAILURE_MESSAGE = "Internal service failure."


class KinesisBackend:
    """All Kinesis state of one account in one region."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.streams: dict[str, Stream] = {}
        self.lock = threading.RLock()
        self.account = AccountSettings(account_id)
        self.shard_quota = LARGE_REGION_SHARD_QUOTA if region in _LARGE_QUOTA_REGIONS else OTHER_REGION_SHARD_QUOTA

    # ------------------------------------------------------------ lookup
    def stream_name_of(self, name: str | None, arn: str | None) -> str:
        """The stream a request addresses by ``StreamName`` and/or ``StreamARN``."""
        if arn is not None:
            arn_name = arn.rsplit("/", 1)[-1]
            parts = arn.split(":")
            if len(parts) < 6 or parts[3] != self.region or parts[4] != self.account_id:
                raise ResourceNotFoundException.stream(arn_name, parts[4] if len(parts) > 4 else self.account_id)
            if name is not None and name != arn_name:
                raise InvalidArgumentException(
                    f"StreamARN {arn} and StreamName {name} do not refer to the same stream."
                )
            return arn_name
        if name is None:
            raise InvalidArgumentException("Either StreamName or StreamARN should be provided.")
        return name

    def get_stream(self, name: str | None, arn: str | None = None) -> Stream:
        """The stream, or ResourceNotFoundException in AWS's words."""
        stream_name = self.stream_name_of(name, arn)
        stream = self.streams.get(stream_name)
        if stream is None:
            raise ResourceNotFoundException.stream(stream_name, self.account_id)
        return stream

    def _writable(self, name: str | None, arn: str | None) -> Stream:
        stream = self.get_stream(name, arn)
        if stream.status not in ("ACTIVE", "UPDATING"):
            raise ResourceNotFoundException.stream(stream.name, self.account_id)
        return stream

    def _open_shard_total(self) -> int:
        return sum(len(s.open_shards) for s in self.streams.values())

    def _check_quota(self, additional: int) -> None:
        current = self._open_shard_total()
        if current + additional > self.shard_quota:
            raise LimitExceededException(
                f"This request would exceed the shard limit for the account {self.account_id} in "
                f"{self.region}. Current shard count for the account: {current}. Limit: "
                f"{self.shard_quota}. Number of additional shards that would have resulted from "
                f"this request: {additional}. Refer to the AWS Service Limits page "
                "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current "
                "limits and how to request higher limits."
            )

    # ------------------------------------------------------------ streams
    def create_stream(
        self,
        name: str,
        shard_count: int | None = None,
        mode: str | None = None,
        tags: dict[str, str] | None = None,
        max_record_size_kib: int | None = None,
        distribution: str | None = None,
        warm_throughput_mibps: int | None = None,
    ) -> Stream:
        """CreateStream: the stream is ACTIVE at once (so waiters return immediately).

        Without ``mode`` the stream is provisioned when ``shard_count`` is given and
        on-demand (4 shards) otherwise, as AWS does. ``distribution`` and
        ``warm_throughput_mibps`` apply to on-demand streams only.
        """
        with self.lock:
            if mode is None:
                mode = "PROVISIONED" if shard_count is not None else "ON_DEMAND"
            if name in self.streams:
                raise ResourceInUseException.exists(name, self.account_id)
            if mode != "ON_DEMAND":
                if distribution not in (None, USER_PARTITION_KEY):
                    raise InvalidArgumentException.auto_needs_on_demand(name, self.account_id)
                if warm_throughput_mibps is not None:
                    raise ValidationError.provisioned(name, self.account_id)
            if warm_throughput_mibps is not None:
                self.account.require_commitment()
            if mode == "ON_DEMAND":
                shard_count = ON_DEMAND_SHARDS
            elif shard_count is None:
                raise ValidationException(format_validation_errors([
                    failure("null", "shardCount", "Member must not be null")]))
            self._check_quota(shard_count)
            now = clock.now()
            stream = Stream(
                name, self.account_id, self.region, now, mode=mode,
                max_record_size_kib=max_record_size_kib or DEFAULT_MAX_RECORD_SIZE_KIB,
                distribution=distribution or USER_PARTITION_KEY,
                warm_throughput_mibps=warm_throughput_mibps,
                tags=dict(tags or {}),
            )
            for start, end in even_ranges(shard_count):
                stream.add_shard(start, end, stream.create_secs)
            stream.reindex()
            self.streams[name] = stream
            return stream

    def delete_stream(self, name: str | None, arn: str | None = None, enforce_consumer_deletion: bool = True) -> None:
        """DeleteStream: gone at once (AWS shows DELETING for a while). Consumers go with
        it only when ``enforce_consumer_deletion`` (the wire's default is False)."""
        from .consumers import check_deletable

        with self.lock:
            stream = self.get_stream(name, arn)
            check_deletable(stream, enforce_consumer_deletion)
            del self.streams[stream.name]
        stream.notify()  # open subscriptions and long polls end

    def list_streams(self, limit: int | None = None, exclusive_start: str | None = None) -> tuple[list[Stream], bool]:
        """ListStreams: sorted by name (as AWS does); returns (page, has_more)."""
        names = sorted(self.streams)
        if exclusive_start is not None:
            names = [n for n in names if n > exclusive_start]
        limit = limit or 100
        return [self.streams[n] for n in names[:limit]], len(names) > limit

    # ------------------------------------------------------------ retention and tags
    def increase_retention(self, name: str | None, arn: str | None, hours: int) -> None:
        with self.lock:
            stream = self.get_stream(name, arn)
            self._check_retention_bounds(hours)
            if hours < stream.retention_hours:
                raise InvalidArgumentException(
                    f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                    f"shorter than existing retention period ({stream.retention_hours} hours). Use "
                    "DecreaseRetentionPeriod API."
                )
            stream.retention_hours = hours

    def decrease_retention(self, name: str | None, arn: str | None, hours: int) -> None:
        with self.lock:
            stream = self.get_stream(name, arn)
            self._check_retention_bounds(hours)
            if hours > stream.retention_hours:
                raise InvalidArgumentException(
                    f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                    f"longer than existing retention period ({stream.retention_hours} hours). Use "
                    "IncreaseRetentionPeriod API."
                )
            stream.retention_hours = hours

    @staticmethod
    def _check_retention_bounds(hours: int) -> None:
        if hours < DEFAULT_RETENTION_HOURS:
            raise InvalidArgumentException(
                f"Minimum allowed retention period is 24 hours. Requested retention period ({hours} "
                "hours) is too short."
            )
        if hours > MAX_RETENTION_HOURS:
            raise InvalidArgumentException(
                f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested "
                f"retention period ({hours} hours) is too long."
            )

    def add_tags(self, name: str | None, arn: str | None, tags: dict[str, str]) -> None:
        """AddTagsToStream: at most 50 tags per stream (AWS's message still says 10)."""
        with self.lock:
            tagging.add(self.get_stream(name, arn), "stream", self.account_id, tags)

    def remove_tags(self, name: str | None, arn: str | None, keys: Sequence[str]) -> None:
        with self.lock:
            tagging.remove(self.get_stream(name, arn), "stream", self.account_id, keys)

    def list_tags(self, name: str | None, arn: str | None, exclusive_start: str | None,
                  limit: int | None) -> tuple[list[tuple[str, str]], bool]:
        return tagging.listing(self.get_stream(name, arn), exclusive_start, limit)

    # ------------------------------------------------------------ puts
    def put_records(self, name: str | None, arn: str | None,
                    entries: Sequence[tuple[bytes, str | None, str | None]],
                    single: bool = False, dry_run: bool = False) -> tuple[Stream, list[PutResult]]:
        """PutRecords/PutRecord: route and store every entry, all or nothing.

        Validation that rejects the whole request (record size, request size, hash key
        range) happens before anything is stored; then each record is stored unless the
        shard is over its throughput limit or a fault is injected for it, in which case
        it fails alone. ``single`` is True for PutRecord. Returns the stream and, per
        entry, ``(shard, sequence number, None, None)`` or ``(shard, None, code, message)``.
        On an ``AUTO`` stream keys are optional and ignored: records rotate over the open
        shards. ``dry_run``: every check, then DryRunOperationException, nothing stored.
        """
        stream = self._writable(name, arn)
        limit = stream.max_record_bytes
        hashes = _KEY_HASHES
        auto = stream.distribution == AUTO
        routing: list[int] = []
        total = 0
        for data, key, explicit in entries:
            if key is None:
                if not auto:
                    raise distribution.missing_keys(entries, single)
                known = (0, 0)
            else:
                found = hashes.get(key)
                known = found if found is not None else hashes.setdefault(key, _key_hash_and_size(key))
            size = len(data) + known[1]
            if size > limit:
                self._raise_record_too_large(entries, limit, single)
            total += size
            if not auto:
                routing.append(known[0] if explicit is None else parse_explicit_hash_key(explicit))
        if len(hashes) > _KEY_HASH_CACHE_SIZE:
            hashes.clear()
        if not single and total > MAX_REQUEST_BYTES:
            raise InvalidArgumentException("Records size exceeds 10 MB limit")
        now = clock.now()
        if dry_run:
            self._dry_run_put(stream, entries, routing, single, now)
        checked = settings.shard_throughput or faults.record_faults_enabled
        operation = "PutRecord" if single else "PutRecords"
        results: list[PutResult] = []
        append_result = results.append
        with stream.lock:
            open_shards, starts = stream.open_shards, stream.open_starts
            only = open_shards[0] if len(open_shards) == 1 else None
            if auto:
                routing = distribution.rotation(stream, len(entries))
            secs = int(now)
            seq_ix_shift, seq_secs_shift, seq_secs_mask = SEQ_IX_SHIFT, SEQ_SECS_SHIFT, SEQ_SECS_MASK
            for index, ((data, key, explicit), hash_key) in enumerate(zip(entries, routing)):
                if auto:
                    shard, key, explicit = open_shards[hash_key], None, None
                else:
                    shard = only or open_shards[bisect_right(starts, hash_key) - 1]
                if checked:
                    failure = self._record_failure(stream, shard, operation, len(data) + _key_size(key), now)
                    if failure is not None:
                        code, message = failure
                        faults.note_failed_record(FailedRecord("kinesis", stream.name, index, code, message))
                        append_result((shard, None, code, message))
                        continue
                shard_data = shard.data
                position = len(shard_data)
                if explicit is not None:
                    shard.explicit_keys[position] = explicit
                shard_data.append(data)
                shard.keys.append(key)
                shard.arrivals.append(now)
                # make_sequence(shard.base, position + 1, max(secs, shard.create_secs)), written
                # out: a call per record costs ~5% of a PutRecords batch on this path, which
                # records take when they cannot be stored by column (hash keys, throttles,
                # faults). tests/kinesis/test_put_records_paths.py proves both agree.
                seq_secs = (secs if secs > shard.create_secs else shard.create_secs) & seq_secs_mask
                append_result((shard, shard.base | ((position + 1) << seq_ix_shift) | (seq_secs << seq_secs_shift),
                               None, None))
        if stream.listeners:
            stream.notify()
        return stream, results

    def _dry_run_put(self, stream: Stream, entries: Sequence[tuple[bytes, str | None, str | None]],
                     routing: list[int], single: bool, now: float) -> None:
        """The end of a DryRun put: a PutRecord that a shard would throttle gets the
        throttle (PutRecords reports throttles per record, so it has nothing to raise);
        otherwise DryRunOperationException. No token, fault or sequence number is used."""
        if single and settings.shard_throughput:
            data, key, _ = entries[0]
            with stream.lock:
                shard = (distribution.next_shards(stream, 1)[0] if stream.distribution == AUTO
                         else stream.open_shards[bisect_right(stream.open_starts, routing[0]) - 1])
                budget = shard.budget
                if budget is not None and not budget.would_take(len(data) + _key_size(key), now):
                    raise ProvisionedThroughputExceededException.shard(shard.shard_id, stream.name, self.account_id)
        raise DryRunOperationException()

    def put_records_by_column(self, name: str | None, datas: list[bytes],
                           keys: list[str]) -> tuple[Stream, list[ShardRun]] | None:
        """PutRecords without explicit hash keys, column-wise: the batch's hot path.

        Stores exactly what :meth:`put_records` would (same checks, errors, shards and
        sequence numbers) but with per-record work done by C-level passes. Returns the
        stream and, per shard written, ``(shard, first sequence number, count, input
        indices or None for "all, in order")``; the k-th record of a group has sequence
        number ``first + k * SEQUENCE_NUMBER_STEP``. Returns ``None`` when records must be
        checked one by one (throughput limits, record faults): use :meth:`put_records`.
        """
        if settings.shard_throughput or faults.record_faults_enabled:
            return None
        stream = self._writable(name, None)
        if stream.distribution == AUTO:
            return None
        hashes = _KEY_HASHES
        known: list[Any] = list(map(hashes.get, keys))  # (hash, key size) per record
        if None in known:
            # all in C-level passes: with unique keys (the usual batch) every key is new
            missing = [index for index, value in enumerate(known) if value is None]
            missing_keys = keys if len(missing) == len(keys) else list(map(keys.__getitem__, missing))
            encoded = list(map(str.encode, missing_keys))  # UnicodeEncodeError: the caller's slow path
            values = list(zip(map(_from_big, map(_digest, map(_md5, encoded))), map(len, encoded)))
            hashes.update(zip(missing_keys, values))
            if missing_keys is keys:
                known = values
            else:
                for index, value in zip(missing, values):
                    known[index] = value
        key_sizes = list(map(_second, known))
        limit = stream.max_record_bytes
        if max(map(_add, map(len, datas), key_sizes)) > limit:
            self._raise_record_too_large([(data, key, None) for data, key in zip(datas, keys)], limit, False)
        if len(hashes) > _KEY_HASH_CACHE_SIZE:
            hashes.clear()
        if sum(map(len, datas)) + sum(key_sizes) > MAX_REQUEST_BYTES:
            raise InvalidArgumentException("Records size exceeds 10 MB limit")
        now = clock.now()
        secs = int(now)
        groups: list[ShardRun] = []
        with stream.lock:
            open_shards, starts = stream.open_shards, stream.open_starts
            if len(open_shards) == 1:
                layout: list[tuple[Shard, list[int] | None]] = [(open_shards[0], None)]
            else:
                slots = list(map(partial(bisect_right, starts), map(_first, known)))
                buckets: list[list[int]] = [[] for _ in range(len(open_shards) + 1)]
                appends = [bucket.append for bucket in buckets]
                for index, slot in enumerate(slots):
                    appends[slot](index)
                layout = [(open_shards[slot - 1], bucket) for slot, bucket in enumerate(buckets) if bucket]
            for shard, indices in layout:
                position = len(shard.data)
                if indices is None:
                    count = len(datas)
                    shard.data.extend(datas)
                    shard.keys.extend(keys)
                else:
                    count = len(indices)
                    shard.data.extend(map(datas.__getitem__, indices))
                    shard.keys.extend(map(keys.__getitem__, indices))
                shard.arrivals.extend(repeat(now, count))
                groups.append((shard, shard.sequence_number(position, secs), count, indices))
        if stream.listeners:
            stream.notify()
        return stream, groups

    @staticmethod
    def _raise_record_too_large(entries: Sequence[tuple[bytes, str | None, str | None]], limit: int,
                                single: bool) -> None:
        for index, (data, key, _) in enumerate(entries, 1):
            path = "data" if single else f"records.{index}.member.data"
            if len(data) > limit:
                raise ValidationException(format_validation_errors([
                    failure(None, path, f"Member must have length less than or equal to {limit}")]))
            if len(data) + _key_size(key) > limit:
                # The data fits; with its partition key the record does not. AWS publishes no
                # text for this case: the mock names the constraint that failed.
                key_path = "partitionKey" if single else f"records.{index}.member.partitionKey"
                key_bytes = _key_size(key)
                raise ValidationException(format_validation_errors([failure(
                    None, path, f"Member must have length less than or equal to {limit} when added to the length "
                    f"of '{key_path}' in UTF-8 ({key_bytes} byte{'' if key_bytes == 1 else 's'})")]))

    def _record_failure(self, stream: Stream, shard: Shard, operation: str, size: int,
                        now: float) -> tuple[str, str] | None:
        """Why this record fails (injected fault or shard over its limit), if it does."""
        code = faults.record_fault("kinesis", operation)
        if code is None and settings.shard_throughput:
            if shard.budget is None:
                shard.budget = ShardBudget(now)
            if not shard.budget.try_take(size, now):
                code = "ProvisionedThroughputExceededException"
        if code is None:
            return None
        if code == "ProvisionedThroughputExceededException":
            return code, ProvisionedThroughputExceededException.shard(shard.shard_id, stream.name, self.account_id).message
        return code, INTERNAL_FAILURE_MESSAGE

    def check_sequence_for_ordering(self, name: str | None, arn: str | None, ordering: str) -> None:
        """PutRecord's ``SequenceNumberForOrdering`` must be a sequence number AWS could
        have issued (valid layout, not from the future)."""
        stream = self._writable(name, arn)
        try:
            parsed = parse_sequence(ordering)
            valid = parsed.seq_secs <= clock.now()
        except ValueError:
            valid = False
        if not valid:
            raise InvalidArgumentException(
                f"ExclusiveMinimumSequenceNumber {ordering} used in PutRecord on stream {stream.name} "
                f"under account {self.account_id} is invalid."
            )

    # ------------------------------------------------------------ reads
    def _shard_for_read(self, stream_name: str | None, arn: str | None, raw_shard_id: str) -> tuple[Stream, Shard]:
        """Resolve a stream and shard the way GetShardIterator reports misses."""
        display = stream_name if stream_name is not None else (arn or "").rsplit("/", 1)[-1]
        try:
            index = resolve_shard_id(raw_shard_id)
        except ValueError:
            raise ResourceNotFoundException.unparsable_shard(raw_shard_id, display, self.account_id) from None
        shard_id = shard_id_name(index)
        try:
            stream = self.get_stream(stream_name, arn)
        except ResourceNotFoundException:
            raise ResourceNotFoundException.shard(shard_id, display, self.account_id) from None
        shard = stream.shard(index)
        if shard is None:
            raise ResourceNotFoundException.shard(shard_id, stream.name, self.account_id)
        return stream, shard

    def get_shard_iterator(
        self,
        stream_name: str | None,
        arn: str | None,
        raw_shard_id: str,
        iterator_type: str,
        starting_sequence: str | None = None,
        timestamp: float | None = None,
    ) -> str:
        """GetShardIterator for the five iterator types, with AWS's checks and messages."""
        stream, shard = self._shard_for_read(stream_name, arn, raw_shard_id)
        now = clock.now()
        if starting_sequence:
            if iterator_type in ("TRIM_HORIZON", "LATEST"):
                raise InvalidArgumentException(_iterator_type_message(iterator_type, "also a"))
            try:
                parsed = parse_sequence(starting_sequence)
            except ValueError:
                raise InvalidArgumentException(
                    f"StartingSequenceNumber {starting_sequence} used in GetShardIterator on shard "
                    f"{shard.shard_id} in stream {stream.name} under account {self.account_id} is invalid."
                ) from None
            if parsed.shard_index != shard.index:
                raise InvalidArgumentException(
                    f"Invalid StartingSequenceNumber. It encodes {shard_id_name(parsed.shard_index)}, "
                    f"while it was used in a call to a shard with {shard.shard_id}"
                )
            if parsed.version != 2 or parsed.create_secs != shard.create_secs:
                if parsed.version == 0:
                    raise InternalFailure("")  # what AWS answers for an old-layout number
                raise InvalidArgumentException(
                    f"StartingSequenceNumber {starting_sequence} used in GetShardIterator on shard "
                    f"{shard.shard_id} in stream {stream.name} under account {self.account_id} is "
                    "invalid because it did not come from this stream."
                )
            with stream.lock:
                position = shard.position_at_sequence(parsed.seq_ix, iterator_type == "AFTER_SEQUENCE_NUMBER")
        elif iterator_type == "TRIM_HORIZON":
            position = 0
        elif iterator_type == "LATEST":
            position = len(shard)
        elif iterator_type == "AT_TIMESTAMP":
            if timestamp is None:
                raise InvalidArgumentException(
                    "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                    "Current request has no timestamp parameter."
                )
            requested_ms = timestamp * 1000
            now_ms = int(now * 1000)
            if int(requested_ms) > now_ms:  # AWS compares whole milliseconds
                shown = int(requested_ms) if float(requested_ms).is_integer() else requested_ms
                raise InvalidArgumentException(
                    "The timestampInMillis parameter cannot be greater than the "
                    f"currentTimestampInMillis. timestampInMillis: {shown}, currentTimestampInMillis: {now_ms}"
                )
            with stream.lock:
                position = shard.position_of_time(timestamp)
        else:
            raise InvalidArgumentException(_iterator_type_message(iterator_type, "no"))
        return iterators.encode(stream.name, stream.created, shard.index, position, now)

    def get_records(self, token: str, limit: int | None, dry_run: bool = False) -> dict[str, Any]:
        """GetRecords: at most ``limit`` (default 10,000) records and 10 MiB from the
        iterator's position; O(log n + records returned). ``dry_run``: the iterator,
        stream and shard are checked, then DryRunOperationException."""
        now = clock.now()
        iterator = iterators.decode(token, now)
        stream = self.streams.get(iterator.stream_name)
        shard_id = shard_id_name(iterator.shard_index)
        if stream is None or int(stream.created * 1000) != iterator.stream_created_ms:
            raise ResourceNotFoundException.shard(shard_id, iterator.stream_name, self.account_id)
        shard = stream.shard(iterator.shard_index)
        if shard is None:
            raise ResourceNotFoundException.shard(shard_id, stream.name, self.account_id)
        if dry_run:
            raise DryRunOperationException()
        limit = limit or 10000
        with stream.lock:
            start = iterator.position
            cutoff = shard.position_of_time(now - stream.retention_hours * 3600)
            start = max(start, cutoff)
            end = min(len(shard), start + limit)
            records = []
            budget = 10 * 1024 * 1024
            data, keys, arrivals = shard.data, shard.keys, shard.arrivals
            position = start
            while position < end:
                blob = data[position]
                budget -= len(blob)
                if budget < 0 and position > start:
                    break
                records.append((shard.sequence_at(position), arrivals[position], blob, keys[position]))
                position += 1
            remaining = len(shard) - position
            next_position = position
            behind = 0 if remaining <= 0 else max(0, int((now - arrivals[position]) * 1000))
            at_end = not shard.is_open and remaining <= 0
        result: dict[str, Any] = {"Records": records, "MillisBehindLatest": behind}
        if at_end:
            result["ChildShards"] = child_shards(stream, shard)
        else:
            result["NextShardIterator"] = iterators.encode(
                stream.name, stream.created, shard.index, next_position, now)
        return result

    # ------------------------------------------------------------ resharding
    def _reshardable(self, name: str | None, arn: str | None) -> Stream:
        """The stream of a SplitShard/MergeShards/UpdateShardCount: ACTIVE and provisioned
        (the API reference: these are for provisioned streams only)."""
        stream = self.get_stream(name, arn)
        self.check_active(stream)
        if stream.mode == "ON_DEMAND":
            raise ValidationError.on_demand(stream.name, self.account_id)
        return stream

    def split_shard(self, name: str | None, arn: str | None, raw_shard: str, new_start: str) -> None:
        with self.lock:
            index = self._shard_index(name, arn, raw_shard)
            stream = self._reshardable(name, arn)
            shard = self._open_shard(stream, index)
            self._check_quota(1)
            key = int(new_start)
            if key <= shard.start_hash + 1 or key >= shard.end_hash:
                raise InvalidArgumentException(
                    f"NewStartingHashKey {new_start} used in SplitShard() on shard {shard.shard_id} in "
                    f"stream {stream.name} under account {self.account_id} is not both greater than one "
                    f"plus the shard's StartingHashKey {shard.start_hash} and less than the shard's "
                    f"EndingHashKey {shard.end_hash}."
                )
            with stream.lock:
                scaling.split(stream, shard, key, int(clock.now()))
                stream.reindex()

    def merge_shards(self, name: str | None, arn: str | None, raw_shard: str, raw_adjacent: str) -> None:
        with self.lock:
            indexes = [self._shard_index(name, arn, raw) for raw in (raw_shard, raw_adjacent)]
            stream = self._reshardable(name, arn)
            first, second = (self._open_shard(stream, index) for index in indexes)
            if first.end_hash + 1 != second.start_hash:
                raise InvalidArgumentException(
                    f"Shards {first.shard_id} and {second.shard_id} in stream {stream.name} under "
                    f"account {self.account_id} are not an adjacent pair of shards eligible for merging"
                )
            with stream.lock:
                scaling.merge(stream, first, second, int(clock.now()))
                stream.reindex()

    def update_shard_count(self, name: str | None, arn: str | None, target: int) -> tuple[Stream, int]:
        """UpdateShardCount with UNIFORM_SCALING: real splits and merges (``scaling``)."""
        with self.lock:
            stream = self._reshardable(name, arn)
            current = len(stream.open_shards)
            if target > 2 * current:
                raise InvalidArgumentException(
                    f"UpdateShardCount cannot scale up over double your current open shard count. "
                    f"Current open shard count: {current} Target shard count: {target}"
                )
            if target * 2 < current:
                raise InvalidArgumentException(
                    f"UpdateShardCount cannot scale down below half your current open shard count. "
                    f"Current open shard count: {current} Target shard count: {target}"
                )
            if target != current:
                self._check_quota(scaling.peak_additional_shards(current, target))
                with stream.lock:
                    scaling.uniform_scale(stream, target, int(clock.now()))
            return stream, current

    def _shard_index(self, name: str | None, arn: str | None, raw: str) -> int:
        """A shard id's index, resolved before the stream is looked up (as AWS does, so an
        unparsable id is reported even for a stream that does not exist)."""
        try:
            return resolve_shard_id(raw)
        except ValueError:
            display = name if name is not None else (arn or "").rsplit("/", 1)[-1]
            raise ResourceNotFoundException.unparsable_shard(raw, display, self.account_id) from None

    def _open_shard(self, stream: Stream, index: int) -> Shard:
        shard = stream.shard(index)
        if shard is None:
            raise ResourceNotFoundException.unparsable_shard(shard_id_name(index), stream.name, self.account_id)
        if not shard.is_open:
            raise InvalidArgumentException.already_resharded(shard.shard_id, stream.name, self.account_id)
        return shard

    def check_active(self, stream: Stream) -> None:
        if stream.status != "ACTIVE":
            raise ResourceInUseException.not_active(stream.name, self.account_id, stream.status)

    # ------------------------------------------------------------ inspection
    def records(self, stream: Stream, shard_id: str | None = None) -> list[StoredRecord]:
        """Every stored record, by shard then sequence (for ``mock.kinesis``)."""
        with stream.lock:
            shards = [s for s in stream.shards if shard_id is None or s.shard_id == shard_id]
            return [shard.record_at(i) for shard in shards for i in range(len(shard))]


def child_shards(stream: Stream, shard: Shard) -> list[dict[str, Any]]:
    """The ``ChildShards`` of a closed shard (GetRecords and SubscribeToShard at its end)."""
    return [
        {"ShardId": child.shard_id,
         "ParentShards": [p for p in (child.parent_id, child.adjacent_parent_id) if p],
         "HashKeyRange": {"StartingHashKey": str(child.start_hash), "EndingHashKey": str(child.end_hash)}}
        for child in stream.shards if shard.shard_id in (child.parent_id, child.adjacent_parent_id)
    ]


def _iterator_type_message(iterator_type: str, which: str) -> str:
    return (
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
        "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
        f"Request specified {iterator_type} and {which} StartingSequenceNumber."
    )


kinesis_backends: BackendDict[KinesisBackend] = BackendDict(KinesisBackend)
