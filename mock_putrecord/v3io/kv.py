"""The NoSQL (KV) functions over a container's objects: an item is an object, its
attributes are kept as the typed wire values they were written with (``{"N": "1.6"}``),
so what was written is what is read back, digit for digit.

Sources: Iguazio's NoSQL web-API reference (PutItem, UpdateItem, GetItem, GetItems),
v3io-py's ``request.py``/``output.py`` and ``tests/test_client.py``, v3io-go's
``context.go`` (``X-v3io-transaction-verifier``) and storey's ``drivers.py``.
"""
from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass
from itertools import islice
from typing import Any, Iterator, Mapping

from . import arrays
from .container import DIRECTORY, OBJECT, SHARD, STREAM, Entry, StoredObject, V3ioContainer
from .exceptions import ConditionFalse, InvalidArgument, NoSuchFileOrDirectory
from .expressions import Item, Value, compile_condition, compile_update

TYPES = ("S", "N", "BOOL", "B", "TS")
MAX_PAGE = 1000
"""Items per GetItems page without a ``Limit`` (the platform may return fewer: docs)."""
MAX_SCANNED = 10_000
"""Entries a GetItems page looks at before it answers (partial responses are allowed:
"might contain less items than specified in the Limit")."""
MAX_TOTAL_SEGMENTS = 1024


def decode(typed: Mapping[str, object]) -> Value:
    """A typed wire value as a Python value for expressions (``N`` as int or float)."""
    kind, value = next(iter(typed.items()))
    if kind == "N":
        text = str(value)
        try:
            return int(text)
        except ValueError:
            return float(text)
    if kind == "B":
        return base64.b64decode(str(value))
    if kind == "BOOL":
        return bool(value)
    return str(value)


def decode_with_arrays(typed: Mapping[str, object]) -> Value | list[int | float]:
    """:func:`decode`, with an array attribute as the list of its values."""
    value = decode(typed)
    if isinstance(value, bytes):
        try:
            return arrays.unpack(value)[0]
        except InvalidArgument:
            pass  # a plain blob
    return value


def encode(value: Value) -> dict[str, object]:
    """A Python value computed by an update expression as a typed wire value."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": repr(value)}
    if isinstance(value, bytes):
        return {"B": base64.b64encode(value).decode()}
    return {"S": value}


SYSTEM_ATTRIBUTES = frozenset({"__name", "__size", "__mtime_secs", "__mtime_nsecs", "__ctime_secs", "__ctime_nsecs",
                               "__inode_number", "__obj_type", "__uid", "__gid", "__mode", "__atime_secs",
                               "__atime_nsecs"})
"""Iguazio's system attributes (its system-attributes reference): read-only. Other names
that start with ``__`` are user attributes: v3io-go's consumer group writes
``__<group>_committed_sequence_number`` on shard objects."""


def validate_attributes(item: Any, name: str = "Item") -> dict[str, dict[str, object]]:
    """A request's typed attributes, checked: each is ``{"<type>": value}``."""
    if not isinstance(item, dict):
        raise InvalidArgument(f"{name} must be a JSON object")
    out: dict[str, dict[str, object]] = {}
    for key, typed in item.items():
        if not key or key in SYSTEM_ATTRIBUTES:
            raise InvalidArgument(f"attribute name {key!r} is a system attribute or empty")
        if not isinstance(typed, dict) or len(typed) != 1:
            raise InvalidArgument(f"attribute {key!r} needs exactly one type")
        (kind, value), = typed.items()
        if kind == "N":
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise InvalidArgument(f"attribute {key!r}: N is a number string")
            try:
                float(value)
            except ValueError:
                raise InvalidArgument(f"attribute {key!r}: {value!r} is not a number") from None
            value = str(value)
        elif kind == "S":
            if not isinstance(value, str):
                raise InvalidArgument(f"attribute {key!r}: S is a string")
        elif kind == "BOOL":
            if not isinstance(value, bool):
                raise InvalidArgument(f"attribute {key!r}: BOOL is true or false")
        elif kind == "B":
            try:
                base64.b64decode(str(value), validate=True)
            except (binascii.Error, ValueError):
                raise InvalidArgument(f"attribute {key!r}: B is base64") from None
        elif kind == "TS":
            if not isinstance(value, str):
                raise InvalidArgument(f"attribute {key!r}: TS is a '<sec>:<nsec>' string")
        else:
            raise InvalidArgument(f"attribute {key!r}: unknown type {kind!r}")
        out[key] = {kind: value}
    return out


