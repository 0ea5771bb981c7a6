"""Server-side validation of JSON-protocol requests, driven by botocore's service model.

AWS's JSON services (Kinesis, the SageMaker control plane) check a request in two
passes, and so does this module:

1. **Types** — a value of the wrong JSON type fails the whole request with a
   ``SerializationException`` whose text is Coral's (``Start of list found where not
   expected``, ``class java.lang.String can not be converted to an Integer``...).
2. **Constraints** — ``required``/min/max/pattern/enum from the model; up to ten
   failures are joined into one ``ValidationException``:
   ``N validation error(s) detected: Value 'v' at 'path' failed to satisfy constraint: ...``.

The texts are AWS's, as captured by kinesalite against real AWS. Checks run in the
order AWS reports them: per member, not-null, pattern, length, value range, enum. A
service can pin the member order per operation (``member_order``) where AWS's order
differs from the model's.
"""
from __future__ import annotations

import binascii
import math
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .errors import ServiceError

MAX_REPORTED = 10


class SerializationException(ServiceError):
    """A value of the wrong JSON type (Coral's deserialiser failed)."""

    code = "SerializationException"
    message_key = "Message"  # Coral spells this one with a capital M


class ValidationException(ServiceError):
    """One or more constraint failures."""

    code = "ValidationException"


@dataclass
class _Node:
    """A compiled shape: what to check for one value."""

    type_name: str
    name: str = ""
    member_str: str = ""
    min_len: int | None = None
    max_len: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    pattern: str | None = None
    regex: re.Pattern[str] | None = None
    enum: list[str] | None = None
    members: list[tuple[str, "_Node", bool]] = field(default_factory=list)
    member: "_Node | None" = None
    key: "_Node | None" = None
    value: "_Node | None" = None


def lower_first(name: str) -> str:
    """``StreamName`` -> ``streamName`` (AWS's spelling of member paths)."""
    return name[:1].lower() + name[1:]


class Validator:
    """Validates the JSON input of one service's operations.

    :param service_name: botocore's name for the service model (``kinesis``).
    :param member_order: per operation (or nested structure shape name), member names
        in the order AWS reports them; members not listed follow in model order.
    :param java_package: the Java package AWS prints for structure list items, e.g.
        ``com.amazonaws.kinesis.v20131202``.
    :param enum_order: per shape name, enum values in the order AWS prints them.
    :param required: per structure shape name, members the service requires even where
        the installed botocore model (which changes between releases) does not say so.
    :param bounds: per scalar shape name, ``min``/``max`` the service enforces where the
        model states none.
    """

    def __init__(
        self,
        service_name: str,
        member_order: Mapping[str, Sequence[str]] | None = None,
        java_package: str = "",
        enum_order: Mapping[str, Sequence[str]] | None = None,
        required: Mapping[str, Sequence[str]] | None = None,
        bounds: Mapping[str, Mapping[str, float]] | None = None,
    ) -> None:
        self._service_name = service_name
        self._enum_order = dict(enum_order or {})
        self._required = dict(required or {})
        self._bounds = {name: dict(limits) for name, limits in (bounds or {}).items()}
        self._member_order = dict(member_order or {})
        self._java_package = java_package
        self._plans: dict[str, _Node] = {}
        self._lock = threading.Lock()
        self._model: Any = None

    # ------------------------------------------------------------ compile
    def _service_model(self) -> Any:
        if self._model is None:
            import botocore.session

            self._model = botocore.session.get_session().get_service_model(self._service_name)
        return self._model

    def has_operation(self, operation: str) -> bool:
        """True when the installed botocore's model has ``operation``."""
        return operation in self._service_model().operation_names

    def plan(self, operation: str) -> _Node:
        """The compiled input shape of ``operation`` (built once)."""
        node = self._plans.get(operation)
        if node is None:
            with self._lock:
                shape = self._service_model().operation_model(operation).input_shape
                node = self._compile(shape, self._member_order.get(operation))
                self._plans[operation] = node
        return node

    def _compile(self, shape: Any, order: Sequence[str] | None = None) -> _Node:
        meta = shape.metadata
        node = _Node(type_name=shape.type_name, name=shape.name)
        if shape.type_name == "structure":
            if order is None:
                order = self._member_order.get(shape.name, ())
            names = [n for n in order if n in shape.members]
            names += [n for n in shape.members if n not in names]
            required = set(shape.required_members) | set(self._required.get(shape.name, ()))
            node.members = [(n, self._compile(shape.members[n]), n in required) for n in names]
            node.member_str = f"{self._java_package}.{shape.name}@c965e310"
        elif shape.type_name == "list":
            node.member = self._compile(shape.member)
        elif shape.type_name == "map":
            node.key = self._compile(shape.key)
            node.value = self._compile(shape.value)
        if shape.type_name in ("string", "blob", "list", "map"):
            node.min_len = meta.get("min")
            node.max_len = meta.get("max")
        elif shape.type_name in ("integer", "long", "float", "double"):
            limits = {**self._bounds.get(shape.name, {}), **{k: meta[k] for k in ("min", "max") if k in meta}}
            node.min_value = limits.get("min")
            node.max_value = limits.get("max")
        if "pattern" in meta:
            node.pattern = display_pattern(meta["pattern"])
            node.regex = re.compile(meta["pattern"])
        enum = getattr(shape, "enum", None)
        if enum:
            node.enum = list(self._enum_order.get(shape.name, enum))
        return node

    # ------------------------------------------------------------ validate
    def validate(self, operation: str, params: Any) -> dict[str, Any]:
        """Check ``params`` (the parsed JSON body) against ``operation``'s input shape.

        :returns: the parameters with members unknown to the model dropped.
        :raises SerializationException: for a value of the wrong JSON type.
        :raises ValidationException: for constraint failures.
        """
        node = self.plan(operation)
        if not isinstance(params, dict):
            raise SerializationException(_type_message(params, node))
        cleaned: dict[str, Any] = _check_types(params, node)
        errors: list[str] = []
        _check_structure(cleaned, node, "", errors)
        if errors:
            raise ValidationException(format_validation_errors(errors))
        return cleaned

    def constraint_errors(self, operation: str, params: dict[str, Any]) -> list[str]:
        """The constraint failures of already type-checked ``params`` (no exception)."""
        errors: list[str] = []
        _check_structure(params, self.plan(operation), "", errors)
        return errors


