"""Keeps ``requests`` calls to AWS hosts in the process while a mock is active.

Every mock of ``requests`` (``responses``, moto's copy of it, ours for v3io) passes what it
does not answer to the genuine ``HTTPAdapter.send``, each through its own saved reference,
so the guard sits one level lower: ``HTTPAdapter.get_connection_with_tls_context``
(requests 2.32 and later), which the genuine send looks up on the adapter just before it
opens a socket. A request for an AWS host gets there only when nothing
answered it: it is refused with :class:`UnmockedRequestError` unless ``passthrough=True``.
Other hosts are untouched.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from .errors import UnmockedRequestError
from .patches import Patch
from .settings import settings

AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "api.aws")


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


def _guard(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    request = args[0] if args else kwargs.get("request")
    url = str(getattr(request, "url", request))
    if settings.active and not settings.passthrough and is_aws_host(url):
        raise UnmockedRequestError(refusal_message(str(getattr(request, "method", "GET")), url))
    return wrapped(*args, **kwargs)


def guard_patch() -> Patch:
    """The guard as a registry patch on ``HTTPAdapter.get_connection_with_tls_context``
    (requests 2.32 and later), applied while a mock is active."""
    return Patch("requests.adapters", "HTTPAdapter", "get_connection_with_tls_context", _guard)
