"""Coral's JSON deserialiser, as AWS's JSON 1.1 services run it before any constraint: a
value of the wrong JSON type fails the whole request with a ``SerializationException``
in Coral's words (``Start of list found where not expected``...); numbers are truncated
and blobs decoded as Coral does. Texts as captured by kinesalite against real AWS."""
from __future__ import annotations

import binascii
import math
import re
from typing import Any

from .errors import ServiceError
from .shapes import ShapeNode


class SerializationException(ServiceError):
    """A value of the wrong JSON type (Coral's deserialiser failed)."""

    code = "SerializationException"
    message_key = "Message"  # Coral spells this one with a capital M



_JAVA_NAMES = {"integer": "Integer", "long": "Long", "float": "Float", "double": "Double"}


def type_message(value: Any, node: ShapeNode) -> str:
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


def check_types(value: Any, node: ShapeNode) -> Any:
    """Return ``value`` coerced as Coral would, or raise SerializationException."""
    if value is None:
        return None
    kind = node.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise SerializationException(type_message(value, node))
        cleaned: dict[str, Any] = {}
        for name, _, child, _ in node.members:
            item = value.get(name)
            if item is not None:
                checked = check_types(item, child)
                if checked is not None:
                    cleaned[name] = checked
        return cleaned
    if kind == "list":
        if not isinstance(value, list):
            raise SerializationException(type_message(value, node))
        assert node.member is not None
        return [check_types(item, node.member) for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise SerializationException(type_message(value, node))
        assert node.value is not None
        return {k: check_types(v, node.value) for k, v in value.items()}
    if kind == "string":
        if not isinstance(value, str):
            raise SerializationException(type_message(value, node))
        return value
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SerializationException(type_message(value, node))
        if not math.isfinite(value):
            return value  # NaN or ±Infinity: the constraint pass names the member
        number = int(value // 1)
        return min(number, 2147483647) if kind == "integer" else number
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SerializationException(type_message(value, node))
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise SerializationException(type_message(value, node))
        return value
    if kind == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SerializationException(type_message(value, node))
        if not math.isfinite(value):
            # NaN and Infinity are not JSON: AWS's parser refuses the body as it refuses
            # any other malformed JSON (no message).
            raise SerializationException("")
        return value
    if kind == "blob":
        if not isinstance(value, str):
            raise SerializationException(type_message(value, node))
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
