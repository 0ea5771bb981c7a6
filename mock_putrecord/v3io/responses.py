"""The v3io wire adapter: a :class:`WireRequest` in, a :class:`WireResponse` out.

Streaming functions are dispatched by the ``X-v3io-function`` header (POST and PUT alike;
``Seek`` and ``SeekShard`` are the same function). Requests without the header reach
:meth:`V3ioAdapter.unknown_operation`, which answers the object-layer calls v3io-py uses to
delete a stream (list the directory, DELETE each shard object, DELETE the directory).
Every failure is v3io's JSON error body; nothing here raises to the caller.
"""
from __future__ import annotations

import base64
import binascii
import json
import sys
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from ..core.errors import ServiceError
from ..core.faults import FailedRecord, faults
from ..core.wire import WireRequest, WireResponse, credential_scope
from . import kv_responses, object_responses, platform, validation
from .exceptions import (
    JSON_HEADERS,
    InvalidArgument,
    InvalidArgumentException,
    PermissionDenied,
    ResourceIsnotStream,
    ResourceNotFoundException,
    ResourceNotFoundOnSeek,
    ResourceNotStreamException,
    V3ioError,
)
from .container import V3ioContainer, v3io_backend
from .models import (
    MAX_SHARD_COUNT,
    PutColumns,
    PutRecordsBatch,
    PutResult,
    Stream,
    normalize_endpoint,
    normalize_path,
)

Handler = Callable[[WireRequest], WireResponse]
_Body = Callable[[WireRequest, V3ioContainer, str], WireResponse]

_NO_CONTENT_HEADERS: dict[str, str] = {}


def _case_insensitive(headers: Mapping[str, str]) -> bool:
    """True for ``requests``' own ``CaseInsensitiveDict``, whose lookups ignore case: no
    scan needed (every ``requests`` call asks for a header while v3io is mocked)."""
    structures = sys.modules.get("requests.structures")
    return structures is not None and type(headers) is structures.CaseInsensitiveDict


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup (``name`` in lower case) for any mapping."""
    if _case_insensitive(headers):
        return headers.get(name)
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _auth_headers(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``X-v3io-session-key`` and ``Authorization``, whatever their case (the last one
    of each when a plain mapping holds several spellings)."""
    if _case_insensitive(headers):
        return headers.get("x-v3io-session-key"), headers.get("authorization")
    session_key: str | None = None
    authorization: str | None = None
    for key, value in headers.items():
        lowered = key.lower()
        if lowered == "x-v3io-session-key":
            session_key = value
        elif lowered == "authorization":
            authorization = value
    return session_key, authorization


def _access_key(headers: Mapping[str, str]) -> str | None:
    """The access key a request authenticates with, or ``None`` if it brings none that
    parses (``X-v3io-session-key``, or ``Authorization`` as Basic, AWS4 or AWS)."""
    session_key, authorization = _auth_headers(headers)
    if session_key is not None:
        return session_key.strip() or None
    if authorization is None:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme == "Basic":
        try:
            user_password = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, colon, password = user_password.partition(":")
        return password if colon and user and password else None
    if scheme.startswith("AWS4-"):
        scope = credential_scope(credentials)
        return (scope[0] or None) if scope else None
    if scheme == "AWS":
        key, colon, signature = credentials.partition(":")
        return key if colon and key and signature else None
    return None


def authenticate(request: WireRequest) -> None:
    """Raise :class:`PermissionDenied` unless the request carries an accepted key."""
    key = _access_key(request.headers)
    allowed = v3io_backend.access_keys
    if key is None or (allowed is not None and key not in allowed):
        raise PermissionDenied("a valid X-v3io-session-key or Authorization header is required")


def _target(request: WireRequest) -> tuple[V3ioContainer, str]:
    """The container and the normalised path inside it that the URL names."""
    parts = normalize_path(unquote(request.path)).split("/", 1)
    if not parts[0]:
        raise InvalidArgumentException("the URL names no container")
    endpoint = normalize_endpoint(request.url)
    return v3io_backend.container(endpoint, parts[0]), parts[1] if len(parts) > 1 else ""


def _join(path: str, stream_name: str | None) -> str:
    """The URL path plus the body's ``StreamName`` (the docs allow either to name it)."""
    if not stream_name:
        return path
    name = normalize_path(stream_name)
    return f"{path}/{name}" if path else name


