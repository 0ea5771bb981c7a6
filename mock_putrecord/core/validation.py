"""Server-side validation against botocore's service model: one engine for every service.

An operation's input shape is compiled once into a tree of :class:`~.shapes.ShapeNode`;
a request is walked against it for what the model states (required members, JSON
types, length, value range, pattern, enum, list and map sizes, nested and recursive
structures) plus the rules a service pins (:class:`Validator`'s options). Failures are worded as AWS's
front end (Coral) words them, up to ten joined into one error:
``N validation error(s) detected: Value 'v' at 'path' failed to satisfy constraint: ...``.

Checks run in the order AWS reports them: per member, not-null, pattern, length, value
range, enum. Where services word things differently, a :class:`Wording` says how:

* **Types.** Kinesis (JSON 1.1) runs Coral's deserialiser first (:mod:`.deserialiser`):
  a value of the wrong JSON type fails the whole request with a
  ``SerializationException``; the Feature Store reports it as one more constraint
  failure (``Member must be a string``).
* **Scalar lists.** A list of strings failing is reported once, at the list: Kinesis
  names every constraint its members carry, the Feature Store the ones broken.
* **The count** in the header: Kinesis counts the failures it lists (at most ten), the
  Feature Store every failure.
* **Structures in lists** print as Java objects (``pkg.Shape@c965e310``) where a
  service's captures show them so, else as maps.

The texts are AWS's, as captured by kinesalite against real AWS Kinesis and in the
Feature Store's reference notes.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any, Literal, Mapping, Sequence

from .deserialiser import SerializationException, check_types, type_message
from .errors import ServiceError
from .service_models import service_model
from .shapes import ShapeNode, display_pattern, lower_first, python_pattern

MAX_REPORTED = 10


class ValidationException(ServiceError):
    """One or more constraint failures."""

    code = "ValidationException"


@dataclass(frozen=True)
class Wording:
    """How a service words its validation failures (see the module docstring).

    :param error: the exception raised for constraint failures.
    :param typed_pass: refuse wrong JSON types first with a ``SerializationException``
        (Coral's JSON deserialiser), decoding blobs and truncating numbers as it does;
        when false, a wrong type is a constraint failure (``Member must be a string``).
    :param scalar_lists: ``"declared"``: a failing list of strings names every
        constraint its members carry; ``"broken"``: only those some member breaks (with
        ``Member must not be null`` for a null member).
    :param count_all: the header counts every failure, not only the ten listed.
    :param java_package: structures in a failing list print as ``{java_package}.Shape@c965e310``
        (empty: as maps).
    """

    error: type[ServiceError] = ValidationException
    typed_pass: bool = True
    scalar_lists: Literal["declared", "broken"] = "declared"
    count_all: bool = False
    java_package: str = ""


class Validator:
    """Validates the JSON input of one service's operations.

    :param service_name: botocore's name for the service model (``kinesis``).
    :param wording: how the service words failures (Kinesis's by default).
    :param member_order: per operation (or nested structure shape name), member names
        in the order AWS reports them; members not listed follow in model order.
    :param enum_order: per shape name, enum values in the order AWS prints them.
    :param required: per structure shape name, members the service requires even where
        the installed botocore model (which changes between releases) does not say so.
    :param bounds: per scalar shape name, ``min``/``max`` the service enforces where the
        model states none.
    """

    def __init__(
        self,
        service_name: str,
        wording: Wording = Wording(),
        *,
        member_order: Mapping[str, Sequence[str]] | None = None,
        enum_order: Mapping[str, Sequence[str]] | None = None,
        required: Mapping[str, Sequence[str]] | None = None,
        bounds: Mapping[str, Mapping[str, float]] | None = None,
    ) -> None:
        self._service_name = service_name
        self._wording = wording
        self._typed = wording.typed_pass
        self._enum_order = dict(enum_order or {})
        self._required = dict(required or {})
        self._bounds = {name: dict(limits) for name, limits in (bounds or {}).items()}
        self._member_order = dict(member_order or {})
        self._plans: dict[str, ShapeNode] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ compile
    def has_operation(self, operation: str) -> bool:
        """True when the installed botocore's model has ``operation``."""
        return operation in service_model(self._service_name).operation_names

    def plan(self, operation: str) -> ShapeNode:
        """The compiled input shape of ``operation`` (built once)."""
        node = self._plans.get(operation)
        if node is None:
            with self._lock:
                shape = service_model(self._service_name).operation_model(operation).input_shape
                node = ShapeNode("structure") if shape is None else self._compile(
                    shape, {}, self._member_order.get(operation))
                self._plans[operation] = node
        return node

    def _compile(self, shape: Any, done: dict[str, ShapeNode], order: Sequence[str] | None = None) -> ShapeNode:
        if order is None and shape.name in done:  # recursive shapes (SageMaker's Search) end here
            return done[shape.name]
        meta = shape.metadata
        wording = self._wording
        kind = shape.type_name
        node = ShapeNode(type_name=kind, name=shape.name, list_phrases=wording.scalar_lists)
        done[shape.name] = node
        if not wording.typed_pass:
            node.type_phrase = f"Member must be {_TYPE_NAMES.get(kind, 'a ' + kind)}"
            node.accepts = _JSON_TYPES.get(kind, (object,))
            node.no_bool = kind in ("integer", "long", "float", "double", "timestamp")
        if kind == "structure":
            if order is None:
                order = self._member_order.get(shape.name, ())
            names = [n for n in order if n in shape.members]
            names += [n for n in shape.members if n not in names]
            required = set(shape.required_members) | set(self._required.get(shape.name, ()))
            node.members = [(n, lower_first(n), self._compile(shape.members[n], done), n in required) for n in names]
            if wording.java_package:
                node.member_str = f"{wording.java_package}.{shape.name}@c965e310"
        elif kind == "list":
            node.member = self._compile(shape.member, done)
        elif kind == "map":
            node.key = self._compile(shape.key, done)
            node.value = self._compile(shape.value, done)
        if kind in ("string", "blob", "list", "map"):
            node.min_len = meta.get("min")
            node.max_len = meta.get("max")
            node.sized = node.min_len is not None or node.max_len is not None
        elif kind in ("integer", "long", "float", "double"):
            limits = {**self._bounds.get(shape.name, {}), **{k: meta[k] for k in ("min", "max") if k in meta}}
            node.min_value = limits.get("min")
            node.max_value = limits.get("max")
            node.ranged = node.min_value is not None or node.max_value is not None
        if "pattern" in meta:
            node.regex = python_pattern(meta["pattern"])
            node.pattern = display_pattern(meta["pattern"])
        enum = getattr(shape, "enum", None)
        if enum:
            node.enum = list(self._enum_order.get(shape.name, enum))
        return node

    # ------------------------------------------------------------ validate
    def validate(self, operation: str, params: Any) -> Any:
        """Check ``params`` (the parsed JSON body) against ``operation``'s input shape.

        :returns: with a typed pass, the parameters as Coral reads them (members unknown
            to the model dropped, blobs decoded); else ``params`` itself.
        :raises SerializationException: for a value of the wrong JSON type (typed pass).
        :raises ServiceError: the wording's error, for constraint failures.
        """
        node = self._plans.get(operation)
        if node is None:
            node = self.plan(operation)
        failures = _Failures()
        if self._typed:
            if not isinstance(params, dict):
                raise SerializationException(type_message(params, node))
            params = check_types(params, node)
            _check_structure(params, node, "", failures)
        else:
            _check_value(params, node, "", failures)
        if failures.count:
            count = failures.count if self._wording.count_all else len(failures.messages)
            raise self._wording.error(format_validation_errors(failures.messages, count))
        return params


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
    "string": (str,),
    "blob": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "timestamp": (int, float, str),
    "double": (int, float),
    "float": (int, float),
}
_TYPE_NAMES = {
    "structure": "a structure",
    "list": "a list",
    "map": "a map",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "boolean": "a boolean",
    "timestamp": "a timestamp",
    "double": "a number",
    "float": "a number",
    "blob": "a string",
}


def format_validation_errors(errors: Sequence[str], count: int | None = None) -> str:
    """Join constraint failures the way AWS does: at most ten listed, and ``count``
    (default: how many are listed) in the header."""
    count = min(len(errors), MAX_REPORTED) if count is None else count
    plural = "s" if count > 1 else ""
    return f"{count} validation error{plural} detected: " + "; ".join(list(errors)[:MAX_REPORTED])


def failure(shown: str | None, path: str, constraint: str) -> str:
    """One failure as AWS words it; ``shown`` is the printed value (:func:`shown_value`),
    ``None`` where AWS redacts it (blobs: the text then ends with a period)."""
    if shown is None:
        return f"Value at '{path}' failed to satisfy constraint: {constraint}."
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


# ---------------------------------------------------------------- constraints
class _Failures:
    """The failures found: every one counted, the first ten worded."""

    __slots__ = ("messages", "count")

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.count = 0

    def add(self, value: Any, node: ShapeNode, path: str, constraint: str) -> None:
        self.count += 1
        if len(self.messages) < MAX_REPORTED:
            self.messages.append(failure(shown_value(value, node), path, constraint))


class _Phrases:
    """The constraints the members of a scalar list break, each once, in order found."""

    __slots__ = ("phrases",)

    def __init__(self) -> None:
        self.phrases: list[str] = []

    def add(self, value: Any, node: ShapeNode, path: str, constraint: str) -> None:
        if constraint not in self.phrases:
            self.phrases.append(constraint)


_Sink = _Failures | _Phrases


def shown_value(value: Any, node: ShapeNode) -> str | None:
    """How AWS prints a failing value: Java's ``toString``, quoted (``None`` = redacted,
    as for blobs)."""
    if value is None:
        return "null"
    kind = node.type_name
    if kind == "blob":
        return None
    if kind == "list" and node.member is not None and node.member.member_str and isinstance(value, list):
        return "'[" + ", ".join([node.member.member_str] * len(value)) + "]'"
    return f"'{java_string(value)}'"


_JAVA_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
"""Java's spelling (``Double.toString``) of the values Python prints as ``nan``/``inf``."""


class _Text(str):
    """Literal output in :func:`java_string`'s work stack (never a JSON value)."""


def java_string(value: Any) -> str:
    """Java's ``toString`` of a JSON value (lists ``[a, b]``, maps ``{k=v}``, ``null``,
    ``true``, ``NaN``). Iterative: a hostile body may nest lists far deeper than Python's
    recursion limit."""
    if type(value) is str:
        return value
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            out.append(item)
        elif item is None:
            out.append("null")
        elif isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, float) and not math.isfinite(item):
            out.append(_JAVA_NON_FINITE[str(item)])
        elif isinstance(item, (list, dict)):
            pairs = list(item.items()) if isinstance(item, dict) else [(None, element) for element in item]
            close, open_ = ("}", "{") if isinstance(item, dict) else ("]", "[")
            stack.append(_Text(close))
            for index in range(len(pairs) - 1, -1, -1):
                key, element = pairs[index]
                stack.append(element)
                if key is not None:
                    stack.append(_Text(f"{key}="))
                if index:
                    stack.append(_Text(", "))
            stack.append(_Text(open_))
        else:
            out.append(str(item))
    return "".join(out)