def display_pattern(pattern: str) -> str:
    """The pattern as AWS prints it. Newer botocore models anchor their patterns
    (``^(0|([1-9]\\d{0,38}))$``); the service's messages show the bare pattern
    (``0|([1-9]\\d{0,38})``), and the check is a full match either way."""
    if not (pattern.startswith("^") and pattern.endswith("$")):
        return pattern
    inner = pattern[1:-1]
    if inner.startswith("(") and inner.endswith(")") and _balanced(inner[1:-1]):
        return inner[1:-1]
    return inner


def _balanced(text: str) -> bool:
    """True when the parentheses in ``text`` pair up (so outer ones may be dropped)."""
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def format_validation_errors(errors: Sequence[str]) -> str:
    """Join constraint failures the way AWS does."""
    errors = list(errors)[:MAX_REPORTED]
    plural = "s" if len(errors) > 1 else ""
    return f"{len(errors)} validation error{plural} detected: " + "; ".join(errors)


# ---------------------------------------------------------------- pass 1: types
_JAVA_NAMES = {"integer": "Integer", "long": "Long", "float": "Float", "double": "Double"}


def _type_message(value: Any, node: _Node) -> str:
    """Coral's message for ``value`` given where a ``node`` was expected."""
    kind = node.type_name
    if isinstance(value, list):
        return "Start of list found where not expected"
    if isinstance(value, dict):
        return "Start of structure or map found where not expected."
    if kind == "list":
        return "Expected list or null"
    if kind == "map":
        return "Expected map or null"
    if kind == "structure":
        return "Expected null"
    if kind == "timestamp":
        java = "java.lang.Boolean" if isinstance(value, bool) else "java.lang.String"
        return f"class {java} can not be converted to milliseconds since epoch"
    if kind == "boolean":
        if isinstance(value, str):
            return f"'{value.upper()}' can not be converted to an Boolean"
        return "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"
    if isinstance(value, bool):
        source = "java.lang.Boolean"
    elif isinstance(value, (int, float)):
        source = "com.amazon.coral.value.json.numbers.TruncatingBigNumber"
    else:
        source = "java.lang.String"
    if kind == "blob":
        return f"class {source} can not be converted to a Blob"
    return f"class {source} can not be converted to an {_JAVA_NAMES.get(kind, 'String')}"


