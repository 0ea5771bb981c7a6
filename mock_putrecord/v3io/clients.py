"""v3io web-API requests made with plain aiohttp, httpx, urllib3 or http.client.

``requests`` and v3io-py's transports are caught in ``transport.py``. The four clients
here are each hooked once, at the narrowest public entry point every request of theirs
goes through, and only for v3io requests (``X-v3io-function``, or a known web-API
endpoint: :func:`~.transport.is_v3io_request`) to non-loopback hosts; everything else
reaches the original method. The answer is built with the client's own response class, so users read it as
they read a real one, and no socket is opened:

* aiohttp: ``ClientSession._request`` (what ``session.get``/``request``/``put`` await),
  answered with an ``aiohttp.ClientResponse`` whose body is already read;
* httpx: ``HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request``
  (the default transports of ``httpx.Client`` and ``httpx.AsyncClient``);
* urllib3: ``HTTPConnectionPool.urlopen`` (``urllib3.request``, ``PoolManager``);
* http.client: ``HTTPConnection.request``, with ``getresponse`` parsing the answer from
  HTTP/1.1 bytes through the real ``http.client.HTTPResponse``.

aioresponses and respx were considered: aioresponses 0.7.9 cannot build responses on
aiohttp 3.14 (reference/v3io-notes.md §1), and both replace every request of their
client rather than only v3io's, so they stay the user's tools, not the mock's.
"""
from __future__ import annotations

import io
import json as jsonlib
import sys
from http import HTTPStatus
from types import ModuleType, SimpleNamespace
from typing import Any, Callable, Mapping
from urllib.parse import urlencode, urlsplit

from ..core.wire import WireResponse
from ..core import patches
from ..core.patches import Patch, Wrapper
from .transport import handle, is_v3io_request

_LOOPBACK = ("localhost", "127.", "::1", "[::1]")


