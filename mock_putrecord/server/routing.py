"""Raw HTTP request to :class:`~mock_putrecord.core.wire.WireRequest` (or a front-door reply).

What decides the service, in order:

0. a path under ``/_mock_putrecord/``: the server's admin API (:mod:`.admin`);
1. an ``X-v3io-function`` header: the v3io streaming web API, that function;
2. a Feature Store runtime path (``PUT|GET|DELETE /FeatureGroup/{name}``,
   ``POST /BatchGetRecord``…): ``sagemaker-featurestore-runtime``;
3. a v3io credential (``X-v3io-session-key``) without ``X-Amz-Target``: the v3io object layer
   (directory listing and ``DELETE``, which v3io-py uses to delete a stream);
4. everything else is AWS JSON 1.1, routed by ``X-Amz-Target`` (``Kinesis_20131202.*`` or
   ``SageMaker.*``) after the checks AWS's front door makes, in kinesalite's order
   (method, body, content type, JSON, target, signature presence). Signatures are not
   verified, only required to be there, as every AWS SDK and the CLI send them.

The region is the SigV4 credential scope's (``Credential=AKID/DATE/REGION/SERVICE/...``,
header or query string), else the mock's default region.
"""
from __future__ import annotations

import importlib
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Mapping, cast
from urllib.parse import parse_qsl

from ..core import dispatch
from ..core.streaming import StreamingWireResponse
from ..core.service_models import model_operations
from ..core.wire import WireRequest, WireResponse, credential_scope
from . import replies
from .headers import Headers

try:  # CBOR needs cbor2 (the ``server`` extra); JSON never does
    from . import cbor
except ModuleNotFoundError as _missing:  # pragma: no cover - exercised without the extra
    if _missing.name != "cbor2":
        raise
    cbor = None  # type: ignore[assignment]

# X-Amz-Target prefix -> dispatch service key (and botocore service name)
TARGET_PREFIXES: Mapping[str, str] = {"Kinesis_20131202": "kinesis", "SageMaker": "sagemaker", "AmazonAthena": "athena"}
RUNTIME_SERVICE = "sagemaker-featurestore-runtime"
ADMIN_PREFIX = "/_mock_putrecord/"
_log = logging.getLogger("mock_putrecord.server")

_ACCESS_DENIED = "Unable to determine service/operation name to be authorized"
_CBOR_UNSUPPORTED = "mock_putrecord speaks CBOR for Kinesis only; this service speaks JSON 1.1."
_CBOR_MISSING = (
    "mock_putrecord's server needs cbor2 to read CBOR: pip install 'mock_putrecord[server]', or turn "
    "CBOR off in the client: AWS SDK for Java 1.x -Dcom.amazonaws.sdk.disableCbor=true (or "
    "AWS_CBOR_DISABLE=true), AWS SDK for Java 2.x -Daws.cborEnabled=false (or AWS_CBOR_ENABLED=false)."
)


@dataclass
class RawRequest:
    """One HTTP request as read from the socket."""

    method: str
    target: str
    """The request-target: path and query string as sent."""
    headers: Headers
    body: bytes
    host: str
    """``host:port`` the client addressed (its ``Host`` header, else the server's)."""


@dataclass
class RoutingDefaults:
    """What a request does not say for itself."""

    account_id: str
    default_region: str
    v3io_endpoint: str | None = None
    """``host:port`` under which v3io state is kept; ``None``: the address the client used."""
    admin: Callable[[RawRequest], WireResponse] | None = None
    """Answers ``/_mock_putrecord/...`` (the admin API), if the server offers it."""


def route(raw: RawRequest, defaults: RoutingDefaults) -> WireRequest | WireResponse:
    """The wire request to dispatch, or the answer the front door gives by itself."""
    headers = raw.headers
    if raw.method == "OPTIONS" and headers.get("origin"):
        return replies.cors_preflight(headers)
    path, _, query = raw.target.partition("?")
    if defaults.admin is not None and path.startswith(ADMIN_PREFIX):
        return defaults.admin(raw)

    v3io_function = headers.get("x-v3io-function")
    if v3io_function is not None:
        return _v3io(raw, path, query, v3io_function.strip(), defaults)

    runtime_operation = _runtime_operation(raw.method, path)
    if runtime_operation is not None:
        return _wire(raw, path, query, RUNTIME_SERVICE, runtime_operation, defaults)

    if headers.get("x-v3io-session-key") is not None and headers.get("x-amz-target") is None:
        return _v3io(raw, path, query, "", defaults)

    return _json_1_1(raw, path, query, defaults)


