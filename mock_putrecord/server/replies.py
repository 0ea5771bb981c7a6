"""The answers the server gives on its own, before any service adapter runs.

AWS's JSON 1.1 front door (Coral) rejects a request whose method, content type, target or
signature is wrong before the operation sees it. The bodies, statuses and headers here are
kinesalite's, whose connection tests were captured against real AWS
(``test/connection.js``): JSON errors for a well-formed JSON 1.1 request, CBOR for an empty
or unrecognised one, bare XML for requests that are not JSON 1.1 at all, and the old
``application/json`` envelope.
"""
from __future__ import annotations

import base64
import json
import os
import re
from typing import Mapping

from ..core.wire import WireResponse, new_request_id

AMZ_JSON = "application/x-amz-json-1.1"
AMZ_CBOR = "application/x-amz-cbor-1.1"
DEPRECATED_JSON = "application/json"

_EXPOSED = "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date"


def request_headers() -> dict[str, str]:
    """The identifying headers every AWS answer carries."""
    return {
        "x-amzn-RequestId": new_request_id(),
        "x-amz-id-2": base64.b64encode(os.urandom(72)).decode("ascii"),
    }


def _compact(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def json_error(code: str, message: str | None = None, status: int = 400) -> WireResponse:
    """``{"__type": code, "message": message}`` as ``application/x-amz-json-1.1``."""
    payload = {"__type": code} if message is None else {"__type": code, "message": message}
    headers = request_headers()
    headers["Content-Type"] = AMZ_JSON
    return WireResponse(status, _compact(payload), headers)


def _cbor_text(text: str) -> bytes:
    data = text.encode("utf-8")
    size = len(data)
    if size < 24:
        head = bytes([0x60 | size])
    elif size < 0x100:
        head = bytes([0x78, size])
    elif size < 0x10000:
        head = bytes([0x79]) + size.to_bytes(2, "big")
    else:
        head = bytes([0x7A]) + size.to_bytes(4, "big")
    return head + data


def cbor_map(payload: Mapping[str, str]) -> bytes:
    """A CBOR map of text to text (all the front door ever sends in CBOR)."""
    if len(payload) >= 24:
        raise ValueError("cbor_map encodes small maps only")
    return bytes([0xA0 | len(payload)]) + b"".join(_cbor_text(k) + _cbor_text(v) for k, v in payload.items())


def cbor_error(code: str, message: str | None = None, status: int = 400) -> WireResponse:
    """The error in ``application/x-amz-cbor-1.1``, as AWS answers an unreadable request."""
    payload = {"__type": code} if message is None else {"__type": code, "message": message}
    headers = request_headers()
    headers["Content-Type"] = AMZ_CBOR
    return WireResponse(status, cbor_map(payload), headers)


def xml_error(code: str, message: str) -> WireResponse:
    """A 403 with the bare XML body AWS sends when it cannot tell the operation."""
    body = f"<{code}>\n  <Message>{message}</Message>\n</{code}>\n".encode("utf-8")
    return WireResponse(403, body, request_headers())


def xml_status(code: str, status: int) -> WireResponse:
    """``<Code/>`` with ``status`` and no content type."""
    return WireResponse(status, f"<{code}/>\n".encode("utf-8"), request_headers())


def deprecated_json(code: str, status: int) -> WireResponse:
    """The ``application/json`` envelope of the old Coral protocol."""
    body = _compact({"Output": {"__type": f"com.amazon.coral.service#{code}"}, "Version": "1.0"})
    headers = request_headers()
    headers["Content-Type"] = DEPRECATED_JSON
    return WireResponse(status, body, headers)


def too_large() -> WireResponse:
    """A body over the server's cap: a bare 413 (the connection is then closed)."""
    return WireResponse(413, b"", {"x-amzn-RequestId": new_request_id()})


def internal_failure(message: str) -> WireResponse:
    """A 500 for a bug in the mock: the server answers and keeps running."""
    return json_error("InternalFailure", message, 500)


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _tokens(value: str | None) -> str:
    """The comma-separated header or method names in ``value``, re-joined; anything that is
    not a token (RFC 9110 §5.6.2: folding, control characters, quotes) is dropped, so no
    request can write into the answer's header block."""
    names = (part.strip() for part in (value or "").split(","))
    return ", ".join(name for name in names if _TOKEN.fullmatch(name))


def cors_preflight(request_headers_: Mapping[str, str]) -> WireResponse:
    """The answer to ``OPTIONS`` with an ``Origin`` header."""
    headers = {"x-amzn-RequestId": new_request_id(), "Access-Control-Allow-Origin": "*"}
    wanted_headers = _tokens(request_headers_.get("access-control-request-headers"))
    if wanted_headers:
        headers["Access-Control-Allow-Headers"] = wanted_headers
    wanted_method = _tokens(request_headers_.get("access-control-request-method"))
    if wanted_method:
        headers["Access-Control-Allow-Methods"] = wanted_method
    headers["Access-Control-Max-Age"] = "172800"
    return WireResponse(200, b"", headers)


def add_cors(response: WireResponse) -> None:
    """Mark an answer to a cross-origin request as readable by any origin."""
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("Access-Control-Expose-Headers", _EXPOSED)
