"""Server-side validation: exact codes, messages and statuses, with botocore's own
client-side validation off, and no hostile input ever answered by a traceback or a 500."""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_putrecord import MockPutRecord
from mock_putrecord.core.wire import WireRequest
from mock_putrecord.featurestore.responses import control_adapter, runtime_adapter

from .conftest import error_of, record

FRACTIONAL_MESSAGE = (
    "Attempted to parse the feature value for the feature named [score] into a FeatureValue of type Fractional. "
    "The provided value must be within the range of a double precision floating point number defined by the "
    "IEEE 754 standard. The input format can be in either decimal form or scientific notation."
)
INTEGRAL_MESSAGE = (
    "Attempted to parse the feature value for the feature named [age] into a FeatureValue of type Integral. "
    "The provided value must be within the range of a 64-bit signed integer. The input format must be a whole "
    "number in decimal form."
)
STRING_EVENT_TIME_MESSAGE = (
    "Validation Error: The EventTime feature value for the feature named [event_time] must be "
    "yyyy-MM-dd'T'HH:mm:ssZ or yyyy-MM-dd'T'HH:mm:ss.SSSZ, between 0000-01-01T00:00:00.000Z and "
    "9999-12-31T23:59:59.999Z."
)


def _put_error(runtime: Any, records: list[dict[str, Any]], **extra: Any) -> tuple[str, str, int]:
    return error_of(lambda: runtime.put_record(FeatureGroupName="fs-main", Record=records, **extra))


def test_put_to_unknown_group(runtime: Any) -> None:
    assert error_of(lambda: runtime.put_record(FeatureGroupName="nope", Record=record())) == (
        "ValidationError", "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [nope].", 400,
    )


def test_get_from_unknown_group_is_resource_not_found(runtime: Any) -> None:
    assert error_of(lambda: runtime.get_record(FeatureGroupName="nope", RecordIdentifierValueAsString="c1")) == (
        "ResourceNotFound", "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [nope].", 404,
    )


@pytest.mark.parametrize("value", ["None", "abc", "1.0.0", "NaN", "Infinity", "1e999", "", " 1"])
def test_fractional_value_must_be_a_double(runtime: Any, create_group: Callable[..., str], value: str) -> None:
    create_group()
    assert _put_error(runtime, record(score=value)) == ("ValidationError", FRACTIONAL_MESSAGE, 400)


@pytest.mark.parametrize("value", ["0.5", "-3", "1e-5", "2.5E+10", ".5", "5."])
def test_fractional_accepts_decimal_and_scientific(runtime: Any, create_group: Callable[..., str], value: str) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(score=value))


@pytest.mark.parametrize("value", ["9223372036854775808", "-9223372036854775809", "1.0", "1e3", "x", ""])
def test_integral_value_must_be_int64(runtime: Any, create_group: Callable[..., str], value: str) -> None:
    create_group()
    assert _put_error(runtime, record(age=value)) == ("ValidationError", INTEGRAL_MESSAGE, 400)


@pytest.mark.parametrize("value", ["9223372036854775807", "-9223372036854775808", "+1", "0"])
def test_integral_accepts_int64_range(runtime: Any, create_group: Callable[..., str], value: str) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(age=value))


@pytest.mark.parametrize(
    "event_time",
    ["2024-01-01", "2024-01-01T00:00:00", "2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00.1Z",
     "2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z", "1704067200", ""],
)
def test_string_event_time_formats(runtime: Any, create_group: Callable[..., str], event_time: str) -> None:
    create_group()
    assert _put_error(runtime, record(event_time=event_time)) == ("ValidationError", STRING_EVENT_TIME_MESSAGE, 400)


@pytest.mark.parametrize("event_time", ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2024-02-29T00:00:00Z"])
def test_string_event_time_accepted_formats(runtime: Any, create_group: Callable[..., str], event_time: str) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time=event_time))


