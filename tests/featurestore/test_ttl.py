"""TTL: ExpiresAt = EventTime + TtlDuration, record TTL over group TTL, expiry on the
mock's clock."""
from __future__ import annotations

import time
from typing import Any, Callable

from mock_putrecord import MockPutRecord

from .conftest import record


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def test_group_ttl_sets_expires_at(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(ttl={"Unit": "Days", "Value": 1})
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2099-01-01T00:00:00Z"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", ExpirationTimeResponse="Enabled")
    assert got["ExpiresAt"] == "2099-01-02T00:00:00Z"


def test_expires_at_keeps_milliseconds(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(ttl={"Unit": "Seconds", "Value": 1})
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2099-01-01T00:00:00.250Z"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", ExpirationTimeResponse="Enabled")
    assert got["ExpiresAt"] == "2099-01-01T00:00:01.250Z"


def test_record_ttl_overrides_group_ttl(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(ttl={"Unit": "Days", "Value": 1})
    runtime.put_record(
        FeatureGroupName="fs-main",
        Record=record(event_time="2099-01-01T00:00:00Z"),
        TtlDuration={"Unit": "Weeks", "Value": 2},
    )
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", ExpirationTimeResponse="Enabled")
    assert got["ExpiresAt"] == "2099-01-15T00:00:00Z"


def test_expires_at_not_returned_unless_enabled(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(ttl={"Unit": "Days", "Value": 1})
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2099-01-01T00:00:00Z"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", ExpirationTimeResponse="Disabled")
    assert "ExpiresAt" not in got and "Record" in got


def test_no_ttl_means_no_expires_at(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2099-01-01T00:00:00Z"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", ExpirationTimeResponse="Enabled")
    assert "ExpiresAt" not in got


def test_record_expires_when_the_clock_passes_expires_at(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    now = time.time()
    runtime.put_record(
        FeatureGroupName="fs-main", Record=record(event_time=_iso(now)), TtlDuration={"Unit": "Minutes", "Value": 5}
    )
    mock.advance(60)
    assert "Record" in runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")
    mock.advance(300)
    assert "Record" not in runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")


def test_expiry_adds_a_deleted_row_to_the_offline_store(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(offline=True, ttl={"Unit": "Seconds", "Value": 30})
    event_time = _iso(time.time())
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time=event_time, age="3"))
    mock.advance(31)
    rows = mock.featurestore.offline_rows("fs-main")
    assert [row["is_deleted"] for row in rows] == [False, True]
    assert rows[1]["customer_id"] == "c1" and rows[1]["age"] is None


def test_expired_record_frees_the_identifier_for_older_puts(mock: MockPutRecord, runtime: Any, create_group: Callable[..., str]) -> None:
    # TTL expiry is a hard delete: afterwards an older (but unexpired) put is served.
    create_group()
    now = time.time()
    runtime.put_record(
        FeatureGroupName="fs-main", Record=record(event_time=_iso(now), age="1"), TtlDuration={"Unit": "Seconds", "Value": 10}
    )
    mock.advance(20)
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time=_iso(now - 5), age="2"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")
    assert got["Record"][2] == {"FeatureName": "age", "ValueAsString": "2"}


def test_updated_group_ttl_applies_to_later_records_only(sagemaker: Any, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(customer_id="before", event_time="2099-01-01T00:00:00Z"))
    sagemaker.update_feature_group(FeatureGroupName="fs-main", OnlineStoreConfig={"TtlDuration": {"Unit": "Hours", "Value": 2}})
    runtime.put_record(FeatureGroupName="fs-main", Record=record(customer_id="after", event_time="2099-01-01T00:00:00Z"))
    before = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="before", ExpirationTimeResponse="Enabled")
    after = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="after", ExpirationTimeResponse="Enabled")
    assert "ExpiresAt" not in before
    assert after["ExpiresAt"] == "2099-01-01T02:00:00Z"


def test_group_ttl_removed_by_null_unit_and_value(sagemaker: Any, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(ttl={"Unit": "Days", "Value": 1})
    sagemaker.update_feature_group(FeatureGroupName="fs-main", OnlineStoreConfig={"TtlDuration": {}})
    runtime.put_record(FeatureGroupName="fs-main", Record=record(event_time="2099-01-01T00:00:00Z"))
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", ExpirationTimeResponse="Enabled")
    assert "ExpiresAt" not in got
    assert "TtlDuration" not in sagemaker.describe_feature_group(FeatureGroupName="fs-main")["OnlineStoreConfig"]
