"""How v3io traffic reaches the dispatcher while a mock is active.

* ``requests`` (raw web-API users, v3io-py with ``transport_kind="requests"``):
  ``Session.send`` sends a v3io request through an in-memory ``HTTPAdapter``; everything
  else goes on to whatever answers ``HTTPAdapter.send`` (a user's ``responses`` mock,
  moto's, the network), started before or after ours: nothing of ``responses`` is touched.
* ``requests`` to an AWS host that no mock answers is refused, never sent
  (:mod:`mock_putrecord.core.http_guard`, registered with these patches).
* v3io-py's default client talks through ``http.client`` and its async client through
  aiohttp, neither of which ``requests`` sees: their transports' send methods are
  replaced for the activation.

A request is a v3io request when it carries ``X-v3io-function``, or when it goes to a
known web-API endpoint (``V3IO_API``, ``v3io-webapi:8081``, or one holding mock streams);
the latter catches the header-less listing and DELETE calls of a stream deletion.

Every patch is a :class:`~mock_putrecord.core.patches.Patch` in the core registry: on at
the first activation (or when its library is imported during one), off at the last, so
activation never imports ``requests`` or v3io-py itself.
"""
from __future__ import annotations

import importlib
import os
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import urlsplit

from ..core import patches
from ..core.dispatch import dispatch
from ..core.http_guard import guard_patch
from ..core.patches import Patch
from ..core.wire import BodySource, WireRequest, WireResponse, body_bytes

# models and responses (and what they import) load on the first v3io request, not at
# ``import mock_putrecord``: this module is imported eagerly to register its hooks.

if TYPE_CHECKING:
    from requests import PreparedRequest


# ---------------------------------------------------------------- common
def _known_endpoint(url: str) -> bool:
    from .container import v3io_backend
    from .models import DEFAULT_ENDPOINT, normalize_endpoint

    try:
        endpoint = normalize_endpoint(urlsplit(url).netloc)
    except ValueError:
        return False
    if endpoint == DEFAULT_ENDPOINT or endpoint in v3io_backend.endpoints():
        return True
    configured = os.environ.get("V3IO_API")
    return bool(configured) and normalize_endpoint(configured or "") == endpoint


def is_v3io_request(headers: Mapping[str, Any], url: str) -> bool:
    """True for requests the v3io mock answers."""
    from .responses import header

    if header(headers, "x-v3io-function") is not None:
        return True
    return _known_endpoint(url)


def handle(
    method: str, url: str, headers: Mapping[str, str], body: Any, source: BodySource | None = None
) -> WireResponse:
    """Dispatch one HTTP request to the v3io adapter (``source``: see :func:`_put_batch_of`)."""
    from .responses import header

    split = urlsplit(url)
    function = header(headers, "x-v3io-function")
    request = WireRequest(
        method=method.upper(),
        url=url,
        path=split.path,
        query=split.query,
        headers=headers,
        body=body_bytes(body),
        service="v3io",
        operation=function.strip() if function else "",
        region="",
        account_id="",
        body_source=source,
    )
    response = dispatch(request)
    assert response is not None, "the v3io adapter answers every request"
    return response


# ---------------------------------------------------------------- requests
_to_mock: ContextVar[bool] = ContextVar("mock_putrecord_v3io_to_mock", default=False)
"""Set inside ``Session.send`` for a v3io request: ``get_adapter`` then answers ours."""


