"""Compiled botocore shapes: what the validator (:mod:`.validation`) checks for one value,
and the model's patterns read as Java reads them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal


@dataclass
class ShapeNode:
    """A compiled shape: what to check for one value."""

    type_name: str
    name: str = ""
    member_str: str = ""
    type_phrase: str = ""
    accepts: tuple[type, ...] | None = None  # the JSON types taken, when wrong types are constraint failures
    no_bool: bool = False  # JSON true/false is not a number here (Python's bool is an int)
    min_len: int | None = None
    max_len: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    pattern: str | None = None
    regex: re.Pattern[str] | None = None
    enum: list[str] | None = None
    members: list[tuple[str, str, "ShapeNode", bool]] = field(default_factory=list)  # name, path name, node, required
    member: "ShapeNode | None" = None
    key: "ShapeNode | None" = None
    value: "ShapeNode | None" = None
    list_phrases: Literal["declared", "broken"] = "declared"
    sized: bool = False  # has a length bound
    ranged: bool = False  # has a value bound


def lower_first(name: str) -> str:
    """``StreamName`` -> ``streamName`` (AWS's spelling of member paths)."""
    return name[:1].lower() + name[1:]


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


_JAVA_TO_PYTHON = (
    # Java spells supplementary characters as a surrogate-pair range.
    ("\\uD800\\uDC00-\\uDBFF\\uDFFF", "\\U00010000-\\U0010FFFF"),
    # Unicode classes Python's re lacks, approximated: letters/digits by \w, separators by \s.
    ("\\p{L}", "\\w"),
    ("\\p{N}", "\\w"),
    ("\\p{Z}", "\\s"),
)
JAVA_LINE_TERMINATOR = re.compile("[\n\r\u0085\u2028\u2029]")
"""What Java's ``.`` does not match (Python's stops only at ``\\n``)."""


def python_pattern(java: str) -> re.Pattern[str] | None:
    """A model pattern (Java syntax) for Python's ``re``, or ``None`` when it cannot be
    expressed (the constraint is then not checked rather than checked wrongly)."""
    text = java
    for old, new in _JAVA_TO_PYTHON:
        text = text.replace(old, new)
    # The models use a bare "." alone only in ".*" (ValueAsString, NextToken): spell
    # Java's meaning out.
    if text == ".*":
        text = "[^\n\r\u0085\u2028\u2029]*"
    try:
        return re.compile(text)
    except re.error:
        return None
