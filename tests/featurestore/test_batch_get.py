"""BatchGetRecord across groups: Records, Errors and UnprocessedIdentifiers."""
from __future__ import annotations

from typing import Any, Callable

from .conftest import error_of, record


def _two_groups(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group("fs-main")
    create_group("fs-other")
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1", age="1"))
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c2", age="2"))
    runtime.put_record(FeatureGroupName="fs-other", Record=record("c1", age="3"))


def test_batch_get_spans_groups_and_skips_missing_ids(runtime: Any, create_group: Callable[..., str]) -> None:
    _two_groups(runtime, create_group)
    got = runtime.batch_get_record(
        Identifiers=[
            {"FeatureGroupName": "fs-main", "RecordIdentifiersValueAsString": ["c1", "c2", "missing"]},
            {"FeatureGroupName": "fs-other", "RecordIdentifiersValueAsString": ["c1", "missing"]},
        ]
    )
    found = sorted((item["FeatureGroupName"], item["RecordIdentifierValueAsString"]) for item in got["Records"])
    assert found == [("fs-main", "c1"), ("fs-main", "c2"), ("fs-other", "c1")]
    assert got["Errors"] == [] and got["UnprocessedIdentifiers"] == []


def test_batch_get_returns_the_record_values(runtime: Any, create_group: Callable[..., str]) -> None:
    _two_groups(runtime, create_group)
    got = runtime.batch_get_record(Identifiers=[{"FeatureGroupName": "fs-other", "RecordIdentifiersValueAsString": ["c1"]}])
    assert got["Records"][0]["Record"] == [
        {"FeatureName": "customer_id", "ValueAsString": "c1"},
        {"FeatureName": "event_time", "ValueAsString": "2024-01-01T00:00:00Z"},
        {"FeatureName": "age", "ValueAsString": "3"},
    ]


def test_batch_get_selects_feature_names(runtime: Any, create_group: Callable[..., str]) -> None:
    _two_groups(runtime, create_group)
    got = runtime.batch_get_record(
        Identifiers=[{"FeatureGroupName": "fs-main", "RecordIdentifiersValueAsString": ["c2"], "FeatureNames": ["age"]}]
    )
    assert got["Records"][0]["Record"] == [{"FeatureName": "age", "ValueAsString": "2"}]


def test_batch_get_unknown_group_is_reported_per_identifier(runtime: Any, create_group: Callable[..., str]) -> None:
    _two_groups(runtime, create_group)
    got = runtime.batch_get_record(
        Identifiers=[
            {"FeatureGroupName": "nope", "RecordIdentifiersValueAsString": ["a", "b"]},
            {"FeatureGroupName": "fs-main", "RecordIdentifiersValueAsString": ["c1"]},
        ]
    )
    message = "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [nope]."
    assert got["Errors"] == [
        {"FeatureGroupName": "nope", "RecordIdentifierValueAsString": "a", "ErrorCode": "ResourceNotFound", "ErrorMessage": message},
        {"FeatureGroupName": "nope", "RecordIdentifierValueAsString": "b", "ErrorCode": "ResourceNotFound", "ErrorMessage": message},
    ]
    assert len(got["Records"]) == 1


def test_batch_get_returns_expires_at_when_enabled(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(ttl={"Unit": "Hours", "Value": 1})
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2099-01-01T00:00:00Z"))
    got = runtime.batch_get_record(
        Identifiers=[{"FeatureGroupName": "fs-main", "RecordIdentifiersValueAsString": ["c1"]}], ExpirationTimeResponse="Enabled"
    )
    assert got["Records"][0]["ExpiresAt"] == "2099-01-01T01:00:00Z"


def test_batch_get_without_expiration_flag_has_no_expires_at(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(ttl={"Unit": "Hours", "Value": 1})
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2099-01-01T00:00:00Z"))
    got = runtime.batch_get_record(Identifiers=[{"FeatureGroupName": "fs-main", "RecordIdentifiersValueAsString": ["c1"]}])
    assert "ExpiresAt" not in got["Records"][0]


def test_batch_get_hides_soft_deleted_records(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record())
    runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-02-01T00:00:00Z")
    got = runtime.batch_get_record(Identifiers=[{"FeatureGroupName": "fs-main", "RecordIdentifiersValueAsString": ["c1"]}])
    assert got["Records"] == [] and got["Errors"] == []


def test_batch_get_with_too_many_identifiers_fails(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    ids = [str(number) for number in range(101)]
    code, message, status = error_of(
        lambda: runtime.batch_get_record(Identifiers=[{"FeatureGroupName": "fs-main", "RecordIdentifiersValueAsString": ids}])
    )
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("1 validation error detected: Value '[0, 1, 2,")
    assert message.endswith(
        "at 'identifiers.1.member.recordIdentifiersValueAsString' failed to satisfy constraint: "
        "Member must have length less than or equal to 100"
    )


def test_batch_get_without_identifiers_fails(runtime: Any) -> None:
    assert error_of(lambda: runtime.batch_get_record(Identifiers=[])) == (
        "ValidationError",
        "1 validation error detected: Value '[]' at 'identifiers' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        400,
    )
