"""Server-side validation of v3io streaming request bodies.

Everything malformed is answered as v3io does, with :class:`InvalidArgumentException`
(400, -201326592), never a Python error. PutRecords checks the whole batch before a single
record is stored, so a rejected request leaves the stream untouched.
"""
from __future__ import annotations

import json
import re
from itertools import repeat
from operator import itemgetter
from typing import Any, Callable, NamedTuple

from . import platform
from .exceptions import InvalidArgumentException
from .models import DEFAULT_GET_LIMIT, PutColumns, PutRecordsBatch, RecordInput, _column

MAX_RECORDS = 1000
MAX_BODY_BYTES = 10 * 1024 * 1024
"""PutRecords JSON body limit ("10 MB", read as MiB like the record limit)."""
MAX_DATA_BYTES = 1024 * 1024
"""Decoded ``Data`` limit of the 3.2 docs ("1 MB": 1,048,576 bytes are accepted); later
platforms take 2 MB (see :mod:`.platform`). The fast path stays under both."""
MAX_CLIENT_INFO_BYTES = 16
"""``ClientInfo`` limit: 128 bits."""
MAX_PARTITION_KEY_BYTES = 256

try:  # orjson is faster; it is optional (v3io-py depends on it, so it is often there)
    import orjson

    _loads: Callable[[bytes], Any] = orjson.loads
    _JSON_ERRORS: tuple[type[Exception], ...] = (orjson.JSONDecodeError, ValueError, TypeError, RecursionError)
except ImportError:  # pragma: no cover - depends on the environment
    _loads = json.loads
    _JSON_ERRORS = (ValueError, TypeError, RecursionError)

