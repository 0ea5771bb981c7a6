"""Server-side validation of v3io streaming request bodies.

Everything malformed is answered as v3io does, with :class:`InvalidArgumentException`
(400, -201326592), never a Python error. PutRecords checks the whole batch before a single
record is stored, so a rejected request leaves the stream untouched.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, NamedTuple

from .exceptions import InvalidArgumentException
from .models import DEFAULT_GET_LIMIT, RecordInput

MAX_RECORDS = 1000
MAX_BODY_BYTES = 10 * 1024 * 1024
"""PutRecords JSON body limit ("10 MB", read as MiB like the record limit)."""
MAX_DATA_BYTES = 1024 * 1024
"""Decoded ``Data`` limit ("1 MB": 1,048,576 bytes are accepted)."""
MAX_CLIENT_INFO_BYTES = 16
"""``ClientInfo`` limit: 128 bits."""
MAX_PARTITION_KEY_BYTES = 256

try:  # orjson is faster; it is optional (v3io-py depends on it, so it is often there)
    import orjson

    _loads: Callable[[bytes], Any] = orjson.loads
    _JSON_ERRORS: tuple[type[Exception], ...] = (orjson.JSONDecodeError, ValueError, TypeError)
except ImportError:  # pragma: no cover - depends on the environment
    _loads = json.loads
    _JSON_ERRORS = (ValueError, TypeError)

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


def put_records(body: dict[str, Any]) -> list[RecordInput]:
    """Validate every record; 1 to 1,000 of them."""
    records = body.get("Records")
    if not isinstance(records, list) or not records:
        raise InvalidArgumentException("Records must be a non-empty array")
    if len(records) > MAX_RECORDS:
        raise InvalidArgumentException(f"at most {MAX_RECORDS} records per request, got {len(records)}")
    out: list[RecordInput] = []
    append = out.append
    fullmatch = _BASE64.fullmatch
    for record in records:
        if type(record) is not dict:
            raise InvalidArgumentException("each record must be a JSON object")
        data = record.get("Data")
        # Fast path: well-formed Data clearly under the limit (1,398,100 base64 chars
        # decode to < 1 MiB); anything else gets the exact checks in _blob.
        if type(data) is not str or len(data) % 4 or len(data) > 1_398_100 or fullmatch(data) is None:
            data = _blob(data, "Data", MAX_DATA_BYTES)
        if len(record) == 1:
            append(RecordInput(data))
            continue
        client_info = record.get("ClientInfo")
        if client_info is not None:
            client_info = _blob(client_info, "ClientInfo", MAX_CLIENT_INFO_BYTES)
        key = record.get("PartitionKey")
        if key is not None:
            if not isinstance(key, str):
                raise InvalidArgumentException("PartitionKey must be a string")
            if len(key) > 64 and len(key.encode()) > MAX_PARTITION_KEY_BYTES:
                raise InvalidArgumentException(f"PartitionKey exceeds {MAX_PARTITION_KEY_BYTES} bytes")
        shard_id = record.get("ShardId")
        if shard_id is not None and type(shard_id) is not int:
            raise InvalidArgumentException("ShardId must be an integer")
        append(RecordInput(data, client_info, key, shard_id))
    return out


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