def system_attributes(name: str, obj: StoredObject | None, kind: str) -> dict[str, dict[str, object]]:
    """The system attributes of an entry (Iguazio's system-attributes reference).
    ``__obj_type`` is 3 for a shard object (the value v3io-go's consumer group conditions
    on); 1 for other objects and 2 for directories are the mock's choice."""
    obj_type = "3" if kind == SHARD else "2" if kind in (DIRECTORY, STREAM) else "1"
    attrs: dict[str, dict[str, object]] = {"__name": {"S": name}}
    if obj is None:
        attrs["__size"] = {"N": "0"}
        attrs["__obj_type"] = {"N": obj_type}
        return attrs
    mtime, ctime = divmod(obj.mtime_ns, 1_000_000_000), divmod(obj.ctime_ns, 1_000_000_000)
    attrs.update(
        {
            "__size": {"N": str(len(obj.data))},
            "__mtime_secs": {"N": str(mtime[0])},
            "__mtime_nsecs": {"N": str(mtime[1])},
            "__ctime_secs": {"N": str(ctime[0])},
            "__ctime_nsecs": {"N": str(ctime[1])},
            "__inode_number": {"N": str(obj.inode)},
            "__obj_type": {"N": obj_type},
        }
    )
    return attrs


class _Attributes(dict):  # type: ignore[type-arg]
    """An item's attributes for expressions: decoded user attributes, then system ones
    (computed only when an expression reads one)."""

    def __init__(self, name: str, obj: StoredObject | None, kind: str) -> None:
        super().__init__((key, decode(typed)) for key, typed in (obj.attributes if obj else {}).items())
        self._entry = (name, obj, kind)

    def __missing__(self, key: str) -> Value:
        if key.startswith("__"):
            system = system_attributes(*self._entry).get(key)
            if system is not None:
                return decode(system)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


def _select(attrs: dict[str, dict[str, object]], name: str, obj: StoredObject | None, kind: str, wanted: str,
            *, with_name: bool) -> dict[str, dict[str, object]]:
    """``AttributesToGet``: ``*`` user attributes (GetItems adds ``__name``), ``**``
    everything, else a comma-separated list (no spaces around the commas). System
    attributes are computed only when asked for (a GetItems page is O(items) anyway, but
    this keeps the constant small)."""
    if wanted == "*":
        if not with_name:
            return dict(attrs)
        out = dict(attrs)
        out["__name"] = {"S": name}
        return out
    if wanted == "**":
        return {**attrs, **system_attributes(name, obj, kind)}
    out = {}
    system: dict[str, dict[str, object]] | None = None
    for attribute in wanted.split(","):
        value = attrs.get(attribute)
        if value is None and attribute.startswith("__"):
            if system is None:
                system = system_attributes(name, obj, kind)
            value = system.get(attribute)
        if value is not None:
            out[attribute] = value
    return out


def _attributes_to_get(body: Mapping[str, Any]) -> str:
    wanted = body.get("AttributesToGet", "*")
    if not isinstance(wanted, str) or not wanted:
        raise InvalidArgument("AttributesToGet is a comma-separated string")
    return wanted


def _check(container: V3ioContainer, path: str, obj: StoredObject | None, condition: Any) -> None:
    if condition is None or condition == "":
        return
    if not isinstance(condition, str):
        raise InvalidArgument("ConditionExpression is a string")
    predicate = compile_condition(condition)
    name = path.rpartition("/")[2]
    if not predicate(_Attributes(name, obj, container.resolve(path).kind)):
        raise ConditionFalse(f"{container.name}/{path}: {condition}")


def _existing(container: V3ioContainer, path: str) -> StoredObject | None:
    return container.objects.get(path) or container.shard_attributes.get(path)


def put_item(container: V3ioContainer, path: str, body: Mapping[str, Any]) -> StoredObject:
    """PutItem: replace the item's attributes (or, with ``UpdateMode:
    CreateOrReplaceAttributes`` as v3io-py's ``kv.update`` sends, merge them)."""
    attributes = validate_attributes(body.get("Item"))
    mode = body.get("UpdateMode", "Replace")
    if mode not in ("CreateOrReplaceAttributes", "Replace", "CreateOrReplace"):
        raise InvalidArgument(f"UpdateMode {mode!r} is not supported")
    with container.lock:
        _check(container, path, _existing(container, path), body.get("ConditionExpression"))
        obj = container.item_for_write(path)
        if mode == "CreateOrReplaceAttributes":
            obj.attributes.update(attributes)
        else:
            obj.attributes = attributes
        obj.touch()
        return obj


def update_item(container: V3ioContainer, path: str, body: Mapping[str, Any]) -> StoredObject:
    """UpdateItem: run ``UpdateExpression`` if ``ConditionExpression`` holds (or is
    absent), else ``AlternateUpdateExpression`` if given, else fail the condition."""
    expression = body.get("UpdateExpression")
    alternate = body.get("AlternateUpdateExpression")
    if expression is None and alternate is None:
        raise InvalidArgument("UpdateItem needs an UpdateExpression")
    actions = compile_update(expression) if expression is not None else None
    otherwise = compile_update(alternate) if alternate is not None else None
    condition = body.get("ConditionExpression")
    with container.lock:
        existing = _existing(container, path)
        try:
            _check(container, path, existing, condition)
            chosen = actions
        except ConditionFalse:
            if otherwise is None:
                raise
            chosen = otherwise
        if chosen is None:  # only an alternate was given and the condition held
            return existing if existing is not None else container.item_for_write(path)
        current = _Attributes(path.rpartition("/")[2], existing, container.resolve(path).kind)
        updated = dict(existing.attributes) if existing is not None else {}
        for action in chosen:
            if action.name in SYSTEM_ATTRIBUTES:
                raise InvalidArgument(f"{action.name} is a system attribute")
            if action.value is None:
                updated.pop(action.name, None)
                current.pop(action.name, None)
                continue
            value = action.run(current)
            updated[action.name] = encode(value)
            current[action.name] = value
        obj = container.item_for_write(path)
        obj.attributes = updated
        obj.touch()
        return obj