# Standard base64 with padding, as v3io-py (b64encode) and v3io-go (StdEncoding) send it.
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def parse_body(body: bytes, *, required: bool = True) -> dict[str, Any]:
    """The JSON object in ``body``; an empty body is ``{}`` unless ``required``."""
    if not body.strip():
        if required:
            raise InvalidArgumentException("the request needs a JSON body")
        return {}
    try:
        value = _loads(body)
    except _JSON_ERRORS:
        raise InvalidArgumentException("the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidArgumentException("the body must be a JSON object")
    return value


def _int(value: Any, name: str) -> int:
    if type(value) is not int:  # bool and float are not accepted
        raise InvalidArgumentException(f"{name} must be an integer, got {value!r}")
    return value


def optional_int(body: dict[str, Any], name: str) -> int | None:
    """An optional integer member."""
    value = body.get(name)
    return None if value is None else _int(value, name)


def required_int(body: dict[str, Any], name: str) -> int:
    """A required integer member."""
    if name not in body:
        raise InvalidArgumentException(f"{name} is required")
    return _int(body[name], name)


def optional_str(body: dict[str, Any], name: str) -> str | None:
    """An optional string member."""
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidArgumentException(f"{name} must be a string")
    return value


def base64_size(text: str) -> int:
    """Decoded size of valid base64 ``text`` (O(1))."""
    return len(text) // 4 * 3 - text.endswith("=") - text.endswith("==")


def _blob(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) % 4 or _BASE64.fullmatch(value) is None:
        raise InvalidArgumentException(f"{name} must be standard base64 text")
    if base64_size(value) > limit:
        raise InvalidArgumentException(f"{name} exceeds {limit} bytes")
    return value


class CreateStreamInput(NamedTuple):
    """CreateStream parameters."""

    shard_count: int
    retention_hours: int


def create_stream(body: dict[str, Any]) -> CreateStreamInput:
    """``ShardCount`` and ``RetentionPeriodHours`` are both required integers."""
    return CreateStreamInput(required_int(body, "ShardCount"), required_int(body, "RetentionPeriodHours"))


def update_stream(body: dict[str, Any]) -> int:
    """The new ``ShardCount``."""
    return required_int(body, "ShardCount")


def put_records(body: dict[str, Any]) -> PutColumns:
    """Validate every record (1 to 1,000 of them); the batch as columns.

    Well-formed batches are checked with C-level passes over whole columns; anything odd
    falls back to :func:`_put_records_slowly`, which finds the exact fault.
    """
    records = body.get("Records")
    if not isinstance(records, list) or not records:
        raise InvalidArgumentException("Records must be a non-empty array")
    if len(records) > MAX_RECORDS:
        raise InvalidArgumentException(f"at most {MAX_RECORDS} records per request, got {len(records)}")
    try:
        return _put_records_fast(records).columns
    except (ValueError, KeyError, TypeError):
        return _put_records_slowly(records)


class _CheckedBatch(NamedTuple):
    """What the one-pass-per-column check of a well-formed batch found."""

    columns: PutColumns
    every_member_in_a_column: bool
    """No null or unknown member anywhere: re-serializing the columns gives the batch back."""
    distinct_keys: set[Any]
    """The distinct PartitionKey values (``None`` included when some record has none)."""


def _put_records_fast(records: list[Any]) -> _CheckedBatch:
    """:func:`put_records` for well-formed batches: raises ValueError, KeyError or
    TypeError on anything odd (ClientInfo faults raise their InvalidArgumentException)."""
    data = list(map(_get_data, records))  # TypeError for a record that is not an object
    if not _blobs_ok(data, _FAST_DATA_CHARS):
        raise ValueError
    total = len(records)
    extra = sum(map(len, records)) - total  # members besides Data
    if not extra:  # Data only: the common producer
        return _CheckedBatch(PutColumns(data), True, _NO_KEYS)
    keys = list(map(dict.get, records, repeat("PartitionKey")))
    given = total - keys.count(None)
    exact = given == extra
    if exact:  # Data plus a (non-null) PartitionKey, nothing else
        client_info = shard_ids = None
    else:
        infos = list(map(dict.get, records, repeat("ClientInfo")))
        ids = list(map(dict.get, records, repeat("ShardId")))
        exact = extra == given + 2 * total - infos.count(None) - ids.count(None)
        client_info, shard_ids = _column(infos), _column(ids)
    distinct = set(keys) if given else _NO_KEYS  # few distinct keys; unhashable ones raise TypeError
    for key in distinct:
        if key is not None and (type(key) is not str or len(key) > 64):
            raise ValueError
    if shard_ids is not None and not set(map(type, shard_ids)) <= _INT_OR_NONE:
        raise ValueError
    if client_info is not None:
        for info in client_info:
            if info is not None:
                _blob(info, "ClientInfo", MAX_CLIENT_INFO_BYTES)
    return _CheckedBatch(PutColumns(data, client_info, keys if given else None, shard_ids), exact, distinct)


_NO_KEYS: set[Any] = {None}


_get_data = itemgetter("Data")
_INT_OR_NONE = {int, type(None)}
_FAST_DATA_CHARS = 1_398_100  # base64 this long decodes to < 1 MiB whatever its padding
_BASE64_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_SEPARATORS = b"\n" * (MAX_RECORDS - 1)
_BAD_PADDING = re.compile(r"=[^=\n]|===")  # padding is one or two "=" ending a value


def _blobs_ok(values: list[Any], max_chars: int) -> bool:
    """True when every value is standard, padded base64 text of at most ``max_chars``
    (at most :data:`MAX_RECORDS` values, checked joined by newlines)."""
    try:
        joined = "\n".join(values)
    except TypeError:
        return False
    # Deleting the alphabet must leave exactly the separators: anything else is a foreign
    # character, and a newline inside a value would leave one newline too many.
    if not joined.isascii() or joined.encode("ascii").translate(None, _BASE64_CHARS) != _SEPARATORS[: len(values) - 1]:
        return False
    if "=" in joined and _BAD_PADDING.search(joined):
        return False
    lengths = set(map(len, values))
    return not any(length & 3 for length in lengths) and max(lengths) <= max_chars


def _all_exactly(values: list[Any], kind: type) -> bool:
    """True when every value is exactly a ``kind`` (a subclass may serialize through methods
    of its own); one C pass without hashing, cheaper than ``set(map(type, values))``."""
    return list(map(type, values)).count(kind) == len(values)


_TOP_MEMBERS = frozenset({"Records", "StreamName"})
_INT64 = (-(1 << 63), 1 << 63)


def put_records_from_json_object(payload: Any) -> PutRecordsBatch | None:
    """The batch of a PutRecords ``payload`` (the object a client is about to serialize
    with ``json.dumps``), with its ``StreamName``, when parsing that serialization and running
    :func:`put_records` on it is certain to give the same: plain ``dict``/``list``/``str``/
    ``int`` values only, no member the parser would see but the columns do not hold, and a
    batch the fast path accepts. ``None`` otherwise (the body is then parsed as usual).
    The columns are new lists, so later changes to ``payload`` do not reach them."""
    if type(payload) is not dict or not payload.keys() <= _TOP_MEMBERS:
        return None
    name = payload.get("StreamName")
    records = payload.get("Records")
    if name is not None and (type(name) is not str or not _encodable(name)):
        return None
    if type(records) is not list or not 0 < len(records) <= MAX_RECORDS or not _all_exactly(records, dict):
        return None
    try:
        columns, exact, distinct_keys = _put_records_fast(records)
    except (ValueError, KeyError, TypeError, InvalidArgumentException):
        return None
    data, client_info, keys, shard_ids = columns
    if not exact or not _all_exactly(data, str):
        return None
    if keys is not None and not _encodable("".join(filter(None, distinct_keys))):  # "" is encodable too
        return None
    if client_info is not None and not set(map(type, client_info)) <= _STR_OR_NONE:
        return None
    if shard_ids is not None:
        present = [shard_id for shard_id in shard_ids if shard_id is not None]
        if not (_INT64[0] <= min(present) and max(present) < _INT64[1]):  # JSON parsers' int range
            return None
    return PutRecordsBatch(columns, name)


def _encodable(text: str) -> bool:
    """True unless ``text`` holds a lone surrogate (which JSON round-trips do not keep)."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


_STR_OR_NONE = {str, type(None)}


def _put_records_slowly(records: list[Any]) -> PutColumns:
    """Record by record, raising the exact InvalidArgumentException."""
    out: list[RecordInput] = []
    for record in records:
        if type(record) is not dict:
            raise InvalidArgumentException("each record must be a JSON object")
        data = _blob(record.get("Data"), "Data", platform.current().max_record_bytes)
        client_info = record.get("ClientInfo")
        if client_info is not None:
            client_info = _blob(client_info, "ClientInfo", MAX_CLIENT_INFO_BYTES)
        key = record.get("PartitionKey")
        if key is not None:
            if not isinstance(key, str):
                raise InvalidArgumentException("PartitionKey must be a string")
            if len(key.encode()) > MAX_PARTITION_KEY_BYTES:
                raise InvalidArgumentException(f"PartitionKey exceeds {MAX_PARTITION_KEY_BYTES} bytes")
        shard_id = record.get("ShardId")
        if shard_id is not None and type(shard_id) is not int:
            raise InvalidArgumentException("ShardId must be an integer")
        out.append(RecordInput(data, client_info, key, shard_id))
    return PutColumns(
        [record.data for record in out],
        _column([record.client_info for record in out]),
        _column([record.partition_key for record in out]),
        _column([record.shard_id for record in out]),
    )


class SeekInput(NamedTuple):
    """Seek parameters."""

    seek_type: str
    sequence_number: int | None
    timestamp_ns: int | None


def seek(body: dict[str, Any]) -> SeekInput:
    """``Type`` plus what it needs: SEQUENCE needs ``StartingSequenceNumber``, TIME both
    ``TimestampSec`` and ``TimestampNSec`` (the docs: NSec "doesn't default to 0")."""
    seek_type = body.get("Type")
    if seek_type in ("EARLIEST", "LATEST"):
        return SeekInput(seek_type, None, None)
    if seek_type == "SEQUENCE":
        return SeekInput(seek_type, required_int(body, "StartingSequenceNumber"), None)
    if seek_type == "TIME":
        sec = required_int(body, "TimestampSec")
        nsec = required_int(body, "TimestampNSec")
        if sec < 0 or not 0 <= nsec < 1_000_000_000:
            raise InvalidArgumentException("TimestampSec/TimestampNSec out of range")
        return SeekInput(seek_type, None, sec * 1_000_000_000 + nsec)
    raise InvalidArgumentException(f"Type must be EARLIEST, LATEST, SEQUENCE or TIME, got {seek_type!r}")


class GetRecordsInput(NamedTuple):
    """GetRecords parameters."""

    location: str
    limit: int


def get_records(body: dict[str, Any]) -> GetRecordsInput:
    """A required ``Location`` string and an optional ``Limit`` >= 1 (default 1,000)."""
    location = body.get("Location")
    if not isinstance(location, str) or not location:
        raise InvalidArgumentException("Location is required")
    limit = optional_int(body, "Limit")
    if limit is None:
        limit = DEFAULT_GET_LIMIT
    elif limit < 1:
        raise InvalidArgumentException("Limit must be at least 1")
    return GetRecordsInput(location, limit)
