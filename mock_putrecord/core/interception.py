"""The botocore ``before-send`` hook and the guard that keeps requests in the process.

The hook is installed once per process: appended to botocore's builtin handler list (so
every session created later has it) and registered on boto3's default session if that
already exists. While no mock is active it returns ``None`` at once. While one is, it
turns the signed request into a :class:`WireRequest`, dispatches it and hands botocore
an HTTP response, so botocore's parsing, error classes and retries run as against AWS.
"""
from __future__ import annotations

import sys
import threading
from contextvars import ContextVar
from typing import Any, Mapping, cast
from urllib.parse import urlsplit

import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from . import credentials, dispatch, patches
from .errors import UnmockedRequestError
from .http_guard import refusal_message
from .settings import settings
from .streaming import RawStream, StreamingWireResponse
from .wire import ClientParameters, WireRequest, WireResponse, body_bytes, credential_scope

_UNIQUE_ID = "mock_putrecord.before_send"
_SEEN = "_mock_putrecord_seen"
_ANSWERED = "_mock_putrecord_answered"


class _AwaitableBytes(bytes):
    """Bytes that can also be awaited, for aiobotocore's ``await response.content``."""

    def __await__(self) -> Any:
        if False:  # pragma: no cover - makes this a generator
            yield
        return bytes(self)


class _RawBody:
    __slots__ = ("_body",)

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> list[bytes]:
        return [self._body]

    async def read(self) -> bytes:
        return self._body


class MockAWSResponse(AWSResponse):
    """An ``AWSResponse`` whose body is already in memory (sync and async clients)."""

    _content: bytes | None

    @property
    def content(self) -> bytes:
        if self._content is None:
            self._content = _AwaitableBytes(b"".join(self.raw.stream()))
        return self._content


def to_aws_response(url: str, response: WireResponse) -> MockAWSResponse:
    """Wrap a :class:`WireResponse` for botocore."""
    # AWSResponse copies the headers into its case-insensitive HeadersDict; any mapping does.
    headers = cast(Any, response.headers)
    if isinstance(response, StreamingWireResponse) and response.source is not None:
        return MockAWSResponse(url, response.status, headers, RawStream(response.source))
    return MockAWSResponse(url, response.status, headers, _RawBody(response.body))


def _region_of(request: AWSPreparedRequest, context: Mapping[str, Any]) -> str:
    region = context.get("client_region")
    if region:
        return str(region)
    auth = request.headers.get("Authorization")
    if auth:
        if isinstance(auth, bytes):
            auth = auth.decode("latin-1")
        scope = credential_scope(auth)
        if scope is not None and len(scope) > 2:
            return scope[2]
    return settings.default_region


def _request_context(request: AWSPreparedRequest) -> Mapping[str, Any]:
    """botocore's request context for ``request``. Older botocore (1.43.11, the oldest
    this project supports) does not put it on the prepared request, so without this
    fallback its clients never had their parameters taken as the body's source and every PutRecords
    body was parsed again (0.75x of the floor there instead of 0.85x+). The fallback is
    the context of this thread's (or task's) latest API call, taken only when that call
    serialized this very body object."""
    context = getattr(request, "context", None)
    if context is not None:
        return cast("Mapping[str, Any]", context)
    latest = _latest_call.get()
    if latest is not None and latest.get(_BODY) is request.body and request.body:
        return latest
    return {}


def build_wire_request(request: AWSPreparedRequest, service: str, operation: str) -> WireRequest:
    """The neutral form of a botocore request."""
    context = _request_context(request)
    url = request.url
    split = urlsplit(url)
    return WireRequest(
        method=request.method,
        url=url,
        path=split.path,
        query=split.query,
        headers=cast("Mapping[str, str]", request.headers),
        body=body_bytes(request.body),
        service=service,
        operation=operation,
        region=_region_of(request, context),
        account_id=settings.account_id,
        attempt=(context.get("retries") or {}).get("attempt", 1),
        body_source=_client_parameters_of(request.body, context),
    )


_PARAMS = "mock_putrecord_params"
_BODY = "mock_putrecord_body"
_latest_call: ContextVar[dict[str, Any] | None] = ContextVar("mock_putrecord_latest_call", default=None)
"""The request context of the latest API call in this thread or task whose parameters
were remembered (see :func:`_request_context`)."""


def remember_params(params: Any, context: Any = None, **kwargs: Any) -> None:
    """``before-parameter-build``: keep a reference to the API parameters in the request
    context (the same dict botocore later puts on the prepared request)."""
    if settings.active and context is not None:
        context[_PARAMS] = params


def remember_body(params: Any, context: Any = None, **kwargs: Any) -> None:
    """``before-call`` (first handler): the body serialized from those parameters, so
    ``before_send`` can check by identity that nothing replaced it since."""
    if context is not None and _PARAMS in context:
        context[_BODY] = params.get("body")
        _latest_call.set(context)


def _client_parameters_of(body: Any, context: Mapping[str, Any]) -> ClientParameters | None:
    """The API parameters ``body`` was serialized from, when ``body`` is still the very
    object botocore serialized from them (a handler may have replaced it since)."""
    serialized = context.get(_BODY)
    if serialized is None or serialized is not body:
        return None
    params = context.get(_PARAMS)
    return ClientParameters(params) if params is not None else None


