"""The wire adapters' routing, unknown operations and scripted faults."""
from __future__ import annotations

from typing import Any

import pytest

from mock_putrecord import MockPutRecord
from mock_putrecord.core.wire import WireRequest
from mock_putrecord.featurestore.responses import control_adapter, route_runtime, runtime_adapter

from .conftest import error_of, record


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("PUT", "/FeatureGroup/my-group", "PutRecord"),
        ("GET", "/FeatureGroup/arn%3Aaws%3Asagemaker%3Aus-east-1%3A123456789012%3Afeature-group%2Fg?RecordIdentifierValueAsString=a", "GetRecord"),
        ("DELETE", "/FeatureGroup/g", "DeleteRecord"),
        ("POST", "/BatchGetRecord", "BatchGetRecord"),
        ("post", "/BatchWriteRecord", "BatchWriteRecord"),
        ("POST", "/FeatureGroup/g/ListRecords", "ListRecords"),
        ("POST", "/FeatureGroup/g/Record", "UpdateRecord"),
        ("PATCH", "/FeatureGroup/g", None),
        ("GET", "/FeatureGroup/", None),
        ("GET", "/", None),
    ],
)
def test_route_runtime(method: str, path: str, operation: str | None) -> None:
    assert route_runtime(method, path) == operation


def test_unknown_runtime_operation_is_named(mock: MockPutRecord) -> None:
    request = WireRequest("POST", "https://x/BatchWriteRecord", "/BatchWriteRecord", "", {}, b"{}",
                          "sagemaker-featurestore-runtime", "BatchWriteRecord", "us-east-1", "123456789012")
    response = runtime_adapter.unknown_operation(request)
    assert response is not None and response.status == 501
    assert response.headers["x-amzn-ErrorType"] == "NotImplemented"
    assert b"mock_putrecord does not implement the SageMaker Feature Store runtime operation BatchWriteRecord." in response.body


def test_unknown_sagemaker_operation_is_left_alone(mock: MockPutRecord) -> None:
    request = WireRequest("POST", "https://x/", "/", "", {}, b"{}", "sagemaker", "CreateEndpoint", "us-east-1", "123456789012")
    assert control_adapter.unknown_operation(request) is None


def test_scripted_fault_on_put_record(mock: MockPutRecord, runtime: Any, create_group: Any) -> None:
    create_group()
    mock.faults.fail_next("sagemaker-featurestore-runtime", "PutRecord", "ServiceUnavailable", message="Service Unavailable", status=503)
    assert error_of(lambda: runtime.put_record(FeatureGroupName="fs-main", Record=record())) == ("ServiceUnavailable", "Service Unavailable", 503)
    runtime.put_record(FeatureGroupName="fs-main", Record=record())
    assert mock.featurestore.online_record("fs-main", "c1") is not None


def test_internal_failure_is_retried_by_botocore(mock: MockPutRecord, create_group: Any) -> None:
    import boto3

    create_group()
    mock.faults.fail_next(
        "sagemaker-featurestore-runtime", "PutRecord", "InternalFailure",
        message="Internal server error. Please try again later.", status=500,
    )
    client = boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1")
    client.put_record(FeatureGroupName="fs-main", Record=record())
    assert mock.featurestore.online_record("fs-main", "c1") is not None
    assert [call.attempt for call in mock.faults.calls if call.operation == "PutRecord"] == [1, 2]


def test_scripted_fault_on_control_plane(mock: MockPutRecord, sagemaker: Any) -> None:
    mock.faults.fail_next("sagemaker", "DescribeFeatureGroup", "ThrottlingException", message="Rate exceeded")
    assert error_of(lambda: sagemaker.describe_feature_group(FeatureGroupName="x")) == ("ThrottlingException", "Rate exceeded", 400)


def test_demo_runs(mock: MockPutRecord) -> None:
    from mock_putrecord.featurestore import demo

    lines: list[str] = []
    demo.run(lines.append)
    text = "\n".join(lines)
    assert "online  (GetRecord): customer_id=c-42, event_time=2024-03-01T00:00:00Z, score=0.75" in text
    assert text.count("is_deleted=False") == 3