def _session_send(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``requests.Session.send`` while mocked: a v3io request is sent through the mock's
    adapter (hooks, cookies and redirects still run as usual); anything else is untouched,
    so whatever patches ``HTTPAdapter.send`` (a user's ``responses`` mock, moto's, the
    network) keeps answering it, whether it started before or after the mock."""
    request = args[0] if args else kwargs.get("request")
    if request is None or not is_v3io_request(request.headers, str(request.url)):
        return wrapped(*args, **kwargs)
    token = _to_mock.set(True)
    try:
        return wrapped(*args, **kwargs)
    finally:
        _to_mock.reset(token)


def _session_get_adapter(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if _to_mock.get():
        return _adapter()
    return wrapped(*args, **kwargs)


_adapter_instance: Any = None


def _adapter() -> Any:
    """The ``HTTPAdapter`` that answers v3io requests from the mock (built on first use:
    ``requests`` is fully loaded by then)."""
    global _adapter_instance
    if _adapter_instance is None:
        import http.client
        from io import BytesIO

        from requests.adapters import HTTPAdapter
        from urllib3 import HTTPResponse

        class V3ioAdapter(HTTPAdapter):
            """Answers every request from the v3io mock; opens no connection."""

            def send(self, request: PreparedRequest, stream: bool = False, timeout: Any = None,
                     verify: Any = True, cert: Any = None, proxies: Any = None) -> Any:
                headers: Mapping[str, str] = request.headers  # type: ignore[assignment]
                wire = handle(str(request.method), str(request.url), headers, request.body, _put_batch_of(request))
                raw = HTTPResponse(
                    body=BytesIO(wire.body), headers=wire.headers, status=wire.status,
                    reason=http.client.responses.get(wire.status), preload_content=False,
                    request_method=request.method,
                )
                return self.build_response(request, raw)

        _adapter_instance = V3ioAdapter()
    return _adapter_instance


_PUT_BATCH = "_mock_putrecord_v3io"
"""PreparedRequest attribute: ``(body, batch)``, the batch valid while ``body`` is the body."""


def _prepare_body_noting_put_batch(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """``PreparedRequest.prepare_body`` that, while v3io is mocked, notes for a PutRecords
    sent with ``json=`` the batch validated from that object, beside the exact body
    serialized from it (the v3io counterpart of botocore's client parameters): the mock
    then skips parsing the body it would get back to. The note is taken right after
    serialization, so later changes to the object cannot reach it."""
    wrapped(*args, **kwargs)
    data, files, json = _prepare_body_arguments(*args, **kwargs)
    if json is None or data or files:
        return
    headers = instance.headers
    function = headers.get("X-v3io-function") if headers is not None else None
    if type(function) is str and function.strip() == "PutRecords" and type(instance.body) is bytes:
        from .validation import put_records_from_json_object

        batch = put_records_from_json_object(json)
        if batch is not None:
            setattr(instance, _PUT_BATCH, (instance.body, batch))


def _prepare_body_arguments(data: Any, files: Any, json: Any = None) -> tuple[Any, Any, Any]:
    return data, files, json


def _put_batch_of(request: Any) -> BodySource | None:
    """The validated PutRecords batch :func:`_prepare_body_noting_put_batch` noted for
    this very body (identity: a body replaced since, by an auth hook say, gets none)."""
    note = request.__dict__.get(_PUT_BATCH)
    if note is not None and note[0] is request.body:
        batch: BodySource = note[1]
        return batch
    return None


# ---------------------------------------------------------------- v3io-py (http.client)
def _v3io_send_request(self: Any, request: Any) -> Any:
    if not getattr(self, "_free_connections", True):
        raise RuntimeError("Cannot send request on a closed client")  # v3io-py's own text
    request.transport.mock_response = handle(
        request.method, self._endpoint + request.encode_path(), request.headers or {}, request.body
    )
    return request


def _v3io_wait_response(self: Any, request: Any, raise_for_status: Any = None, num_retries: int = 1) -> Any:
    Response = importlib.import_module("v3io.dataplane.response").Response

    wire: WireResponse = request.transport.mock_response
    response = Response(request.output, wire.status, wire.headers, wire.body)
    response.raise_for_status(request.raise_for_status or raise_for_status)
    return response


async def _v3io_aio_request(
    self: Any,
    container: Any,
    access_key: Any,
    raise_for_status: Any,
    encoder: Any,
    encoder_args: Any,
    output: Any = None,
) -> Any:
    Request = importlib.import_module("v3io.dataplane.request").Request
    Response = importlib.import_module("v3io.dataplane.response").Response

    request = Request(container, access_key, raise_for_status, encoder, encoder_args, output)
    # The same URL the real transport builds, double slash included.
    wire = handle(request.method, self._endpoint + "/" + request.encode_path(), request.headers or {}, request.body)
    response = Response(output, wire.status, wire.headers, wire.body)
    response.raise_for_status(request.raise_for_status or raise_for_status)
    return response


# ---------------------------------------------------------------- the patches
def _replace(replacement: Callable[..., Any]) -> Callable[..., Any]:
    """A wrapt wrapper that calls ``replacement(instance, ...)`` instead of the original."""

    def wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return replacement(instance, *args, **kwargs)

    return wrapper


_registered = False


def register() -> None:
    """Register the transport patches with the core registry (once per process); each is
    applied while a mock is active, as soon as its library is loaded."""
    global _registered
    if _registered:
        return
    _registered = True
    httpclient = "v3io.dataplane.transport.httpclient"
    for patch in (
        Patch("requests.sessions", "Session", "send", _session_send),
        Patch("requests.sessions", "Session", "get_adapter", _session_get_adapter),
        Patch("requests.models", "PreparedRequest", "prepare_body", _prepare_body_noting_put_batch),
        Patch(httpclient, "Transport", "send_request", _replace(_v3io_send_request)),
        Patch(httpclient, "Transport", "wait_response", _replace(_v3io_wait_response)),
        Patch("v3io.aio.dataplane.transport.aiohttp", "Transport", "request", _replace(_v3io_aio_request)),
        guard_patch(),
    ):
        patches.register(patch)
