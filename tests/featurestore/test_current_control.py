"""The feature-group fields of the current SageMaker API: StorageType (and its one-way
Standard → Standard_V2 migration) and ThroughputConfig (OnDemand / Provisioned)."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from ..helpers import requires_enum_value
from .conftest import error_of

needs_v2 = requires_enum_value("sagemaker", "StorageType", "Standard_V2")

PROVISIONED = {"ThroughputMode": "Provisioned", "ProvisionedReadCapacityUnits": 5, "ProvisionedWriteCapacityUnits": 7}


@needs_v2
def test_storage_type_is_described(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group(OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": "Standard_V2"})
    assert sagemaker.describe_feature_group(FeatureGroupName="fs-main")["OnlineStoreConfig"] == {
        "EnableOnlineStore": True, "StorageType": "Standard_V2"
    }


@needs_v2
def test_migrate_standard_to_standard_v2(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group()
    sagemaker.update_feature_group(FeatureGroupName="fs-main", OnlineStoreConfig={"StorageType": "Standard_V2"})
    got = sagemaker.describe_feature_group(FeatureGroupName="fs-main")
    assert got["OnlineStoreConfig"] == {"EnableOnlineStore": True, "StorageType": "Standard_V2"}
    assert got["LastUpdateStatus"] == {"Status": "Successful"}


@needs_v2
@pytest.mark.parametrize(("start", "target"), [("Standard_V2", "Standard"), ("InMemory", "Standard_V2")])
def test_migration_is_one_way(sagemaker: Any, create_group: Callable[..., str], start: str, target: str) -> None:
    create_group(OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": start})
    assert error_of(
        lambda: sagemaker.update_feature_group(FeatureGroupName="fs-main", OnlineStoreConfig={"StorageType": target})
    ) == (
        "ValidationException",
        "Validation Error: The OnlineStore StorageType of the FeatureGroup [fs-main] can only be migrated from "
        f"Standard to Standard_V2, not from {start} to {target}.",
        400,
    )
    assert sagemaker.describe_feature_group(FeatureGroupName="fs-main")["OnlineStoreConfig"]["StorageType"] == start


@needs_v2
def test_storage_type_of_an_offline_only_group(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group(online=False, offline=True)
    assert error_of(
        lambda: sagemaker.update_feature_group(FeatureGroupName="fs-main", OnlineStoreConfig={"StorageType": "Standard_V2"})
    ) == ("ValidationException", "Validation Error: The FeatureGroup [fs-main] does not have an OnlineStore.", 400)


def test_provisioned_throughput_is_described(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group(ThroughputConfig=PROVISIONED)
    assert sagemaker.describe_feature_group(FeatureGroupName="fs-main")["ThroughputConfig"] == PROVISIONED


def test_provisioned_offline_only_needs_write_units_only(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group(online=False, offline=True, ThroughputConfig={"ThroughputMode": "Provisioned", "ProvisionedWriteCapacityUnits": 3})
    assert sagemaker.describe_feature_group(FeatureGroupName="fs-main")["ThroughputConfig"] == {
        "ThroughputMode": "Provisioned", "ProvisionedWriteCapacityUnits": 3
    }
    assert error_of(lambda: create_group("fs-2", online=False, offline=True, ThroughputConfig=PROVISIONED)) == (
        "ValidationException",
        "Validation Error: ProvisionedReadCapacityUnits applies only to feature groups with an OnlineStore.",
        400,
    )


@needs_v2
@pytest.mark.parametrize("storage", ["Standard_V2", "InMemory"])
def test_provisioned_only_on_standard_online_stores(create_group: Callable[..., str], storage: str) -> None:
    assert error_of(
        lambda: create_group(OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": storage}, ThroughputConfig=PROVISIONED)
    ) == (
        "ValidationException",
        "Validation Error: The Provisioned ThroughputMode is supported only for feature groups that are "
        f"offline-only, or use the Standard tier online store, not {storage}.",
        400,
    )


def test_provisioned_needs_capacity_units(create_group: Callable[..., str]) -> None:
    assert error_of(lambda: create_group(ThroughputConfig={"ThroughputMode": "Provisioned", "ProvisionedWriteCapacityUnits": 1})) == (
        "ValidationException",
        "Validation Error: The Provisioned ThroughputMode needs ProvisionedReadCapacityUnits and ProvisionedWriteCapacityUnits.",
        400,
    )


def test_on_demand_takes_no_capacity_units(create_group: Callable[..., str]) -> None:
    assert error_of(lambda: create_group(ThroughputConfig={"ThroughputMode": "OnDemand", "ProvisionedWriteCapacityUnits": 1})) == (
        "ValidationException",
        "Validation Error: ProvisionedReadCapacityUnits and ProvisionedWriteCapacityUnits are not applicable "
        "for the OnDemand ThroughputMode.",
        400,
    )


def test_update_throughput_both_ways(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group()
    sagemaker.update_feature_group(FeatureGroupName="fs-main", ThroughputConfig=PROVISIONED)
    assert sagemaker.describe_feature_group(FeatureGroupName="fs-main")["ThroughputConfig"] == PROVISIONED
    sagemaker.update_feature_group(FeatureGroupName="fs-main", ThroughputConfig={"ProvisionedWriteCapacityUnits": 9})
    assert sagemaker.describe_feature_group(FeatureGroupName="fs-main")["ThroughputConfig"] == {**PROVISIONED, "ProvisionedWriteCapacityUnits": 9}
    sagemaker.update_feature_group(FeatureGroupName="fs-main", ThroughputConfig={"ThroughputMode": "OnDemand"})
    assert sagemaker.describe_feature_group(FeatureGroupName="fs-main")["ThroughputConfig"] == {"ThroughputMode": "OnDemand"}


def test_throughput_mode_enum_from_the_model(create_group: Callable[..., str]) -> None:
    assert error_of(lambda: create_group(ThroughputConfig={"ThroughputMode": "ON_DEMAND"})) == (
        "ValidationException",
        "1 validation error detected: Value 'ON_DEMAND' at 'throughputConfig.throughputMode' failed to satisfy "
        "constraint: Member must satisfy enum value set: [OnDemand, Provisioned]",
        400,
    )
