"""Kinesis in CBOR (``application/x-amz-cbor-1.1``), as the AWS SDK for Java, the KPL and the
KCL send it by default. Needs ``cbor2`` (the ``server`` extra).

The wire format is the AWS SDK for Java v2's (``AwsCborProtocolFactory``,
``SdkCborGenerator``), which AWS and kinesalite answer in kind: the same structure as the
JSON 1.1 body, but blobs are CBOR byte strings (not base64 text) and timestamps are tag 1
holding *integer epoch milliseconds* (not RFC 8949's seconds: aws-sdk-java-v2 issue 4661),
in requests and answers. Errors are a CBOR map with ``__type`` and ``message``.

A CBOR request is transcoded to the JSON 1.1 body it stands for, guided by the botocore
model, and handled by the same adapter as JSON; its JSON answer is transcoded back. So the
same request gives the same stored state in either encoding.
"""
from __future__ import annotations

import base64
import binascii
import json
from functools import lru_cache
from typing import Any

import cbor2
from botocore.model import ListShape, MapShape, Shape, StructureShape

from ..core.service_models import service_model
from ..core.wire import WireResponse

CONTENT_TYPE = "application/x-amz-cbor-1.1"
MAX_DEPTH = 64
"""Deeper nesting than any Kinesis input: refused, so no request exhausts the stack."""


class _EpochMillis(int):
    """A tag-1 timestamp read from a request: milliseconds since the epoch."""


def _epoch_millis(value: Any, immutable: bool) -> Any:
    return _EpochMillis(value) if isinstance(value, int) and not isinstance(value, bool) else value


class CborError(ValueError):
    """The body is not CBOR, or not a CBOR map with text keys."""


def loads(body: bytes) -> dict[Any, Any]:
    """The CBOR map ``body`` holds.

    :raises CborError: if ``body`` is not one CBOR map (AWS: ``SerializationException``).
    """
    try:
        value = cbor2.loads(body, semantic_decoders={1: _epoch_millis}, max_depth=MAX_DEPTH,
                            strict_hashable_types=True)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError) as error:
        raise CborError(str(error)) from None
    if not isinstance(value, dict):
        raise CborError("the body is not a CBOR map")
    return value


def to_json(service: str, operation: str, params: dict[Any, Any]) -> bytes:
    """The JSON 1.1 body that the CBOR ``params`` of ``operation`` stand for.

    :raises CborError: for a value JSON cannot hold where the model has none (a byte
        string outside a blob, an unknown tag, NaN).
    """
    input_shape = service_model(service).operation_model(operation).input_shape
    try:
        return json.dumps(_to_json(params, input_shape), separators=(",", ":"), allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as error:
        raise CborError(str(error)) from None


@lru_cache(maxsize=None)
def _converting(shape: StructureShape) -> frozenset[str]:
    """The members of ``shape`` that differ between CBOR and JSON: those holding a blob or
    a timestamp somewhere. The others pass through as they are: ``json.dumps`` still
    refuses a byte string or a tag there (SerializationException), and ``cbor2`` encodes
    JSON values as they are."""
    return frozenset(name for name, member in shape.members.items() if _differs(member, set()))


def _differs(shape: Shape, seen: set[str]) -> bool:
    if shape.type_name in ("blob", "timestamp"):
        return True
    if shape.name in seen:  # a recursive shape: decided where it started
        return False
    seen.add(shape.name)
    if isinstance(shape, StructureShape):
        return any(_differs(member, seen) for member in shape.members.values())
    if isinstance(shape, ListShape):
        return _differs(shape.member, seen)
    if isinstance(shape, MapShape):
        return _differs(shape.value, seen)
    return False


def _to_json(value: Any, shape: Shape | None) -> Any:
    """``value`` as its JSON 1.1 form: byte strings to base64, epoch millis to seconds."""
    if isinstance(value, dict):
        if isinstance(shape, StructureShape):
            members, converting = shape.members, _converting(shape)
            return {key: _to_json(item, members[key]) if key in converting else item
                    for key, item in value.items()}
        value_shape = shape.value if isinstance(shape, MapShape) else None
        return {key: _to_json(item, value_shape) for key, item in value.items()}
    if isinstance(value, list):
        return [_to_json(item, shape.member if isinstance(shape, ListShape) else None) for item in value]
    type_name = shape.type_name if shape is not None else None
    if isinstance(value, (bytes, bytearray)):
        if type_name == "blob":
            return base64.b64encode(value).decode("ascii")
        raise TypeError("a byte string where the model has no blob")
    if type_name == "timestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 1000  # the Java SDK's CBOR timestamps are epoch millis, tagged or not
    return value


def encode_response(service: str, operation: str, response: WireResponse) -> WireResponse:
    """``response`` (an adapter's JSON 1.1 answer) in CBOR; errors keep their
    ``__type``/``message``. A body that is not JSON is passed through unchanged."""
    if not response.body:
        headers = dict(response.headers)
        _set_content_type(headers)
        return WireResponse(response.status, b"", headers)
    try:
        value = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        return response
    shape: Shape | None = None
    if response.status < 300:
        shape = service_model(service).operation_model(operation).output_shape
    headers = dict(response.headers)
    _set_content_type(headers)
    return WireResponse(response.status, cbor2.dumps(_to_cbor(value, shape)), headers)


def error(code: str, message: str | None = None, status: int = 400, headers: dict[str, str] | None = None) -> WireResponse:
    """An error as the CBOR map ``{"__type": code, "message": message}``."""
    payload = {"__type": code} if message is None else {"__type": code, "message": message}
    out = dict(headers or {})
    _set_content_type(out)
    return WireResponse(status, cbor2.dumps(payload), out)


def _to_cbor(value: Any, shape: Shape | None) -> Any:
    """A JSON answer's ``value`` in CBOR form: base64 blobs to bytes, seconds to tag-1 millis."""
    if isinstance(value, dict):
        if isinstance(shape, StructureShape):
            members, converting = shape.members, _converting(shape)
            return {key: _to_cbor(item, members[key]) if key in converting else item for key, item in value.items()}
        value_shape = shape.value if isinstance(shape, MapShape) else None
        return {key: _to_cbor(item, value_shape) for key, item in value.items()}
    if isinstance(value, list):
        member = shape.member if isinstance(shape, ListShape) else None
        return [_to_cbor(item, member) for item in value]
    if shape is None:
        return value
    if shape.type_name == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            return value
    if shape.type_name == "timestamp" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return cbor2.CBORTag(1, round(value * 1000))  # an integer: the SDKs reject a float here
    return value


def _set_content_type(headers: dict[str, str]) -> None:
    for name in [name for name in headers if name.lower() == "content-type"]:
        del headers[name]
    headers["Content-Type"] = CONTENT_TYPE
