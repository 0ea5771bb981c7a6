"""How v3io traffic reaches the dispatcher while a mock is active.

* ``requests`` (raw web-API users, v3io-py with ``transport_kind="requests"``): a
  ``responses.RequestsMock`` whose only entry matches v3io requests, anywhere, and whose
  pass-through goes to the ``HTTPAdapter.send`` that was active before it (a user's
  ``responses`` mock, moto's, or the real one), so nothing else is disabled. A
  ``RequestsMock`` started *after* ours (moto, a user's) hands v3io requests it has no
  match for... it has none, so it hands them to ours: ``RequestsMock._on_request`` is
  wrapped for the activation to route v3io requests to our mock first.
* ``requests`` to an AWS host that no mock answers is refused, never sent
  (:mod:`mock_putrecord.core.http_guard`, installed with this integration).
* v3io-py's default client talks through ``http.client`` and its async client through
  aiohttp, neither of which ``responses`` sees: their transports' send methods are
  replaced for the activation.

A request is a v3io request when it carries ``X-v3io-function``, or when it goes to a
known web-API endpoint (``V3IO_API``, ``v3io-webapi:8081``, or one holding mock streams);
the latter catches the header-less listing and DELETE calls of a stream deletion.

Integrations whose library is not imported yet are installed when it is imported (a
meta-path hook), so activation never imports ``requests`` or v3io-py itself.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence
from urllib.parse import urlsplit

from ..core.activation import register_activation_hooks
from ..core.dispatch import dispatch
from ..core.http_guard import guard_requests, unguard_requests
from ..core.wire import WireRequest, WireResponse, body_bytes

# models and responses (and what they import) load on the first v3io request, not at
# ``import mock_putrecord``: this module is imported eagerly to register its hooks.

if TYPE_CHECKING:
    import responses as responses_lib
    from requests import PreparedRequest


# ---------------------------------------------------------------- common
def _known_endpoint(url: str) -> bool:
    from .models import DEFAULT_ENDPOINT, normalize_endpoint, v3io_backend

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
    method: str, url: str, headers: Mapping[str, str], body: Any, params: Mapping[str, Any] | None = None
) -> WireResponse:
    """Dispatch one HTTP request to the v3io adapter (``params``: see :func:`_vouched`)."""
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
        params=params,
    )
    response = dispatch(request)
    assert response is not None, "the v3io adapter answers every request"
    return response


# ---------------------------------------------------------------- requests / responses
class _Requests:
    """The ``responses`` side: one RequestsMock, re-chained at each activation."""

    def __init__(self) -> None:
        self.mock: responses_lib.RequestsMock | None = None
        self.send: Any = None  # the HTTPAdapter.send our mock installed
        self.active = False
        self._original_on_request: Any = None
        self._prepare_body: Any = None  # the PreparedRequest.prepare_body we installed
        self._original_prepare_body: Any = None

    def install(self, _module: ModuleType) -> None:
        import requests.adapters
        import responses

        guard_requests(requests.adapters)  # AWS hosts: answered by a mock, or refused

        if self.mock is None:
            self.mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock: Any = self.mock  # _real_send is not public API; its annotation is narrower
        mock.reset()
        mock.add(_V3ioResponse(self))
        mock.add_passthru(re.compile(".*"))
        # Chain: whatever answers requests now (a user's mock, moto, the network) keeps
        # answering everything that is not v3io.
        mock._real_send = requests.adapters.HTTPAdapter.send
        self.active = True
        mock.start()
        self.send = requests.adapters.HTTPAdapter.send
        self._original_on_request = responses.RequestsMock._on_request
        responses.RequestsMock._on_request = _routed_on_request  # type: ignore[method-assign]
        prepared = requests.models.PreparedRequest
        self._original_prepare_body = prepared.__dict__["prepare_body"]
        self._prepare_body = _vouching_prepare_body(self._original_prepare_body)
        prepared.prepare_body = self._prepare_body  # type: ignore[method-assign]

    def uninstall(self) -> None:
        import requests.adapters
        import responses

        self.active = False
        unguard_requests()
        prepared = requests.models.PreparedRequest
        if self._prepare_body is not None and prepared.__dict__.get("prepare_body") is self._prepare_body:
            prepared.prepare_body = self._original_prepare_body  # type: ignore[method-assign]
        # else someone patched over ours: it stays in their chain, a pure pass-through.
        self._prepare_body = self._original_prepare_body = None
        if self._original_on_request is not None:
            responses.RequestsMock._on_request = self._original_on_request  # type: ignore[method-assign]
            self._original_on_request = None
        mock = self.mock
        if mock is None:
            return
        if requests.adapters.HTTPAdapter.send is self.send:
            mock.stop(allow_assert=False)
        else:
            # Another mock patched over ours and is still active: restoring now would
            # remove it too. Ours stays in its chain, inactive (pure pass-through).
            mock._patcher = None
            self.mock = None
        self.send = None

    def callback(self, request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        headers: Mapping[str, str] = request.headers  # type: ignore[assignment]
        response = handle(str(request.method), str(request.url), headers, request.body, _vouched(request))
        mock = self.mock
        if mock is not None:  # keep memory flat: nobody reads our mock's call list
            mock.calls.reset()
        return response.status, response.headers, response.body


_requests = _Requests()
_VOUCHED = "_mock_putrecord_v3io"
"""PreparedRequest attribute: ``(body, params)``, params valid while ``body`` is the body."""


def _vouching_prepare_body(original: Callable[..., None]) -> Callable[..., None]:
    """``PreparedRequest.prepare_body`` that, while v3io is mocked, notes for a PutRecords
    sent with ``json=`` the batch validated from that object, beside the exact body
    serialized from it (the v3io counterpart of the Kinesis path's vouched botocore
    parameters): the mock then skips parsing the body it would get back to. The note is
    taken right after serialization, so later changes to the object cannot reach it."""

    def prepare_body(self: Any, data: Any, files: Any, json: Any = None) -> None:
        original(self, data, files, json)
        if json is None or data or files or not _requests.active:
            return
        headers = self.headers
        function = headers.get("X-v3io-function") if headers is not None else None
        if type(function) is str and function.strip() == "PutRecords" and type(self.body) is bytes:
            from .validation import vouched_put_records

            vouched = vouched_put_records(json)
            if vouched is not None:
                columns, stream_name = vouched
                setattr(self, _VOUCHED, (self.body, {"PutColumns": columns, "StreamName": stream_name}))

    prepare_body.__wrapped__ = original  # type: ignore[attr-defined]
    return prepare_body


def _vouched(request: Any) -> Mapping[str, Any] | None:
    """The validated PutRecords batch :func:`_vouching_prepare_body` noted for this very
    body (identity: a body replaced since, by an auth hook say, gets none)."""
    note = request.__dict__.get(_VOUCHED)
    if note is not None and note[0] is request.body:
        params: Mapping[str, Any] = note[1]
        return params
    return None


def _routed_on_request(self: Any, adapter: Any, request: Any, **kwargs: Any) -> Any:
    """``RequestsMock._on_request`` while v3io is mocked: another mock (started after ours)
    hands v3io requests to ours instead of refusing them or sending them out."""
    ours = _requests.mock
    original = _requests._original_on_request
    if ours is not None and self is not ours and _requests.active and is_v3io_request(request.headers, request.url):
        return original(ours, adapter, request, **kwargs)
    return original(self, adapter, request, **kwargs)


def _response_class() -> type[Any]:
    import responses

    class V3ioResponse(responses.CallbackResponse):
        """Matches v3io requests at any URL and method; answers them from the mock."""

        def __init__(self, owner: _Requests) -> None:
            super().__init__("POST", "http://v3io.invalid/", owner.callback, content_type=None)
            self._owner = owner

        def matches(self, request: PreparedRequest) -> tuple[bool, str]:
            if self._owner.active and is_v3io_request(request.headers, str(request.url)):
                self._calls.reset()
                return True, ""
            return False, "not a v3io request"

    return V3ioResponse


_response_cls: type[Any] | None = None


def _V3ioResponse(owner: _Requests) -> Any:  # noqa: N802 - built lazily, used like a class
    global _response_cls
    if _response_cls is None:
        _response_cls = _response_class()
    return _response_cls(owner)


# ---------------------------------------------------------------- v3io-py (http.client)
class _V3ioPy:
    """Replaces the send/wait pair of v3io-py's default ``httpclient`` transport."""

    def __init__(self) -> None:
        self.saved: tuple[Any, Any] | None = None

    def install(self, module: ModuleType) -> None:
        transport = module.Transport
        if self.saved is None:
            self.saved = (transport.send_request, transport.wait_response)
        transport.send_request = _v3io_send_request
        transport.wait_response = _v3io_wait_response

    def uninstall(self) -> None:
        module = sys.modules.get("v3io.dataplane.transport.httpclient")
        if module is not None and self.saved is not None:
            module.Transport.send_request, module.Transport.wait_response = self.saved
        self.saved = None


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


