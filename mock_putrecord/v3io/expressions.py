"""The part of Iguazio's expression language the mock models, exactly and no more.

Condition and filter expressions: attribute names, numbers, ``'strings'`` (or
``"strings"``), ``true``/``false``; ``== != < <= > >=``; ``a IN (v1, ..., vN)`` (1 to
1,024 values); ``AND``, ``OR``, ``NOT`` (any case); ``+ - * /``; parentheses;
``exists(a)``, ``not_exists(a)``; ``starts(s1, s2)``, ``ends(s1, s2)``,
``contains(s1, s2)`` (each a string literal or a string attribute); ``min(a, b)`` and
``max(a, b)``. Update expressions: ``[SET] a = <expr>`` and ``REMOVE a`` actions separated
by ``;``, with ``if_not_exists(a, <expr>)`` and ``length(<string expr>)``. Anything else
(array attributes and elements, ``init_array``, ``length`` outside update expressions,
bitwise operators) is answered with 400 "Invalid argument", the error the mock gives for
every expression it cannot run. Operands of different types compare false, as the
comparison-operators page says. Each rule's source: docs/v3io.md, "Expressions".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping, Union

from . import arrays
from .exceptions import InvalidArgument

Value = Union[int, float, str, bool, bytes]
Item = Mapping[str, Value]
Expr = Callable[[Item], "Value | None"]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+\.(?!\.)\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<string>'[^']*'|\"[^\"]*\")"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|<|>|=|\(|\)|\[|\]|\.\.|,|;|\+|-|\*|/))"
)
_KEYWORDS = {"and", "or", "not", "in", "set", "remove", "true", "false"}
MAX_IN_VALUES = 1024
"""The IN operator's list holds 1 to 1,024 values (the IN-operator reference page)."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise InvalidArgument(f"unsupported expression syntax at {text[position:position + 20]!r}")
        kind = match.lastgroup
        assert kind is not None
        out.append((kind, match.group(kind)))
        position = match.end()
    return out


def _number(a: Value | None) -> bool:
    return isinstance(a, (int, float)) and not isinstance(a, bool)


def _comparable(a: Value | None, b: Value | None) -> bool:
    if _number(a) and _number(b):
        return True
    return a is not None and b is not None and type(a) is type(b)


