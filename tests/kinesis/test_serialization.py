"""Wrong JSON types get Coral's SerializationException texts (kinesalite's assertType
matrix, which it ran against real AWS), whatever the member's depth."""
from __future__ import annotations

from typing import Any

import pytest

from mock_putrecord import mock_putrecord

from ..helpers import call_raw, error_body

NUMBER = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an"
MATRIX: dict[str, list[tuple[Any, str]]] = {
    "String": [(True, "class java.lang.Boolean can not be converted to an String"), (23, f"{NUMBER} String"),
               (34.56, f"{NUMBER} String"), ([], "Start of list found where not expected"),
               ({}, "Start of structure or map found where not expected.")],
    "Integer": [("23", "class java.lang.String can not be converted to an Integer"),
                (True, "class java.lang.Boolean can not be converted to an Integer"),
                ([], "Start of list found where not expected"),
                ({}, "Start of structure or map found where not expected.")],
    "Blob": [(True, "class java.lang.Boolean can not be converted to a Blob"),
             (23, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob"),
             ([], "Start of list found where not expected"),
             ({}, "Start of structure or map found where not expected."),
             ("23456", "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 "
                       "bytes but found: 5"),
             ("=+/=", "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"),
             ("+/+=", "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected")],
    "List": [("23", "Expected list or null"), (True, "Expected list or null"), (34.56, "Expected list or null"),
             ({}, "Start of structure or map found where not expected.")],
    "Structure": [("23", "Expected null"), (23, "Expected null"), ([], "Start of list found where not expected")],
    "Timestamp": [("23", "class java.lang.String can not be converted to milliseconds since epoch"),
                  (True, "class java.lang.Boolean can not be converted to milliseconds since epoch"),
                  ([], "Start of list found where not expected")],
}
CASES = [
    ("PutRecords", ["Records"], "List"),
    ("PutRecords", ["Records", 0], "Structure"),
    ("PutRecords", ["Records", 0, "Data"], "Blob"),
    ("PutRecords", ["Records", 0, "PartitionKey"], "String"),
    ("PutRecords", ["StreamName"], "String"),
    ("PutRecord", ["Data"], "Blob"),
    ("CreateStream", ["ShardCount"], "Integer"),
    ("GetShardIterator", ["Timestamp"], "Timestamp"),
    ("GetRecords", ["Limit"], "Integer"),
]


def _body(path: list[Any], value: Any) -> Any:
    body: Any = value
    for key in reversed(path):
        body = [body] if key == 0 else {key: body}
    return body


@pytest.mark.parametrize(
    ("operation", "path", "value", "message"),
    [(op, path, value, message) for op, path, kind in CASES for value, message in MATRIX[kind]],
    ids=lambda v: str(v)[:20],
)
def test_wrong_type_is_a_serialization_exception(operation: str, path: list[Any], value: Any, message: str) -> None:
    with mock_putrecord():
        response = call_raw("kinesis", operation, _body(path, value))
    assert (response.status, error_body(response)) == (400, {"__type": "SerializationException", "Message": message})
