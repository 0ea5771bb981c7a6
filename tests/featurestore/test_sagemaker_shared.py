"""SageMaker operations a Feature Store user reaches beyond the feature-group ones:
Search over FeatureGroup and FeatureMetadata, tags on feature-group ARNs, and feature
metadata. Other resources stay with whatever else answers (moto)."""
from __future__ import annotations

from typing import Any, Callable

import boto3
import pytest

from mock_putrecord import MockPutRecord, UnmockedRequestError, mock_putrecord
from mock_putrecord.core.clock import clock

from .conftest import RAW, ROLE, definitions, error_of

ARN = "arn:aws:sagemaker:us-east-1:123456789012:feature-group/{}"


def _names(response: dict[str, Any], resource: str = "FeatureGroup") -> list[str]:
    key = "FeatureGroupName" if resource == "FeatureGroup" else "FeatureName"
    return [item[resource][key] for item in response["Results"]]


# ---------------------------------------------------------------- tags
def test_tags_round_trip(sagemaker: Any, create_group: Callable[..., str]) -> None:
    arn = create_group(Tags=[{"Key": "team", "Value": "risk"}])
    assert sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "ml"}])["Tags"] == [
        {"Key": "env", "Value": "test"}, {"Key": "team", "Value": "ml"}
    ]
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"}, {"Key": "env", "Value": "test"}]
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["team", "absent"])
    response = sagemaker.list_tags(ResourceArn=arn)
    assert response["Tags"] == [{"Key": "env", "Value": "test"}] and "NextToken" not in response


def test_tags_of_a_missing_group(sagemaker: Any) -> None:
    assert error_of(lambda: sagemaker.list_tags(ResourceArn=ARN.format("nope"))) == (
        "ValidationException", "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [nope].", 400
    )


def test_at_most_50_tags(sagemaker: Any, create_group: Callable[..., str]) -> None:
    arn = create_group(Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert error_of(lambda: sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])) == (
        "ResourceLimitExceeded", "Validation Error: A resource can have at most 50 tags; this request would make it 51.", 400
    )
    sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "overwritten"}])  # same key: no new tag
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"][0] == {"Key": "k0", "Value": "overwritten"}


def test_tags_of_other_resources_are_not_ours(sagemaker: Any) -> None:
    with pytest.raises(UnmockedRequestError):
        sagemaker.list_tags(ResourceArn="arn:aws:sagemaker:us-east-1:123456789012:endpoint/e")


# ---------------------------------------------------------------- feature metadata
def test_feature_metadata(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group()
    created = sagemaker.describe_feature_group(FeatureGroupName="fs-main")["CreationTime"]
    before = sagemaker.describe_feature_metadata(FeatureGroupName="fs-main", FeatureName="age")
    assert {key: before[key] for key in ("FeatureGroupArn", "FeatureGroupName", "FeatureName", "FeatureType", "Parameters")} == {
        "FeatureGroupArn": ARN.format("fs-main"), "FeatureGroupName": "fs-main", "FeatureName": "age",
        "FeatureType": "Integral", "Parameters": [],
    }
    assert before["CreationTime"] == before["LastModifiedTime"] == created and "Description" not in before
    sagemaker.update_feature_metadata(
        FeatureGroupName="fs-main", FeatureName="age", Description="age in years",
        ParameterAdditions=[{"Key": "key1", "Value": "value1"}, {"Key": "key2", "Value": "value2"}],
    )
    sagemaker.update_feature_metadata(FeatureGroupName=ARN.format("fs-main"), FeatureName="age", ParameterRemovals=["key1"])
    after = sagemaker.describe_feature_metadata(FeatureGroupName="fs-main", FeatureName="age")
    assert after["Description"] == "age in years"
    assert after["Parameters"] == [{"Key": "key2", "Value": "value2"}]
    assert after["CreationTime"] == created and after["LastModifiedTime"] >= created


def test_feature_metadata_errors(sagemaker: Any, create_group: Callable[..., str]) -> None:
    create_group()
    assert error_of(lambda: sagemaker.describe_feature_metadata(FeatureGroupName="fs-main", FeatureName="nope")) == (
        "ResourceNotFound",
        "Resource Not Found: Amazon SageMaker can't find a Feature with name [nope] in the FeatureGroup [fs-main].",
        400,
    )
    assert error_of(lambda: sagemaker.update_feature_metadata(FeatureGroupName="nope", FeatureName="age")) == (
        "ResourceNotFound", "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [nope].", 400
    )
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(26)]
    code, message, status = error_of(
        lambda: sagemaker.update_feature_metadata(FeatureGroupName="fs-main", FeatureName="age", ParameterAdditions=too_many)
    )
    assert (code, status) == ("ValidationException", 400)
    assert message.endswith("at 'parameterAdditions' failed to satisfy constraint: Member must have length less than or equal to 25")