# ---------------------------------------------------------------- v3io and rest-json
def _v3io(raw: RawRequest, path: str, query: str, function: str, defaults: RoutingDefaults) -> WireRequest:
    # v3io state is keyed by web-API endpoint: the configured one, else this server's.
    return _wire(raw, path, query, "v3io", function, defaults, host=defaults.v3io_endpoint or raw.host)


def _runtime_operation(method: str, path: str) -> str | None:
    route_runtime = _route_runtime()
    return None if route_runtime is None else route_runtime(method, path)


@lru_cache(maxsize=1)
def _route_runtime() -> Callable[[str, str], str | None] | None:
    """``featurestore.responses.route_runtime``, or ``None`` while that package is absent."""
    name = "mock_putrecord.featurestore.responses"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name and name.startswith(missing.name):
            return None  # the Feature Store is not part of this build
        _log.exception("Feature Store runtime routes are off: %s does not import", name)
        return None
    except Exception:  # a broken Feature Store must not take Kinesis and v3io down with it
        _log.exception("Feature Store runtime routes are off: %s does not import", name)
        return None
    return cast("Callable[[str, str], str | None] | None", getattr(module, "route_runtime", None))


def _wire(
    raw: RawRequest, path: str, query: str, service: str, operation: str, defaults: RoutingDefaults,
    host: str | None = None,
) -> WireRequest:
    return WireRequest(
        method=raw.method,
        url=f"http://{host or raw.host}{raw.target}",
        path=path,
        query=query,
        headers=raw.headers,
        body=raw.body,
        service=service,
        operation=operation,
        region=region_of(raw.headers, query) or defaults.default_region,
        account_id=defaults.account_id,
        attempt=attempt_of(raw.headers),
    )


_ATTEMPT = re.compile(r"(?:^|;)\s*attempt=(\d+)")


def attempt_of(headers: Mapping[str, str]) -> int:
    """The SDK's retry attempt (``amz-sdk-request: attempt=2; max=3``), 1 if unsaid."""
    match = _ATTEMPT.search(headers.get("amz-sdk-request") or "")
    return int(match.group(1)) if match else 1


def region_of(headers: Mapping[str, str], query: str) -> str | None:
    """The region of the SigV4 credential scope, from the header or a presigned query."""
    auth = headers.get("authorization")
    scope = credential_scope(auth) if auth else None
    if scope is None and "X-Amz-Credential" in query:
        credential = dict(parse_qsl(query, keep_blank_values=True)).get("X-Amz-Credential")
        scope = credential.split("/") if credential else None
    if scope and len(scope) > 2 and scope[2]:
        return scope[2]
    return None