def before_send(request: AWSPreparedRequest, event_name: str = "", **kwargs: Any) -> AWSResponse | None:
    """botocore ``before-send`` handler: answer mocked services, ignore the rest."""
    if not settings.active or getattr(request, _SEEN, False):
        return None
    patches.catch_up()  # e.g. aiobotocore put into sys.modules after the mock started
    _, _, rest = event_name.partition(".")
    service, _, operation = rest.partition(".")
    if not dispatch.is_mocked_service(service):
        return None
    setattr(request, _SEEN, True)  # a client patched twice must not store a record twice
    wire = build_wire_request(request, service, operation)
    response = dispatch.dispatch(wire)
    if response is None:
        setattr(request, _SEEN, False)
        return None
    setattr(request, _ANSWERED, True)
    return to_aws_response(request.url, response)


def _quiet_moto(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``BotocoreStubber.__call__`` while a mock is active. botocore calls *every*
    ``before-send`` handler and keeps the first response, so moto's stubber (registered
    after us) would still run for a request we answered: change moto's own state, or raise
    (moto 5.2 raises KeyError/NotImplementedError for feature-group calls it does not
    model). It skips requests we answered."""
    request = args[1] if len(args) > 1 else kwargs.get("request")
    if getattr(request, _ANSWERED, False):
        return None
    return wrapped(*args, **kwargs)


_install_lock = threading.Lock()
_installed = False


def install() -> None:
    """Make every botocore session, existing default or future, call :func:`before_send`."""
    global _installed
    with _install_lock:
        if _installed:
            return
        botocore.handlers.BUILTIN_HANDLERS.extend([
            ("before-send", before_send, botocore.handlers.REGISTER_FIRST),
            ("before-parameter-build", remember_params, botocore.handlers.REGISTER_LAST),
            ("before-call", remember_body, botocore.handlers.REGISTER_FIRST),
        ])
        boto3 = sys.modules.get("boto3")
        default_session = getattr(boto3, "DEFAULT_SESSION", None) if boto3 else None
        if default_session is not None:
            patch_client(default_session)
        _installed = True


def patch_client(client_or_session: Any) -> None:
    """Route a client (or session) created before ``mock_putrecord`` was imported
    through the mock. Idempotent; harmless on clients that already have the hook."""
    events = getattr(getattr(client_or_session, "meta", None), "events", None)
    if events is None:  # a boto3 Session wraps a botocore Session
        inner = getattr(client_or_session, "_session", client_or_session)
        events = getattr(inner, "_events", None) or inner.get_component("event_emitter")
    events.register_first("before-send", before_send, unique_id=_UNIQUE_ID)
    events.register_last("before-parameter-build", remember_params, unique_id=_UNIQUE_ID + ".params")
    events.register_first("before-call", remember_body, unique_id=_UNIQUE_ID + ".body")


# ---------------------------------------------------------------- the network guard
# botocore's endpoint prefix -> the dispatch key of the service the mock answers.
_MOCKED_PREFIXES = {
    "kinesis": "kinesis",
    "featurestore-runtime.sagemaker": "sagemaker-featurestore-runtime",
    "api.sagemaker": "sagemaker",
}


def _refusal(endpoint: Any, request: AWSPreparedRequest) -> str | None:
    """Why ``request`` must not leave the process, or None to let it go (passthrough)."""
    if not hasattr(request, _SEEN):
        # Our before-send hook never saw it: a client created before mock_putrecord was
        # imported. If it is for a service the mock answers, it must never go out, even
        # with passthrough=True.
        service = _MOCKED_PREFIXES.get(getattr(endpoint, "_endpoint_prefix", ""))
        if service is not None and dispatch.is_mocked_service(service):
            return _unpatched_message(request, service)
    if settings.passthrough:
        return None
    return _unmocked_message(request)


def _let_out(endpoint: Any, request: AWSPreparedRequest) -> None:
    """Refuse what no mock answered; sign what passthrough lets out with the real
    credentials (clients inside the activation signed it with the fake ones)."""
    refusal = _refusal(endpoint, request)
    if refusal is not None:
        raise UnmockedRequestError(refusal)
    credentials.resign(request)


def _guarded_send(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``Endpoint._send`` while a mock is active."""
    if settings.active:
        _let_out(instance, args[0] if args else kwargs["request"])
    return wrapped(*args, **kwargs)


async def _aio_guarded_send(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``AioEndpoint._send`` while a mock is active (aiobotocore awaits it)."""
    if settings.active:
        _let_out(instance, args[0] if args else kwargs["request"])
    return await wrapped(*args, **kwargs)


def _unpatched_message(request: AWSPreparedRequest, service: str) -> str:
    return (
        f"mock_putrecord is active, but this {service} client was created before "
        f"mock_putrecord was imported, so the mock never saw {request.method} {request.url}. "
        "The request was not sent. Call mock_putrecord.patch_client(client) on it (or "
        "create the client after importing mock_putrecord)."
    )


def _unmocked_message(request: AWSPreparedRequest) -> str:
    return refusal_message(str(request.method), str(request.url))


patches.register(patches.Patch("botocore.endpoint", "Endpoint", "_send", _guarded_send))
patches.register(patches.Patch("aiobotocore.endpoint", "AioEndpoint", "_send", _aio_guarded_send))
patches.register(patches.Patch("moto.core.botocore_stubber", "BotocoreStubber", "__call__", _quiet_moto))
