"""Hostile raw requests to the v3io streaming web API through ``requests``: every
function (and none, and unknown ones), every method, paths that are streams, shards,
directories, containers or nothing, and bodies that are bad JSON, non-UTF-8, wrong
shapes, bad base64, huge or near-valid.

Every answer is a success or v3io's JSON error body (``ErrorCode``/``ErrorMessage``) with
a 4xx status, or the object layer's XML listing; never a traceback or a 5xx. After each
example the stream holds its earlier records plus the acknowledged ones, with
consecutive sequence numbers per shard.
"""
from __future__ import annotations

import base64
import json
from typing import Any

import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_putrecord import MockPutRecord
from mock_putrecord.core.wire import WireResponse

from .conftest import PROFILE
from .hostile import Recorder, check_answer, raw_bodies
from .hostile import recorder  # noqa: F401  (fixture)

ENDPOINT = "http://v3io-webapi:8081"
FUNCTIONS = ["CreateStream", "DescribeStream", "UpdateStream", "PutRecords", "Seek", "SeekShard", "GetRecords"]
PATHS = st.sampled_from([
    "/bigdata/fuzz/stream/", "/bigdata/fuzz/stream", "/bigdata/fuzz/stream/0", "/bigdata/fuzz/stream/1",
    "/bigdata/fuzz/stream/99", "/bigdata/fuzz/stream/-1", "/bigdata/fuzz/", "/bigdata/", "/", "//", "/bigdata/nope/",
    "/bigdata/fuzz/stream/0/x", "/bigdata/%ff/", "/users/new/", "/bigdata/fuzz/stream/../stream/",
])
B64 = st.binary(max_size=24).map(lambda b: base64.b64encode(b).decode())
LOCATION = "<a valid location>"
RECORD = st.fixed_dictionaries({}, optional={
    "Data": st.one_of(B64, st.sampled_from(["!!", "eA", "x" * 5, "", base64.b64encode(b"x" * 1_048_577).decode()]),
                      st.integers(), st.none()),
    "PartitionKey": st.one_of(st.text(max_size=6), st.sampled_from(["k" * 257, "\udcff"]), st.integers()),
    "ShardId": st.one_of(st.integers(-2, 6), st.sampled_from([2**63, "1", None, 1.5])),
    "ClientInfo": st.one_of(B64, st.sampled_from([base64.b64encode(b"x" * 17).decode(), "??"])),
})
BODY_VALUES = {
    "Records": st.one_of(st.lists(RECORD, max_size=4), st.just([{"Data": "eA=="}] * 1001), st.integers(), st.text(max_size=3)),
    "ShardCount": st.one_of(st.integers(-2, 5), st.sampled_from([2**40, "3", None, 1.0])),
    "RetentionPeriodHours": st.one_of(st.integers(-1, 200), st.sampled_from([10**12, "1"])),
    "StreamName": st.sampled_from(["stream", "stream/", "nope", "", "../x", 5]),
    "ShardId": st.one_of(st.integers(-1, 5), st.sampled_from(["0", None, 2**70])),
    "Type": st.sampled_from(["EARLIEST", "LATEST", "SEQUENCE", "TIME", "x", 3]),
    "StartingSequenceNumber": st.one_of(st.integers(-1, 10), st.sampled_from(["1", 2**70])),
    "TimestampSec": st.one_of(st.integers(-1, 2**40), st.sampled_from(["now", 1.5])),
    "TimestampNSec": st.one_of(st.integers(-1, 2**31), st.sampled_from(["0"])),
    "Location": st.sampled_from([LOCATION, LOCATION[:-3], "AAAA", "", "!!", 7, None]),
    "Limit": st.one_of(st.integers(-1, 10_001), st.sampled_from(["5", None, 2**64])),
}
BODY = st.fixed_dictionaries({}, optional=BODY_VALUES)
HOSTILE_HEADERS = st.fixed_dictionaries({}, optional={
    "X-v3io-function": st.one_of(st.sampled_from(FUNCTIONS * 3 + ["GetItem", "", "putrecords"]),
                                 st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=8)),
    "X-v3io-session-key": st.sampled_from(["k", ""]),
    "Authorization": st.sampled_from(["Basic dTpw", "Basic !!", "AWS4-HMAC-SHA256 Credential=k/x", "Bearer x"]),
})
HEADERS = st.one_of(
    st.sampled_from(FUNCTIONS).map(lambda f: {"X-v3io-function": f, "X-v3io-session-key": "k"}),
    st.sampled_from(FUNCTIONS).map(lambda f: {"X-v3io-function": f, "X-v3io-session-key": "k"}),
    HOSTILE_HEADERS,
)
# Near-valid requests: a function with its own members, hostile values.
_V = BODY_VALUES
_SHARD_PATHS = st.sampled_from(["/bigdata/fuzz/stream/0", "/bigdata/fuzz/stream/1", "/bigdata/fuzz/stream/7"])
_STREAM_PATHS = st.sampled_from(["/bigdata/fuzz/stream/", "/bigdata/fuzz/", "/bigdata/fuzz/new/"])
_SEEK = st.fixed_dictionaries({"Type": st.sampled_from(["EARLIEST", "LATEST", "SEQUENCE", "TIME"])}, optional={
    "StartingSequenceNumber": _V["StartingSequenceNumber"], "TimestampSec": _V["TimestampSec"],
    "TimestampNSec": _V["TimestampNSec"], "ShardId": _V["ShardId"]})
