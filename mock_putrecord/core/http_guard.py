"""Keeps ``requests`` calls to AWS hosts in the process while a mock is active.

Every mock of ``requests`` (``responses``, moto's copy of it, ours for v3io) passes what it
does not answer to the genuine ``HTTPAdapter.send``, each through its own saved reference,
so the guard sits one level lower: ``HTTPAdapter.get_connection_with_tls_context`` (or
``get_connection`` before requests 2.32), which the genuine send looks up on the adapter
just before it opens a socket. A request for an AWS host gets there only when nothing
answered it: it is refused with :class:`UnmockedRequestError` unless ``passthrough=True``.
Other hosts are untouched.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Callable
from urllib.parse import urlsplit

from .errors import UnmockedRequestError
from .settings import settings

AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "api.aws")
_GUARDED = "_mock_putrecord_guarded"
_saved: tuple[type[Any], str, Callable[..., Any]] | None = None


def is_aws_host(url: str) -> bool:
    """True when ``url`` addresses an AWS endpoint."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in AWS_DOMAINS)


def refusal_message(method: str, url: str) -> str:
    """The error text for a request that would have left the process."""
    return (
        f"mock_putrecord is active and nothing in this process answered {method} {url}. "
        "The request was not sent. Mock that service too (moto's mock_aws, say) or pass "
        "mock_putrecord(passthrough=True) to let such requests out."
    )


def _guard(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_connection(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        url = str(getattr(request, "url", request))  # get_connection(url, …) before 2.32
        if settings.active and not settings.passthrough and is_aws_host(url):
            raise UnmockedRequestError(refusal_message(str(getattr(request, "method", "GET")), url))
        return original(self, request, *args, **kwargs)

    setattr(get_connection, _GUARDED, True)
    get_connection.__wrapped__ = original  # type: ignore[attr-defined]
    return get_connection


def guard_requests(adapters: ModuleType) -> None:
    """Install the guard on ``requests.adapters`` (idempotent)."""
    global _saved
    adapter = adapters.HTTPAdapter
    name = "get_connection_with_tls_context" if "get_connection_with_tls_context" in vars(adapter) else "get_connection"
    current = vars(adapter)[name]
    if getattr(current, _GUARDED, False):
        return
    _saved = (adapter, name, current)
    setattr(adapter, name, _guard(current))


def unguard_requests() -> None:
    """Remove the guard, unless someone patched over it (then it stays, inert while no
    mock is active, so their patch keeps working)."""
    global _saved
    if _saved is None:
        return
    adapter, name, original = _saved
    if getattr(vars(adapter).get(name), _GUARDED, False):
        setattr(adapter, name, original)
    _saved = None
