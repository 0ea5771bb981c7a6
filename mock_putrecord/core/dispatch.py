"""The dispatch table: ``(service, operation)`` to the adapter function that answers it.

Every interception layer (botocore hook, ``responses`` callback, v3io-py transport, HTTP
server) builds a :class:`~mock_putrecord.core.wire.WireRequest` and calls
:func:`dispatch`. Service packages register themselves in ``mock_putrecord.services``;
``core`` never imports a service package.
"""
from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Callable, Mapping, Protocol

from .wire import WireRequest, WireResponse

Handler = Callable[[WireRequest], WireResponse]


class ServiceAdapter(Protocol):
    """What a service's ``responses`` module exposes to the dispatcher."""

    operations: Mapping[str, Handler]
    """Operation name to handler, for every operation the mock implements."""

    def unknown_operation(self, request: WireRequest) -> WireResponse | None:
        """Answer an operation the mock does not implement, or ``None`` to leave it to
        whatever else answers requests for this service (moto, say)."""
        ...


@dataclass
class _Registration:
    module: str
    attribute: str
    adapter: ServiceAdapter | None = None


_registry: dict[str, _Registration] = {}
_load_lock = threading.Lock()


def register_service(service: str, module: str, attribute: str = "adapter") -> None:
    """Register ``module.attribute`` (imported on first use) as the adapter of ``service``.

    ``service`` is botocore's hyphenised service id (``kinesis``) or ``v3io``.
    """
    _registry[service] = _Registration(module, attribute)


def adapter_for(service: str) -> ServiceAdapter | None:
    """The adapter registered for ``service``, importing it on first use."""
    registration = _registry.get(service)
    if registration is None:
        return None
    adapter = registration.adapter
    if adapter is None:
        with _load_lock:
            if registration.adapter is None:
                module = importlib.import_module(registration.module)
                registration.adapter = getattr(module, registration.attribute)
            adapter = registration.adapter
    return adapter


def is_mocked_service(service: str) -> bool:
    """True when ``service`` has a registered adapter."""
    return service in _registry


def dispatch(request: WireRequest) -> WireResponse | None:
    """Answer ``request``, or return ``None`` when no mocked operation claims it."""
    adapter = adapter_for(request.service)
    if adapter is None:
        return None
    handler = adapter.operations.get(request.operation)
    if handler is None:
        return adapter.unknown_operation(request)
    return handler(request)
