"""SageMaker ``Search`` over plain resource dicts (the FeatureGroup and FeatureMetadata
resources of this mock).

A resource is the dict a ``SearchRecord`` carries (``{"FeatureGroupName": ..., "Tags":
[...]}``). Property names are dotted paths into it (``OnlineStoreConfig.StorageType``);
``Tags.<key>`` and ``Parameters.<key>`` address a tag's or a feature parameter's value;
a path through a list matches when any element matches. ``NestedFilters`` hold when one
element of the ``NestedPropertyName`` list satisfies every filter (their names repeat
the list's name as prefix, as in AWS's examples). Values compare as numbers when both
sides are numbers, as instants when the property is a timestamp, else as text.
"""
from __future__ import annotations

import datetime
import math
from typing import Any, Callable, Iterable, Mapping, Sequence

from .exceptions import ValidationException

Resource = Mapping[str, Any]
_MISSING = object()
_KEYED_LISTS = ("Tags", "Parameters")  # lists of {Key, Value} addressed as Name.<key>
TIMESTAMP_PROPERTIES = frozenset({"CreationTime", "LastModifiedTime"})


def _values(resource: Any, path: Sequence[str]) -> list[Any]:
    """Every value at ``path`` (several through lists; none when absent)."""
    if not path:
        return [resource]
    if isinstance(resource, list):
        return [value for item in resource for value in _values(item, path)]
    if not isinstance(resource, Mapping):
        return []
    head, rest = path[0], path[1:]
    if head in _KEYED_LISTS and rest and isinstance(resource.get(head), list):
        key = ".".join(rest)  # keys may contain dots
        return [item.get("Value") for item in resource[head] if isinstance(item, Mapping) and item.get("Key") == key]
    value = resource.get(head, _MISSING)
    if value is _MISSING or value is None:
        return []
    return _values(value, rest)


def _number(text: Any) -> float | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text)
    try:
        value = float(str(text))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _instant(text: str) -> float | None:
    number = _number(text)
    if number is not None:
        return number
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compare(actual: Any, wanted: str, timestamp: bool) -> int | None:
    """-1/0/1 of ``actual`` against ``wanted``, ``None`` when they do not compare."""
    if timestamp:
        left, right = _number(actual), _instant(wanted)
    else:
        left, right = _number(actual), _number(wanted)
        if left is None or right is None:
            a, b = _text(actual), wanted
            return (a > b) - (a < b)
    if left is None or right is None:
        return None
    return (left > right) - (left < right)


_ORDERINGS: dict[str, Callable[[int], bool]] = {
    "Equals": lambda order: order == 0,
    "NotEquals": lambda order: order != 0,
    "GreaterThan": lambda order: order > 0,
    "GreaterThanOrEqualTo": lambda order: order >= 0,
    "LessThan": lambda order: order < 0,
    "LessThanOrEqualTo": lambda order: order <= 0,
}


def _filter(spec: Mapping[str, Any], prefix: str = "") -> Callable[[Resource], bool]:
    """One ``Filter`` as a predicate (checked once, applied per resource)."""
    name: str = spec["Name"]
    operator = spec.get("Operator")
    value = spec.get("Value")
    if operator is None:
        if value is None:
            raise ValidationException(f"Validation Error: The Filter on [{name}] needs a Value or an Operator.")
        operator = "Equals"  # "If you specify a Value, but not an Operator, SageMaker uses the equals operator."
    if operator not in ("Exists", "NotExists") and value is None:
        raise ValidationException(f"Validation Error: The Filter on [{name}] with Operator [{operator}] needs a Value.")
    if prefix and name.startswith(prefix + "."):
        name = name[len(prefix) + 1 :]
    path = name.split(".")
    timestamp = path[-1] in TIMESTAMP_PROPERTIES
    if operator == "Exists":
        return lambda resource: bool(_values(resource, path))
    if operator == "NotExists":
        return lambda resource: not _values(resource, path)
    wanted = str(value)
    if operator == "Contains":
        lowered = wanted.lower()  # AWS's Contains is a case-insensitive substring match
        return lambda resource: any(lowered in _text(item).lower() for item in _values(resource, path))
    if operator == "In":
        choices = {choice.strip() for choice in wanted.split(",")}
        return lambda resource: any(_text(item) in choices for item in _values(resource, path))
    ordering = _ORDERINGS[operator]
    if operator == "NotEquals":
        return lambda resource: all(_compare(item, wanted, timestamp) != 0 for item in _values(resource, path))

    def matches(resource: Resource) -> bool:
        for item in _values(resource, path):
            order = _compare(item, wanted, timestamp)
            if order is not None and ordering(order):
                return True
        return False

    return matches


def compile_expression(expression: Mapping[str, Any] | None) -> Callable[[Resource], bool]:
    """A ``SearchExpression`` (shape-valid) as a predicate."""
    if not expression:
        return lambda resource: True
    parts: list[Callable[[Resource], bool]] = [_filter(spec) for spec in expression.get("Filters") or ()]
    for nested in expression.get("NestedFilters") or ():
        parts.append(_nested(nested))
    parts.extend(compile_expression(sub) for sub in expression.get("SubExpressions") or ())
    if expression.get("Operator") == "Or":
        return lambda resource: any(part(resource) for part in parts) if parts else True
    return lambda resource: all(part(resource) for part in parts)


def _nested(spec: Mapping[str, Any]) -> Callable[[Resource], bool]:
    name: str = spec["NestedPropertyName"]
    checks = [_filter(item, prefix=name) for item in spec["Filters"]]
    path = name.split(".")

    def matches(resource: Resource) -> bool:
        for element in _values(resource, path):
            items = element if isinstance(element, list) else [element]
            if any(all(check(item) for check in checks) for item in items):
                return True
        return False

    return matches


def sort_resources(resources: Iterable[Resource], sort_by: str | None, sort_order: str | None) -> list[Resource]:
    """Sorted by ``sort_by`` (default ``LastModifiedTime``, falling back to
    ``CreationTime`` for resources never modified), ``Descending`` unless told;
    resources without the property come last."""
    name = sort_by or "LastModifiedTime"
    path = name.split(".")
    descending = (sort_order or "Descending") == "Descending"

    def key(resource: Resource) -> Any:
        values = _values(resource, path)
        if not values and name == "LastModifiedTime":
            values = _values(resource, ["CreationTime"])
        if not values:
            return None
        value = values[0]
        number = _number(value)
        return (0, number, "") if number is not None else (1, 0.0, _text(value))

    resources = list(resources)
    present = [resource for resource in resources if key(resource) is not None]
    absent = [resource for resource in resources if key(resource) is None]
    present.sort(key=key, reverse=descending)
    return present + absent
