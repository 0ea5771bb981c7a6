"""Athena queries over offline-store tables through the server (``X-Amz-Target:
AmazonAthena.*``), as they are answered in process."""
from __future__ import annotations

import json
from typing import Iterator

import pytest

from mock_putrecord.server import MockServer

from .conftest import raw_request, run_python, signed_headers
from .test_cli import start_cli

pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

QUERY = """
import boto3, json, sys
from botocore.config import Config
url = sys.argv[1]
sagemaker = boto3.client("sagemaker", endpoint_url=url, region_name="us-east-1")
runtime = boto3.client("sagemaker-featurestore-runtime", endpoint_url=url, region_name="us-east-1")
athena = boto3.client("athena", endpoint_url=url, region_name="us-east-1",
                      config=Config(retries={"total_max_attempts": 1}))
sagemaker.create_feature_group(
    FeatureGroupName="orders", RecordIdentifierFeatureName="id", EventTimeFeatureName="t",
    FeatureDefinitions=[{"FeatureName": "id", "FeatureType": "String"},
                        {"FeatureName": "t", "FeatureType": "String"},
                        {"FeatureName": "n", "FeatureType": "Integral"}],
    OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://lake/fs"}},
    RoleArn="arn:aws:iam::123456789012:role/fs")
for id_, n in (("a", 1), ("b", 2), ("a", 3)):
    runtime.put_record(FeatureGroupName="orders", Record=[
        {"FeatureName": "id", "ValueAsString": id_}, {"FeatureName": "t", "ValueAsString": "2024-01-01T00:00:00Z"},
        {"FeatureName": "n", "ValueAsString": str(n)}])
table = sagemaker.describe_feature_group(FeatureGroupName="orders")["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"]
query_id = athena.start_query_execution(
    QueryString=f'SELECT id, sum(n) AS total FROM "sagemaker_featurestore"."{table}" GROUP BY id ORDER BY id',
    QueryExecutionContext={"Database": "sagemaker_featurestore"},
    ResultConfiguration={"OutputLocation": "s3://lake/results"})["QueryExecutionId"]
execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
rows = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"]
try:
    athena.start_query_execution(QueryString="SELECT 1 FROM another_table",
                                 ResultConfiguration={"OutputLocation": "s3://lake/results"})
    other = None
except athena.exceptions.ClientError as error:
    other = [error.response["Error"]["Code"], error.response["Error"]["Message"],
             error.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps({"state": execution["Status"]["State"], "output": execution["ResultConfiguration"]["OutputLocation"],
                  "id": query_id, "rows": [[cell.get("VarCharValue") for cell in row["Data"]] for row in rows],
                  "other": other}))
"""

ROWS = [["id", "total"], ["a", "4"], ["b", "2"]]
OTHER = ["NotImplemented", "mock_putrecord does not implement the athena operation StartQueryExecution.", 501]


def _run(url: str) -> dict[str, object]:
    return dict(json.loads(run_python(QUERY.replace("sys.argv[1]", repr(url)))))


def test_athena_over_the_server_without_s3_serves_the_results(server: MockServer) -> None:
    out = _run(server.url)
    assert out["state"] == "SUCCEEDED"
    assert out["output"] == f"s3://lake/results/{out['id']}.csv"  # reported; no S3 here to write it to
    assert out["rows"] == ROWS
    assert out["other"] == OTHER


def test_athena_over_the_server_with_moto_writes_the_csv() -> None:
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lake")
        with MockServer() as server:  # in this process: its S3 writes reach moto's S3
            out = _run(server.url)
        body = s3.get_object(Bucket="lake", Key=f"results/{out['id']}.csv")["Body"].read()
    assert out["state"] == "SUCCEEDED" and out["rows"] == ROWS
    assert body == b'"id","total"\n"a","4"\n"b","2"\n'


@pytest.fixture
def cli_url() -> Iterator[str]:
    proc, url = start_cli("--port", "0")
    yield url
    proc.kill()
    proc.communicate(timeout=10)


def test_athena_through_python_m_mock_putrecord_serve(cli_url: str) -> None:
    out = _run(cli_url)
    assert (out["state"], out["rows"], out["other"]) == ("SUCCEEDED", ROWS, OTHER)


def test_athena_calls_about_other_executions_are_501(server: MockServer) -> None:
    body = json.dumps({"QueryExecutionId": "00000000-0000-0000-0000-000000000000"}).encode()
    reply = raw_request(server, "POST", "/", signed_headers(server, "AmazonAthena.GetQueryExecution", body,
                                                            service="athena"), body)
    assert (reply.status, reply.json()) == (
        501, {"__type": "NotImplemented", "message": "mock_putrecord does not implement the athena operation GetQueryExecution."}
    )