def _ours(headers: Mapping[str, Any], url: str) -> bool:
    """A v3io request these clients should answer in memory. Loopback addresses are left
    alone: no Iguazio web API lives there, but the mock's own server (``python -m
    mock_putrecord serve``, ``MockServer``) does, and raw HTTP sent to it must reach it."""
    host = urlsplit(url).hostname or ""
    if host.startswith(_LOOPBACK):
        return False
    return is_v3io_request(headers, url)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _as_wrapper(factory: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Wrapper:
    """Adapt ``factory(original)``, a replacement method that calls ``original(self, ...)``
    for what is not ours, to wrapt's ``(wrapped, instance, args, kwargs)``."""

    def wrapper(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return factory(lambda _self, *a, **k: wrapped(*a, **k))(instance, *args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- aiohttp
def _aiohttp_request(original: Callable[..., Any]) -> Callable[..., Any]:
    async def _request(self: Any, method: str, str_or_url: Any, **kwargs: Any) -> Any:
        from multidict import CIMultiDict
        from yarl import URL

        url = URL(str_or_url)
        base = getattr(self, "_base_url", None)
        if base is not None and not url.is_absolute():
            url = base.join(url)
        headers: CIMultiDict[str] = CIMultiDict(getattr(self, "_default_headers", None) or {})
        if kwargs.get("headers"):
            headers.update(CIMultiDict(kwargs["headers"]))
        if not (url.is_absolute() and _ours(headers, str(url))):
            return await original(self, method, str_or_url, **kwargs)
        params = kwargs.get("params")
        if params:
            url = url.extend_query(params)
        body = _aiohttp_body(kwargs.get("data"), kwargs.get("json"), headers)
        auth = kwargs.get("auth") or getattr(self, "_default_auth", None)
        if auth is not None and "Authorization" not in headers:
            headers["Authorization"] = auth.encode()
        wire = handle(method, str(url), dict(headers), body)
        response = _aiohttp_response(self, method.upper(), url, headers, wire)
        raise_for_status = kwargs.get("raise_for_status")
        if raise_for_status is None:
            raise_for_status = getattr(self, "_raise_for_status", False)
        if raise_for_status is True:
            response.raise_for_status()
        elif callable(raise_for_status):
            await raise_for_status(response)
        return response

    return _request


def _aiohttp_body(data: Any, json: Any, headers: Any) -> bytes:
    if json is not None:
        headers.setdefault("Content-Type", "application/json")
        return jsonlib.dumps(json).encode()
    if data is None:
        return b""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str):
        return data.encode()
    if isinstance(data, Mapping):
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return urlencode(data).encode()
    raise TypeError(f"the v3io mock cannot send an aiohttp body of type {type(data).__name__}")


def _aiohttp_response(session: Any, method: str, url: Any, headers: Any, wire: WireResponse) -> Any:
    import asyncio
    import inspect

    from aiohttp import ClientResponse, RequestInfo
    from aiohttp.helpers import TimerNoop
    from multidict import CIMultiDict, CIMultiDictProxy

    headers_out = CIMultiDict(wire.headers)
    headers_out.setdefault("Content-Length", str(len(wire.body)))
    options = {
        "writer": None,
        "continue100": None,
        "timer": TimerNoop(),
        "request_info": RequestInfo(url, method, CIMultiDictProxy(CIMultiDict(headers)), url),
        "traces": [],
        "loop": asyncio.get_running_loop(),
        "session": session,
        "stream_writer": SimpleNamespace(output_size=0),
    }
    accepted = inspect.signature(ClientResponse.__init__).parameters
    response = ClientResponse(method, url, **{k: v for k, v in options.items() if k in accepted})
    response.status = wire.status
    response.reason = _reason(wire.status)
    response._headers = CIMultiDictProxy(headers_out)
    response._raw_headers = tuple((k.encode(), v.encode()) for k, v in headers_out.items())
    response._body = b"" if method == "HEAD" else wire.body
    return response


# ---------------------------------------------------------------- httpx
def _httpx_response(request: Any) -> Any:
    import httpx

    wire = handle(request.method, str(request.url), dict(request.headers), request.read())
    return httpx.Response(wire.status, headers=wire.headers, content=wire.body, request=request)


def _httpx_sync(original: Callable[..., Any]) -> Callable[..., Any]:
    def handle_request(self: Any, request: Any) -> Any:
        if not _ours(request.headers, str(request.url)):
            return original(self, request)
        return _httpx_response(request)

    return handle_request


def _httpx_async(original: Callable[..., Any]) -> Callable[..., Any]:
    async def handle_async_request(self: Any, request: Any) -> Any:
        if not _ours(request.headers, str(request.url)):
            return await original(self, request)
        await request.aread()
        return _httpx_response(request)

    return handle_async_request


# ---------------------------------------------------------------- urllib3
def _urllib3_urlopen(original: Callable[..., Any]) -> Callable[..., Any]:
    def urlopen(self: Any, method: str, url: str, body: Any = None, headers: Any = None, *args: Any, **kwargs: Any) -> Any:
        full = url if "://" in url else f"{self.scheme}://{self.host}:{self.port}{url}"
        if not _ours(headers or {}, full):
            return original(self, method, url, body, headers, *args, **kwargs)
        from urllib3.response import HTTPResponse

        wire = handle(method, full, dict(headers or {}), body)
        response_headers = dict(wire.headers)
        response_headers.setdefault("Content-Length", str(len(wire.body)))
        return HTTPResponse(
            body=io.BytesIO(b"" if method.upper() == "HEAD" else wire.body),
            headers=response_headers,
            status=wire.status,
            reason=_reason(wire.status),
            version=11,
            preload_content=kwargs.get("preload_content", True),
            decode_content=kwargs.get("decode_content", True),
            request_method=method,
            request_url=full,
        )

    return urlopen


# ---------------------------------------------------------------- http.client
_ANSWER = "_mock_putrecord_v3io_answer"


class _Replay:
    """Just enough of a socket for ``http.client.HTTPResponse`` to read an answer."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self._raw))


def _http_client_request(original: Callable[..., Any]) -> Callable[..., Any]:
    def request(self: Any, method: str, url: str, body: Any = None, headers: Any = None, **kwargs: Any) -> Any:
        import http.client

        scheme = "https" if isinstance(self, http.client.HTTPSConnection) else "http"
        full = url if "://" in url else f"{scheme}://{self.host}:{self.port}{url}"
        if not _ours(headers or {}, full):
            return original(self, method, url, body, headers or {}, **kwargs)
        wire = handle(method, full, dict(headers or {}), body)
        lines = [f"HTTP/1.1 {wire.status} {_reason(wire.status)}"]
        lines += [f"{name}: {value}" for name, value in wire.headers.items() if name.lower() != "content-length"]
        lines.append(f"Content-Length: {len(wire.body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + wire.body
        setattr(self, _ANSWER, (raw, method.upper()))
        return None

    return request


def _http_client_getresponse(original: Callable[..., Any]) -> Callable[..., Any]:
    def getresponse(self: Any) -> Any:
        answer = self.__dict__.pop(_ANSWER, None)
        if answer is None:
            return original(self)
        import http.client

        raw, method = answer
        response = http.client.HTTPResponse(_Replay(raw), method=method)  # type: ignore[arg-type]
        response.begin()
        return response

    return getresponse


# ---------------------------------------------------------------- registration
_PATCHES = [
    Patch("aiohttp.client", "ClientSession", "_request", _as_wrapper(_aiohttp_request)),
    Patch("httpx._transports.default", "HTTPTransport", "handle_request", _as_wrapper(_httpx_sync)),
    Patch("httpx._transports.default", "AsyncHTTPTransport", "handle_async_request", _as_wrapper(_httpx_async)),
    Patch("urllib3.connectionpool", "HTTPConnectionPool", "urlopen", _as_wrapper(_urllib3_urlopen)),
    Patch("http.client", "HTTPConnection", "request", _as_wrapper(_http_client_request)),
    Patch("http.client", "HTTPConnection", "getresponse", _as_wrapper(_http_client_getresponse)),
]


def register() -> None:
    """Register the four clients' patches with the core registry (applied while a mock
    is active, as soon as each library is loaded)."""
    for patch in _PATCHES:
        patches.register(patch)
