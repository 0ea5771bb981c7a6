"""The part of Iguazio's expression language the mock models, exactly and no more.

Condition and filter expressions: attribute names, numbers, ``'strings'`` (or
``"strings"``), ``true``/``false``; ``== != < <= > >=``; ``AND``, ``OR``, ``NOT`` (any
case); ``+ - * /``; parentheses; ``exists(a)`` and ``not_exists(a)``. Update
expressions: ``[SET] a = <expr>`` and ``REMOVE a`` actions separated by ``;``, with
``if_not_exists(a, <expr>)``. Anything else (array elements, ``IN``, string and min/max
functions, bitwise operators) is answered with 400 "Invalid argument", the error the mock
gives for every expression it cannot run. Operands of different types compare false, as
the comparison-operators page says.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping, Union

from .exceptions import InvalidArgument

Value = Union[int, float, str, bool, bytes]
Item = Mapping[str, Value]
Expr = Callable[[Item], "Value | None"]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<string>'[^']*'|\"[^\"]*\")"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|<|>|=|\(|\)|,|;|\+|-|\*|/))"
)
_KEYWORDS = {"and", "or", "not", "set", "remove", "true", "false"}
_FUNCTIONS = {"exists", "not_exists", "if_not_exists"}


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
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in _COMPARE:
            self.position += 1
            right = self.sum()
            compare = _COMPARE[token[1]]

            def evaluate(item: Item) -> bool:
                a, b = left(item), right(item)
                return _comparable(a, b) and compare(a, b)  # type: ignore[arg-type]

            return evaluate
        return left

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
            return lambda item: item.get(text)
        raise InvalidArgument(f"unexpected {text!r} in the expression")

    def function(self, name: str) -> Expr:
        if name not in _FUNCTIONS or (name == "if_not_exists") != self.update:
            raise InvalidArgument(f"function {name!r} is not supported")
        kind, attribute = self.take()
        if kind != "name" or attribute.lower() in _KEYWORDS:
            raise InvalidArgument(f"{name} needs an attribute name")
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
    """One update action: ``SET name = value`` (``value`` set) or ``REMOVE name``."""

    name: str
    value: Expr | None


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
        else:
            parser.expect("op", "=")
            actions.append(Action(name, parser.sum()))
        if not parser.done():
            parser.expect("op", ";")
    if not actions:
        raise InvalidArgument("an empty update expression")
    return actions