_COMPARE: dict[str, Callable[[Value, Value], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}


def _arith(op: str, a: Value | None, b: Value | None) -> Value:
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if not (_number(a) and _number(b)):
        raise InvalidArgument(f"{op} needs numbers, got {a!r} and {b!r}")
    assert isinstance(a, (int, float)) and isinstance(b, (int, float))
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise InvalidArgument("division by zero")
    result = a / b
    return int(result) if isinstance(a, int) and isinstance(b, int) and result == int(result) else result


_STRING_TESTS: dict[str, Callable[[str, str], bool]] = {
    "starts": str.startswith,
    "ends": str.endswith,
    "contains": lambda s1, s2: s2 in s1,
}


def _string_test(name: str, a: Value | None, b: Value | None) -> bool:
    """starts/ends/contains: false unless both operands are strings (a missing or
    non-string attribute makes the test false, as a comparison with one does)."""
    return isinstance(a, str) and isinstance(b, str) and _STRING_TESTS[name](a, b)


def _length(value: Value | None) -> int:
    """length of a string, or of an array (an array attribute or slice)."""
    if isinstance(value, str):
        return len(value)
    return len(arrays.unpack(value)[0])


def _array_extreme(name: str, value: Value | None) -> Value:
    """min/max of one array or slice: its lowest or highest element."""
    values = arrays.unpack(value)[0]
    if not values:
        raise InvalidArgument(f"{name} of an empty array")
    return (min if name == "min" else max)(values)


def _size(value: Value | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(f"init_array's size must be a non-negative integer, got {value!r}")
    return value


class _Slice:
    """``a[i..j]`` (the end included): an array blob of those elements. The reference
    lists its uses: the argument of length/min/max, and a SET value."""

    def __init__(self, attribute: str, start: Expr, end: Expr) -> None:
        self.attribute, self.start, self.end = attribute, start, end

    def __call__(self, item: Item) -> Value | None:
        values, operand = arrays.unpack(item.get(self.attribute))
        first = arrays.index(self.start(item), len(values))
        last = arrays.index(self.end(item), len(values))
        if last < first:
            raise InvalidArgument("an array slice ends before it starts")
        return arrays.pack(values[first:last + 1], operand)


def _element(attribute: str, position: Expr) -> Expr:
    """``a[i]``: one element of an array attribute (a missing attribute reads as missing)."""

    def evaluate(item: Item) -> Value | None:
        blob = item.get(attribute)
        if blob is None:
            return None
        values = arrays.unpack(blob)[0]
        return values[arrays.index(position(item), len(values))]

    return evaluate


def _no_slice(*operands: Expr) -> None:
    if any(isinstance(operand, _Slice) for operand in operands):
        raise InvalidArgument("an array slice is only an argument of length/min/max or a SET value")


def _extreme(name: str, a: Value | None, b: Value | None) -> Value:
    """min/max of two simple values: strings lexicographically, numbers with promotion,
    booleans as 1 and 0 (the min/max functions page)."""
    if isinstance(a, bool):
        a = int(a)
    if isinstance(b, bool):
        b = int(b)
    if not ((isinstance(a, str) and isinstance(b, str)) or (_number(a) and _number(b))):
        raise InvalidArgument(f"{name} needs two numbers or two strings, got {a!r} and {b!r}")
    assert a is not None and b is not None
    return (min if name == "min" else max)(a, b)


class _Parser:
    def __init__(self, text: str, *, update: bool = False) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.update = update

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise InvalidArgument("the expression ends too early")
        self.position += 1
        return token

    def accept(self, kind: str, text: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == kind and token[1].lower() == text:
            self.position += 1
            return True
        return False

    def expect(self, kind: str, text: str) -> None:
        if not self.accept(kind, text):
            raise InvalidArgument(f"expected {text!r} in the expression")

    def done(self) -> bool:
        return self.position >= len(self.tokens)

    # condition := or
    def condition(self) -> Expr:
        left = self.conjunction()
        while self.accept("name", "or"):
            right = self.conjunction()
            left = (lambda l, r: lambda item: bool(l(item)) or bool(r(item)))(left, right)
        return left

    def conjunction(self) -> Expr:
        left = self.negation()
        while self.accept("name", "and"):
            right = self.negation()
            left = (lambda l, r: lambda item: bool(l(item)) and bool(r(item)))(left, right)
        return left

    def negation(self) -> Expr:
        if self.accept("name", "not"):
            inner = self.negation()
            return lambda item: not inner(item)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.sum()
        if self.accept("name", "in"):
            _no_slice(left)
            return self.membership(left)
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in _COMPARE:
            self.position += 1
            right = self.sum()
            _no_slice(left, right)
            compare = _COMPARE[token[1]]

            def evaluate(item: Item) -> bool:
                a, b = left(item), right(item)
                return _comparable(a, b) and compare(a, b)  # type: ignore[arg-type]

            return evaluate
        return left

    def membership(self, left: Expr) -> Expr:
        """``a IN (v1, ..., vN)``: true when ``a`` equals one of the values (of its type)."""
        self.expect("op", "(")
        values = [self.sum()]
        while self.accept("op", ","):
            values.append(self.sum())
        self.expect("op", ")")
        if len(values) > MAX_IN_VALUES:
            raise InvalidArgument(f"IN takes at most {MAX_IN_VALUES} values")

        def evaluate(item: Item) -> bool:
            a = left(item)
            return any(_comparable(a, b) and a == b for b in (value(item) for value in values))

        return evaluate

    def sum(self) -> Expr:
        left = self.product()
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in ("+", "-"):
            self.position += 1
            right = self.product()
            left = (lambda op, l, r: lambda item: _arith(op, l(item), r(item)))(token[1], left, right)
        return left

    def product(self) -> Expr:
        left = self.unary()
        while (token := self.peek()) is not None and token[0] == "op" and token[1] in ("*", "/"):
            self.position += 1
            right = self.unary()
            left = (lambda op, l, r: lambda item: _arith(op, l(item), r(item)))(token[1], left, right)
        return left

    def unary(self) -> Expr:
        if self.accept("op", "-"):
            inner = self.unary()
            return lambda item: _arith("-", 0, inner(item))
        return self.primary()

    def primary(self) -> Expr:
        kind, text = self.take()
        if kind == "number":
            number: Value = float(text) if any(c in text for c in ".eE") else int(text)
            return lambda item: number
        if kind == "string":
            literal = text[1:-1]
            return lambda item: literal
        if kind == "op" and text == "(":
            inner = self.condition()
            self.expect("op", ")")
            return inner
        if kind == "name":
            lowered = text.lower()
            if lowered in ("true", "false"):
                flag = lowered == "true"
                return lambda item: flag
            if self.accept("op", "("):
                return self.function(lowered)
            if lowered in _KEYWORDS:
                raise InvalidArgument(f"unexpected {text!r} in the expression")
            if self.accept("op", "["):
                return self.subscript(text)
            return lambda item: item.get(text)
        raise InvalidArgument(f"unexpected {text!r} in the expression")

    def function(self, name: str) -> Expr:
        if name in ("exists", "not_exists") or (name == "if_not_exists" and self.update):
            return self.existence(name)
        if name in _STRING_TESTS:
            first = self.string_operand(name)
            self.expect("op", ",")
            second = self.string_operand(name)
            self.expect("op", ")")
            return lambda item: _string_test(name, first(item), second(item))
        if name == "length" and self.update:  # documented for update expressions only
            inner = self.sum()
            self.expect("op", ")")
            return lambda item: _length(inner(item))
        if name == "init_array" and self.update:  # arrays are defined in SET expressions
            size = self.sum()
            self.expect("op", ",")
            kind, text = self.take()
            operand = arrays.TYPES.get(text[1:-1]) if kind == "string" else None
            if operand is None:
                raise InvalidArgument("init_array's type is 'int' or 'double'")
            self.expect("op", ")")
            return lambda item: arrays.pack([0] * _size(size(item)), operand)
        if name in ("min", "max"):
            first = self.condition()
            if self.accept("op", ")"):  # one argument: an array or a slice
                return lambda item: _array_extreme(name, first(item))
            self.expect("op", ",")
            second = self.condition()
            self.expect("op", ")")
            _no_slice(first, second)
            return lambda item: _extreme(name, first(item), second(item))
        raise InvalidArgument(f"function {name!r} is not supported here")

    def subscript(self, attribute: str) -> Expr:
        """After ``attribute[``: an element ``a[i]`` or a slice ``a[i..j]``."""
        start = self.sum()
        if self.accept("op", ".."):
            end = self.sum()
            self.expect("op", "]")
            return _Slice(attribute, start, end)
        self.expect("op", "]")
        return _element(attribute, start)

    def attribute_name(self, function: str) -> str:
        kind, attribute = self.take()
        if kind != "name" or attribute.lower() in _KEYWORDS:
            raise InvalidArgument(f"{function} needs an attribute name")
        return attribute

    def string_operand(self, function: str) -> Expr:
        """A string function's parameter: a string literal or an attribute, nothing else."""
        token = self.peek()
        if token is not None and token[0] == "string":
            self.position += 1
            literal = token[1][1:-1]
            return lambda item: literal
        attribute = self.attribute_name(function)
        return lambda item: item.get(attribute)

    def existence(self, name: str) -> Expr:
        attribute = self.attribute_name(name)
        if name == "if_not_exists":
            self.expect("op", ",")
            default = self.sum()
            self.expect("op", ")")
            return lambda item: item[attribute] if attribute in item else default(item)
        self.expect("op", ")")
        if name == "exists":
            return lambda item: attribute in item
        return lambda item: attribute not in item


def compile_condition(text: str) -> Callable[[Item], bool]:
    """A condition or filter expression as a predicate over an item's attributes."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument("an empty condition expression")
    parser = _Parser(text)
    expr = parser.condition()
    if not parser.done():
        raise InvalidArgument(f"unexpected {parser.peek()[1]!r} in the expression")  # type: ignore[index]
    return lambda item: expr(item) is True


@dataclass(frozen=True)
class Action:
    """One update action: ``SET name = value`` (``value`` set), ``SET name[index] = value``
    (an array element; ``index`` set) or ``REMOVE name``."""

    name: str
    value: Expr | None
    index: Expr | None = None

    def run(self, item: Item) -> Value:
        """The attribute's new value (``value`` must be set): the value, or for an element
        assignment a copy of the array with that element replaced."""
        assert self.value is not None
        if self.index is None:
            value = self.value(item)
            if value is None:
                raise InvalidArgument(f"{self.name}: the value refers to a missing attribute")
            return value
        values, operand = arrays.unpack(item.get(self.name))
        position = arrays.index(self.index(item), len(values))
        values[position] = arrays.element(self.value(item), operand)
        return arrays.pack(values, operand)


def compile_update(text: str) -> list[Action]:
    """An update expression as its actions, in order."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument("an empty update expression")
    parser = _Parser(text, update=True)
    actions: list[Action] = []
    while not parser.done():
        if parser.accept("op", ";"):
            continue
        remove = parser.accept("name", "remove")
        if not remove:
            parser.accept("name", "set")
        kind, name = parser.take()
        if kind != "name" or name.lower() in _KEYWORDS:
            raise InvalidArgument(f"{name!r} cannot be updated")
        if remove:
            actions.append(Action(name, None))
            if not parser.done():
                parser.expect("op", ";")
            continue
        index = None
        if parser.accept("op", "["):
            index = parser.sum()
            if parser.accept("op", ".."):
                raise InvalidArgument("assigning to an array slice is not supported")
            parser.expect("op", "]")
        parser.expect("op", "=")
        actions.append(Action(name, parser.sum(), index))
        if not parser.done():
            parser.expect("op", ";")
    if not actions:
        raise InvalidArgument("an empty update expression")
    return actions
