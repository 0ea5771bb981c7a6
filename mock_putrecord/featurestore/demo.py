"""The Feature Store part of ``python -m mock_putrecord demo``.

With the mock active, it creates a feature group and writes three versions of one
record through unchanged boto3 (one of them older than the one before), then shows what
GetRecord serves from the online store next to the offline store's rows.
"""
from __future__ import annotations

from typing import Callable

import boto3  # type: ignore[import-untyped,unused-ignore]

from ..core.settings import settings
from .view import FeatureStoreView


class _ActiveContext:
    """Account and region of the innermost active mock."""

    @property
    def account_id(self) -> str:
        return settings.account_id

    @property
    def default_region(self) -> str:
        return settings.default_region


def run(out: Callable[[str], None]) -> None:
    """Run the demo, writing its lines through ``out`` (the mock must be active)."""
    region = settings.default_region
    sagemaker = boto3.client("sagemaker", region_name=region)
    runtime = boto3.client("sagemaker-featurestore-runtime", region_name=region)
    group = "customers"
    sagemaker.create_feature_group(
        FeatureGroupName=group,
        RecordIdentifierFeatureName="customer_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=[
            {"FeatureName": "customer_id", "FeatureType": "String"},
            {"FeatureName": "event_time", "FeatureType": "String"},
            {"FeatureName": "score", "FeatureType": "Fractional"},
        ],
        OnlineStoreConfig={"EnableOnlineStore": True},
        OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://demo-bucket/feature-store"}},
        RoleArn=f"arn:aws:iam::{settings.account_id}:role/demo",
    )
    out(f"created feature group {group!r} (online + offline store)")
    versions = [("2024-01-01T00:00:00Z", "0.50"), ("2024-03-01T00:00:00Z", "0.75"), ("2024-02-01T00:00:00Z", "0.10")]
    for event_time, score in versions:
        runtime.put_record(
            FeatureGroupName=group,
            Record=[
                {"FeatureName": "customer_id", "ValueAsString": "c-42"},
                {"FeatureName": "event_time", "ValueAsString": event_time},
                {"FeatureName": "score", "ValueAsString": score},
            ],
        )
        out(f"PutRecord c-42  event_time={event_time}  score={score}")
    online = runtime.get_record(FeatureGroupName=group, RecordIdentifierValueAsString="c-42")["Record"]
    shown = ", ".join(f"{item['FeatureName']}={item['ValueAsString']}" for item in online)
    out(f"online  (GetRecord): {shown}   <- the newest event time wins")
    out("offline (every write, in write order):")
    for row in FeatureStoreView(_ActiveContext()).offline_rows(group, region=region):
        # The offline store types Fractional as a float; print it as the online store does.
        out(f"  event_time={row['event_time']}  score={row['score']:.2f}  is_deleted={row['is_deleted']}")
    out("the 2024-02-01 version was older than the stored one, so it went to the offline store only")