_NEAR = {
    "PutRecords": (_STREAM_PATHS, st.fixed_dictionaries({"Records": st.lists(
        RECORD.map(lambda r: {"Data": "eA==", **r}), min_size=1, max_size=4)})),
    "Seek": (_SHARD_PATHS, _SEEK),
    "SeekShard": (_SHARD_PATHS, _SEEK),
    "GetRecords": (_SHARD_PATHS, st.fixed_dictionaries({"Location": _V["Location"]}, optional={"Limit": _V["Limit"]})),
    "CreateStream": (_STREAM_PATHS, st.fixed_dictionaries({"ShardCount": _V["ShardCount"]}, optional={
        "RetentionPeriodHours": _V["RetentionPeriodHours"], "StreamName": _V["StreamName"]})),
    "UpdateStream": (_STREAM_PATHS, st.fixed_dictionaries({"ShardCount": _V["ShardCount"]})),
    "DescribeStream": (_STREAM_PATHS, st.fixed_dictionaries({}, optional={"StreamName": _V["StreamName"]})),
}
NEAR_VALID = st.sampled_from(sorted(_NEAR)).flatmap(lambda f: st.tuples(
    st.just("POST"), _NEAR[f][0], st.just({"X-v3io-function": f, "X-v3io-session-key": "k"}),
    _NEAR[f][1].map(json.dumps)))
HOSTILE = st.tuples(
    st.sampled_from(["POST"] * 4 + ["PUT", "GET", "DELETE"]), PATHS, HEADERS,
    st.one_of(BODY.map(lambda b: json.dumps(b).encode("utf-8", "surrogatepass")), BODY.map(json.dumps),
              raw_bodies(st.just({})), st.sampled_from([b"x" * (10 * 1024 * 1024 + 1)])))


def _v3io_error(response: WireResponse) -> str | None:
    try:
        body = json.loads(response.body)
    except ValueError:
        return "body is not JSON"
    if not isinstance(body, dict) or set(body) != {"ErrorCode", "ErrorMessage"}:
        return "not v3io's error body"
    if not isinstance(body["ErrorCode"], int) or not isinstance(body["ErrorMessage"], str):
        return "wrong types"
    return None


def _fresh_backend(mock: MockPutRecord) -> str:
    mock.reset()
    mock.v3io.create_stream("bigdata", "fuzz/stream", shard_count=2)
    mock.v3io.put_records("bigdata", "fuzz/stream", [b"a", b"b", b"c"])
    response = requests.post(ENDPOINT + "/bigdata/fuzz/stream/0", json={"Type": "EARLIEST"},
                             headers={"X-v3io-function": "Seek", "X-v3io-session-key": "k"}, timeout=5)
    return str(response.json()["Location"])


def _counts(mock: MockPutRecord) -> list[int] | None:
    try:
        return mock.v3io.shard_record_counts("bigdata", "fuzz/stream")
    except Exception:  # deleted or replaced by the example
        return None


def test_raw_requests_through_requests(mock: MockPutRecord, recorder: Recorder) -> None:
    examples = 0
    statuses: dict[tuple[str, int], int] = {}
    session = requests.Session()

    @settings(PROFILE, max_examples=PROFILE.max_examples * 4)
    @given(request=st.one_of(NEAR_VALID, HOSTILE))
    def run(request: tuple[str, str, dict[str, str], Any]) -> None:
        method, path, headers, body = request
        nonlocal examples
        examples += 1
        location = _fresh_backend(mock)
        recorder.answers.clear()
        before = _counts(mock)
        if isinstance(body, str):
            body = body.replace(LOCATION, location).encode("utf-8", "surrogatepass")
        if "X-v3io-function" not in headers and "/fuzz/" not in path:
            headers = {**headers, "X-v3io-function": "PutRecords"}  # otherwise not a v3io request: left alone
        response = session.request(method, ENDPOINT + path, data=body, headers=headers, timeout=10)
        answers = recorder.take()
        assert len(answers) == 1, "the request must be answered by the mock, once"
        answer = answers[0]
        check_answer(answer, _v3io_error)
        assert answer.response is not None and response.status_code == answer.response.status
        key = (answer.request.operation, response.status_code)
        statuses[key] = statuses.get(key, 0) + 1
        after = _counts(mock)
        added = 0
        if answer.request.operation == "PutRecords" and response.status_code == 200:
            added = sum(1 for r in response.json()["Records"] if "SequenceNumber" in r)
        if before is not None and after is not None and answer.request.method != "DELETE":
            assert sum(after) == sum(before) + added
            assert all(a >= b for a, b in zip(after, before))
            for shard, count in enumerate(after):
                numbers = [r.sequence_number for r in mock.v3io.records("bigdata", "fuzz/stream", shard)]
                assert numbers == list(range(1, count + 1))

    run()
    session.close()
    print(f"\nv3io raw requests: {examples} examples, {recorder.reached} answered: {sorted(statuses.items())}")
    # The examples reach past validation: successful puts and reads, not only errors.
    assert statuses.get(("PutRecords", 200)) and statuses.get(("GetRecords", 200)) and statuses.get(("Seek", 200))
