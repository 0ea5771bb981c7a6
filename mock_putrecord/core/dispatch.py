"""The dispatch table: ``(service, operation)`` to the adapter function that answers it.

Every interception layer (botocore hook, ``responses`` callback, v3io-py transport, HTTP
server) builds a :class:`~mock_putrecord.core.wire.WireRequest` and calls
:func:`dispatch`. Service packages register themselves in ``mock_putrecord.services``;
``core`` never imports a service package.
"""
from __future__ import annotations

import importlib
import json
import threading
from dataclasses import dataclass
from typing import Callable, Mapping, Protocol

from .errors import ServiceError
from .faults import CallRecord, faults
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

    def render_error(self, error: ServiceError) -> WireResponse:
        """Render an error in the service's wire format (used for injected faults)."""
        ...


@dataclass
class _Registration:
    module: str
    attribute: str
    adapter: ServiceAdapter | None = None


_registry: dict[str, _Registration] = {}
_load_lock = threading.Lock()
_forward: Handler | None = None
"""Set in a process forked from a live activation: sends requests to the parent's mock."""


def forward_to(forward: Handler | None) -> None:
    """Answer every request the mock claims through ``forward`` instead of from this
    process's own state (``None``: answer here again). See ``mock_putrecord.children``."""
    global _forward
    _forward = forward


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
    """Answer ``request``, or return ``None`` when no mocked operation claims it.

    Scripted faults (``mock.faults.fail_next``) are answered here, before the handler,
    and every answered call is logged in ``mock.faults.calls``.
    """
    adapter = adapter_for(request.service)
    if adapter is None:
        return None
    handler = adapter.operations.get(request.operation)
    # A forked child's state is a stale copy: implemented operations, and requests with no
    # operation (v3io's object layer lists and deletes streams), go to the parent's mock.
    # Unknown operations are answered here: statelessly, or left to other mocks (moto).
    if _forward is not None and (handler is not None or not request.operation):
        return _forward(request)
    if handler is None:
        response = adapter.unknown_operation(request)
        if response is None:
            return None
        _log(request, response, injected=False)
        return response
    scripted = faults.take_scripted(request.service, request.operation)
    if scripted is not None:
        response = adapter.render_error(scripted)
        _log(request, response, injected=True)
        return response
    response = handler(request)
    _log(request, response, injected=False)
    return response


def _log(request: WireRequest, response: WireResponse, injected: bool) -> None:
    code = error_code_of(response) if response.status >= 300 else None
    faults.note_call(CallRecord(request.service, request.operation, request.attempt, response.status, code, injected))


def error_code_of(response: WireResponse) -> str | None:
    """The error code an error response carries (header or JSON body)."""
    headers = response.headers
    header = headers.get("x-amzn-ErrorType") or headers.get("X-Amzn-ErrorType")
    if header:
        return header.split(":", 1)[0]
    try:
        body = json.loads(response.body) if response.body else {}
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    code = body.get("__type") or body.get("code") or body.get("ErrorCode")
    return str(code).rsplit("#", 1)[-1] if code is not None else None