# ---------------------------------------------------------------- Search
@pytest.fixture
def groups(mock: MockPutRecord, sagemaker: Any, create_group: Callable[..., str]) -> None:
    clock.freeze(1_700_000_000.0)  # the mock's stop returns the clock to real time
    create_group("orders", Tags=[{"Key": "team", "Value": "risk"}])
    mock.advance(10)
    create_group("customers", offline=True, Tags=[{"Key": "team", "Value": "ml"}])
    mock.advance(10)
    create_group("clicks", features={"customer_id": "String", "event_time": "Fractional"}, event_time="event_time")


def test_search_feature_groups_default_order_is_newest_first(sagemaker: Any, groups: None) -> None:
    response = sagemaker.search(Resource="FeatureGroup")
    assert _names(response) == ["clicks", "customers", "orders"]
    assert response["TotalHits"] == {"Value": 3, "Relation": "EqualTo"}
    first = response["Results"][1]["FeatureGroup"]
    assert first["FeatureGroupArn"] == ARN.format("customers") and first["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert first["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"] == "s3://bucket/prefix"


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ({"Filters": [{"Name": "FeatureGroupName", "Value": "orders"}]}, ["orders"]),
        ({"Filters": [{"Name": "FeatureGroupName", "Operator": "Contains", "Value": "CUST"}]}, ["customers"]),
        ({"Filters": [{"Name": "FeatureGroupName", "Operator": "NotEquals", "Value": "orders"}]}, ["clicks", "customers"]),
        ({"Filters": [{"Name": "FeatureGroupName", "Operator": "In", "Value": "orders,clicks"}]}, ["clicks", "orders"]),
        ({"Filters": [{"Name": "Tags.team", "Value": "ml"}]}, ["customers"]),
        ({"Filters": [{"Name": "Tags.team", "Operator": "NotExists"}]}, ["clicks"]),
        ({"Filters": [{"Name": "OfflineStoreConfig", "Operator": "Exists"}]}, ["customers"]),
        ({"Filters": [{"Name": "CreationTime", "Operator": "GreaterThan", "Value": "2023-11-14T22:13:25Z"}]}, ["clicks", "customers"]),
        ({"Filters": [{"Name": "CreationTime", "Operator": "LessThanOrEqualTo", "Value": "1700000010"}]}, ["customers", "orders"]),
        ({"Filters": [{"Name": "FeatureDefinitions.FeatureName", "Value": "age"}]}, ["customers", "orders"]),
        (
            {"NestedFilters": [{"NestedPropertyName": "FeatureDefinitions", "Filters": [
                {"Name": "FeatureDefinitions.FeatureName", "Value": "event_time"},
                {"Name": "FeatureDefinitions.FeatureType", "Value": "Fractional"},
            ]}]},
            ["clicks"],
        ),
        (
            {"Operator": "Or", "Filters": [{"Name": "FeatureGroupName", "Value": "orders"}, {"Name": "Tags.team", "Value": "ml"}]},
            ["customers", "orders"],
        ),
        (
            {"Filters": [{"Name": "Tags.team", "Operator": "Exists"}],
             "SubExpressions": [{"Operator": "Or", "Filters": [
                 {"Name": "FeatureGroupName", "Value": "orders"}, {"Name": "FeatureGroupName", "Value": "clicks"}]}]},
            ["orders"],
        ),
    ],
)
def test_search_filters(sagemaker: Any, groups: None, expression: dict[str, Any], names: list[str]) -> None:
    assert _names(sagemaker.search(Resource="FeatureGroup", SearchExpression=expression)) == names


