"""Feature Store fixtures: an active mock, boto3 clients without client-side validation
or retries (so what the mock answers is what a test sees), and a group factory."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from mock_putrecord import MockPutRecord, mock_putrecord

RAW = Config(parameter_validation=False, retries={"total_max_attempts": 1, "mode": "standard"})
ROLE = "arn:aws:iam::123456789012:role/fs-test"
STANDARD_FEATURES = {"customer_id": "String", "event_time": "String", "age": "Integral", "score": "Fractional"}


@pytest.fixture
def mock() -> Iterator[MockPutRecord]:
    with mock_putrecord(region="us-east-1") as handle:
        yield handle


@pytest.fixture
def runtime(mock: MockPutRecord) -> Any:
    return boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1", config=RAW)


@pytest.fixture
def sagemaker(mock: MockPutRecord) -> Any:
    return boto3.client("sagemaker", region_name="us-east-1", config=RAW)


def definitions(features: dict[str, str]) -> list[dict[str, str]]:
    return [{"FeatureName": name, "FeatureType": kind} for name, kind in features.items()]


@pytest.fixture
def create_group(sagemaker: Any) -> Callable[..., str]:
    """Create a group through boto3 (online store on unless told otherwise)."""

    def create(
        name: str = "fs-main",
        *,
        features: dict[str, str] | None = None,
        online: bool = True,
        offline: bool = False,
        ttl: dict[str, Any] | None = None,
        event_time: str = "event_time",
        **extra: Any,
    ) -> str:
        params: dict[str, Any] = {
            "FeatureGroupName": name,
            "RecordIdentifierFeatureName": "customer_id",
            "EventTimeFeatureName": event_time,
            "FeatureDefinitions": definitions(features or STANDARD_FEATURES),
            "RoleArn": ROLE,
        }
        if online:
            params["OnlineStoreConfig"] = {"EnableOnlineStore": True}
            if ttl is not None:
                params["OnlineStoreConfig"]["TtlDuration"] = ttl
        if offline:
            params["OfflineStoreConfig"] = {"S3StorageConfig": {"S3Uri": "s3://bucket/prefix"}}
        params.update(extra)
        return str(sagemaker.create_feature_group(**params)["FeatureGroupArn"])

    return create


def record(customer_id: str = "c1", event_time: str = "2024-01-01T00:00:00Z", **features: str) -> list[dict[str, Any]]:
    """A PutRecord ``Record`` list (extra features as keyword arguments)."""
    values = {"customer_id": customer_id, "event_time": event_time, **features}
    return [{"FeatureName": name, "ValueAsString": value} for name, value in values.items()]


def error_of(call: Callable[[], Any]) -> tuple[str, str, int]:
    """Run ``call``, which must fail, and return (code, message, HTTP status)."""
    with pytest.raises(ClientError) as excinfo:
        call()
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def values_of(response: dict[str, Any]) -> dict[str, Any]:
    """GetRecord's ``Record`` as feature name → value."""
    return {
        item["FeatureName"]: item.get("ValueAsString", item.get("ValueAsStringList"))
        for item in response.get("Record", [])
    }
