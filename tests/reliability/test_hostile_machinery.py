"""The fuzzers' own checks can fail: a traceback, an un-injected 5xx, a malformed error
and a slow answer are each reported."""
from __future__ import annotations

import pytest

from mock_putrecord.core.wire import WireRequest, WireResponse

from .hostile import Answer, check_answer, json_error

REQUEST = WireRequest("POST", "", "/", "", {}, b"{}", "kinesis", "PutRecords", "us-east-1", "123456789012")


@pytest.mark.parametrize("answer, problem", [
    (Answer(REQUEST, None, KeyError("Records"), 0.0), "raised KeyError"),
    (Answer(REQUEST, WireResponse(500, b'{"__type":"InternalFailure"}'), None, 0.0), "answered 500"),
    (Answer(REQUEST, WireResponse(400, b"Traceback (most recent call last)"), None, 0.0), "body is not JSON"),
    (Answer(REQUEST, WireResponse(400, b'{"message":"no code"}'), None, 0.0), "no error code"),
    (Answer(REQUEST, WireResponse(200, b'{"Records":'), None, 0.0), "Expecting"),
    (Answer(REQUEST, WireResponse(200, b"{}"), None, 9.0), "took 9.0s"),
])
def test_bad_answers_are_reported(answer: Answer, problem: str) -> None:
    if answer.response is not None:
        answer.response.headers["Content-Type"] = "application/x-amz-json-1.1"
    with pytest.raises((AssertionError, ValueError), match=problem):
        check_answer(answer, json_error())


def test_good_answers_pass() -> None:
    check_answer(Answer(REQUEST, WireResponse(400, b'{"__type":"ValidationException","message":"m"}'), None, 0.0),
                 json_error())
    check_answer(Answer(REQUEST, WireResponse(413, b""), None, 0.0), json_error())