def test_fractional_event_time_must_be_a_number(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(features={"customer_id": "String", "event_time": "Fractional"})
    assert _put_error(runtime, record(event_time="2024-01-01T00:00:00Z")) == (
        "ValidationError",
        "Attempted to parse the feature value for the feature named [event_time] into a FeatureValue of type "
        "Fractional. The provided value must be within the range of a double precision floating point number "
        "defined by the IEEE 754 standard. The input format can be in either decimal form or scientific notation.",
        400,
    )


def test_fractional_event_time_beyond_year_9999_fails(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(features={"customer_id": "String", "event_time": "Fractional"})
    code, message, status = _put_error(runtime, record(event_time="1e12"))
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("Validation Error: The EventTime feature value for the feature named [event_time] must be seconds")


def test_record_identifier_is_required(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    records = [{"FeatureName": "event_time", "ValueAsString": "2024-01-01T00:00:00Z"}]
    assert _put_error(runtime, records) == (
        "ValidationError", "Validation Error: The record must contain a value for the RecordIdentifierFeatureName [customer_id].", 400,
    )


def test_event_time_is_required(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    records = [{"FeatureName": "customer_id", "ValueAsString": "c1"}, {"FeatureName": "age", "ValueAsString": "1"}]
    assert _put_error(runtime, records) == (
        "ValidationError", "Validation Error: The record must contain a value for the EventTimeFeatureName [event_time].", 400,
    )


def test_unknown_feature_name(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert _put_error(runtime, record(height="2")) == (
        "ValidationError", "Validation Error: The feature named [height] is not defined in the FeatureGroup [fs-main].", 400,
    )


def test_duplicate_feature_in_record(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    records = record(age="1") + [{"FeatureName": "age", "ValueAsString": "2"}]
    assert _put_error(runtime, records) == (
        "ValidationError", "Validation Error: The feature named [age] appears more than once in the record.", 400,
    )


def test_scalar_feature_needs_value_as_string(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    records = record() + [{"FeatureName": "age", "ValueAsStringList": ["1"]}]
    assert _put_error(runtime, records) == (
        "ValidationError", "Validation Error: The feature named [age] is of type [Integral] and needs a ValueAsString.", 400,
    )


def test_both_value_forms_are_rejected(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    records = record() + [{"FeatureName": "age", "ValueAsString": "1", "ValueAsStringList": ["1"]}]
    assert _put_error(runtime, records) == (
        "ValidationError",
        "Validation Error: The feature value for the feature named [age] must set only one of ValueAsString and ValueAsStringList.",
        400,
    )


def test_record_size_limit(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(features={"customer_id": "String", "event_time": "String", "a": "String", "b": "String"})
    big = "x" * 200_000
    assert _put_error(runtime, record(a=big, b=big)) == (
        "ValidationError", "Validation Error: The record size exceeds the maximum of 358400 bytes.", 400,
    )


def test_shape_errors_are_listed_together(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert _put_error(runtime, [], TargetStores=["Foo"], TtlDuration={"Unit": "Years"}) == (
        "ValidationError",
        "4 validation errors detected: "
        "Value '[]' at 'record' failed to satisfy constraint: Member must have length greater than or equal to 1; "
        "Value '[Foo]' at 'targetStores' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must satisfy enum value set: [OnlineStore, OfflineStore]]; "
        "Value 'Years' at 'ttlDuration.unit' failed to satisfy constraint: Member must satisfy enum value set: "
        "[Seconds, Minutes, Hours, Days, Weeks]; "
        "Value null at 'ttlDuration.value' failed to satisfy constraint: Member must not be null",
        400,
    )


def test_wrong_json_type_is_a_validation_error(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    records = record() + [{"FeatureName": "age", "ValueAsString": 5}]
    assert _put_error(runtime, records) == (
        "ValidationError",
        "1 validation error detected: Value '5' at 'record.3.member.valueAsString' failed to satisfy constraint: "
        "Member must be a string",
        400,
    )


def test_ttl_value_must_be_positive(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert _put_error(runtime, record(), TtlDuration={"Unit": "Days", "Value": 0}) == (
        "ValidationError",
        "1 validation error detected: Value '0' at 'ttlDuration.value' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
        400,
    )


def test_feature_group_name_pattern(runtime: Any) -> None:
    assert error_of(lambda: runtime.put_record(FeatureGroupName="bad name!", Record=record())) == (
        "ValidationError",
        "1 validation error detected: Value 'bad name!' at 'featureGroupName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: "
        "(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:feature-group/)?([a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63})",
        400,
    )


def test_get_record_requires_identifier(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert error_of(lambda: runtime.get_record(FeatureGroupName="fs-main")) == (
        "ValidationError",
        "1 validation error detected: Value null at 'recordIdentifierValueAsString' failed to satisfy constraint: "
        "Member must not be null",
        400,
    )


def test_expiration_time_response_enum(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert error_of(
        lambda: runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", ExpirationTimeResponse="Yes")
    ) == (
        "ValidationError",
        "1 validation error detected: Value 'Yes' at 'expirationTimeResponse' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Enabled, Disabled]",
        400,
    )


# ---------------------------------------------------------------- raw bodies
def _raw(adapter: Any, service: str, operation: str, body: bytes, path: str = "/", method: str = "POST") -> Any:
    request = WireRequest(method, "https://example" + path, path, "", {}, body, service, operation, "us-east-1", "123456789012")
    return adapter.operations[operation](request)


def test_runtime_bad_json_body(mock: MockPutRecord) -> None:
    response = _raw(runtime_adapter, "sagemaker-featurestore-runtime", "PutRecord", b"{not json", "/FeatureGroup/g", "PUT")
    assert response.status == 400
    assert response.headers["x-amzn-ErrorType"] == "ValidationError"
    assert json.loads(response.body) == {"message": "1 validation error detected: The request body is not valid JSON."}


def test_runtime_body_must_be_an_object(mock: MockPutRecord) -> None:
    response = _raw(runtime_adapter, "sagemaker-featurestore-runtime", "BatchGetRecord", b"[1, 2]", "/BatchGetRecord")
    assert response.status == 400
    assert json.loads(response.body) == {"message": "1 validation error detected: The request body must be a JSON object."}


def test_control_plane_bad_json_body(mock: MockPutRecord) -> None:
    response = _raw(control_adapter, "sagemaker", "CreateFeatureGroup", b"\xff\xfe")
    assert response.status == 400
    assert json.loads(response.body) == {
        "__type": "ValidationException", "message": "1 validation error detected: The request body is not valid JSON.",
    }


def test_every_response_carries_a_request_id(mock: MockPutRecord) -> None:
    response = _raw(runtime_adapter, "sagemaker-featurestore-runtime", "PutRecord", b"{}", "/FeatureGroup/g", "PUT")
    assert response.headers["x-amzn-RequestId"]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
_feature_value = st.fixed_dictionaries(
    {"FeatureName": st.sampled_from(["customer_id", "event_time", "age", "score", "x"]) | _json},
    optional={"ValueAsString": st.text(max_size=30) | _json, "ValueAsStringList": st.lists(st.text(max_size=5)) | _json},
)
_put_body = st.fixed_dictionaries(
    {},
    optional={
        "Record": st.lists(_feature_value, max_size=5) | _json,
        "TargetStores": st.lists(st.sampled_from(["OnlineStore", "OfflineStore", "x"])) | _json,
        "TtlDuration": st.fixed_dictionaries({}, optional={"Unit": st.sampled_from(["Days", "x"]) | _json, "Value": _json}) | _json,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_put_body)
def test_hostile_put_bodies_never_give_a_server_error(mock: MockPutRecord, body: dict[str, Any]) -> None:
    fs = mock.featurestore
    if not fs.feature_groups():
        fs.create_feature_group(
            "g", record_identifier="customer_id", event_time="event_time",
            features={"customer_id": "String", "event_time": "String", "age": "Integral", "score": "Fractional"},
            offline=True, ttl=60,
        )
    response = _raw(runtime_adapter, "sagemaker-featurestore-runtime", "PutRecord", json.dumps(body).encode(), "/FeatureGroup/g", "PUT")
    assert response.status in (200, 400), response.body
    if response.status == 400:
        assert response.headers["x-amzn-ErrorType"] == "ValidationError"
        assert json.loads(response.body)["message"]


_create_body = st.fixed_dictionaries(
    {},
    optional={
        "FeatureGroupName": st.sampled_from(["g1", "bad name"]) | _json,
        "RecordIdentifierFeatureName": st.sampled_from(["id", "t"]) | _json,
        "EventTimeFeatureName": st.sampled_from(["t", "id"]) | _json,
        "FeatureDefinitions": st.lists(
            st.fixed_dictionaries(
                {"FeatureName": st.sampled_from(["id", "t", "v"]) | _json},
                optional={"FeatureType": st.sampled_from(["String", "Fractional", "Integral"]) | _json,
                          "CollectionType": st.sampled_from(["List", "Vector"]) | _json,
                          "CollectionConfig": _json},
            ),
            max_size=4,
        ) | _json,
        "OnlineStoreConfig": st.fixed_dictionaries({}, optional={"EnableOnlineStore": st.booleans() | _json, "TtlDuration": _json, "StorageType": st.sampled_from(["InMemory", "Standard"])}) | _json,
        "OfflineStoreConfig": _json,
        "RoleArn": st.sampled_from(["arn:aws:iam::123456789012:role/r"]) | _json,
        "Tags": _json,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_create_body)
def test_hostile_create_bodies_never_give_a_server_error(mock: MockPutRecord, body: dict[str, Any]) -> None:
    mock.reset()
    response = _raw(control_adapter, "sagemaker", "CreateFeatureGroup", json.dumps(body).encode())
    assert response.status in (200, 400), response.body
    if response.status == 400:
        assert json.loads(response.body)["__type"] in ("ValidationException", "ResourceInUse")


@settings(max_examples=500, deadline=None)
@given(body=_put_body, name=st.sampled_from(["g", "bad name", "", "arn:aws:sagemaker:us-east-1:123456789012:feature-group/g"]) | _json)
def test_put_fast_path_never_accepts_what_the_model_rejects(body: dict[str, Any], name: Any) -> None:
    from mock_putrecord.featurestore.exceptions import ValidationError as FeatureStoreValidationError
    from mock_putrecord.featurestore.validation import ShapeValidator, put_record_is_valid

    params = dict(body, FeatureGroupName=name)
    if put_record_is_valid(params):  # must then pass the full model walk too
        ShapeValidator("sagemaker-featurestore-runtime", "PutRecord", FeatureStoreValidationError).validate(params)


def test_value_with_line_break_breaks_the_model_pattern(runtime: Any, create_group: Callable[..., str]) -> None:
    # The model's ValueAsString pattern is ".*", matched as Java does: "." stops at line breaks.
    create_group(features={"customer_id": "String", "event_time": "String", "note": "String"})
    assert _put_error(runtime, record(note="two\nlines")) == (
        "ValidationError",
        "1 validation error detected: Value 'two\nlines' at 'record.3.member.valueAsString' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: .*",
        400,
    )


@settings(max_examples=300, deadline=None)
@given(
    entries=st.lists(_put_body.map(lambda body: dict(body, FeatureGroupName="g")), max_size=27) | _json,
    ttl=st.none() | st.fixed_dictionaries({"Unit": st.sampled_from(["Seconds", "Days", "Years"]) | _json,
                                           "Value": st.integers(-1, 3) | _json}),
)
def test_batch_write_fast_path_never_accepts_what_the_model_rejects(entries: Any, ttl: Any) -> None:
    import botocore.session

    from mock_putrecord.featurestore.exceptions import ValidationError as FeatureStoreValidationError
    from mock_putrecord.featurestore.validation import ShapeValidator, batch_write_record_is_valid

    if "BatchWriteRecord" not in botocore.session.get_session().get_service_model("sagemaker-featurestore-runtime").operation_names:
        pytest.skip("this botocore has no BatchWriteRecord")
    params: dict[str, Any] = {"Entries": entries}
    if ttl is not None:
        params["TtlDuration"] = ttl
    if batch_write_record_is_valid(params):  # must then pass the full model walk too
        ShapeValidator("sagemaker-featurestore-runtime", "BatchWriteRecord", FeatureStoreValidationError).validate(params)