# ---------------------------------------------------------------- AWS JSON 1.1 front door
def _json_1_1(raw: RawRequest, path: str, query: str, defaults: RoutingDefaults) -> WireRequest | WireResponse:
    headers = raw.headers
    if raw.method != "POST":
        return replies.xml_error("AccessDeniedException", _ACCESS_DENIED)

    content_type = (headers.get("content-type") or "").split(";")[0].strip()
    content_valid = content_type in (replies.AMZ_JSON, replies.AMZ_CBOR, replies.DEPRECATED_JSON)
    prefix, _, operation = (headers.get("x-amz-target") or "").partition(".")
    service = TARGET_PREFIXES.get(prefix)
    operation_valid = bool(service and operation and _is_operation(service, operation))

    if not raw.body:
        code = "SerializationException" if operation_valid else "UnknownOperationException"
        if content_type == replies.AMZ_JSON:
            return replies.json_error(code)
        return replies.cbor_error(code)

    if not content_valid:
        if not prefix or not operation:
            return replies.xml_error("AccessDeniedException", _ACCESS_DENIED)
        return replies.xml_status("UnknownOperationException", 404)

    if content_type == replies.AMZ_CBOR:
        return _cbor(raw, path, query, service, operation, operation_valid, defaults)

    try:
        params = json.loads(raw.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        params = None
    if not isinstance(params, dict):
        if content_type == replies.DEPRECATED_JSON:
            return replies.deprecated_json("SerializationException", 400)
        return replies.json_error("SerializationException")
    if content_type == replies.DEPRECATED_JSON:
        return replies.deprecated_json("UnknownOperationException", 404)

    if service is None or not operation_valid:
        return replies.json_error("UnknownOperationException")

    signature_error = _signature_error(headers, query)
    if signature_error is not None:
        return signature_error
    return _wire(raw, path, query, service, operation, defaults)


def _cbor(
    raw: RawRequest, path: str, query: str, service: str | None, operation: str, operation_valid: bool,
    defaults: RoutingDefaults,
) -> WireRequest | WireResponse:
    """A CBOR request: Kinesis's is transcoded to JSON 1.1 (the answer goes back to CBOR in
    :func:`~mock_putrecord.server.httpd.answer`); other services do not speak CBOR."""
    if service != "kinesis":
        return replies.cbor_error("SerializationException", _CBOR_UNSUPPORTED)
    if cbor is None:
        return replies.cbor_error("SerializationException", _CBOR_MISSING)
    try:
        params = cbor.loads(raw.body)
    except cbor.CborError:
        return replies.cbor_error("SerializationException")
    if not operation_valid:
        return replies.cbor_error("UnknownOperationException")
    try:
        body = cbor.to_json(service, operation, params)
    except cbor.CborError:
        return replies.cbor_error("SerializationException")
    signature_error = _signature_error(raw.headers, query)
    if signature_error is not None:
        return cbor.encode_response(service, operation, signature_error)
    headers = Headers([(name, value) for name, value in raw.headers.items() if name.lower() != "content-type"]
                      + [("Content-Type", replies.AMZ_JSON)])
    json_raw = RawRequest(raw.method, raw.target, headers, body, raw.host)
    return _wire(json_raw, path, query, service, operation, defaults)


def is_cbor(headers: Mapping[str, str]) -> bool:
    """True for a request in ``application/x-amz-cbor-1.1``."""
    return (headers.get("content-type") or "").split(";")[0].strip() == replies.AMZ_CBOR


def cbor_available() -> bool:
    """True when ``cbor2`` is installed, so Kinesis is served in CBOR too."""
    return cbor is not None


def cbor_answer(request: WireRequest, response: WireResponse) -> WireResponse:
    """The adapter's JSON ``response`` to a Kinesis request that came in CBOR, in CBOR. An
    event stream (SubscribeToShard) passes as it is: its messages say their own content
    type, and re-encoding its empty body would drop the stream."""
    assert cbor is not None  # only CBOR requests that passed _cbor get here
    if isinstance(response, StreamingWireResponse):
        return response
    return cbor.encode_response(request.service, request.operation, response)


def _signature_error(headers: Mapping[str, str], query: str) -> WireResponse | None:
    """AWS's answer to a request without a (complete) signature; ``None`` if it has one."""
    auth = headers.get("authorization")
    query_params = dict(parse_qsl(query, keep_blank_values=True)) if query else {}
    query_auth = "X-Amz-Algorithm" in query_params
    if auth and query_auth:
        return replies.json_error(
            "InvalidSignatureException",
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
        )
    if not auth and not query_auth:
        return replies.json_error("MissingAuthenticationTokenException", "Missing Authentication Token")
    message = ""
    if auth:
        parameters: dict[str, str | None] = {}
        for item in [part for part in re.split(r"[, ]", auth)[1:] if part]:
            key_value = item.strip().split("=")
            parameters[key_value[0]] = key_value[1] if len(key_value) > 1 else None
        for name in ("Credential", "Signature", "SignedHeaders"):
            if not parameters.get(name):
                message += f"Authorization header requires '{name}' parameter. "
        if not headers.get("x-amz-date") and not headers.get("date"):
            message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        if message:
            message += f"Authorization={auth}"
    else:
        for name in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"):
            if not query_params.get(name):
                message += f"AWS query-string parameters must include '{name}'. "
        if message:
            message += "Re-examine the query-string parameters."
    if message:
        return replies.json_error("IncompleteSignatureException", message)
    return None


def _is_operation(service: str, operation: str) -> bool:
    """True when ``operation`` is implemented by the mock or exists in the AWS API."""
    try:
        adapter = dispatch.adapter_for(service)
    except ImportError:  # that service's package is not part of this build
        return False
    if adapter is None:
        return False
    return operation in adapter.operations or operation in model_operations(service)