_JAVA_INT_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


def _check_non_finite(value: float, node: ShapeNode, path: str, sink: _Sink) -> None:
    """NaN or ±Infinity in an integer member: no integer fits, so it fails the member's
    value range, reported in AWS's constraint format with the member's path (the bound
    the model or the service states, else Java's integer range). NaN is reported
    against the lower bound."""
    low, high = _JAVA_INT_RANGE[node.type_name]
    if value > 0:
        bound = node.max_value if node.max_value is not None else high
        sink.add(value, node, path, f"Member must have value less than or equal to {_bound_str(bound)}")
    else:
        bound = node.min_value if node.min_value is not None else low
        sink.add(value, node, path, f"Member must have value greater than or equal to {_bound_str(bound)}")


def _bound_str(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _check_structure(value: dict[str, Any], node: ShapeNode, parent: str, sink: _Sink) -> None:
    prefix = parent + "." if parent else ""
    for name, path_name, child, required in node.members:
        item = value.get(name)
        if item is None:
            if required:
                sink.add(None, child, prefix + path_name, "Member must not be null")
            continue
        _check_value(item, child, prefix + path_name, sink)


def _check_value(value: Any, node: ShapeNode, path: str, sink: _Sink) -> None:
    accepts = node.accepts
    if accepts is not None and (not isinstance(value, accepts) or (node.no_bool and type(value) is bool)):
        sink.add(value, node, path, node.type_phrase)
        return
    kind = node.type_name
    if kind == "structure":  # no constraints of its own
        _check_structure(value, node, path, sink)
        return
    if type(value) is float and kind in _JAVA_INT_RANGE:  # only a non-finite one is left a float
        _check_non_finite(value, node, path, sink)
        return
    if node.regex is not None and isinstance(value, str) and not node.regex.fullmatch(value):
        sink.add(value, node, path, f"Member must satisfy regular expression pattern: {node.pattern}")
    if node.sized:
        length = len(value)
        if node.min_len is not None and length < node.min_len:
            sink.add(value, node, path, f"Member must have length greater than or equal to {node.min_len}")
        if node.max_len is not None and length > node.max_len:
            sink.add(value, node, path, f"Member must have length less than or equal to {node.max_len}")
    if node.ranged:
        if node.min_value is not None and value < node.min_value:
            sink.add(value, node, path, f"Member must have value greater than or equal to {node.min_value}")
        if node.max_value is not None and value > node.max_value:
            sink.add(value, node, path, f"Member must have value less than or equal to {node.max_value}")
    if node.enum is not None and value not in node.enum:
        sink.add(value, node, path, "Member must satisfy enum value set: [" + ", ".join(node.enum) + "]")
    if kind in _SCALAR_KINDS:
        return
    if kind == "list" and node.member is not None:
        if node.member.type_name in _SCALARS:
            # Scalar members are judged together and reported once, at the list.
            _check_scalars(value, value, node.member, node, path, "Member must satisfy constraint", sink)
            return
        for index, item in enumerate(value, 1):
            if item is None:  # a structure list's items are required, as AWS reports them
                sink.add(None, node.member, f"{path}.{index}.member", "Member must not be null")
                continue
            _check_value(item, node.member, f"{path}.{index}.member", sink)
    elif kind == "map" and node.value is not None:
        if node.key is not None:
            _check_scalars(list(value), value, node.key, node, path, "Map keys must satisfy constraint", sink)
        if node.value.type_name in _SCALARS:
            _check_scalars(list(value.values()), value, node.value, node, path, "Map value must satisfy constraint",
                           sink)
            return
        for key, item in value.items():
            if item is not None:
                _check_value(item, node.value, f"{path}.{key}.member", sink)


_SCALARS = frozenset({"string", "blob"})
_SCALAR_KINDS = frozenset({"string", "blob", "integer", "long", "float", "double", "boolean", "timestamp"})


def _check_scalars(items: list[Any], whole: Any, member: ShapeNode, container: ShapeNode, path: str, lead: str,
                   sink: _Sink) -> None:
    """Coral's check of a list's (or map's) scalar members: one failure at the container,
    e.g. ``Member must satisfy constraint: [Member must have length less than or equal
    to 128, Member must have length greater than or equal to 1]``, naming the
    constraints as the container's wording says (:class:`Wording`'s ``scalar_lists``)."""
    if container.list_phrases == "broken":
        found = _Phrases()
        for item in items:
            if item is None:
                found.add(None, member, path, "Member must not be null")
            else:
                _check_value(item, member, path, found)
        if found.phrases:
            sink.add(whole, container, path, f"{lead}: [" + ", ".join(found.phrases) + "]")
        return
    constraints: list[str] = []
    if member.max_len is not None:
        constraints.append(f"Member must have length less than or equal to {member.max_len}")
    if member.min_len is not None:
        constraints.append(f"Member must have length greater than or equal to {member.min_len}")
    if member.regex is not None:
        constraints.append(f"Member must satisfy regular expression pattern: {member.pattern}")
    if member.enum is not None:
        constraints.append("Member must satisfy enum value set: [" + ", ".join(member.enum) + "]")
    if not constraints:
        return

    def fits(item: Any) -> bool:
        if not isinstance(item, (str, bytes)):
            return True
        if member.max_len is not None and len(item) > member.max_len:
            return False
        if member.min_len is not None and len(item) < member.min_len:
            return False
        if member.regex is not None and isinstance(item, str) and not member.regex.fullmatch(item):
            return False
        return member.enum is None or item in member.enum

    if not all(fits(item) for item in items):
        sink.add(whole, container, path, f"{lead}: [" + ", ".join(constraints) + "]")