class _V3ioAio:
    """Replaces ``request`` of v3io-py's aiohttp transport (``v3io.aio.dataplane``)."""

    def __init__(self) -> None:
        self.saved: Any = None

    def install(self, module: ModuleType) -> None:
        if self.saved is None:
            self.saved = module.Transport.request
        module.Transport.request = _v3io_aio_request

    def uninstall(self) -> None:
        module = sys.modules.get("v3io.aio.dataplane.transport.aiohttp")
        if module is not None and self.saved is not None:
            module.Transport.request = self.saved
        self.saved = None


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


# ---------------------------------------------------------------- lazy installation
class _Integration:
    def __init__(self, module: str, ready: str, install: Callable[[ModuleType], None],
                 uninstall: Callable[[], None]) -> None:
        self.module = module
        self.ready = ready  # an attribute the module has once it has finished loading
        self.install = install
        self.uninstall = uninstall
        self.installed = False


_v3io_py = _V3ioPy()
_v3io_aio = _V3ioAio()
_INTEGRATIONS = (
    # The top-level ``requests`` package, not ``requests.adapters``: installing means
    # importing ``responses``, which needs ``requests`` fully initialised.
    _Integration("requests", "Session", _requests.install, _requests.uninstall),
    _Integration("v3io.dataplane.transport.httpclient", "Transport", _v3io_py.install, _v3io_py.uninstall),
    _Integration("v3io.aio.dataplane.transport.aiohttp", "Transport", _v3io_aio.install, _v3io_aio.uninstall),
)
_lock = threading.RLock()
_active = False


