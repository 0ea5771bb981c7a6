"""Hostile input to every implemented Feature Store operation: the runtime (rest-json:
PutRecord, GetRecord, DeleteRecord, BatchGetRecord) and the feature-group operations of
the SageMaker control plane (JSON 1.1), through boto3 without client-side validation and
as raw requests straight to the dispatcher.

Every answer is a success or a well-formed error with a 4xx status (the runtime's code
in ``x-amzn-ErrorType``, the control plane's in ``__type``); never a traceback or a 5xx
(the adapter turns an internal exception into ``InternalFailure`` 500, which fails here).
After each example, requests that failed changed nothing: the offline store grows by at
most one row per successful PutRecord/DeleteRecord, and the online record of "r1" is
either the one stored before or one a successful request wrote.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_putrecord import MockPutRecord
from mock_putrecord.core.wire import WireRequest
from mock_putrecord.featurestore.responses import ControlAdapter, RuntimeAdapter
from mock_putrecord.core.dispatch import dispatch

from .conftest import PROFILE, raw_client
from .hostile import Answer, Recorder, check_answer, frames_in_package, json_error, params_for, raw_bodies
from .hostile import recorder  # noqa: F401  (fixture)

RUNTIME, CONTROL = "sagemaker-featurestore-runtime", "sagemaker"
RUNTIME_OPERATIONS = sorted(RuntimeAdapter().operations)
CONTROL_OPERATIONS = sorted(ControlAdapter().operations)
FEATURES = {"customer_id": "String", "event_time": "String", "age": "Integral", "score": "Fractional"}
ARN = "arn:aws:sagemaker:us-east-1:123456789012:feature-group/fg"
FEATURE_NAMES = st.sampled_from(list(FEATURES) + ["nope", "", "Customer_ID"])
FEATURE_VALUE = st.one_of(
    st.sampled_from(["r1", "r2", "2024-01-01T00:00:00Z", "2030-01-01T00:00:00.123Z", "1700000000.5", "1", "-0",
                     "1e400", "NaN", "9" * 30, "", " ", "2024-02-30T00:00:00Z", "\udcff", "x" * 400_000]),
    st.text(max_size=8),
)
RECORD = st.lists(
    st.fixed_dictionaries({"FeatureName": FEATURE_NAMES},
                          optional={"ValueAsString": FEATURE_VALUE, "ValueAsStringList": st.lists(FEATURE_VALUE, max_size=2)}),
    max_size=5,
)
GOOD_RECORD = st.tuples(st.sampled_from(["r1", "r2"]), st.sampled_from(
    ["2024-01-01T00:00:00Z", "2023-01-01T00:00:00Z", "2031-01-01T00:00:00Z", "1700000000.5", "2024-01-01T00:00:00Z"]),
    st.sampled_from(["1", "x", "-5", "99999999999999999999"])).map(
    lambda t: [{"FeatureName": "customer_id", "ValueAsString": t[0]}, {"FeatureName": "event_time", "ValueAsString": t[1]},
               {"FeatureName": "age", "ValueAsString": t[2]}])
HINTS = {
    "FeatureGroupName": st.sampled_from(["fg"] * 4 + ["nope", ARN, ARN.replace("fg", "nope"), "a" * 65]),
    "Record": st.one_of(GOOD_RECORD, GOOD_RECORD, RECORD),
    "RecordIdentifierValueAsString": st.sampled_from(["r1", "r2", "", "\udcff"]),
    "RecordIdentifierFeatureName": st.sampled_from(["customer_id", "id"]),
    "EventTimeFeatureName": st.sampled_from(["event_time", "ts"]),
    "FeatureName": FEATURE_NAMES,
    "FeatureNames": st.lists(FEATURE_NAMES, max_size=3),
    "EventTime": st.sampled_from(["2024-01-01T00:00:00Z", "2035-01-01T00:00:00Z", "1700000000", "bad", ""]),
    "RoleArn": st.sampled_from(["arn:aws:iam::123456789012:role/r", "role"]),
    "FeatureType": st.sampled_from(["String", "Integral", "Fractional", "Bool"]),
}

NEAR_VALID = {
    "PutRecord": st.fixed_dictionaries(
        {"FeatureGroupName": HINTS["FeatureGroupName"], "Record": HINTS["Record"]},
        optional={"TargetStores": st.lists(st.sampled_from(["OnlineStore", "OfflineStore", "x"]), max_size=3),
                  "TtlDuration": st.fixed_dictionaries({"Unit": st.sampled_from(["Seconds", "Days", "x"]),
                                                        "Value": st.integers(-1, 10**12)})}),
    "BatchGetRecord": st.fixed_dictionaries({"Identifiers": st.lists(st.fixed_dictionaries(
        {"FeatureGroupName": HINTS["FeatureGroupName"],
         "RecordIdentifiersValueAsString": st.lists(HINTS["RecordIdentifierValueAsString"], max_size=3)},
        optional={"FeatureNames": HINTS["FeatureNames"]}), max_size=3)},
        optional={"ExpirationTimeResponse": st.sampled_from(["Enabled", "Disabled", "x"])}),
    "CreateFeatureGroup": st.fixed_dictionaries(
        {"FeatureGroupName": st.sampled_from(["fg", "fg2", "a" * 64, "-x"]),
         "RecordIdentifierFeatureName": HINTS["RecordIdentifierFeatureName"],
         "EventTimeFeatureName": HINTS["EventTimeFeatureName"],
         "FeatureDefinitions": st.lists(st.fixed_dictionaries(
             {"FeatureName": st.sampled_from(["customer_id", "event_time", "ts", "id", "a", "is_deleted"]),
              "FeatureType": HINTS["FeatureType"]}), max_size=4)},
        optional={"RoleArn": HINTS["RoleArn"],
                  "OnlineStoreConfig": st.fixed_dictionaries({}, optional={"EnableOnlineStore": st.booleans()}),
                  "OfflineStoreConfig": st.fixed_dictionaries({"S3StorageConfig": st.fixed_dictionaries(
                      {"S3Uri": st.sampled_from(["s3://b/p", "http://x"])})})}),
}


def _params(service: str, operation: str, for_botocore: bool) -> st.SearchStrategy[dict[str, Any]]:
    generic = params_for(service, operation, HINTS, for_botocore=for_botocore)
    near = NEAR_VALID.get(operation)
    return generic if near is None else st.one_of(near, generic)


def _fresh_backend(mock: MockPutRecord) -> None:
    mock.reset()
    mock.featurestore.create_feature_group("fg", record_identifier="customer_id", event_time="event_time",
                                           features=FEATURES, offline=True)
    mock.featurestore.put_record("fg", {"customer_id": "r1", "event_time": "2024-01-01T00:00:00Z", "age": "1"})


def _state(mock: MockPutRecord) -> tuple[int, dict[str, Any] | None]:
    if "fg" not in mock.featurestore.feature_groups():
        return -1, None
    return len(mock.featurestore.offline_rows("fg")), mock.featurestore.online_record("fg", "r1")


def _check_invariants(mock: MockPutRecord, before: tuple[int, Any], answers: list[Answer]) -> None:
    ok = [a for a in answers if a.response is not None and a.response.status == 200]
    succeeded = [a.request.operation for a in ok]
    after = _state(mock)
    if any(op in ("DeleteFeatureGroup", "CreateFeatureGroup") for op in succeeded):
        return
    writes = sum(_rows_written_at_most(a.request) for a in ok)
    assert before[0] <= after[0] <= before[0] + writes, (before, after, succeeded)
    if not writes:
        assert after == before


def _rows_written_at_most(request: WireRequest) -> int:
    """How many offline rows a successful call may add: one per record it writes."""
    if request.operation in ("PutRecord", "DeleteRecord", "UpdateRecord"):
        return 1
    if request.operation == "BatchWriteRecord":
        entries = json.loads(request.body or b"{}").get("Entries")
        return len(entries) if isinstance(entries, list) else 0
    return 0


RUNTIME_ERROR, CONTROL_ERROR = json_error(code_in_header=True), json_error()


def _checker(service: str) -> Any:
    return RUNTIME_ERROR if service == RUNTIME else CONTROL_ERROR


CASES = [(RUNTIME, op) for op in RUNTIME_OPERATIONS] + [(CONTROL, op) for op in CONTROL_OPERATIONS]


@pytest.mark.parametrize(("service", "operation"), CASES)
def test_boto3_without_validation(service: str, operation: str, mock: MockPutRecord, recorder: Recorder) -> None:
    client = raw_client(service)
    method = getattr(client, {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation])
    examples = 0

    @settings(PROFILE)
    @given(params=_params(service, operation, for_botocore=True))
    def run(params: dict[str, Any]) -> None:
        nonlocal examples
        examples += 1
        _fresh_backend(mock)
        recorder.answers.clear()
        before = _state(mock)
        try:
            method(**params)
        except ClientError:
            pass
        except Exception as error:  # botocore refusing to serialise is fine; the mock raising is not
            assert not recorder.answers and not frames_in_package(error.__traceback__), repr(error)
        answers = recorder.take()
        for answer in answers:
            check_answer(answer, _checker(service))
        _check_invariants(mock, before, answers)

    run()
    print(f"\n{service} {operation}: {examples} examples, {recorder.reached} reached the mock")
    assert recorder.reached >= examples // 5, "examples must reach the mock, not stop in botocore"


_RUNTIME_ROUTES = {
    "PutRecord": ("PUT", "/FeatureGroup/{name}"),
    "GetRecord": ("GET", "/FeatureGroup/{name}"),
    "DeleteRecord": ("DELETE", "/FeatureGroup/{name}"),
    "BatchGetRecord": ("POST", "/BatchGetRecord"),
}
QUERY = st.dictionaries(st.sampled_from(["RecordIdentifierValueAsString", "EventTime", "FeatureName",
                                         "ExpirationTimeResponse", "TargetStores", "DeletionMode", "x"]),
                        st.one_of(FEATURE_VALUE, st.sampled_from(["Enabled", "OnlineStore", "HardDelete"])), max_size=4)


@pytest.mark.parametrize(("service", "operation"), CASES)
def test_raw_requests(service: str, operation: str, mock: MockPutRecord) -> None:
    examples = 0

    @settings(PROFILE)
    @given(body=raw_bodies(_params(service, operation, for_botocore=False)), name=HINTS["FeatureGroupName"] | st.text(max_size=4),
           query=QUERY)
    def run(body: bytes, name: str, query: dict[str, str]) -> None:
        nonlocal examples
        examples += 1
        _fresh_backend(mock)
        before = _state(mock)
        method, path = _RUNTIME_ROUTES.get(operation, ("POST", "/"))
        path = path.format(name=quote(name.encode("utf-8", "surrogatepass"), safe=""))
        query_string = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in query.items()})
        if service != RUNTIME:
            query_string = ""
        url = f"https://{service}.us-east-1.amazonaws.com{path}" + (f"?{query_string}" if query_string else "")
        request = WireRequest(method, url, path, query_string, {}, body, service, operation, "us-east-1", "123456789012")
        error = response = None
        try:
            response = dispatch(request)
        except Exception as raised:
            error = raised
        answer = Answer(request, response, error, 0.0)
        check_answer(answer, _checker(service))
        _check_invariants(mock, before, [answer])

    run()
    print(f"\n{service} {operation}: {examples} raw examples")