try:  # orjson is several times faster; optional (v3io-py depends on it, so often present)
    import orjson

    _dumps: Callable[[object], bytes] = orjson.dumps
except ImportError:  # pragma: no cover - depends on the environment

    def _dumps(payload: object) -> bytes:
        return json.dumps(payload, separators=(",", ":")).encode()


def _json(payload: object, status: int = 200) -> WireResponse:
    return WireResponse(status, _dumps(payload), dict(JSON_HEADERS))


def _no_content() -> WireResponse:
    return WireResponse(204, b"", dict(_NO_CONTENT_HEADERS))


def _handler(body: _Body) -> Handler:
    """Authenticate, locate the container, run ``body``; render any v3io error."""

    def handle(request: WireRequest) -> WireResponse:
        try:
            authenticate(request)
            container, path = _target(request)
            return body(request, container, path)
        except V3ioError as error:
            return error.to_wire()

    handle.__name__ = body.__name__
    handle.__doc__ = body.__doc__
    return handle


# ---------------------------------------------------------------- stream management
def create_stream(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """CreateStream: 204 with an empty body."""
    body = validation.parse_body(request.body)
    params = validation.create_stream(body)
    path = _join(path, validation.optional_str(body, "StreamName"))
    container.create_stream(path, params.shard_count, params.retention_hours)
    return _no_content()


def describe_stream(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """DescribeStream: ``{"ShardCount", "RetentionPeriodHours"}`` (v3io-py sends no body)."""
    body = validation.parse_body(request.body, required=False)
    stream = container.stream(_join(path, validation.optional_str(body, "StreamName")))
    return _json({"ShardCount": stream.shard_count, "RetentionPeriodHours": stream.retention_hours})


def update_stream(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """UpdateStream: grow the shard count; 204."""
    body = validation.parse_body(request.body)
    shard_count = validation.update_stream(body)
    path = _join(path, validation.optional_str(body, "StreamName"))
    stream = container.stream(path, ResourceNotStreamException)
    if shard_count > MAX_SHARD_COUNT:
        raise InvalidArgumentException(f"ShardCount must be at most {MAX_SHARD_COUNT}")
    stream.update_shard_count(shard_count)
    return _no_content()


# ---------------------------------------------------------------- records
def put_records(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """PutRecords: 200 with per-record results, failures counted in FailedRecordCount."""
    if len(request.body) > validation.MAX_BODY_BYTES:
        raise InvalidArgumentException(f"the body exceeds {validation.MAX_BODY_BYTES} bytes")
    batch = request.source_as(PutRecordsBatch)
    if batch is not None:  # validated from the object this body was serialized from
        records, stream_name = batch.columns, batch.stream_name
    else:
        body = validation.parse_body(request.body)
        records = validation.put_records(body)
        stream_name = validation.optional_str(body, "StreamName")
    stream = container.stream(_join(path, stream_name))
    if faults.record_faults_enabled:
        return _put_with_injected_failures(stream, path, records)
    return WireResponse(200, _put_records_body(stream.put_columns(records)), dict(JSON_HEADERS))


def _put_with_injected_failures(stream: Stream, path: str, records: PutColumns) -> WireResponse:
    """PutRecords under ``mock.faults.fail_records("v3io", ...)``: the chosen records fail
    with the named v3io error (``ErrorCode`` from its class), the others are stored."""
    failures: dict[int, dict[str, object]] = {}
    for index in range(len(records.data)):
        name = faults.record_fault("v3io", "PutRecords")
        if name is not None:
            failures[index] = {"ErrorCode": _error_code_of(name), "ErrorMessage": name}
            faults.note_failed_record(FailedRecord("v3io", path, index, name, name))
    keep = [index for index in range(len(records.data)) if index not in failures]

    def pick(column: list[Any] | None) -> list[Any] | None:
        return None if column is None else [column[index] for index in keep]

    stored = PutColumns(pick(records.data) or [], pick(records.client_info), pick(records.partition_key),
                        pick(records.shard_id))
    targets, sequences, _ = stream.put_columns(stored) if keep else ([], [], 0)
    results: list[Mapping[str, object]] = []
    stored_results = iter(zip(targets, sequences))
    for index in range(len(records.data)):
        if index in failures:
            results.append(failures[index])
            continue
        target, sequence = next(stored_results)
        results.append({"SequenceNumber": sequence, "ShardId": target} if target >= 0 else _SHARD_OUT_OF_RANGE)
    failed = sum(1 for result in results if "ErrorCode" in result)
    return WireResponse(200, _dumps({"FailedRecordCount": failed, "Records": results}), dict(JSON_HEADERS))


def _error_code_of(name: str) -> int:
    """The ``ErrorCode`` v3io sends with the error named ``name`` (-1 if unknown)."""
    classes = list(V3ioError.__subclasses__())
    while classes:
        cls = classes.pop()
        if cls.code == name:
            return cls.error_code
        classes.extend(cls.__subclasses__())
    return -1


_SHARD_OUT_OF_RANGE = {"ErrorCode": -201326594, "ErrorMessage": "ShardIDOutOfRangeException"}


def _put_records_body(result: PutResult) -> bytes:
    # The hot path of every producer: success entries carry exactly SequenceNumber and
    # ShardId (no ErrorCode key), failures exactly ErrorCode and ErrorMessage.
    targets, sequences, failed = result
    if failed:
        records = [
            {"SequenceNumber": seq, "ShardId": target} if target >= 0 else _SHARD_OUT_OF_RANGE
            for seq, target in zip(sequences, targets)
        ]
        return _dumps({"FailedRecordCount": failed, "Records": records})
    # All stored: the same bytes _dumps would give, assembled from the sequence numbers'
    # JSON (one C call, split into digit strings) and a fragment per shard id, instead of
    # building and serializing 1,000 dicts.
    parts: list[bytes] = [b""] * (2 * len(targets))
    parts[0::2] = _dumps(sequences)[1:-1].split(b",")
    fragments = _shard_fragments
    try:
        parts[1::2] = map(fragments.__getitem__, targets)
    except IndexError:
        parts[1::2] = map(_more_shard_fragments(max(targets)).__getitem__, targets)
    parts[-1] = b',"ShardId":%d}]}' % targets[-1]
    return b'{"FailedRecordCount":0,"Records":[{"SequenceNumber":' + b"".join(parts)


_shard_fragments: list[bytes] = []
"""By shard id, the JSON between one success entry's SequenceNumber and the next's (a list:
indexing it is cheaper than a dict lookup; at most MAX_SHARD_COUNT entries)."""


def _more_shard_fragments(shard_id: int) -> list[bytes]:
    """:data:`_shard_fragments`, grown to hold ``shard_id``. A new list replaces the old,
    so a racing request indexes one complete list or the other, never a half-grown one."""
    global _shard_fragments
    fragments = _shard_fragments
    if len(fragments) <= shard_id:
        fragments = fragments + [b',"ShardId":%d},{"SequenceNumber":' % target
                                 for target in range(len(fragments), shard_id + 1)]
        _shard_fragments = fragments
    return fragments


def _shard_target(container: V3ioContainer, path: str, body: dict[str, object]) -> tuple[Stream, int]:
    """The stream and shard of Seek/GetRecords: the shard path ``<stream>/<shard>``, or the
    stream path (or its parent plus ``StreamName``) with ``ShardId`` in the body."""
    resolved = container.resolve(_join(path, validation.optional_str(body, "StreamName")))
    if resolved.kind == "shard":
        assert resolved.stream is not None and resolved.shard_id is not None
        return resolved.stream, resolved.shard_id
    if resolved.kind == "stream":
        assert resolved.stream is not None
        shard_id = validation.optional_int(body, "ShardId")
        if shard_id is None:
            raise InvalidArgumentException("the URL names a stream but the body has no ShardId")
        return resolved.stream, shard_id
    if resolved.kind == "directory":
        raise ResourceIsnotStream(f"{container.name}/{path} is not a stream")
    raise ResourceNotFoundException(f"no stream at {container.name}/{path}")


def seek(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """Seek / SeekShard: ``{"Location": ...}``. A missing stream is 404 before platform
    2.10 and 400 from then on (same body)."""
    body = validation.parse_body(request.body)
    params = validation.seek(body)
    try:
        stream, shard_id = _shard_target(container, path, body)
    except ResourceNotFoundException as missing:
        if platform.current().seek_missing_status == 400:  # platform 2.10 and later
            raise ResourceNotFoundOnSeek(missing.detail) from None
        raise
    location = stream.seek(
        shard_id, params.seek_type, sequence_number=params.sequence_number, timestamp_ns=params.timestamp_ns
    )
    return _json({"Location": location})


def get_records(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """GetRecords: records from a Location, with NextLocation and how far behind it is."""
    body = validation.parse_body(request.body)
    params = validation.get_records(body)
    stream, shard_id = _shard_target(container, path, body)
    result = stream.get_records(shard_id, params.location, params.limit)
    records = []
    for sequence, record in result.records:
        entry: dict[str, object] = {
            "ArrivalTimeSec": record.arrival_ns // 1_000_000_000,
            "ArrivalTimeNSec": record.arrival_ns % 1_000_000_000,
            "SequenceNumber": sequence,
        }
        # Keys the producer did not give are left out, as in the docs' example.
        if record.client_info is not None:
            entry["ClientInfo"] = record.client_info
        if record.partition_key is not None:
            entry["PartitionKey"] = record.partition_key
        entry["Data"] = record.data
        records.append(entry)
    return _json(
        {
            "NextLocation": result.next_location,
            "MSecBehindLatest": result.msec_behind_latest,
            "RecordsBehindLatest": result.records_behind_latest,
            "Records": records,
        }
    )


# ---------------------------------------------------------------- object layer
def _object_request(request: WireRequest) -> WireResponse:
    """A request without ``X-v3io-function``: the simple-object web API."""
    try:
        authenticate(request)
        method = request.method.upper()
        if method == "GET" and not normalize_path(unquote(request.path)):
            return object_responses.list_containers(normalize_endpoint(request.url))
        container, path = _target(request)
        if method == "GET" and ("prefix" in parse_qs(request.query) or container.resolve(path).kind in _LISTABLE):
            return object_responses.list_directory(container, path, request.query)
        if method in ("GET", "HEAD"):
            return object_responses.get_object(container, path, request)
        if method in ("PUT", "POST"):
            return object_responses.put_object(container, path, request)
        if method == "DELETE":
            return object_responses.delete_object(container, path)
        raise InvalidArgument(f"{method} is not a simple-object operation")
    except V3ioError as error:
        if request.method.upper() == "HEAD":
            return WireResponse(error.status, b"", {})
        return error.to_wire()


_LISTABLE = frozenset({"directory", "stream"})


class V3ioAdapter:
    """The dispatcher's entry point for ``service="v3io"``."""

    def __init__(self) -> None:
        self.operations: Mapping[str, Handler] = {
            "CreateStream": _handler(create_stream),
            "DescribeStream": _handler(describe_stream),
            "UpdateStream": _handler(update_stream),
            "PutRecords": _handler(put_records),
            "Seek": _handler(seek),
            "SeekShard": _handler(seek),
            "GetRecords": _handler(get_records),
            "PutItem": _handler(kv_responses.put_item),
            "UpdateItem": _handler(kv_responses.update_item),
            "GetItem": _handler(kv_responses.get_item),
            "GetItems": _handler(kv_responses.get_items),
        }

    def render_error(self, error: ServiceError) -> WireResponse:
        """A scripted fault (``mock.faults.fail_next("v3io", ...)``) in v3io's error body:
        ``ErrorMessage`` is the error's name, ``ErrorCode`` its v3io code (-1 if unknown)."""
        if isinstance(error, V3ioError):
            return error.to_wire()
        body = _dumps({"ErrorCode": _error_code_of(error.code), "ErrorMessage": error.code})
        return WireResponse(error.status, body, dict(JSON_HEADERS))

    def unknown_operation(self, request: WireRequest) -> WireResponse:
        """No function header: the simple-object API; any other function name:
        InvalidArgumentException (after the container check every function makes)."""
        if not request.operation:
            return _object_request(request)
        try:
            authenticate(request)
            _target(request)  # a missing container is reported first, as for every function
            raise InvalidArgumentException(f"X-v3io-function {request.operation!r} is not implemented")
        except V3ioError as error:
            return error.to_wire()


adapter = V3ioAdapter()
"""Registered in ``mock_putrecord.services`` for service key ``"v3io"``."""


def endpoint_of(url: str) -> str:
    """The state key of the endpoint a URL points at."""
    return normalize_endpoint(urlsplit(url).netloc or url)