def get_item(container: V3ioContainer, path: str, body: Mapping[str, Any]) -> dict[str, dict[str, object]]:
    """GetItem: the requested attributes (``*``: user attributes only)."""
    wanted = _attributes_to_get(body)
    with container.lock:
        resolved = container.resolve(path)
        kind = resolved.kind
        obj = container.objects.get(path) if kind != SHARD else container.shard_attributes.get(path)
        if kind == "missing" or (kind == SHARD and not container.shard_exists(resolved)):
            raise NoSuchFileOrDirectory(f"{container.name}/{path}")
        name = path.rpartition("/")[2]
        attrs = obj.attributes if obj is not None else {}
        return _select(attrs, name, obj, kind, wanted, with_name=False)


@dataclass(frozen=True)
class Page:
    """One GetItems answer."""

    items: list[dict[str, dict[str, object]]]
    next_marker: str | None
    """``None`` when the scan is complete (the response then has no ``NextMarker``)."""


def _marker(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode()


def _unmarker(marker: str) -> str:
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidArgument("Marker is not one this table issued") from None


def _int_param(body: Mapping[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if type(value) is not int:
        raise InvalidArgument(f"{name} must be an integer")
    return value


def get_items(container: V3ioContainer, path: str, body: Mapping[str, Any]) -> Page:
    """GetItems over the objects of directory ``path`` in name order.

    A page bisects to its ``Marker`` and looks at no more than :data:`MAX_SCANNED`
    entries, so it costs O(entries looked at), whatever the table's size. Subdirectories
    are not items. ``Segment``/``TotalSegment`` split the table by ``crc32(name)``;
    ``ShardingKey`` (with ``SortKeyRangeStart``/``End``) scans names ``<key>.<sort>``.
    """
    wanted = _attributes_to_get(body)
    limit = _int_param(body, "Limit")
    if limit is not None and limit < 1:
        raise InvalidArgument("Limit must be positive")
    segment, total = _int_param(body, "Segment"), _int_param(body, "TotalSegment")
    if (segment is None) != (total is None):
        raise InvalidArgument("Segment and TotalSegment go together")
    if total is not None and segment is not None and not (1 <= total <= MAX_TOTAL_SEGMENTS and 0 <= segment < total):
        raise InvalidArgument(f"Segment must be 0..TotalSegment-1 and TotalSegment 1..{MAX_TOTAL_SEGMENTS}")
    sharding_key = body.get("ShardingKey")
    start_sort, end_sort = body.get("SortKeyRangeStart"), body.get("SortKeyRangeEnd")
    if (start_sort or end_sort) and not sharding_key:
        raise InvalidArgument("SortKeyRangeStart/End need a ShardingKey")
    if sharding_key and total is not None:
        raise InvalidArgument("a range scan and a parallel scan cannot be combined")
    filter_expression = body.get("FilterExpression")
    matches = compile_condition(filter_expression) if filter_expression else None
    marker = body.get("Marker")
    after = _unmarker(marker) if isinstance(marker, str) and marker else None
    stop = low = None
    if sharding_key:
        if not isinstance(sharding_key, str) or not all(isinstance(v, (str, type(None))) for v in (start_sort, end_sort)):
            raise InvalidArgument("ShardingKey and SortKeyRangeStart/End are strings")
        prefix = f"{sharding_key}."
        low = prefix + (start_sort or "")
        # Names of this sharding key sort between "<key>." and "<key>/" ("/" follows ".").
        stop = prefix + end_sort if end_sort else f"{sharding_key}/"
    page_size = limit or MAX_PAGE
    items: list[dict[str, dict[str, object]]] = []
    with container.lock:
        kind = container.resolve(path).kind
        if kind not in (DIRECTORY, STREAM):
            raise NoSuchFileOrDirectory(f"{container.name}/{path}")
        entries: Iterator[Entry] = container.entries(path, after, stop, low)
        last: str | None = None
        for entry in islice(entries, MAX_SCANNED):
            last = entry.name
            if entry.kind not in (OBJECT, SHARD):
                continue
            if total is not None and zlib.crc32(entry.name.encode()) % total != segment:
                continue
            obj = entry.obj
            if matches is not None and not matches(_Attributes(entry.name, obj, entry.kind)):
                continue
            attrs = obj.attributes if obj is not None else {}
            items.append(_select(attrs, entry.name, obj, entry.kind, wanted, with_name=True))
            if len(items) == page_size:
                break
        more = last is not None and next(container.entries(path, last, stop, low), None) is not None
    return Page(items, _marker(last) if more and last is not None else None)