def test_search_sort_and_paging(sagemaker: Any, groups: None) -> None:
    first = sagemaker.search(Resource="FeatureGroup", SortBy="FeatureGroupName", SortOrder="Ascending", MaxResults=2)
    assert _names(first) == ["clicks", "customers"]
    second = sagemaker.search(
        Resource="FeatureGroup", SortBy="FeatureGroupName", SortOrder="Ascending", MaxResults=2, NextToken=first["NextToken"]
    )
    assert _names(second) == ["orders"] and "NextToken" not in second
    paginator = sagemaker.get_paginator("search")
    pages = paginator.paginate(Resource="FeatureGroup", SortBy="CreationTime", SortOrder="Ascending", PaginationConfig={"PageSize": 1})
    assert [name for page in pages for name in _names(page)] == ["orders", "customers", "clicks"]


def test_search_feature_metadata(sagemaker: Any, groups: None) -> None:
    sagemaker.update_feature_metadata(
        FeatureGroupName="orders", FeatureName="score", Description="Risk score", ParameterAdditions=[{"Key": "unit", "Value": "pct"}]
    )
    found = sagemaker.search(Resource="FeatureMetadata", SearchExpression={"Filters": [{"Name": "Parameters.unit", "Value": "pct"}]})
    assert [(item["FeatureMetadata"]["FeatureGroupName"], item["FeatureMetadata"]["FeatureName"]) for item in found["Results"]] == [
        ("orders", "score")
    ]
    described = sagemaker.search(
        Resource="FeatureMetadata", SearchExpression={"Filters": [{"Name": "Description", "Operator": "Contains", "Value": "risk"}]}
    )
    assert _names(described, "FeatureMetadata") == ["score"]
    in_group = sagemaker.search(
        Resource="FeatureMetadata",
        SearchExpression={"Filters": [{"Name": "FeatureGroupName", "Value": "clicks"}]},
        SortBy="FeatureName", SortOrder="Ascending",
    )
    assert _names(in_group, "FeatureMetadata") == ["customer_id", "event_time"]


def test_search_filter_errors(sagemaker: Any, groups: None) -> None:
    assert error_of(lambda: sagemaker.search(Resource="FeatureGroup", SearchExpression={"Filters": [{"Name": "FeatureGroupName"}]})) == (
        "ValidationException", "Validation Error: The Filter on [FeatureGroupName] needs a Value or an Operator.", 400
    )
    assert error_of(
        lambda: sagemaker.search(Resource="FeatureGroup", SearchExpression={"Filters": [{"Name": "FeatureGroupName", "Operator": "Contains"}]})
    ) == ("ValidationException", "Validation Error: The Filter on [FeatureGroupName] with Operator [Contains] needs a Value.", 400)
    assert error_of(lambda: sagemaker.search(Resource="FeatureGroup", MaxResults=101)) == (
        "ValidationException",
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
        400,
    )


def test_search_of_other_resources_is_not_ours(sagemaker: Any) -> None:
    with pytest.raises(UnmockedRequestError):
        sagemaker.search(Resource="TrainingJob")


# ---------------------------------------------------------------- with moto active
def test_with_moto_our_groups_are_answered_by_us_and_the_rest_by_moto() -> None:
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), mock_putrecord():
        client = boto3.client("sagemaker", region_name="us-east-1", config=RAW)
        arn = client.create_feature_group(
            FeatureGroupName="ours", RecordIdentifierFeatureName="customer_id", EventTimeFeatureName="event_time",
            FeatureDefinitions=definitions({"customer_id": "String", "event_time": "String"}),
            OnlineStoreConfig={"EnableOnlineStore": True}, RoleArn=ROLE, Tags=[{"Key": "k", "Value": "v"}],
        )["FeatureGroupArn"]
        assert _names(client.search(Resource="FeatureGroup")) == ["ours"]
        assert client.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
        client.update_feature_metadata(FeatureGroupName="ours", FeatureName="customer_id", Description="d")
        assert client.describe_feature_metadata(FeatureGroupName="ours", FeatureName="customer_id")["Description"] == "d"
        # moto's own resources stay moto's
        client.create_experiment(ExperimentName="exp")
        assert [item["Experiment"]["ExperimentName"] for item in client.search(Resource="Experiment")["Results"]] == ["exp"]
