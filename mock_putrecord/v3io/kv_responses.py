"""The NoSQL web-API functions on the wire: PutItem, UpdateItem, GetItem, GetItems.

The item path is the URL path, optionally continued by ``TableName`` and ended by the
``Key`` attribute's value (the docs allow the table and the key in either place).
Successful writes answer 200 with an empty body and v3io's ``X-v3io-transaction-verifier``
header (``__mtime_secs==<s> and __mtime_nsecs==<ns>``, parsed by v3io-go).
"""
from __future__ import annotations

from typing import Any, Mapping

from ..core.wire import WireRequest, WireResponse
from . import kv, validation
from .container import StoredObject, V3ioContainer
from .exceptions import InvalidArgument, InvalidArgumentException
from .models import normalize_path


def _body(request: WireRequest, *, required: bool = True) -> dict[str, Any]:
    try:
        return validation.parse_body(request.body, required=required)
    except InvalidArgumentException:
        raise InvalidArgument("the body must be a JSON object") from None


def _table(path: str, body: Mapping[str, Any]) -> str:
    table = body.get("TableName")
    if table is None:
        return path
    if not isinstance(table, str):
        raise InvalidArgument("TableName is a string")
    return normalize_path(f"{path}/{table}")


def _item_path(path: str, body: Mapping[str, Any]) -> tuple[str, tuple[str, dict[str, object]] | None]:
    """The item's path, and the ``Key`` attribute (name, typed value) when given."""
    table = _table(path, body)
    key = body.get("Key")
    if key is None:
        return table, None
    typed = kv.validate_attributes(key, "Key")
    if len(typed) != 1:
        raise InvalidArgument("Key holds exactly one attribute")
    (name, value), = typed.items()
    item = str(next(iter(value.values())))
    return normalize_path(f"{table}/{item}"), (name, value)


def _written(obj: StoredObject) -> WireResponse:
    secs, nsecs = divmod(obj.mtime_ns, 1_000_000_000)
    return WireResponse(200, b"", {"X-v3io-transaction-verifier": f"__mtime_secs=={secs} and __mtime_nsecs=={nsecs}"})


def put_item(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """PutItem: 200."""
    body = _body(request)
    item_path, key = _item_path(path, body)
    if key is not None:
        body = {**body, "Item": {**(body.get("Item") or {}), key[0]: key[1]}}
    return _written(kv.put_item(container, item_path, body))


def update_item(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """UpdateItem: 200."""
    body = _body(request)
    item_path, key = _item_path(path, body)
    obj = kv.update_item(container, item_path, body)
    if key is not None:
        obj.attributes.setdefault(key[0], key[1])
    return _written(obj)


def get_item(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """GetItem: ``{"Item": {...}}``."""
    body = _body(request, required=False)
    item_path, _ = _item_path(path, body)
    from .responses import _json  # late: responses imports this module

    return _json({"Item": kv.get_item(container, item_path, body)})


def get_items(request: WireRequest, container: V3ioContainer, path: str) -> WireResponse:
    """GetItems: ``LastItemIncluded``, ``NumItems``, ``NextMarker`` (only when more
    remain, as the docs say and storey's teardown relies on) and ``Items``."""
    body = _body(request, required=False)
    page = kv.get_items(container, _table(path, body), body)
    payload: dict[str, object] = {
        "LastItemIncluded": "FALSE" if page.next_marker is not None else "TRUE",
        "NumItems": len(page.items),
    }
    if page.next_marker is not None:
        payload["NextMarker"] = page.next_marker
    payload["Items"] = page.items
    from .responses import _json  # late: responses imports this module

    return _json(payload)
