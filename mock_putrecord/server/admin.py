"""The control API under ``/_mock_putrecord/``: what a test in another process needs to
drive the server (reset, the virtual clock, faults) and to see its state.

Every answer is JSON. Requests carry a JSON object (or nothing) and need no signature:
the admin API is for tests, on a server bound to loopback.
"""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import parse_qsl

from ..core.backends import reset_all
from ..core.clock import clock
from ..core.faults import faults
from ..core.wire import WireResponse, new_request_id
from ..version import __version__

if TYPE_CHECKING:
    from ..mock import MockPutRecord
    from .routing import RawRequest

PREFIX = "/_mock_putrecord/"
SERVICES = ("kinesis", "featurestore", "v3io", "faults")
"""What ``reset`` can clear on its own (``faults``: scripts, rules and the call log)."""


class AdminError(Exception):
    """A bad admin request: its HTTP status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Admin:
    """The admin operations of one server, for HTTP (:meth:`handle`) and for Python."""

    def __init__(self, mock: MockPutRecord, server_info: Callable[[], Mapping[str, Any]]) -> None:
        self._mock = mock
        self._server_info = server_info
        self._started = time.monotonic()

    # ------------------------------------------------------------ operations
    def reset(self, service: str | None = None) -> None:
        """Forget all state, or one service's (``kinesis``, ``featurestore``, ``v3io``,
        ``faults``)."""
        if service is None:
            reset_all()
        elif service == "kinesis":
            from ..kinesis.models import kinesis_backends

            kinesis_backends.reset()
        elif service == "featurestore":
            from ..featurestore.models import featurestore_backends

            featurestore_backends.reset()
        elif service == "v3io":
            from ..v3io.container import v3io_backend

            v3io_backend.reset()
        elif service == "faults":
            faults.clear()
        else:
            raise ValueError(f"service must be one of {', '.join(SERVICES)}, got {service!r}")

    def advance(self, seconds: float) -> float:
        """Move the mock's clock forward by ``seconds`` (freezing it first); the new time."""
        return self._mock.advance(seconds)

    def health(self) -> dict[str, Any]:
        """Liveness and what the server offers."""
        return {
            "status": "ok",
            "version": __version__,
            "uptime_seconds": round(time.monotonic() - self._started, 3),
            "clock": {"now": clock.now(), "virtual": clock.is_virtual},
            **self._server_info(),
        }

    def state(self) -> dict[str, Any]:
        """A summary of what the services hold: streams with their shards and record
        counts, feature groups with their record counts, v3io streams, and the call log."""
        return {
            "kinesis": _kinesis_state(self._mock),
            "featurestore": _featurestore_state(self._mock),
            "v3io": _v3io_state(self._mock),
            "calls": len(faults.calls),
            "failed_records": len(faults.failed_records),
        }

    def calls(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The most recent calls of the call log (all it keeps without ``limit``), oldest first."""
        calls = list(faults.calls)
        if limit is not None:
            calls = calls[-limit:] if limit > 0 else []
        return [{"service": c.service, "operation": c.operation, "attempt": c.attempt, "status": c.status,
                 "error_code": c.error_code, "injected": c.injected} for c in calls]

    # ------------------------------------------------------------ HTTP
    def handle(self, raw: RawRequest) -> WireResponse:
        """Answer one request under :data:`PREFIX`."""
        path, _, query = raw.target.partition("?")
        name = path[len(PREFIX):].strip("/")
        try:
            route = _ROUTES.get(name)
            if route is None:
                raise AdminError(404, f"no admin operation {name!r}; see docs/server.md")
            method, action = route
            if raw.method != method:
                raise AdminError(405, f"{name} takes {method}, not {raw.method}")
            body = _params(raw.body, query)
            return _json(200, action(self, body))
        except AdminError as error:
            return _json(error.status, {"error": error.message})
        except (ValueError, TypeError) as error:
            return _json(400, {"error": str(error)})


def _params(body: bytes, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body.strip():
        try:
            value = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise AdminError(400, "the body must be a JSON object") from None
        if not isinstance(value, dict):
            raise AdminError(400, "the body must be a JSON object")
        params.update(value)
    return params


def _json(status: int, payload: Any) -> WireResponse:
    return WireResponse(status, json.dumps(payload, separators=(",", ":")).encode("utf-8"),
                        {"Content-Type": "application/json", "x-amzn-RequestId": new_request_id()})


def _number(params: Mapping[str, Any], name: str) -> float:
    value = params.get(name)
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AdminError(400, f"{name} must be a number, got {value!r}") from None


def _reset(admin: Admin, params: Mapping[str, Any]) -> Any:
    service = params.get("service")
    admin.reset(service)
    return {"reset": service or "all"}


def _advance(admin: Admin, params: Mapping[str, Any]) -> Any:
    return {"now": admin.advance(_number(params, "seconds"))}


def _fail_next(admin: Admin, params: Mapping[str, Any]) -> Any:
    missing = [name for name in ("service", "operation", "code") if not params.get(name)]
    if missing:
        raise AdminError(400, f"fail_next needs {', '.join(missing)}")
    faults.fail_next(str(params["service"]), str(params["operation"]), str(params["code"]),
                     message=str(params.get("message", "")), status=int(params.get("status", 400)),
                     count=int(params.get("count", 1)))
    return {"scripted": params["operation"]}


def _fail_records(admin: Admin, params: Mapping[str, Any]) -> Any:
    if not params.get("service"):
        raise AdminError(400, "fail_records needs service")
    errors = params.get("errors") or []
    operations = params.get("operations")
    if not isinstance(errors, list) or (operations is not None and not isinstance(operations, list)):
        raise AdminError(400, "errors and operations must be lists")
    faults.fail_records(str(params["service"]), _number(params, "rate"), errors=[str(e) for e in errors],
                        seed=int(params.get("seed", 0)), operations=operations)
    return {"failing": params["service"]}


def _clear_faults(admin: Admin, params: Mapping[str, Any]) -> Any:
    faults.clear()
    return {"cleared": True}


def _calls(admin: Admin, params: Mapping[str, Any]) -> Any:
    limit = params.get("limit")
    return admin.calls(int(limit) if limit is not None else None)


_ROUTES: dict[str, tuple[str, Callable[[Admin, Mapping[str, Any]], Any]]] = {
    "health": ("GET", lambda admin, _: admin.health()),
    "state": ("GET", lambda admin, _: admin.state()),
    "reset": ("POST", _reset),
    "advance": ("POST", _advance),
    "faults/fail_next": ("POST", _fail_next),
    "faults/fail_records": ("POST", _fail_records),
    "faults/clear": ("POST", _clear_faults),
    "faults/calls": ("GET", _calls),
}


# ------------------------------------------------------------ state summaries
def _kinesis_state(mock: MockPutRecord) -> list[dict[str, Any]]:
    try:
        from ..kinesis.models import kinesis_backends
    except ImportError:
        return []
    view = mock.kinesis
    streams = []
    for (account_id, region), _ in kinesis_backends.items():
        for name in view.stream_names(region=region, account_id=account_id):
            stream = view.stream(name, region=region, account_id=account_id)
            shards = dict(zip(stream.shard_ids, stream.shard_record_counts))
            streams.append({"account_id": account_id, "region": region, "name": name, "status": stream.status,
                            "open_shards": len(stream.open_shard_ids),
                            "records": sum(shards.values()), "shards": shards})
    return streams


def _featurestore_state(mock: MockPutRecord) -> list[dict[str, Any]]:
    try:
        from ..featurestore.models import featurestore_backends
    except ImportError:
        return []
    view = mock.featurestore
    groups = []
    for (account_id, region), _ in featurestore_backends.items():
        if account_id != mock.account_id:
            continue  # the view reads the mock's own account
        for name in view.feature_groups(region):
            groups.append({"account_id": account_id, "region": region, "name": name,
                           "online_records": view.online_count(name, region=region),
                           "offline_rows": len(view.offline_rows(name, region=region))})
    return groups


def _v3io_state(mock: MockPutRecord) -> list[dict[str, Any]]:
    try:
        from ..v3io.container import v3io_backend
    except ImportError:
        return []
    view = mock.v3io
    streams = []
    for container in v3io_backend.containers():
        for path in view.stream_paths(container.name, endpoint=container.endpoint):
            counts = view.shard_record_counts(container.name, path, endpoint=container.endpoint)
            streams.append({"endpoint": container.endpoint, "container": container.name, "path": path,
                            "records": sum(counts), "shards": counts})
    return streams