class _LoaderProxy(importlib.abc.Loader):
    """Runs the real loader, then installs the integration for the module just loaded."""

    def __init__(self, loader: importlib.abc.Loader, integration: _Integration) -> None:
        self._loader = loader
        self._integration = integration

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        with _lock:
            if _active and not self._integration.installed:
                self._integration.install(module)
                self._integration.installed = True


class _ImportWatcher(importlib.abc.MetaPathFinder):
    """Notices the import of a not-yet-loaded integration module during an activation."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        for integration in _INTEGRATIONS:
            if integration.module == fullname and not integration.installed:
                break
        else:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            find = getattr(finder, "find_spec", None)
            spec: importlib.machinery.ModuleSpec | None = find(fullname, path, target) if find else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _LoaderProxy(spec.loader, integration)
                return spec
        return None


_watcher = _ImportWatcher()


def on_start() -> None:
    """Outermost activation: hook every integration whose library is loaded; watch for
    the others. O(1): nothing is imported here."""
    global _active
    with _lock:
        _active = True
        pending = False
        for integration in _INTEGRATIONS:
            module = sys.modules.get(integration.module)
            if module is not None and getattr(module, "__spec__", None) is not None and hasattr(
                module, integration.ready
            ):
                integration.install(module)
                integration.installed = True
            else:
                pending = True
        if pending and _watcher not in sys.meta_path:
            sys.meta_path.insert(0, _watcher)


def on_stop() -> None:
    """Outermost deactivation: undo :func:`on_start`."""
    global _active
    with _lock:
        _active = False
        if _watcher in sys.meta_path:
            sys.meta_path.remove(_watcher)
        for integration in reversed(_INTEGRATIONS):
            if integration.installed:
                integration.uninstall()
                integration.installed = False


_registered = False


def register() -> None:
    """Register the activation hooks (once per process)."""
    global _registered
    if not _registered:
        register_activation_hooks(on_start, on_stop)
        _registered = True
