"""The expression language on the wire, one operator or function at a time, in the three
places it runs: ConditionExpression (PutItem/UpdateItem), FilterExpression (GetItems) and
UpdateExpression. Semantics from Iguazio's expression reference (the IN-operator,
string-functions, min/max-functions, array-operator, array-functions, update-expression
and comparison-operators pages); the array blob layout from v3io-py's ``kv_array.py``."""
from __future__ import annotations

import base64
import struct

import pytest

from mock_putrecord import MockPutRecord

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
    put = call("PutItem", item, {"Item": {"touched": {"N": "1"}}, "UpdateMode": "CreateOrReplaceAttributes",
                                 "ConditionExpression": condition}, method="PUT")
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
    "n[0] == 1",  # an element of something that is not an array
    "n & 1 == 1",  # bitwise operators
    "upper(s) == 'X'",
])
def test_what_is_not_modelled_is_invalid_argument(call: Call, item: str, expression: str) -> None:
    assert_error(call("GetItems", T, {"FilterExpression": expression}, method="PUT"), 400, "Invalid argument", -22)
    response = call("PutItem", item, {"Item": ITEM, "ConditionExpression": expression}, method="PUT")
    assert_error(response, 400, "Invalid argument", -22)


def update(call: Call, item: str, expression: str, condition: str | None = None) -> int:
    body = {"UpdateExpression": expression}
    if condition is not None:
        body["ConditionExpression"] = condition
    return call("UpdateItem", item, body).status_code


def attribute(call: Call, item: str, name: str) -> object:
    return call("GetItem", item, {"AttributesToGet": name}, method="PUT").json()["Item"].get(name)


def array_of(call: Call, item: str, name: str) -> tuple[str, list[object]]:
    """An array attribute as its type and values, decoded by hand from the blob."""
    typed = attribute(call, item, name)
    assert isinstance(typed, dict) and list(typed) == ["B"]
    blob = base64.b64decode(typed["B"])
    magic, version, size, operand = struct.unpack_from("<IIII", blob)
    assert (magic, version, size) == (11223344, 1, len(blob) - 16)
    kind = {259: "int", 261: "double"}[operand]
    return kind, list(struct.unpack_from(f"<{size // 8}{'q' if kind == 'int' else 'd'}", blob, 16))


def test_init_array_makes_the_platforms_array_blob(call: Call, item: str, mock: MockPutRecord) -> None:
    assert update(call, item, "SET counters = init_array(5, 'int'); d = init_array(2, 'double')") == 200
    blob = base64.b64decode(attribute(call, item, "counters")["B"])  # type: ignore[index]
    assert blob == struct.pack("<IIII", 11223344, 1, 40, 259) + bytes(40)  # v3io-py's kv_array layout
    assert array_of(call, item, "d") == ("double", [0.0, 0.0])
    assert mock.v3io.item("bigdata", "expr/k")["d"] == [0.0, 0.0]  # the view reads arrays as v3io-py does


def test_the_update_expression_pages_array_examples(call: Call, item: str) -> None:
    assert update(call, item, "arr=init_array(3, 'int'); arr[1]=1; arr[2]=arr[1]+1;") == 200
    assert array_of(call, item, "arr") == ("int", [0, 1, 2])
    assert update(call, item, "myArray = init_array(6, 'int'); myArray[5] = 9") == 200
    assert update(call, item, "arr = init_array(4, 'int'); arr[2]=-1; arr[0]=6; arr[1]=7; arr[3]=arr[0]+arr[2]*arr[1]") == 200
    assert array_of(call, item, "arr") == ("int", [6, 7, -1, -1])
    assert update(call, item, "smallArray = myArray[0..4]; copy = myArray") == 200
    assert array_of(call, item, "smallArray") == ("int", [0] * 5)
    assert array_of(call, item, "copy") == ("int", [0] * 5 + [9])
    # example 13: a Fibonacci series, one element per update, limited by a condition
    assert update(call, item, "i=2; arrFibonacci = init_array(10,'int'); arrFibonacci[0]=0; arrFibonacci[1]=1; "
                              "arrFibonacci[2] = arrFibonacci[0] + arrFibonacci[1]") == 200
    statuses = [update(call, item, "i=i+1; arrFibonacci[i] = arrFibonacci[i-1] + arrFibonacci[i-2];", "i<9")
                for _ in range(8)]
    assert statuses == [200] * 7 + [400]  # i reached 9: the condition is false
    assert array_of(call, item, "arrFibonacci") == ("int", [0, 1, 1, 2, 3, 5, 8, 13, 21, 34])
    assert update(call, item, "REMOVE i") == 200


def test_array_functions_and_elements_in_conditions(call: Call, item: str) -> None:
    assert update(call, item, "km = init_array(4, 'double'); km[0] = 7; km[1] = 13; km[2] = 5; km[3] = 1; ctr = 2") == 200
    assert update(call, item, "a = length(km); b = length(km[2..3]); c = max(km); d = max(km[2..3]); "
                              "e = min(km); f = min(km[1..2])") == 200
    assert [attribute(call, item, name) for name in "abcdef"] == [
        {"N": "4"}, {"N": "2"}, {"N": "13.0"}, {"N": "5.0"}, {"N": "1.0"}, {"N": "5.0"}]
    assert holds(call, item, "km[ctr+1] == 1") is True  # the array-operator page's example
    assert holds(call, item, "km[0] > km[1]") is False
    assert holds(call, item, "missing[0] == 1") is False  # a missing attribute compares false


@pytest.mark.parametrize("expression", [
    "arr = init_array(3, 'float')",  # the types are 'int' and 'double'
    "arr = init_array(-1, 'int')",
    "arr = init_array(2, int)",
    "ints[3] = 1",  # out of range
    "ints[0 - 1] = 1",
    "ints[0] = 1.5",  # an integer array takes integers
    "ints[0] = true",  # booleans are not converted
    "ints[0..1] = 1",  # assigning to a slice
    "a = ints[2..1]",  # a slice that ends before it starts
    "a = n[0]",  # a number is not an array
    "a = s[0]",
    "a = length(n)",
    "a = max(n)",
    "a = min(empty)",
    "a = ints[0..1] + 1",
])
def test_what_arrays_do_not_allow_is_invalid_argument(call: Call, item: str, expression: str) -> None:
    assert update(call, item, "ints = init_array(3, 'int'); empty = init_array(0, 'int')") == 200
    before = call("GetItem", item, {}, method="PUT").json()["Item"]
    assert_error(call("UpdateItem", item, {"UpdateExpression": expression}), 400, "Invalid argument", -22)
    assert call("GetItem", item, {}, method="PUT").json()["Item"] == before  # nothing written


@pytest.mark.parametrize("condition", ["init_array(1, 'int') == 1", "ints[0..1] == ints", "length(ints) == 3",
                                       "ints[0..1] IN (1)"])
def test_array_constructs_outside_their_places_are_invalid_argument(call: Call, item: str, condition: str) -> None:
    assert update(call, item, "ints = init_array(3, 'int')") == 200
    assert_error(call("GetItems", T, {"FilterExpression": condition}, method="PUT"), 400, "Invalid argument", -22)
