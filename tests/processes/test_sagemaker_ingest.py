"""The SageMaker SDK v2's ``FeatureGroup.ingest`` with several processes and threads: its
pathos pool forks, and every row reaches the parent's Feature Store."""
from __future__ import annotations

import os
from typing import Any

import boto3
import pytest

from mock_putrecord import MockPutRecord

sagemaker = pytest.importorskip("sagemaker")
pandas = pytest.importorskip("pandas")
feature_group_module = pytest.importorskip("sagemaker.feature_store.feature_group")

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the SDK's pool forks (POSIX)")
ROWS = 60


def _group(mock: MockPutRecord) -> Any:
    from sagemaker.feature_store.feature_definition import FractionalFeatureDefinition, StringFeatureDefinition

    boto_session = boto3.Session(region_name="us-east-1")
    session = sagemaker.Session(
        boto_session=boto_session,
        sagemaker_client=boto_session.client("sagemaker"),
        sagemaker_featurestore_runtime_client=boto_session.client("sagemaker-featurestore-runtime"),
        default_bucket="sdk-bucket",
    )
    group = feature_group_module.FeatureGroup(
        name="customers",
        sagemaker_session=session,
        feature_definitions=[
            StringFeatureDefinition("customer_id"),
            StringFeatureDefinition("event_time"),
            FractionalFeatureDefinition("score"),
        ],
    )
    group.create(
        s3_uri="s3://sdk-bucket/offline",
        record_identifier_name="customer_id",
        event_time_feature_name="event_time",
        role_arn="arn:aws:iam::123456789012:role/sdk-test",
        enable_online_store=True,
    )
    return group


def test_ingest_with_processes_and_workers_stores_every_row_in_the_parent(mock: MockPutRecord) -> None:
    group = _group(mock)
    frame = pandas.DataFrame({
        "customer_id": [f"c{i}" for i in range(ROWS)],
        "event_time": ["2024-01-01T00:00:00Z"] * ROWS,
        "score": [i / 10 for i in range(ROWS)],
    })

    manager = group.ingest(data_frame=frame, max_workers=3, max_processes=2, wait=True)

    assert manager.failed_rows == []
    assert mock.featurestore.online_count("customers") == ROWS
    for i in range(ROWS):
        assert mock.featurestore.online_record("customers", f"c{i}") == {
            "customer_id": f"c{i}", "event_time": "2024-01-01T00:00:00Z", "score": str(i / 10),
        }
    assert sorted(row["customer_id"] for row in mock.featurestore.offline_rows("customers")) == sorted(
        f"c{i}" for i in range(ROWS)
    )
    # The parent's own client reads them back too.
    assert group.get_record(record_identifier_value_as_string="c7") == [
        {"FeatureName": "customer_id", "ValueAsString": "c7"},
        {"FeatureName": "event_time", "ValueAsString": "2024-01-01T00:00:00Z"},
        {"FeatureName": "score", "ValueAsString": "0.7"},
    ]


def test_ingest_reports_the_rows_the_parents_store_rejects(mock: MockPutRecord) -> None:
    from sagemaker.feature_store.feature_group import IngestionError

    group = _group(mock)
    frame = pandas.DataFrame({
        "customer_id": [f"c{i}" for i in range(6)],
        "event_time": ["2024-01-01T00:00:00Z"] * 5 + ["not a time"],
        "score": [0.5] * 6,
    })

    with pytest.raises(IngestionError) as excinfo:
        group.ingest(data_frame=frame, max_workers=3, max_processes=2, wait=True)

    assert excinfo.value.failed_rows == [5]
    assert mock.featurestore.online_count("customers") == 5
