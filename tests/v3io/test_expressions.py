"""The expression language on the wire, one operator or function at a time, in the three
places it runs: ConditionExpression (PutItem/UpdateItem), FilterExpression (GetItems) and
UpdateExpression. Semantics from Iguazio's expression reference (the IN-operator,
string-functions, min/max-functions and comparison-operators pages)."""
from __future__ import annotations

import pytest

from .conftest import Call, assert_error

T = "/bigdata/expr/"
ITEM = {"n": {"N": "5"}, "f": {"N": "2.5"}, "s": {"S": "Jon Snow"}, "year": {"S": "2018"},
        "genre": {"S": "Blues"}, "yes": {"BOOL": True}, "no": {"BOOL": False}}


@pytest.fixture
def item(call: Call) -> str:
    assert call("PutItem", f"{T}k", {"Item": ITEM}, method="PUT").status_code == 200
    return f"{T}k"


def holds(call: Call, item: str, condition: str) -> bool:
    """The condition's truth, asked three ways that must agree."""
    put = call("PutItem", item, {"Item": ITEM, "ConditionExpression": condition}, method="PUT")
    update = call("UpdateItem", item, {"UpdateExpression": "touched = 1", "ConditionExpression": condition})
    scan = call("GetItems", T, {"FilterExpression": condition, "AttributesToGet": "__name"}, method="PUT")
    assert put.status_code in (200, 400) and scan.status_code == 200, (put.text, scan.text)
    assert update.status_code == put.status_code, update.text
    if put.status_code == 400:
        assert "16777244" in put.text  # a false condition, not a malformed one
    assert (put.status_code == 200) == (scan.json()["Items"] == [{"__name": {"S": "k"}}])
    return put.status_code == 200


@pytest.mark.parametrize(("condition", "expected"), [
    ("genre IN ('Rock', 'Blues', 'R&B')", True),  # the IN page's example
    ("genre IN ('Rock')", False),
    ("n IN (1, 5)", True),
    ("n IN (2 + 3)", True),  # members may be expressions
    ("n IN ('5')", False),  # a string is not the number 5
    ("missing IN (1)", False),
    ("NOT n IN (1, 2)", True),
    ("n IN (1) OR genre IN ('Blues')", True),
    ("f IN (2.5)", True),
])
def test_in_operator(call: Call, item: str, condition: str, expected: bool) -> None:
    assert holds(call, item, condition) is expected


def test_in_takes_1_to_1024_values(call: Call, item: str) -> None:
    assert holds(call, item, "n IN (" + ", ".join(str(i) for i in range(1020, 1024 + 1020 - 1)) + ", 5)") is True
    too_many = "n IN (" + ", ".join(str(i) for i in range(1025)) + ")"
    for condition in (too_many, "n IN ()", "n IN 5"):
        response = call("GetItems", T, {"FilterExpression": condition}, method="PUT")
        assert_error(response, 400, "Invalid argument", -22)


@pytest.mark.parametrize(("condition", "expected"), [
    ("starts(s, 'Jo')", True),  # the string-functions page's examples
    ("starts(s, 'Snow')", False),
    ("ends('4-Jun-2018', year)", True),
    ("ends(s, 'Jon')", False),
    ("contains(s, 'n S')", True),
    ("contains(s, 'x')", False),
    ("starts(s, '')", True),
    ("starts(missing, 'J')", False),  # a missing attribute makes the test false
    ("contains(n, '5')", False),  # so does a number
    ("starts(s, genre) OR ends(s, 'now')", True),
    ("NOT contains(s, 'x')", True),
])
def test_string_functions(call: Call, item: str, condition: str, expected: bool) -> None:
    assert holds(call, item, condition) is expected


@pytest.mark.parametrize(("condition", "expected"), [
    ("max(n, f) == 5", True),  # numeric promotion
    ("min(n, f) == 2.5", True),
    ("max(n, f + 10) == 12.5", True),  # the page's attr1 / attr2+attr3 example, shape
    ("min('b', 'abc') == 'abc'", True),  # strings lexicographically
    ("max(yes, no) == 1", True),  # booleans as 1 and 0
    ("min(n == 5, 0) == 0", True),  # a comparison is a boolean operand
])
def test_min_and_max_of_two_values(call: Call, item: str, condition: str, expected: bool) -> None:
    assert holds(call, item, condition) is expected


def test_length_and_functions_in_update_expressions(call: Call, item: str) -> None:
    body = {"UpdateExpression": "a = length(s); b = length('abc' + 'efg'); c = max(n, 7); d = min(s, 'A');"
                                "e = starts(s, 'Jon')"}
    assert call("UpdateItem", item, body).status_code == 200
    got = call("GetItem", item, {"AttributesToGet": "a,b,c,d,e"}, method="PUT").json()["Item"]
    assert got == {"a": {"N": "8"}, "b": {"N": "6"}, "c": {"N": "7"}, "d": {"S": "A"}, "e": {"BOOL": True}}


@pytest.mark.parametrize("expression", [
    "length(s) == 8",  # length is documented for update expressions only
    "starts(s + 'x', 'J')",  # string functions take a literal or an attribute
    "starts(s)",
    "min(n) == 5",  # one argument: an array, not modelled
    "min(n, 'x') == 5",  # a number and a string
    "n[0] == 1",  # array elements
    "n & 1 == 1",  # bitwise operators
    "upper(s) == 'X'",
])
def test_what_is_not_modelled_is_invalid_argument(call: Call, item: str, expression: str) -> None:
    assert_error(call("GetItems", T, {"FilterExpression": expression}, method="PUT"), 400, "Invalid argument", -22)
    response = call("PutItem", item, {"Item": ITEM, "ConditionExpression": expression}, method="PUT")
    assert_error(response, 400, "Invalid argument", -22)


@pytest.mark.parametrize("expression", ["arr = init_array(3, 'int')", "a = n[1]", "a = length(n)", "a = max(n)"])
def test_array_updates_are_invalid_argument(call: Call, item: str, expression: str) -> None:
    assert_error(call("UpdateItem", item, {"UpdateExpression": expression}), 400, "Invalid argument", -22)
    assert call("GetItem", item, {}, method="PUT").json()["Item"] == ITEM  # nothing written
