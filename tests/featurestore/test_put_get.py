"""PutRecord and GetRecord: event-time ordering, target stores, selection, addressing."""
from __future__ import annotations

from typing import Any, Callable

from mock_putrecord import MockPutRecord

from .conftest import error_of, record, values_of


def test_newer_event_time_replaces_online_record(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-01-01T00:00:00Z", age="35"))
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-02-01T00:00:00Z", age="36"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")
    assert values_of(got) == {"customer_id": "c1", "event_time": "2024-02-01T00:00:00Z", "age": "36"}


def test_older_event_time_goes_to_offline_store_only(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-02-01T00:00:00Z", age="36"))
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-01-01T00:00:00Z", age="35"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")
    assert values_of(got)["age"] == "36"
    assert [row["age"] for row in mock.featurestore.offline_rows("fs-main")] == [36, 35]


def test_equal_event_time_does_not_replace_online_record(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record(age="1"))
    runtime.put_record(FeatureGroupName="fs-main", Record=record(age="2"))
    assert values_of(runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1"))["age"] == "1"
    assert len(mock.featurestore.offline_rows("fs-main")) == 2


def test_event_times_compare_as_instants_not_strings(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-01-01T00:00:00Z", age="1"))
    # ".500Z" sorts before "Z" as text but is half a second later.
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-01-01T00:00:00.500Z", age="2"))
    assert values_of(runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1"))["age"] == "2"


def test_fractional_event_time_orders_by_seconds(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(features={"customer_id": "String", "event_time": "Fractional", "age": "Integral"})
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="1700000000.25", age="1"))
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="1.7e9", age="2"))
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="1700000000.5", age="3"))
    got = values_of(runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1"))
    assert got == {"customer_id": "c1", "event_time": "1700000000.5", "age": "3"}


def test_put_is_a_full_overwrite(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(age="35", score="0.5"))
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-02-01T00:00:00Z", age="35"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")
    assert "score" not in values_of(got)


def test_get_record_returns_features_in_definition_order(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=list(reversed(record(age="35", score="0.5"))))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")
    assert [item["FeatureName"] for item in got["Record"]] == ["customer_id", "event_time", "age", "score"]


def test_values_are_echoed_exactly_as_sent(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(age="+007", score="1.0E2"))
    got = values_of(runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1"))
    assert (got["age"], got["score"]) == ("+007", "1.0E2")


def test_get_record_of_unknown_identifier_has_no_record(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="nobody")
    assert "Record" not in got
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_get_record_selects_feature_names(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(age="35", score="0.5"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", FeatureNames=["score", "age"])
    assert got["Record"] == [{"FeatureName": "score", "ValueAsString": "0.5"}, {"FeatureName": "age", "ValueAsString": "35"}]


def test_get_record_with_unknown_feature_name_fails(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert error_of(
        lambda: runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", FeatureNames=["height"])
    ) == ("ValidationError", "Validation Error: The feature named [height] is not defined in the FeatureGroup [fs-main].", 400)


def test_target_store_offline_only_leaves_online_store_untouched(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record(), TargetStores=["OfflineStore"])
    assert "Record" not in runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")
    assert len(mock.featurestore.offline_rows("fs-main")) == 1


def test_target_store_online_only_skips_offline_store(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record(), TargetStores=["OnlineStore"])
    assert "Record" in runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")
    assert mock.featurestore.offline_rows("fs-main") == []


def test_online_write_after_offline_only_write_with_same_event_time(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record(), TargetStores=["OfflineStore"])
    runtime.put_record(FeatureGroupName="fs-main", Record=record(), TargetStores=["OnlineStore"])
    assert "Record" in runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")


def test_offline_only_group_accepts_puts(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group("fs-off", online=False, offline=True)
    runtime.put_record(FeatureGroupName="fs-off", Record=record())
    assert len(mock.featurestore.offline_rows("fs-off")) == 1


def test_offline_only_group_rejects_get_record(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group("fs-off", online=False, offline=True)
    assert error_of(lambda: runtime.get_record(FeatureGroupName="fs-off", RecordIdentifierValueAsString="c1")) == (
        "ValidationError", "Validation Error: The FeatureGroup [fs-off] does not have an OnlineStore.", 400,
    )


def test_online_target_on_offline_only_group_fails(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group("fs-off", online=False, offline=True)
    assert error_of(
        lambda: runtime.put_record(FeatureGroupName="fs-off", Record=record(), TargetStores=["OnlineStore"])
    ) == ("ValidationError", "Validation Error: The FeatureGroup [fs-off] does not have an OnlineStore.", 400)


def test_offline_target_on_online_only_group_fails(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert error_of(
        lambda: runtime.put_record(FeatureGroupName="fs-main", Record=record(), TargetStores=["OfflineStore"])
    ) == ("ValidationError", "Validation Error: The FeatureGroup [fs-main] does not have an OfflineStore.", 400)


def test_group_addressed_by_arn(runtime: Any, create_group: Callable[..., str]) -> None:
    arn = create_group()
    runtime.put_record(FeatureGroupName=arn, Record=record())
    assert "Record" in runtime.get_record(FeatureGroupName=arn, RecordIdentifierValueAsString="c1")


def test_arn_of_another_region_is_not_found(runtime: Any, create_group: Callable[..., str]) -> None:
    arn = create_group().replace("us-east-1", "eu-west-1")
    assert error_of(lambda: runtime.put_record(FeatureGroupName=arn, Record=record())) == (
        "ValidationError", f"Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [{arn}].", 400,
    )


def test_group_names_are_case_insensitive(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group("Customers")
    runtime.put_record(FeatureGroupName="customers", Record=record())
    assert "Record" in runtime.get_record(FeatureGroupName="CUSTOMERS", RecordIdentifierValueAsString="c1")


def test_state_is_per_region(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    import boto3

    from .conftest import RAW

    create_group()
    other = boto3.client("sagemaker-featurestore-runtime", region_name="eu-west-1", config=RAW)
    code, _, status = error_of(lambda: other.put_record(FeatureGroupName="fs-main", Record=record()))
    assert (code, status) == ("ValidationError", 400)


def test_identifier_of_type_fractional(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(features={"customer_id": "Fractional", "event_time": "String"})
    runtime.put_record(FeatureGroupName="fs-main", Record=record(customer_id="10.0"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="10.0")
    assert values_of(got)["customer_id"] == "10.0"


def test_put_response_is_empty_with_request_id(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    response = runtime.put_record(FeatureGroupName="fs-main", Record=record())
    assert set(response) == {"ResponseMetadata"}
    assert response["ResponseMetadata"]["RequestId"]
