"""The Kinesis wire adapter: JSON 1.1 requests in, backend calls, JSON 1.1 responses out.

Each handler is a few lines: validate against the botocore model (as AWS does, server
side), call the backend, render. PutRecords has a fast path that checks the common,
valid request inline and falls back to the full validator only to word an error.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import re
import sys
from functools import partial
from operator import itemgetter
from typing import Any, Callable, Mapping

from ..core.deserialiser import SerializationException
from ..core.errors import ServiceError
from ..core.faults import error_class
from ..core.validation import Validator, Wording
from ..core.wire import ClientParameters, WireRequest, WireResponse, loads_json, new_request_id
from .exceptions import DryRunOperationException, NotImplementedByMock, RequestEntityTooLarge
from .models import AUTO, SEQUENCE_NUMBER_STEP, KinesisBackend, ShardRun, Stream, kinesis_backends

CONTENT_TYPE = "application/x-amz-json-1.1"
# Larger bodies get a bare 413 before any validation. A valid request reaches about
# 13.4 MiB (10 MiB of data, base64-encoded, plus keys), so the cap sits above that.
MAX_BODY_BYTES = 16 * 1024 * 1024

# The order in which AWS reports failing members (kinesalite's captures).
_MEMBER_ORDER = {
    "AddTagsToStream": ["Tags", "StreamName"],
    "CreateStream": ["ShardCount", "StreamName"],
    "DecreaseStreamRetentionPeriod": ["RetentionPeriodHours", "StreamName"],
    "IncreaseStreamRetentionPeriod": ["RetentionPeriodHours", "StreamName"],
    "DescribeStream": ["Limit", "ExclusiveStartShardId", "StreamName"],
    "GetRecords": ["Limit", "ShardIterator"],
    "GetShardIterator": ["ShardId", "ShardIteratorType", "StartingSequenceNumber", "StreamName", "Timestamp"],
    "ListShards": ["ExclusiveStartShardId", "MaxResults", "NextToken", "StreamCreationTimestamp", "StreamName"],
    "ListStreams": ["Limit", "ExclusiveStartStreamName"],
    "ListTagsForStream": ["Limit", "ExclusiveStartTagKey", "StreamName"],
    "MergeShards": ["ShardToMerge", "AdjacentShardToMerge", "StreamName"],
    "PutRecord": ["SequenceNumberForOrdering", "PartitionKey", "ExplicitHashKey", "Data", "StreamName"],
    "PutRecords": ["Records", "StreamName"],
    "RemoveTagsFromStream": ["TagKeys", "StreamName"],
    "SplitShard": ["NewStartingHashKey", "StreamName", "ShardToSplit"],
    "PutRecordsRequestEntry": ["PartitionKey", "ExplicitHashKey", "Data"],
}
# Required on streams that route by partition key (USER_PARTITION_KEY, the default).
_PARTITION_KEY_REQUIRED = {"PutRecordInput": ["Data", "PartitionKey"], "PutRecordsRequestEntry": ["Data", "PartitionKey"]}
_VALIDATOR_OPTIONS: dict[str, Any] = dict(
    # Coral's JSON 1.1 wording: wrong types are SerializationExceptions, structures in
    # lists print as Java objects.
    wording=Wording(java_package="com.amazonaws.kinesis.v20131202"),
    member_order=_MEMBER_ORDER,
    enum_order={
        "ShardIteratorType": ["AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"],
    },
    # Retention below one hour is refused by the service's validator (kinesalite's capture);
    # the model states no bounds.
    bounds={"RetentionPeriodHours": {"min": 1}},
    # What the service requires, whatever the installed botocore release's model says.
    required={
        **_PARTITION_KEY_REQUIRED,
        "PutRecordsInput": ["Records"],
        "CreateStreamInput": ["StreamName"],
        "GetShardIteratorInput": ["ShardId", "ShardIteratorType"],
        "GetRecordsInput": ["ShardIterator"],
        "SplitShardInput": ["ShardToSplit", "NewStartingHashKey"],
        "MergeShardsInput": ["ShardToMerge", "AdjacentShardToMerge"],
        "UpdateShardCountInput": ["TargetShardCount", "ScalingType"],
        "AddTagsToStreamInput": ["Tags"],
        "RemoveTagsFromStreamInput": ["TagKeys"],
        "IncreaseStreamRetentionPeriodInput": ["RetentionPeriodHours"],
        "DecreaseStreamRetentionPeriodInput": ["RetentionPeriodHours"],
    },
)
VALIDATOR = Validator("kinesis", **_VALIDATOR_OPTIONS)
AUTO_VALIDATOR = Validator("kinesis", **{**_VALIDATOR_OPTIONS, "required": {
    **_VALIDATOR_OPTIONS["required"], "PutRecordInput": ["Data"], "PutRecordsRequestEntry": ["Data"]}})
"""For streams whose RecordDistributionStrategy is AUTO: PartitionKey is optional (as in
botocore's model since AUTO exists) and ignored."""


# ---------------------------------------------------------------- rendering
def _headers(length: int) -> dict[str, str]:
    return {
        "x-amzn-RequestId": new_request_id(),
        "x-amz-id-2": base64.b64encode(os.urandom(72)).decode("ascii"),
        "Content-Type": CONTENT_TYPE,
        "Content-Length": str(length),
    }


def ok(body: bytes = b"") -> WireResponse:
    """A 200 with a JSON body (empty for operations without output)."""
    return WireResponse(200, body, _headers(len(body)))


def ok_json(payload: Mapping[str, Any]) -> WireResponse:
    return ok(json.dumps(payload, separators=(",", ":")).encode())


def error_response(error: ServiceError) -> WireResponse:
    """Render a service error as AWS's JSON 1.1 error body."""
    if isinstance(error, RequestEntityTooLarge):
        return WireResponse(413, b"", {"x-amzn-RequestId": new_request_id(), "Content-Length": "0"})
    body: dict[str, str] = {"__type": error.code}
    if error.message:
        body[getattr(error, "message_key", "message")] = error.message
    encoded = json.dumps(body, separators=(",", ":")).encode()
    return WireResponse(error.status, encoded, _headers(len(encoded)))


# ---------------------------------------------------------------- request parsing
def parse_body(request: WireRequest) -> Any:
    """The JSON body; SerializationException (no message, as AWS) if it is not an object."""
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge("")
    try:
        params = loads_json(body) if body else None
    except (ValueError, UnicodeDecodeError):
        params = None
    if not isinstance(params, dict):
        raise SerializationException("")
    return params


def _backend(request: WireRequest) -> KinesisBackend:
    return kinesis_backends.get(request.account_id, request.region)


def _stream_ref(params: Mapping[str, Any]) -> tuple[str | None, str | None]:
    return params.get("StreamName"), params.get("StreamARN")


Handler = Callable[[WireRequest], WireResponse]


def validator_for(request: WireRequest, params: Any) -> Validator:
    """The validator for a put: :data:`AUTO_VALIDATOR` when the addressed stream exists
    and distributes records itself (a peek; the backend checks again under its lock)."""
    if isinstance(params, dict):
        name, arn = params.get("StreamName"), params.get("StreamARN")
        if isinstance(arn, str):
            name = arn.rsplit("/", 1)[-1]
        if isinstance(name, str):
            stream = _backend(request).streams.get(name)
            if stream is not None and stream.distribution == AUTO:
                return AUTO_VALIDATOR
    return VALIDATOR


def handler(operation: str, choose: Callable[[WireRequest, Any], Validator] | None = None,
            ) -> Callable[[Callable[[WireRequest, dict[str, Any]], WireResponse]], Handler]:
    """Register a handler that receives the validated parameters (validated by
    :data:`VALIDATOR`, or by the one ``choose`` picks for the request)."""

    def register(func: Callable[[WireRequest, dict[str, Any]], WireResponse]) -> Handler:
        def handle(request: WireRequest) -> WireResponse:
            try:
                body = parse_body(request)
                params = (choose(request, body) if choose else VALIDATOR).validate(operation, body)
                return func(request, params)
            except ServiceError as error:
                return error_response(error)

        OPERATIONS[operation] = handle
        return handle

    return register


OPERATIONS: dict[str, Handler] = {}

# ---------------------------------------------------------------- streams
@handler("CreateStream")
def create_stream(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    mode = (params.get("StreamModeDetails") or {}).get("StreamMode")
    _backend(request).create_stream(
        params["StreamName"], params.get("ShardCount"), mode, params.get("Tags"),
        params.get("MaxRecordSizeInKiB"), params.get("RecordDistributionStrategy"),
        params.get("WarmThroughputMiBps"),
    )
    return ok()


@handler("DeleteStream")
def delete_stream(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    _backend(request).delete_stream(*_stream_ref(params), bool(params.get("EnforceConsumerDeletion")))
    return ok()


def _stream_fields(stream: Stream) -> dict[str, Any]:
    return {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": stream.status,
        "StreamModeDetails": {"StreamMode": stream.mode},
        "RetentionPeriodHours": stream.retention_hours,
        "StreamCreationTimestamp": stream.created,
        "EnhancedMonitoring": [{"ShardLevelMetrics": list(stream.shard_level_metrics)}],
        "EncryptionType": stream.encryption_type,
        **({"KeyId": stream.key_id} if stream.key_id else {}),
    }


@handler("DescribeStream")
def describe_stream(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    stream = _backend(request).get_stream(*_stream_ref(params))
    shards = stream.shards
    start = params.get("ExclusiveStartShardId")
    if start is not None:
        shards = [s for s in shards if s.shard_id > start]
    limit = params.get("Limit") or 100
    description = _stream_fields(stream)
    description["Shards"] = [s.describe() for s in shards[:limit]]
    description["HasMoreShards"] = len(shards) > limit
    return ok_json({"StreamDescription": description})


@handler("DescribeStreamSummary")
def describe_stream_summary(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    stream = _backend(request).get_stream(*_stream_ref(params))
    summary = _stream_fields(stream)
    summary["OpenShardCount"] = len(stream.open_shards)
    summary.update(summary_counts(stream))
    summary["MaxRecordSizeInKiB"] = stream.max_record_size_kib
    if stream.mode == "ON_DEMAND":
        summary["RecordDistributionStrategy"] = stream.distribution
        if stream.warm_throughput_mibps is not None:
            # The mock scales at once, so the current value is the target.
            summary["WarmThroughput"] = {"TargetMiBps": stream.warm_throughput_mibps,
                                         "CurrentMiBps": stream.warm_throughput_mibps}
    return ok_json({"StreamDescriptionSummary": summary})


@handler("ListStreams")
def list_streams(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    start = params.get("ExclusiveStartStreamName")
    token = params.get("NextToken")
    if token is not None:
        start = _decode_token(token, "ListStreams")
    streams, has_more = _backend(request).list_streams(params.get("Limit"), start)
    payload: dict[str, Any] = {
        "StreamNames": [s.name for s in streams],
        "HasMoreStreams": has_more,
        "StreamSummaries": [
            {"StreamName": s.name, "StreamARN": s.arn, "StreamStatus": s.status,
             "StreamModeDetails": {"StreamMode": s.mode}, "StreamCreationTimestamp": s.created}
            for s in streams
        ],
    }
    if has_more and streams:
        payload["NextToken"] = _encode_token(streams[-1].name)
    return ok_json(payload)


def _encode_token(value: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([value]).encode()).decode()


def _decode_token(token: str, operation: str) -> str:
    try:
        (value,) = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(value)
    except (ValueError, TypeError, binascii.Error):
        from .exceptions import InvalidArgumentException

        raise InvalidArgumentException(f"Invalid NextToken provided to {operation}.") from None


@handler("ListShards")
def list_shards(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    from .exceptions import InvalidArgumentException

    name, arn = _stream_ref(params)
    token = params.get("NextToken")
    if token is None and name is None and arn is None:
        raise InvalidArgumentException("Either NextToken or StreamName should be provided.")
    if token is not None and (name is not None or arn is not None):
        raise InvalidArgumentException("NextToken and StreamName cannot be provided together.")
    after = params.get("ExclusiveStartShardId")
    if token is not None:
        name, after = json.loads(_decode_token(token, "ListShards"))
        arn = None
    stream = _backend(request).get_stream(name, arn)
    shards = stream.shards
    shard_filter = params.get("ShardFilter") or {}
    filter_type = shard_filter.get("Type")
    if filter_type == "AT_LATEST":
        shards = [s for s in shards if s.is_open]
    elif filter_type == "AFTER_SHARD_ID" and shard_filter.get("ShardId"):
        after = shard_filter["ShardId"]
    if after is not None:
        shards = [s for s in shards if s.shard_id > after]
    limit = params.get("MaxResults") or 1000
    page = shards[:limit]
    payload: dict[str, Any] = {"Shards": [s.describe() for s in page]}
    if len(shards) > limit:
        payload["NextToken"] = _encode_token(json.dumps([stream.name, page[-1].shard_id]))
    return ok_json(payload)


# ---------------------------------------------------------------- retention, tags, modes
@handler("IncreaseStreamRetentionPeriod")
def increase_retention(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    _backend(request).increase_retention(*_stream_ref(params), params["RetentionPeriodHours"])
    return ok()


@handler("DecreaseStreamRetentionPeriod")
def decrease_retention(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    _backend(request).decrease_retention(*_stream_ref(params), params["RetentionPeriodHours"])
    return ok()


@handler("AddTagsToStream")
def add_tags(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    _backend(request).add_tags(*_stream_ref(params), params["Tags"])
    return ok()


@handler("RemoveTagsFromStream")
def remove_tags(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    _backend(request).remove_tags(*_stream_ref(params), params["TagKeys"])
    return ok()


@handler("ListTagsForStream")
def list_tags(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    tags, has_more = _backend(request).list_tags(
        *_stream_ref(params), params.get("ExclusiveStartTagKey"), params.get("Limit"))
    return ok_json({"Tags": [{"Key": k, "Value": v} for k, v in tags], "HasMoreTags": has_more})


@handler("StartStreamEncryption")
def start_encryption(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    stream = _backend(request).get_stream(*_stream_ref(params))
    stream.encryption_type, stream.key_id = params["EncryptionType"], params["KeyId"]
    return ok()


@handler("StopStreamEncryption")
def stop_encryption(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    stream = _backend(request).get_stream(*_stream_ref(params))
    stream.encryption_type, stream.key_id = "NONE", None
    return ok()


@handler("DescribeLimits")
def describe_limits(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend = _backend(request)
    streams = list(backend.streams.values())
    return ok_json({
        "ShardLimit": backend.shard_quota,
        "OpenShardCount": sum(len(s.open_shards) for s in streams),
        "OnDemandStreamCount": sum(1 for s in streams if s.mode == "ON_DEMAND"),
        "OnDemandStreamCountLimit": 50,
    })


# ---------------------------------------------------------------- resharding
@handler("SplitShard")
def split_shard(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    _backend(request).split_shard(*_stream_ref(params), params["ShardToSplit"], params["NewStartingHashKey"])
    return ok()


@handler("MergeShards")
def merge_shards(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    _backend(request).merge_shards(*_stream_ref(params), params["ShardToMerge"], params["AdjacentShardToMerge"])
    return ok()


@handler("UpdateShardCount")
def update_shard_count(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    stream, current = _backend(request).update_shard_count(*_stream_ref(params), params["TargetShardCount"])
    return ok_json({"StreamName": stream.name, "StreamARN": stream.arn,
                    "CurrentShardCount": current, "TargetShardCount": params["TargetShardCount"]})


# ---------------------------------------------------------------- reads
@handler("GetShardIterator")
def get_shard_iterator(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    iterator = _backend(request).get_shard_iterator(
        *_stream_ref(params), params["ShardId"], params["ShardIteratorType"],
        params.get("StartingSequenceNumber"), params.get("Timestamp"))
    if params.get("DryRun"):
        raise DryRunOperationException()
    return ok_json({"ShardIterator": iterator})


_base64_line = partial(binascii.b2a_base64, newline=False)


@handler("GetRecords")
def get_records(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    result = _backend(request).get_records(params["ShardIterator"], params.get("Limit"),
                                           dry_run=params.get("DryRun") is True)
    result["Records"] = [
        {"SequenceNumber": seq, "ApproximateArrivalTimestamp": arrival,
         "Data": _base64_line(data).decode("ascii"), "PartitionKey": key}
        if key is not None else  # a record of an AUTO stream put without a key
        {"SequenceNumber": seq, "ApproximateArrivalTimestamp": arrival,
         "Data": _base64_line(data).decode("ascii")}
        for seq, arrival, data, key in result["Records"]
    ]
    return ok_json(result)


# ---------------------------------------------------------------- puts
@handler("PutRecord", validator_for)
def put_record(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend = _backend(request)
    name, arn = _stream_ref(params)
    ordering = params.get("SequenceNumberForOrdering")
    if ordering is not None:
        backend.check_sequence_for_ordering(name, arn, ordering)
    entry = (params["Data"], params.get("PartitionKey"), params.get("ExplicitHashKey"))
    _, [(shard, sequence, code, message)] = backend.put_records(
        name, arn, [entry], single=True, dry_run=params.get("DryRun") is True)
    if code is not None:
        raise error_class(code, 500 if code == "InternalFailure" else 400)(message or "")
    # sequence is set whenever code is None (typing only; no check on the hot path)
    return ok(b'{"SequenceNumber":"%d","ShardId":"%s"}' % (sequence, shard.shard_id.encode()))  # type: ignore[str-format]


_STREAM_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,128}")
_EXPLICIT_HASH_KEY = re.compile(r"0|[1-9]\d{0,38}")
_B64_VALUES = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_STRICT_BASE64 = sys.version_info >= (3, 11)


def _plainly_valid_entries(params: dict[str, Any]) -> list[tuple[bytes, str | None, str | None]] | None:
    """The records of a well-formed PutRecords request, or ``None`` to take the slow path
    (which then words the error exactly). Python 3.10 always takes the slow path."""
    records = params.get("Records")
    if not _STRICT_BASE64 or type(records) is not list or not 1 <= len(records) <= 500:
        return None
    name = params.get("StreamName")
    if name is not None and (type(name) is not str or not _STREAM_NAME.fullmatch(name)):
        return None
    if "StreamARN" in params or "StreamId" in params or "DryRun" in params:
        return None
    a2b, b64_values, explicit_pattern = binascii.a2b_base64, _B64_VALUES, _EXPLICIT_HASH_KEY
    entries: list[tuple[bytes, str | None, str | None]] = []
    append = entries.append
    for record in records:
        try:
            key = record["PartitionKey"]
            text = record["Data"]
            data = a2b(text, strict_mode=True)  # type: ignore[call-arg,unused-ignore]  # 3.11+, see above
        except (KeyError, TypeError, ValueError):  # ValueError: binascii.Error, or non-ASCII text
            return None
        if type(key) is not str or not 0 < len(key) <= 256 or type(text) is not str:
            return None
        if text[-1:] == "=":  # AWS rejects non-canonical padding bits
            if text[-2] == "=":
                if b64_values.get(text[-3], 1) & 0xF:
                    return None
            elif b64_values.get(text[-2], 1) & 0x3:
                return None
        explicit = record.get("ExplicitHashKey")
        if explicit is not None and (type(explicit) is not str or not explicit_pattern.fullmatch(explicit)):
            return None
        append((data, key, explicit))
    return entries


_get_keys, _get_data = itemgetter("PartitionKey"), itemgetter("Data")
_ONLY = ({str}, {dict}, {2})


def _plain_columns(params: Mapping[str, Any], data_type: type) -> tuple[str, list[Any], list[str]] | None:
    """``(stream name, Data values, partition keys)`` of a plainly well-formed PutRecords:
    ``StreamName`` and ``Records`` only, each record exactly ``Data`` (of ``data_type``)
    and ``PartitionKey`` (1 to 256 characters). Anything else: ``None``, and the body is
    read record by record, so every error is still worded from the wire."""
    records = params.get("Records")
    name = params.get("StreamName")
    if (not _STRICT_BASE64 or len(params) != 2 or type(records) is not list or not 1 <= len(records) <= 500
            or type(name) is not str or not _STREAM_NAME.fullmatch(name)):
        return None
    only_str, only_dict, only_two = _ONLY
    if set(map(type, records)) != only_dict or set(map(len, records)) != only_two:
        return None
    try:
        keys = list(map(_get_keys, records))
        datas = list(map(_get_data, records))
    except KeyError:
        return None
    if set(map(type, datas)) != {data_type} or set(map(type, keys)) != only_str:
        return None
    lengths = list(map(len, keys))
    if min(lengths) < 1 or max(lengths) > 256:
        return None
    return name, datas, keys


def _plain_batch_columns(params: Mapping[str, Any]) -> tuple[str, list[bytes], list[str]] | None:
    """:func:`_plain_columns` straight from the botocore parameters a PutRecords body was
    serialized from (no JSON parsing, no base64 decoding)."""
    return _plain_columns(params, bytes)


def _body_columns(params: Mapping[str, Any]) -> tuple[str, list[bytes], list[str]] | None:
    """:func:`_plain_columns` from a parsed JSON body (a server's request): ``Data`` is
    decoded in C-level passes. Text that is not canonical base64 (stray characters or
    padding bits, which AWS rejects) does not re-encode to itself: ``None``, and the
    record-by-record path words the error."""
    columns = _plain_columns(params, str)
    if columns is None:
        return None
    name, texts, keys = columns
    try:
        datas = list(map(binascii.a2b_base64, texts))
    except ValueError:  # binascii.Error, or non-ASCII text
        return None
    if list(map(_base64_line, datas)) != list(map(str.encode, texts)):
        return None
    return name, datas, keys


def _put_records_answer(groups: list[ShardRun], count: int) -> bytes:
    """PutRecords' response body for records stored by ``put_records_by_column``."""
    step = SEQUENCE_NUMBER_STEP
    if len(groups) == 1 and groups[0][3] is None:
        shard, first, number, _ = groups[0]
        shard_id = shard.shard_id
        return ('{"FailedRecordCount":0,"Records":[{"SequenceNumber":"%s","ShardId":"%s"}]}' % (
            ('","ShardId":"%s"},{"SequenceNumber":"' % shard_id).join(map(str, range(first, first + number * step, step))),
            shard_id,
        )).encode()
    parts: list[str] = [""] * count
    for shard, first, number, indices in groups:
        template = '{"SequenceNumber":"%%d","ShardId":"%s"}' % shard.shard_id
        for index, text in zip(indices or range(number), map(template.__mod__, range(first, first + number * step, step))):
            parts[index] = text
    return ('{"FailedRecordCount":0,"Records":[%s]}' % ",".join(parts)).encode()


def _put_columns(request: WireRequest, columns: tuple[str, list[bytes], list[str]] | None) -> WireResponse | None:
    """Store ``columns`` column-wise and answer, or ``None`` when they must go record by
    record (no columns, throughput limits or record faults on, a lone surrogate in a key)."""
    if columns is None:
        return None
    try:
        stored = _backend(request).put_records_by_column(*columns)
    except UnicodeEncodeError:  # a lone surrogate in a key: the body path decides
        return None
    return None if stored is None else ok(_put_records_answer(stored[1], len(columns[1])))


def put_records(request: WireRequest) -> WireResponse:
    """PutRecords: the hot path. From a botocore client with plain parameters, the
    records are taken from the parameters and stored column-wise; otherwise the body is
    parsed and checked record by record (and by the validator, to word an error)."""
    try:
        source = request.source_as(ClientParameters)
        answer = _put_columns(request, _plain_batch_columns(source.values)) if source is not None else None
        if answer is not None:
            return answer
        params = parse_body(request)
        if source is None:  # a server's request: the same column path from the body
            answer = _put_columns(request, _body_columns(params))
            if answer is not None:
                return answer
        entries = _plainly_valid_entries(params)
        if entries is None:
            params = validator_for(request, params).validate("PutRecords", params)
            entries = [(r["Data"], r.get("PartitionKey"), r.get("ExplicitHashKey")) for r in params["Records"]]
        name, arn = _stream_ref(params)
        _, results = _backend(request).put_records(name, arn, entries, dry_run=params.get("DryRun") is True)
    except ServiceError as error:
        return error_response(error)
    failed = 0
    parts: list[str] = []
    append = parts.append
    for shard, sequence, code, message in results:
        if code is None:
            append('{"SequenceNumber":"%d","ShardId":"%s"}' % (sequence, shard.shard_id))  # type: ignore[str-format]
        else:
            failed += 1
            append(json.dumps({"ErrorCode": code, "ErrorMessage": message}, separators=(",", ":")))
    return ok(('{"FailedRecordCount":%d,"Records":[%s]}' % (failed, ",".join(parts))).encode())


OPERATIONS["PutRecords"] = put_records


# ---------------------------------------------------------------- the adapter
class KinesisAdapter:
    """What the dispatcher calls for service ``kinesis``."""

    operations: Mapping[str, Handler] = OPERATIONS

    def render_error(self, error: ServiceError) -> WireResponse:
        return error_response(error)

    def unknown_operation(self, request: WireRequest) -> WireResponse:
        return error_response(NotImplementedByMock(
            f"mock_putrecord does not implement the Kinesis operation {request.operation}. "
            f"Implemented: {', '.join(sorted(OPERATIONS))}."
        ))


adapter = KinesisAdapter()
"""Registered in ``mock_putrecord.services`` for service ``kinesis``."""

from . import operations  # noqa: E402,F401  (registers the management handlers)

# The consumer-side operations live in their own modules and register themselves here
# (those the installed botocore's model lacks do not exist for its users).
from . import channel_responses, consumer_responses, queue_responses  # noqa: E402,F401
from .consumers import summary_counts  # noqa: E402

for _name in [*queue_responses.OPERATION_NAMES, *channel_responses.OPERATION_NAMES]:
    if not VALIDATOR.has_operation(_name):
        del OPERATIONS[_name]
