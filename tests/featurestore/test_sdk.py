"""The SageMaker Python SDK's feature-store path, unchanged, against the mock.

Ingestion here runs with ``max_workers=1, max_processes=1``; the multi-process path (a
forked pathos pool sharing the parent's mock) is tested in ``tests/processes``.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest

sagemaker = pytest.importorskip("sagemaker")
pandas = pytest.importorskip("pandas")
feature_group_module = pytest.importorskip("sagemaker.feature_store.feature_group")

import boto3  # noqa: E402

from mock_putrecord import MockPutRecord, mock_putrecord  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/sdk-test"


@pytest.fixture
def sdk() -> Iterator[tuple[MockPutRecord, Any]]:
    with mock_putrecord(region="us-east-1") as handle:
        boto_session = boto3.Session(region_name="us-east-1")
        session = sagemaker.Session(
            boto_session=boto_session,
            sagemaker_client=boto_session.client("sagemaker"),
            sagemaker_featurestore_runtime_client=boto_session.client("sagemaker-featurestore-runtime"),
            default_bucket="sdk-bucket",
        )
        yield handle, session


def _group(session: Any, name: str = "customers", offline: bool = False) -> Any:
    from sagemaker.feature_store.feature_definition import FractionalFeatureDefinition, StringFeatureDefinition

    group = feature_group_module.FeatureGroup(
        name=name,
        sagemaker_session=session,
        feature_definitions=[
            StringFeatureDefinition("customer_id"),
            StringFeatureDefinition("event_time"),
            FractionalFeatureDefinition("score"),
        ],
    )
    group.create(
        s3_uri="s3://sdk-bucket/offline" if offline else False,
        record_identifier_name="customer_id",
        event_time_feature_name="event_time",
        role_arn=ROLE,
        enable_online_store=True,
    )
    return group


def test_sdk_put_and_get_record(sdk: tuple[MockPutRecord, Any]) -> None:
    from sagemaker.feature_store.inputs import FeatureValue

    _, session = sdk
    group = _group(session)
    group.put_record(
        record=[
            FeatureValue("customer_id", value_as_string="c1"),
            FeatureValue("event_time", value_as_string="2024-01-01T00:00:00Z"),
            FeatureValue("score", value_as_string="0.5"),
        ]
    )
    assert group.get_record(record_identifier_value_as_string="c1") == [
        {"FeatureName": "customer_id", "ValueAsString": "c1"},
        {"FeatureName": "event_time", "ValueAsString": "2024-01-01T00:00:00Z"},
        {"FeatureName": "score", "ValueAsString": "0.5"},
    ]
    assert group.get_record(record_identifier_value_as_string="nobody") is None


def test_sdk_describe_reports_created(sdk: tuple[MockPutRecord, Any]) -> None:
    _, session = sdk
    group = _group(session)
    assert group.describe()["FeatureGroupStatus"] == "Created"


def test_sdk_ingest_dataframe_single_worker(sdk: tuple[MockPutRecord, Any]) -> None:
    mock, session = sdk
    group = _group(session, offline=True)
    frame = pandas.DataFrame(
        {
            "customer_id": ["c1", "c2", "c1"],
            "event_time": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"],
            "score": [0.5, float("nan"), 0.9],
        }
    )
    group.ingest(data_frame=frame, max_workers=1, max_processes=1, wait=True)
    assert mock.featurestore.online_record("customers", "c1") == {
        "customer_id": "c1", "event_time": "2024-02-01T00:00:00Z", "score": "0.9",
    }
    # The SDK leaves NaN features out of the record, so c2 has no score.
    assert mock.featurestore.online_record("customers", "c2") == {"customer_id": "c2", "event_time": "2024-01-01T00:00:00Z"}
    assert len(mock.featurestore.offline_rows("customers")) == 3


def test_sdk_ingest_reports_rejected_rows(sdk: tuple[MockPutRecord, Any]) -> None:
    from sagemaker.feature_store.feature_group import IngestionError

    _, session = sdk
    group = _group(session)
    frame = pandas.DataFrame({"customer_id": ["c1", "c2"], "event_time": ["2024-01-01T00:00:00Z", "not a time"], "score": [0.5, 0.7]})
    with pytest.raises(IngestionError) as excinfo:
        group.ingest(data_frame=frame, max_workers=1, max_processes=1, wait=True)
    assert excinfo.value.failed_rows == [1]


def test_sdk_hard_delete_record(sdk: tuple[MockPutRecord, Any]) -> None:
    from sagemaker.feature_store.inputs import DeletionModeEnum, FeatureValue

    _, session = sdk
    group = _group(session)
    group.put_record(
        record=[FeatureValue("customer_id", value_as_string="c1"), FeatureValue("event_time", value_as_string="2024-01-01T00:00:00Z")]
    )
    group.delete_record("c1", event_time="2024-06-01T00:00:00Z", deletion_mode=DeletionModeEnum.HARD_DELETE)
    assert group.get_record(record_identifier_value_as_string="c1") is None
