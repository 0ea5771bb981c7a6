"""DeleteRecord: soft and hard deletes, EventTime rules, offline markers."""
from __future__ import annotations

from typing import Any, Callable

from mock_putrecord import MockPutRecord

from .conftest import error_of, record, values_of


def _get(runtime: Any) -> dict[str, Any]:
    return dict(runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1"))


def test_soft_delete_hides_the_record(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record())
    runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-02-01T00:00:00Z")
    assert "Record" not in _get(runtime)


def test_soft_delete_with_older_event_time_keeps_the_record(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-02-01T00:00:00Z"))
    runtime.delete_record(
        FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-01-01T00:00:00Z", DeletionMode="SoftDelete"
    )
    assert values_of(_get(runtime))["event_time"] == "2024-02-01T00:00:00Z"


def test_put_older_than_a_soft_delete_stays_hidden(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-01-01T00:00:00Z"))
    runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-03-01T00:00:00Z")
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-02-01T00:00:00Z"))
    assert "Record" not in _get(runtime)


def test_put_newer_than_a_soft_delete_is_visible(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-01-01T00:00:00Z"))
    runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-02-01T00:00:00Z")
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-03-01T00:00:00Z"))
    assert values_of(_get(runtime))["event_time"] == "2024-03-01T00:00:00Z"


def test_hard_delete_then_older_put_is_visible(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-03-01T00:00:00Z"))
    runtime.delete_record(
        FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-04-01T00:00:00Z", DeletionMode="HardDelete"
    )
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2020-10-29T00:00:00Z"))
    assert values_of(_get(runtime))["event_time"] == "2020-10-29T00:00:00Z"


def test_hard_delete_with_older_event_time_fails_and_changes_nothing(
    mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]
) -> None:
    create_group(offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-02-01T00:00:00Z"))
    assert error_of(
        lambda: runtime.delete_record(
            FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-02-01T00:00:00Z", DeletionMode="HardDelete"
        )
    ) == (
        "ValidationError",
        "Validation Error: EventTime [2024-02-01T00:00:00Z] of a HardDelete must be later than the EventTime of the existing record.",
        400,
    )
    assert "Record" in _get(runtime)
    assert len(mock.featurestore.offline_rows("fs-main")) == 1


def test_delete_writes_an_is_deleted_row_offline(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record(age="35"))
    runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-02-01T00:00:00Z")
    marker = mock.featurestore.offline_rows("fs-main")[-1]
    assert marker["is_deleted"] is True
    assert (marker["customer_id"], marker["event_time"], marker["age"], marker["score"]) == ("c1", "2024-02-01T00:00:00Z", None, None)


def test_soft_delete_with_older_event_time_still_writes_a_marker(
    mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]
) -> None:
    create_group(offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2024-02-01T00:00:00Z"))
    runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-01-01T00:00:00Z")
    assert [row["is_deleted"] for row in mock.featurestore.offline_rows("fs-main")] == [False, True]


def test_delete_targeting_offline_store_only_keeps_online_record(
    mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]
) -> None:
    create_group(offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record())
    runtime.delete_record(
        FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-02-01T00:00:00Z", TargetStores=["OfflineStore"]
    )
    assert "Record" in _get(runtime)
    assert mock.featurestore.offline_rows("fs-main")[-1]["is_deleted"] is True


def test_delete_of_unknown_identifier_succeeds(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    response = runtime.delete_record(
        FeatureGroupName="fs-main", RecordIdentifierValueAsString="nobody", EventTime="2024-01-01T00:00:00Z", DeletionMode="HardDelete"
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_delete_with_malformed_event_time_fails(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert error_of(
        lambda: runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="yesterday")
    ) == (
        "ValidationError",
        "Validation Error: The EventTime [yesterday] must be in the format of the EventTimeFeatureName [event_time] "
        "of type [String]: yyyy-MM-dd'T'HH:mm:ssZ or yyyy-MM-dd'T'HH:mm:ss.SSSZ.",
        400,
    )


def test_delete_on_unknown_group_fails(runtime: Any) -> None:
    assert error_of(
        lambda: runtime.delete_record(FeatureGroupName="nope", RecordIdentifierValueAsString="c1", EventTime="2024-01-01T00:00:00Z")
    ) == ("ValidationError", "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [nope].", 400)


def test_delete_without_event_time_fails(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert error_of(lambda: runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")) == (
        "ValidationError",
        "1 validation error detected: Value null at 'eventTime' failed to satisfy constraint: Member must not be null",
        400,
    )