def _check_types(value: Any, node: _Node) -> Any:
    """Return ``value`` coerced as Coral would, or raise SerializationException."""
    if value is None:
        return None
    kind = node.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise SerializationException(_type_message(value, node))
        cleaned: dict[str, Any] = {}
        for name, child, _ in node.members:
            item = value.get(name)
            if item is not None:
                checked = _check_types(item, child)
                if checked is not None:
                    cleaned[name] = checked
        return cleaned
    if kind == "list":
        if not isinstance(value, list):
            raise SerializationException(_type_message(value, node))
        assert node.member is not None
        return [_check_types(item, node.member) for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise SerializationException(_type_message(value, node))
        assert node.value is not None
        return {k: _check_types(v, node.value) for k, v in value.items()}
    if kind == "string":
        if not isinstance(value, str):
            raise SerializationException(_type_message(value, node))
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SerializationException(_type_message(value, node))
        if not math.isfinite(value):
            return value  # NaN or ±Infinity: the constraint pass names the member
        number = int(value // 1)
        return min(number, 2147483647) if kind == "integer" else number
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SerializationException(_type_message(value, node))
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise SerializationException(_type_message(value, node))
        return value
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SerializationException(_type_message(value, node))
        if not math.isfinite(value):
            # NaN and Infinity are not JSON: AWS's parser refuses the body as it refuses
            # any other malformed JSON (no message).
            raise SerializationException("")
        return value
    if kind == "blob":
        if not isinstance(value, str):
            raise SerializationException(_type_message(value, node))
        return decode_blob(value)
    return value


_BASE64_BAD_CHAR = re.compile(r"[^a-zA-Z0-9+/=]|=[^=]")


def decode_blob(text: str) -> bytes:
    """Decode a base64 blob member, with Coral's messages for malformed input."""
    if len(text) % 4:
        raise SerializationException(
            f"'{text}' can not be converted to a Blob: Base64 encoded length is expected a "
            f"multiple of 4 bytes but found: {len(text)}"
        )
    match = _BASE64_BAD_CHAR.search(text)
    if match:
        raise SerializationException(
            f"'{text}' can not be converted to a Blob: Invalid Base64 character: '{match.group(0)[0]}'"
        )
    try:
        data = binascii.a2b_base64(text)
    except binascii.Error:
        data = b""
    if binascii.b2a_base64(data, newline=False).decode("ascii") != text:
        raise SerializationException(
            f"'{text}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"
        )
    return data


# ---------------------------------------------------------------- pass 2: constraints
def _value_str(value: Any, node: _Node) -> str | None:
    """How AWS prints a failing value (``None`` = redacted, as for blobs)."""
    if value is None:
        return "null"
    kind = node.type_name
    if kind == "blob":
        return None
    if kind == "list":
        member = node.member
        if member is not None and member.type_name == "structure":
            items = [member.member_str] * len(value)
        else:
            items = [str(item) for item in value]
        return "'[" + ", ".join(items) + "]'"
    if kind == "map":
        return "'{" + ", ".join(f"{k}={v}" for k, v in value.items()) + "}'"
    if isinstance(value, bool):
        return "'" + str(value).lower() + "'"
    if isinstance(value, float) and not math.isfinite(value):
        return "'" + _JAVA_NON_FINITE[str(value)] + "'"
    return f"'{value}'"


_JAVA_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
"""Java's spelling (``Double.toString``) of the values Python prints as ``nan``/``inf``."""
_JAVA_INT_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


def _check_non_finite(value: float, node: _Node, path: str, errors: list[str]) -> None:
    """NaN or ±Infinity in an integer member: no integer fits, so it fails the member's
    value range, reported in AWS's constraint format with the member's path (the bound
    the model or the service states, else Java's integer range). NaN is reported
    against the lower bound."""
    low, high = _JAVA_INT_RANGE[node.type_name]
    if value > 0:
        bound = node.max_value if node.max_value is not None else high
        _fail(errors, value, node, path, f"Member must have value less than or equal to {_bound_str(bound)}")
    else:
        bound = node.min_value if node.min_value is not None else low
        _fail(errors, value, node, path, f"Member must have value greater than or equal to {_bound_str(bound)}")


def _bound_str(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _fail(errors: list[str], value: Any, node: _Node, path: str, constraint: str) -> None:
    if len(errors) >= MAX_REPORTED:
        return
    shown = _value_str(value, node)
    if shown is None:  # AWS redacts blob values and ends these messages with a period
        errors.append(f"Value at '{path}' failed to satisfy constraint: {constraint}.")
    else:
        errors.append(f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}")


def _check_structure(value: dict[str, Any], node: _Node, parent: str, errors: list[str]) -> None:
    prefix = parent + "." if parent else ""
    for name, child, required in node.members:
        path = prefix + lower_first(name)
        item = value.get(name)
        if item is None:
            if required:
                _fail(errors, None, child, path, "Member must not be null")
            continue
        _check_value(item, child, path, errors)


def _check_value(value: Any, node: _Node, path: str, errors: list[str]) -> None:
    kind = node.type_name
    if type(value) is float and kind in _JAVA_INT_RANGE:  # only a non-finite one is left a float
        _check_non_finite(value, node, path, errors)
        return
    if node.regex is not None and isinstance(value, str) and not node.regex.fullmatch(value):
        _fail(errors, value, node, path, f"Member must satisfy regular expression pattern: {node.pattern}")
    if node.min_len is not None or node.max_len is not None:
        length = len(value)
        if node.min_len is not None and length < node.min_len:
            _fail(errors, value, node, path, f"Member must have length greater than or equal to {node.min_len}")
        if node.max_len is not None and length > node.max_len:
            _fail(errors, value, node, path, f"Member must have length less than or equal to {node.max_len}")
    if node.min_value is not None and value < node.min_value:
        _fail(errors, value, node, path, f"Member must have value greater than or equal to {node.min_value}")
    if node.max_value is not None and value > node.max_value:
        _fail(errors, value, node, path, f"Member must have value less than or equal to {node.max_value}")
    if node.enum is not None and value not in node.enum:
        _fail(errors, value, node, path, "Member must satisfy enum value set: [" + ", ".join(node.enum) + "]")
    if kind == "structure":
        _check_structure(value, node, path, errors)
    elif kind == "list" and node.member is not None:
        if node.member.type_name in _SCALARS:
            # Scalar members are judged together and reported once, at the list.
            _check_scalars(value, value, node.member, node, path, "Member must satisfy constraint", errors)
            return
        for index, item in enumerate(value, 1):
            if item is None:  # a structure list's items are required, as AWS reports them
                _fail(errors, None, node.member, f"{path}.{index}.member", "Member must not be null")
                continue
            _check_value(item, node.member, f"{path}.{index}.member", errors)
    elif kind == "map" and node.value is not None:
        if node.key is not None:
            _check_scalars(list(value), value, node.key, node, path, "Map keys must satisfy constraint", errors)
        if node.value.type_name in _SCALARS:
            _check_scalars(list(value.values()), value, node.value, node, path, "Map value must satisfy constraint",
                           errors)
            return
        for key, item in value.items():
            if item is not None:
                _check_value(item, node.value, f"{path}.{key}.member", errors)


_SCALARS = frozenset({"string", "blob"})


def _check_scalars(items: list[Any], whole: Any, member: _Node, container: _Node, path: str, lead: str,
                   errors: list[str]) -> None:
    """Coral's check of a list's (or map's) scalar members: one failure at the container,
    naming every constraint the members carry, e.g. ``Member must satisfy constraint:
    [Member must have length less than or equal to 128, Member must have length greater
    than or equal to 1]``."""
    constraints: list[str] = []
    if member.max_len is not None:
        constraints.append(f"Member must have length less than or equal to {member.max_len}")
    if member.min_len is not None:
        constraints.append(f"Member must have length greater than or equal to {member.min_len}")
    if member.regex is not None:
        constraints.append(f"Member must satisfy regular expression pattern: {member.pattern}")
    if not constraints:
        return

    def fits(item: Any) -> bool:
        if not isinstance(item, (str, bytes)):
            return True
        if member.max_len is not None and len(item) > member.max_len:
            return False
        if member.min_len is not None and len(item) < member.min_len:
            return False
        return not (member.regex is not None and isinstance(item, str) and not member.regex.fullmatch(item))

    if not all(fits(item) for item in items):
        _fail(errors, whole, container, path, f"{lead}: [" + ", ".join(constraints) + "]")
