"""``mock.featurestore``: one-line groups, the online record, offline rows and DataFrame."""
from __future__ import annotations

import datetime
from typing import Any

import pytest

from mock_putrecord import MockPutRecord
from mock_putrecord.core.errors import ServiceError

from .conftest import record, values_of

FEATURES = {"id": "String", "t": "String", "x": "Fractional", "n": "Integral"}


def test_create_in_one_line_is_visible_to_boto3(mock: MockPutRecord, sagemaker: Any) -> None:
    arn = mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES)
    described = sagemaker.describe_feature_group(FeatureGroupName="g")
    assert described["FeatureGroupArn"] == arn
    assert [item["FeatureType"] for item in described["FeatureDefinitions"]] == ["String", "String", "Fractional", "Integral"]


def test_create_with_offline_store_and_ttl(mock: MockPutRecord, sagemaker: Any) -> None:
    mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES, offline=True, ttl=(2, "Days"))
    described = sagemaker.describe_feature_group(FeatureGroupName="g")
    assert described["OnlineStoreConfig"]["TtlDuration"] == {"Unit": "Days", "Value": 2}
    assert described["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"] == "s3://mock-putrecord-offline-store/g"


def test_create_collection_features(mock: MockPutRecord, runtime: Any) -> None:
    mock.featurestore.create_feature_group(
        "g", record_identifier="id", event_time="t", in_memory=True,
        features={"id": "String", "t": "String", "tags": "List[String]", "embedding": "Vector[2]"},
    )
    mock.featurestore.put_record("g", {"id": "a", "t": "2024-01-01T00:00:00Z", "tags": ["x", "y"], "embedding": [0.5, 1.5]})
    assert mock.featurestore.online_record("g", "a") == {
        "id": "a", "t": "2024-01-01T00:00:00Z", "tags": ["x", "y"], "embedding": ["0.5", "1.5"],
    }


def test_unknown_feature_type_is_a_python_error(mock: MockPutRecord) -> None:
    with pytest.raises(ValueError, match="unknown type 'Text'"):
        mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features={"id": "Text"})


def test_service_rules_apply_to_the_view(mock: MockPutRecord) -> None:
    mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES)
    with pytest.raises(ServiceError) as excinfo:
        mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES)
    assert excinfo.value.code == "ResourceInUse"


def test_online_record_sees_boto3_puts(mock: MockPutRecord, runtime: Any, create_group: Any) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record(age="35"))
    assert mock.featurestore.online_record("fs-main", "c1") == {"customer_id": "c1", "event_time": "2024-01-01T00:00:00Z", "age": "35"}
    assert mock.featurestore.online_record("fs-main", "nobody") is None


def test_view_put_is_seen_by_boto3(mock: MockPutRecord, runtime: Any) -> None:
    mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES)
    mock.featurestore.put_record("g", {"id": "a", "t": "2024-01-01T00:00:00Z", "x": 0.25, "n": 3})
    got = runtime.get_record(FeatureGroupName="g", RecordIdentifierValueAsString="a")
    assert values_of(got) == {"id": "a", "t": "2024-01-01T00:00:00Z", "x": "0.25", "n": "3"}


def test_offline_rows_are_typed_and_timestamped(mock: MockPutRecord) -> None:
    mock.advance(0)  # freeze the clock
    mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES, offline=True)
    mock.featurestore.put_record("g", {"id": "a", "t": "2024-01-01T00:00:00Z", "x": "1.5", "n": "7"})
    mock.advance(3)
    mock.featurestore.put_record("g", {"id": "a", "t": "2023-01-01T00:00:00Z"})
    first, second = mock.featurestore.offline_rows("g")
    assert (first["x"], first["n"], first["is_deleted"]) == (1.5, 7, False)
    assert (second["x"], second["n"]) == (None, None)
    assert isinstance(first["write_time"], datetime.datetime) and first["write_time"].tzinfo is datetime.timezone.utc
    assert second["api_invocation_time"] - first["api_invocation_time"] == datetime.timedelta(seconds=3)
    assert second["write_time"] == second["api_invocation_time"]


def test_offline_dataframe(mock: MockPutRecord) -> None:
    pandas = pytest.importorskip("pandas")
    mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES, offline=True)
    mock.featurestore.put_record("g", {"id": "a", "t": "2024-01-01T00:00:00Z", "x": 1.5})
    frame = mock.featurestore.offline_dataframe("g")
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["id", "t", "x", "n", "write_time", "api_invocation_time", "is_deleted"]
    assert frame.loc[0, "x"] == 1.5


def test_expires_at_and_online_count(mock: MockPutRecord) -> None:
    mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES, ttl=60)
    mock.featurestore.put_record("g", {"id": "a", "t": "2099-01-01T00:00:00Z"})
    mock.featurestore.put_record("g", {"id": "b", "t": "2099-01-01T00:00:00Z"})
    assert mock.featurestore.expires_at("g", "a") == datetime.datetime(2099, 1, 1, 0, 1, tzinfo=datetime.timezone.utc)
    assert mock.featurestore.online_count("g") == 2


def test_view_region_isolation(mock: MockPutRecord) -> None:
    mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES, region="eu-west-1")
    assert mock.featurestore.feature_groups() == []
    assert mock.featurestore.feature_groups(region="eu-west-1") == ["g"]


def test_unknown_group_is_a_key_error(mock: MockPutRecord) -> None:
    with pytest.raises(KeyError):
        mock.featurestore.offline_rows("nope")


def test_reset_forgets_groups(mock: MockPutRecord) -> None:
    mock.featurestore.create_feature_group("g", record_identifier="id", event_time="t", features=FEATURES)
    mock.reset()
    assert mock.featurestore.feature_groups() == []


def test_describe_and_online_record_share_nothing_with_the_mock(mock: MockPutRecord, sagemaker: Any) -> None:
    mock.featurestore.create_feature_group(
        "g", record_identifier="id", event_time="t", in_memory=True,
        features={"id": "String", "t": "String", "tags": "List[String]"},
    )
    mock.featurestore.put_record("g", {"id": "a", "t": "2024-01-01T00:00:00Z", "tags": ["x"]})
    described = mock.featurestore.describe("g")
    described["OnlineStoreConfig"]["StorageType"] = "Standard"
    mock.featurestore.online_record("g", "a")["tags"].append("changed")  # type: ignore[index,union-attr]
    assert mock.featurestore.describe("g")["OnlineStoreConfig"]["StorageType"] == "InMemory"
    assert mock.featurestore.online_record("g", "a") == {"id": "a", "t": "2024-01-01T00:00:00Z", "tags": ["x"]}
