"""CreateFeatureGroup, DescribeFeatureGroup, ListFeatureGroups, DeleteFeatureGroup and
UpdateFeatureGroup; other SageMaker operations are left to whatever else answers them."""
from __future__ import annotations

import datetime
import re
from typing import Any, Callable

import boto3
import pytest

from mock_putrecord import MockPutRecord, UnmockedRequestError

from .conftest import ROLE, RAW, definitions, error_of, record

NOT_FOUND = "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [nope]."


def test_create_returns_lower_case_arn(create_group: Callable[..., str]) -> None:
    assert create_group("My-Group") == "arn:aws:sagemaker:us-east-1:123456789012:feature-group/my-group"


def test_describe_online_group(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group()
    got = sagemaker.describe_feature_group(FeatureGroupName="fs-main")
    assert got["FeatureGroupName"] == "fs-main"
    assert got["FeatureGroupStatus"] == "Created"
    assert got["RecordIdentifierFeatureName"] == "customer_id"
    assert got["EventTimeFeatureName"] == "event_time"
    assert got["FeatureDefinitions"][2] == {"FeatureName": "age", "FeatureType": "Integral"}
    assert got["OnlineStoreConfig"] == {"EnableOnlineStore": True}
    assert got["ThroughputConfig"] == {"ThroughputMode": "OnDemand"}
    assert isinstance(got["CreationTime"], datetime.datetime)
    assert "OfflineStoreConfig" not in got and "OfflineStoreStatus" not in got


def test_describe_offline_group_resolves_s3_uri_and_catalog(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group("fs-off", online=False, offline=True)
    got = sagemaker.describe_feature_group(FeatureGroupName="fs-off")
    epoch = int(got["CreationTime"].timestamp())
    storage = got["OfflineStoreConfig"]["S3StorageConfig"]
    assert storage["ResolvedOutputS3Uri"] == f"s3://bucket/prefix/123456789012/sagemaker/us-east-1/offline-store/fs-off-{epoch}/data"
    assert got["OfflineStoreConfig"]["DataCatalogConfig"] == {
        "TableName": f"fs_off_{epoch}", "Catalog": "AwsDataCatalog", "Database": "sagemaker_featurestore",
    }
    assert got["OfflineStoreStatus"] == {"Status": "Active"}


def test_describe_by_arn(sagemaker: Any, create_group: Callable[..., str]) -> None:
    arn = create_group()
    assert sagemaker.describe_feature_group(FeatureGroupName=arn)["FeatureGroupArn"] == arn


def test_describe_unknown_group(sagemaker: Any) -> None:
    assert error_of(lambda: sagemaker.describe_feature_group(FeatureGroupName="nope")) == ("ResourceNotFound", NOT_FOUND, 400)


def test_create_existing_name_is_resource_in_use(create_group: Callable[..., str]) -> None:
    create_group()
    assert error_of(lambda: create_group("FS-MAIN")) == (
        "ResourceInUse",
        "Resource Already Exists: FeatureGroup with name FS-MAIN already exists. Choose a different name.\n"
        "Info: Feature Group 'FS-MAIN' already exists.",
        400,
    )


def test_create_with_both_stores_disabled(create_group: Callable[..., str]) -> None:
    assert error_of(lambda: create_group(online=False)) == (
        "ValidationException",
        "Validation Error: OnlineStore and OfflineStore cannot be both disabled. Please enable at least one of them and retry the request.",
        400,
    )


def test_create_with_unknown_record_identifier(create_group: Callable[..., str]) -> None:
    assert error_of(lambda: create_group(RecordIdentifierFeatureName="missing_id")) == (
        "ValidationException",
        "Validation Error: The RecordIdentifierFeatureName [missing_id] is not one of the feature definitions.",
        400,
    )


def test_create_with_unknown_event_time_feature(create_group: Callable[..., str]) -> None:
    assert error_of(lambda: create_group(event_time="when")) == (
        "ValidationException",
        "Validation Error: The EventTimeFeatureName [when] is not one of the feature definitions.",
        400,
    )


def test_event_time_feature_must_be_string_or_fractional(create_group: Callable[..., str]) -> None:
    assert error_of(lambda: create_group(event_time="age")) == (
        "ValidationException",
        "Validation Error: The EventTimeFeatureName [age] must be a feature of type String or Fractional.",
        400,
    )


def test_reserved_feature_name(create_group: Callable[..., str]) -> None:
    features = {"customer_id": "String", "event_time": "String", "is_deleted": "String"}
    assert error_of(lambda: create_group(features=features)) == (
        "ValidationException",
        "Validation Error: The feature name [is_deleted] is reserved. The names is_deleted, write_time and "
        "api_invocation_time cannot be used as feature names.",
        400,
    )


def test_duplicate_feature_definition(create_group: Callable[..., str]) -> None:
    duplicated = definitions({"customer_id": "String", "event_time": "String"}) + [{"FeatureName": "customer_id", "FeatureType": "String"}]
    assert error_of(lambda: create_group(FeatureDefinitions=duplicated)) == (
        "ValidationException",
        "Validation Error: The feature name [customer_id] is used by more than one feature definition.",
        400,
    )


def test_collection_needs_in_memory_store(create_group: Callable[..., str]) -> None:
    defs = definitions({"customer_id": "String", "event_time": "String"}) + [
        {"FeatureName": "tags", "FeatureType": "String", "CollectionType": "List"}
    ]
    assert error_of(lambda: create_group(FeatureDefinitions=defs)) == (
        "ValidationException",
        "Validation Error: The feature [tags] has collection type [List]. Collection types are only supported by "
        "feature groups with an InMemory OnlineStore.",
        400,
    )


def test_offline_store_needs_role(sagemaker: Any) -> None:
    assert error_of(
        lambda: sagemaker.create_feature_group(
            FeatureGroupName="g", RecordIdentifierFeatureName="customer_id", EventTimeFeatureName="event_time",
            FeatureDefinitions=definitions({"customer_id": "String", "event_time": "String"}),
            OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://b/p"}},
        )
    ) == ("ValidationException", "Validation Error: RoleArn is required when OfflineStoreConfig is specified.", 400)


def test_create_shape_validation(sagemaker: Any) -> None:
    assert error_of(
        lambda: sagemaker.create_feature_group(
            FeatureGroupName="bad name", RecordIdentifierFeatureName="id", FeatureDefinitions=[{"FeatureName": "id"}]
        )
    ) == (
        "ValidationException",
        "3 validation errors detected: "
        "Value 'bad name' at 'featureGroupName' failed to satisfy constraint: Member must satisfy regular expression "
        "pattern: [a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}; "
        "Value null at 'eventTimeFeatureName' failed to satisfy constraint: Member must not be null; "
        "Value null at 'featureDefinitions.1.member.featureType' failed to satisfy constraint: Member must not be null",
        400,
    )


def test_feature_group_limit(mock: MockPutRecord, create_group: Callable[..., str]) -> None:
    for number in range(100):
        create_group(f"g{number}")
    code, message, status = error_of(lambda: create_group("one-too-many"))
    assert (code, status) == ("ResourceLimitExceeded", 400)
    assert message.startswith("The account-level service limit 'Number of feature groups' is 100 FeatureGroups")


def test_list_feature_groups_newest_first(mock: MockPutRecord, sagemaker: Any, create_group: Callable[..., str]) -> None:
    mock.advance(0)  # freeze the clock so creation times are distinct and ordered
    for name in ("a-1", "b-2", "c-3"):
        create_group(name)
        mock.advance(1)
    names = [item["FeatureGroupName"] for item in sagemaker.list_feature_groups()["FeatureGroupSummaries"]]
    assert names == ["c-3", "b-2", "a-1"]


def test_list_feature_groups_filters_and_sorts(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group("alpha-online")
    create_group("beta-offline", online=False, offline=True)
    create_group("alpha-both", offline=True)
    got = sagemaker.list_feature_groups(NameContains="ALPHA", SortBy="Name", SortOrder="Ascending")
    assert [item["FeatureGroupName"] for item in got["FeatureGroupSummaries"]] == ["alpha-both", "alpha-online"]
    got = sagemaker.list_feature_groups(OfflineStoreStatusEquals="Active", SortBy="Name", SortOrder="Ascending")
    assert [item["FeatureGroupName"] for item in got["FeatureGroupSummaries"]] == ["alpha-both", "beta-offline"]


def test_list_feature_groups_pages(sagemaker: Any, create_group: Callable[..., str]) -> None:
    for number in range(5):
        create_group(f"g{number}")
    first = sagemaker.list_feature_groups(MaxResults=2, SortBy="Name", SortOrder="Ascending")
    second = sagemaker.list_feature_groups(MaxResults=2, SortBy="Name", SortOrder="Ascending", NextToken=first["NextToken"])
    third = sagemaker.list_feature_groups(MaxResults=2, SortBy="Name", SortOrder="Ascending", NextToken=second["NextToken"])
    pages = [[item["FeatureGroupName"] for item in page["FeatureGroupSummaries"]] for page in (first, second, third)]
    assert pages == [["g0", "g1"], ["g2", "g3"], ["g4"]]
    assert "NextToken" not in third


def test_list_feature_groups_by_creation_time(mock: MockPutRecord, sagemaker: Any, create_group: Callable[..., str]) -> None:
    mock.advance(0)
    create_group("old")
    cut = mock.advance(10)
    mock.advance(10)
    create_group("new")
    after = sagemaker.list_feature_groups(CreationTimeAfter=datetime.datetime.fromtimestamp(cut, datetime.timezone.utc))
    assert [item["FeatureGroupName"] for item in after["FeatureGroupSummaries"]] == ["new"]


def test_list_feature_groups_rejects_bad_token(sagemaker: Any) -> None:
    assert error_of(lambda: sagemaker.list_feature_groups(NextToken="garbage!")) == (
        "ValidationException", "Validation Error: The NextToken [garbage!] is invalid.", 400,
    )


def test_delete_feature_group(sagemaker: Any, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    sagemaker.delete_feature_group(FeatureGroupName="fs-main")
    assert error_of(lambda: sagemaker.describe_feature_group(FeatureGroupName="fs-main"))[0] == "ResourceNotFound"
    assert error_of(lambda: runtime.put_record(FeatureGroupName="fs-main", Record=record()))[1] == (
        "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [fs-main]."
    )


def test_delete_unknown_feature_group(sagemaker: Any) -> None:
    assert error_of(lambda: sagemaker.delete_feature_group(FeatureGroupName="nope")) == ("ResourceNotFound", NOT_FOUND, 400)


def test_update_adds_features(sagemaker: Any, runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    response = sagemaker.update_feature_group(FeatureGroupName="fs-main", FeatureAdditions=[{"FeatureName": "city", "FeatureType": "String"}])
    assert response["FeatureGroupArn"].endswith("feature-group/fs-main")
    runtime.put_record(FeatureGroupName="fs-main", Record=record(city="Lyon"))
    described = sagemaker.describe_feature_group(FeatureGroupName="fs-main")
    assert described["FeatureDefinitions"][-1] == {"FeatureName": "city", "FeatureType": "String"}
    assert described["LastUpdateStatus"] == {"Status": "Successful"}
    assert "LastModifiedTime" in described


def test_update_cannot_redefine_a_feature(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert error_of(
        lambda: sagemaker.update_feature_group(FeatureGroupName="fs-main", FeatureAdditions=[{"FeatureName": "age", "FeatureType": "String"}])
    ) == ("ValidationException", "Validation Error: The feature name [age] is used by more than one feature definition.", 400)


def test_update_unknown_group(sagemaker: Any) -> None:
    assert error_of(lambda: sagemaker.update_feature_group(FeatureGroupName="nope", ThroughputConfig={"ThroughputMode": "OnDemand"})) == (
        "ResourceNotFound", NOT_FOUND, 400,
    )


def test_update_ttl_on_offline_only_group_fails(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group("fs-off", online=False, offline=True)
    assert error_of(
        lambda: sagemaker.update_feature_group(FeatureGroupName="fs-off", OnlineStoreConfig={"TtlDuration": {"Unit": "Days", "Value": 1}})
    ) == ("ValidationException", "Validation Error: The FeatureGroup [fs-off] does not have an OnlineStore.", 400)


def test_other_sagemaker_operations_are_not_ours(sagemaker: Any) -> None:
    with pytest.raises(UnmockedRequestError):
        sagemaker.list_training_jobs()


def test_other_sagemaker_operations_go_to_moto_when_active() -> None:
    moto = pytest.importorskip("moto")
    from mock_putrecord import mock_putrecord

    with moto.mock_aws(), mock_putrecord():
        client = boto3.client("sagemaker", region_name="us-east-1", config=RAW)
        assert client.list_training_jobs()["TrainingJobSummaries"] == []
        client.create_feature_group(
            FeatureGroupName="ours", RecordIdentifierFeatureName="customer_id", EventTimeFeatureName="event_time",
            FeatureDefinitions=definitions({"customer_id": "String", "event_time": "String"}),
            OnlineStoreConfig={"EnableOnlineStore": True}, RoleArn=ROLE,
        )
        # Answered by mock_putrecord (moto 5.2 cannot list feature groups).
        assert [item["FeatureGroupName"] for item in client.list_feature_groups()["FeatureGroupSummaries"]] == ["ours"]


def test_arn_partition_follows_region(mock: MockPutRecord) -> None:
    client = boto3.client("sagemaker", region_name="cn-north-1", config=RAW)
    arn = client.create_feature_group(
        FeatureGroupName="g", RecordIdentifierFeatureName="customer_id", EventTimeFeatureName="event_time",
        FeatureDefinitions=definitions({"customer_id": "String", "event_time": "String"}),
        OnlineStoreConfig={"EnableOnlineStore": True},
    )["FeatureGroupArn"]
    assert re.fullmatch(r"arn:aws-cn:sagemaker:cn-north-1:123456789012:feature-group/g", arn)
