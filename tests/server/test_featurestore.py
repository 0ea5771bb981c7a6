"""The SageMaker Feature Store through the server: the control plane (JSON 1.1,
``X-Amz-Target: SageMaker.*``) and the runtime (rest-json, routed by path)."""
from __future__ import annotations

import json

import pytest

from mock_putrecord.server import MockServer

from .conftest import raw_request, run_python, signed_headers

pytest.importorskip("mock_putrecord.featurestore.responses", reason="the Feature Store is not part of this build")

PRODUCER = """
import boto3, json, sys
url = sys.argv[1]
sagemaker = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1")
runtime = boto3.client("sagemaker-featurestore-runtime", endpoint_url=url, region_name="us-east-1")
sagemaker.create_feature_group(
    FeatureGroupName="customers",
    RecordIdentifierFeatureName="customer_id",
    EventTimeFeatureName="event_time",
    FeatureDefinitions=[{"FeatureName": "customer_id", "FeatureType": "String"},
                        {"FeatureName": "event_time", "FeatureType": "String"},
                        {"FeatureName": "age", "FeatureType": "Integral"}],
    OnlineStoreConfig={"EnableOnlineStore": True},
    RoleArn="arn:aws:iam::123456789012:role/fs",
)
for i, age in enumerate((30, 31)):
    runtime.put_record(FeatureGroupName="customers", Record=[
        {"FeatureName": "customer_id", "ValueAsString": "c-1"},
        {"FeatureName": "event_time", "ValueAsString": "2024-01-0%dT00:00:00Z" % (i + 1)},
        {"FeatureName": "age", "ValueAsString": str(age)}])
got = runtime.get_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c-1")
batch = runtime.batch_get_record(Identifiers=[{"FeatureGroupName": "customers",
                                               "RecordIdentifiersValueAsString": ["c-1", "c-2"]}])
runtime.delete_record(FeatureGroupName="customers", RecordIdentifierValueAsString="c-9",
                      EventTime="2024-01-03T00:00:00Z")
print(json.dumps({"get": got["Record"], "groups": [g["FeatureGroupName"] for g in
                  sagemaker.list_feature_groups()["FeatureGroupSummaries"]],
                  "unprocessed": batch["UnprocessedIdentifiers"], "found": len(batch["Records"])}))
"""


def test_boto3_feature_store_clients_in_a_subprocess(server: MockServer) -> None:
    out = json.loads(run_python(PRODUCER.replace("sys.argv[1]", repr(server.url))))
    assert out["groups"] == ["customers"]
    assert {f["FeatureName"]: f["ValueAsString"] for f in out["get"]}["age"] == "31"
    assert out["found"] == 1
    assert server.mock.featurestore.feature_groups() == ["customers"]
    assert server.mock.featurestore.online_record("customers", "c-1") == {
        "customer_id": "c-1", "event_time": "2024-01-02T00:00:00Z", "age": "31"}


def test_feature_group_created_in_process_is_seen_over_http(server: MockServer) -> None:
    server.mock.featurestore.create_feature_group(
        "local", record_identifier="id", event_time="t", features={"id": "String", "t": "Fractional"})
    body = json.dumps({"FeatureGroupName": "local"}).encode()
    headers = signed_headers(server, "SageMaker.DescribeFeatureGroup", body, service="sagemaker")
    reply = raw_request(server, "POST", "/", headers, body)
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/x-amz-json-1.1"
    assert "x-amzn-requestid" in reply.headers
    assert reply.json()["FeatureGroupName"] == "local"


def test_runtime_errors_are_rest_json(server: MockServer) -> None:
    path = "/FeatureGroup/missing?RecordIdentifierValueAsString=x"
    headers = signed_headers(server, None, b"", service="sagemaker", method="GET", path=path)
    reply = raw_request(server, "GET", path, headers)
    assert reply.status == 404
    assert reply.headers.get("x-amzn-errortype", "").startswith("ResourceNotFound")
    assert "x-amzn-requestid" in reply.headers


CURRENT_API = """
import boto3, json, sys
url = sys.argv[1]
sagemaker = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1")
runtime = boto3.client("sagemaker-featurestore-runtime", endpoint_url=url, region_name="us-east-1")
arn = sagemaker.create_feature_group(
    FeatureGroupName="v2", RecordIdentifierFeatureName="id", EventTimeFeatureName="t",
    FeatureDefinitions=[{"FeatureName": "id", "FeatureType": "String"}, {"FeatureName": "t", "FeatureType": "String"},
                        {"FeatureName": "n", "FeatureType": "Integral"}],
    OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": "Standard_V2"}, Tags=[{"Key": "k", "Value": "v"}],
)["FeatureGroupArn"]
written = runtime.batch_write_record(Entries=[
    {"FeatureGroupName": "v2", "Record": [{"FeatureName": "id", "ValueAsString": i}, {"FeatureName": "t", "ValueAsString": "2024-01-01T00:00:00Z"}]}
    for i in ("a", "b")])
runtime.update_record(FeatureGroupName=arn, RecordIdentifierValueAsString="a", Features=[{"FeatureName": "n", "ValueAsString": "7"}])
print(json.dumps({
    "errors": written["Errors"],
    "ids": runtime.list_records(FeatureGroupName="v2")["RecordIdentifiers"],
    "tags": sagemaker.list_tags(ResourceArn=arn)["Tags"],
    "found": [r["FeatureGroup"]["FeatureGroupName"] for r in sagemaker.search(Resource="FeatureGroup")["Results"]],
}))
"""


def test_current_api_over_http(server: MockServer) -> None:
    pytest.importorskip("botocore")
    import botocore.session

    if "UpdateRecord" not in botocore.session.get_session().get_service_model("sagemaker-featurestore-runtime").operation_names:
        pytest.skip("this botocore has no UpdateRecord")
    out = json.loads(run_python(CURRENT_API.replace("sys.argv[1]", repr(server.url))))
    assert out == {"errors": [], "ids": ["a", "b"], "tags": [{"Key": "k", "Value": "v"}], "found": ["v2"]}
    assert server.mock.featurestore.online_record("v2", "a") == {"id": "a", "t": "2024-01-01T00:00:00Z", "n": "7"}


def test_unmodelled_sagemaker_operation_is_501_over_http(server: MockServer) -> None:
    body = json.dumps({"ResourceArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/e"}).encode()
    reply = raw_request(server, "POST", "/", signed_headers(server, "SageMaker.ListTags", body, service="sagemaker"), body)
    assert (reply.status, reply.json()) == (
        501, {"__type": "NotImplemented", "message": "mock_putrecord does not implement the sagemaker operation ListTags."}
    )
    body = b"{}"
    reply = raw_request(server, "POST", "/", signed_headers(server, "SageMaker.ListTrainingJobs", body, service="sagemaker"), body)
    assert (reply.status, reply.json()["__type"]) == (501, "NotImplemented")
    reply = raw_request(server, "POST", "/", signed_headers(server, "SageMaker.NoSuchThing", body, service="sagemaker"), body)
    assert (reply.status, reply.body) == (400, b'{"__type":"UnknownOperationException"}')
