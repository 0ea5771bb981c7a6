"""The offline store for real: Parquet files in (moto's) S3 in AWS's layout, and Athena
queries over offline-store tables run with DuckDB."""
from __future__ import annotations

import io
import re
import sys
from typing import Any, Iterator

import boto3
import pytest

from mock_putrecord import MockPutRecord, UnmockedRequestError, mock_putrecord

from mock_putrecord.featurestore.offline import DELIVERY_SECONDS

from .conftest import RAW, error_of

moto = pytest.importorskip("moto")
pq = pytest.importorskip("pyarrow.parquet")
pytest.importorskip("duckdb")

S3_URI = "s3://lake/fs"
FEATURES = {"id": "String", "t": "String", "n": "Integral", "x": "Fractional"}


@pytest.fixture
def lake() -> Iterator[tuple[MockPutRecord, Any]]:
    with moto.mock_aws(), mock_putrecord(region="us-east-1") as mock:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lake")
        mock.featurestore.create_feature_group("orders", record_identifier="id", event_time="t", features=FEATURES,
                                               offline=True, s3_uri=S3_URI)
        yield mock, s3


def _objects(s3: Any) -> dict[str, list[dict[str, Any]]]:
    found = {}
    for item in s3.list_objects_v2(Bucket="lake").get("Contents", []):
        body = s3.get_object(Bucket="lake", Key=item["Key"])["Body"].read()
        found[item["Key"]] = pq.read_table(io.BytesIO(body)).to_pylist()
    return found


def test_flush_writes_parquet_in_aws_layout(lake: tuple[MockPutRecord, Any]) -> None:
    mock, s3 = lake
    fs = mock.featurestore
    fs.put_record("orders", {"id": "a", "t": "2024-01-01T05:10:00Z", "n": 1, "x": 0.5})
    fs.put_record("orders", {"id": "b", "t": "2024-01-01T05:59:59Z", "n": 2})
    fs.put_record("orders", {"id": "a", "t": "2024-03-02T00:00:00Z", "n": 3})
    resolved = fs.describe("orders")["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
    written = fs.flush_offline()
    assert len(written) == 2
    prefix = resolved.removeprefix("s3://lake/")
    keys = sorted(_objects(s3))
    assert [uri.removeprefix("s3://lake/") for uri in written] == keys
    assert re.fullmatch(re.escape(prefix) + r"/year=2024/month=01/day=01/hour=05/20240101T055959Z_[A-Za-z0-9]{16}\.parquet", keys[0])
    assert re.fullmatch(re.escape(prefix) + r"/year=2024/month=03/day=02/hour=00/20240302T000000Z_[A-Za-z0-9]{16}\.parquet", keys[1])
    assert prefix.startswith("fs/123456789012/sagemaker/us-east-1/offline-store/orders-")
    first = _objects(s3)[keys[0]]
    assert [{k: row[k] for k in ("id", "t", "n", "x", "is_deleted")} for row in first] == [
        {"id": "a", "t": "2024-01-01T05:10:00Z", "n": 1, "x": 0.5, "is_deleted": False},
        {"id": "b", "t": "2024-01-01T05:59:59Z", "n": 2, "x": None, "is_deleted": False},
    ]
    assert set(first[0]) == {"id", "t", "n", "x", "write_time", "api_invocation_time", "is_deleted"}
    # Glue's TIMESTAMP: naive UTC, millisecond precision
    assert abs((first[0]["write_time"] - fs.offline_rows("orders")[0]["write_time"].replace(tzinfo=None)).total_seconds()) <= 0.0005


def test_flush_writes_each_row_once(lake: tuple[MockPutRecord, Any]) -> None:
    mock, s3 = lake
    mock.featurestore.put_record("orders", {"id": "a", "t": "2024-01-01T00:00:00Z", "n": 1})
    assert len(mock.featurestore.flush_offline()) == 1
    assert mock.featurestore.flush_offline() == []
    boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1", config=RAW).delete_record(
        FeatureGroupName="orders", RecordIdentifierValueAsString="a", EventTime="2024-01-01T00:30:00Z")
    [uri] = mock.featurestore.flush_offline()
    [rows] = [rows for key, rows in _objects(s3).items() if uri.endswith(key)]
    assert [(row["id"], row["t"], row["n"], row["is_deleted"]) for row in rows] == [("a", "2024-01-01T00:30:00Z", None, True)]


def test_flush_without_s3_mocked() -> None:
    with mock_putrecord(region="us-east-1") as mock:
        mock.featurestore.create_feature_group("orders", record_identifier="id", event_time="t", features=FEATURES,
                                               offline=True, s3_uri=S3_URI)
        mock.featurestore.put_record("orders", {"id": "a", "t": "2024-01-01T00:00:00Z"})
        with pytest.raises(UnmockedRequestError):
            mock.featurestore.flush_offline()


def test_flush_without_pyarrow_says_what_to_install(lake: tuple[MockPutRecord, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    mock, _ = lake
    mock.featurestore.put_record("orders", {"id": "a", "t": "2024-01-01T00:00:00Z"})
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ImportError) as excinfo:
        mock.featurestore.flush_offline()
    assert str(excinfo.value) == (
        "writing the offline store to S3 needs pyarrow.parquet: pip install 'mock_putrecord[offline]' (pyarrow and duckdb)"
    )


# ---------------------------------------------------------------- delivery on the virtual clock
def _rows_by_id(s3: Any) -> list[tuple[str, str, int | None]]:
    return sorted((row["id"], row["t"], row["n"]) for rows in _objects(s3).values() for row in rows)


def test_clock_delivers_rows_after_the_delay(lake: tuple[MockPutRecord, Any]) -> None:
    mock, s3 = lake
    fs = mock.featurestore
    assert DELIVERY_SECONDS == 15 * 60
    mock.advance(0)  # virtual clock: written at t0
    fs.put_record("orders", {"id": "a", "t": "2024-01-01T05:10:00Z", "n": 1})
    fs.put_record("orders", {"id": "b", "t": "2024-03-02T00:00:00Z", "n": 2})
    mock.advance(DELIVERY_SECONDS - 1)
    assert _objects(s3) == {}  # not yet 15 minutes old
    fs.put_record("orders", {"id": "c", "t": "2024-01-01T05:20:00Z", "n": 3})  # written at t0 + 899
    mock.advance(2)
    keys = sorted(_objects(s3))
    assert len(keys) == 2 and "/year=2024/month=01/day=01/hour=05/" in keys[0] and "/month=03/day=02/hour=00/" in keys[1]
    assert _rows_by_id(s3) == [("a", "2024-01-01T05:10:00Z", 1), ("b", "2024-03-02T00:00:00Z", 2)]
    mock.advance(DELIVERY_SECONDS)
    assert len(_objects(s3)) == 3
    assert _rows_by_id(s3) == [("a", "2024-01-01T05:10:00Z", 1), ("b", "2024-03-02T00:00:00Z", 2),
                               ("c", "2024-01-01T05:20:00Z", 3)]


def test_clock_and_explicit_flush_write_each_row_once(lake: tuple[MockPutRecord, Any]) -> None:
    mock, s3 = lake
    fs = mock.featurestore
    mock.advance(0)
    fs.put_record("orders", {"id": "a", "t": "2024-01-01T00:00:00Z", "n": 1})
    fs.put_record("orders", {"id": "b", "t": "2024-01-01T00:10:00Z", "n": 2})
    mock.advance(DELIVERY_SECONDS + 1)
    mock.advance(DELIVERY_SECONDS + 1)
    assert fs.flush_offline() == []
    [(key, rows)] = _objects(s3).items()
    assert [(row["id"], row["n"], row["is_deleted"]) for row in rows] == [("a", 1, False), ("b", 2, False)]
    fs.put_record("orders", {"id": "c", "t": "2024-01-01T00:20:00Z", "n": 3})
    [uri] = fs.flush_offline()  # before the delay: written now, and not again by the clock
    mock.advance(DELIVERY_SECONDS + 1)
    assert uri.endswith(sorted(set(_objects(s3)) - {key})[0])
    assert len(_objects(s3)) == 2
    assert _rows_by_id(s3) == [("a", "2024-01-01T00:00:00Z", 1), ("b", "2024-01-01T00:10:00Z", 2),
                               ("c", "2024-01-01T00:20:00Z", 3)]


def test_clock_delivery_waits_for_the_bucket(lake: tuple[MockPutRecord, Any]) -> None:
    mock, s3 = lake
    fs = mock.featurestore
    fs.create_feature_group("late", record_identifier="id", event_time="t", features=FEATURES,
                            offline=True, s3_uri="s3://later/fs")
    mock.advance(0)
    fs.put_record("late", {"id": "a", "t": "2024-01-01T00:00:00Z", "n": 1})
    fs.put_record("orders", {"id": "b", "t": "2024-01-01T00:00:00Z", "n": 2})
    mock.advance(DELIVERY_SECONDS + 1)  # no bucket "later": silently left for later
    assert _rows_by_id(s3) == [("b", "2024-01-01T00:00:00Z", 2)]
    s3.create_bucket(Bucket="later")
    [uri] = fs.flush_offline()
    assert uri.startswith("s3://later/fs/123456789012/sagemaker/us-east-1/offline-store/late-")


def test_clock_without_s3_mocked_does_nothing() -> None:
    with mock_putrecord(region="us-east-1") as mock:
        mock.featurestore.create_feature_group("orders", record_identifier="id", event_time="t", features=FEATURES,
                                               offline=True, s3_uri=S3_URI)
        mock.advance(0)
        mock.featurestore.put_record("orders", {"id": "a", "t": "2024-01-01T00:00:00Z"})
        mock.advance(DELIVERY_SECONDS + 1)  # no moto: no request, no error
        group = mock.featurestore.backend().find_group("orders")
        assert group is not None and group.offline_flushed == 0
        with pytest.raises(UnmockedRequestError):
            mock.featurestore.flush_offline()


def test_clock_without_pyarrow_does_nothing(lake: tuple[MockPutRecord, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    mock, s3 = lake
    mock.advance(0)
    mock.featurestore.put_record("orders", {"id": "a", "t": "2024-01-01T00:00:00Z"})
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    mock.advance(DELIVERY_SECONDS + 1)
    monkeypatch.undo()
    assert _objects(s3) == {}
    assert len(mock.featurestore.flush_offline()) == 1


# ---------------------------------------------------------------- Athena
def _table(mock: MockPutRecord) -> str:
    return str(mock.featurestore.describe("orders")["OfflineStoreConfig"]["DataCatalogConfig"]["TableName"])


def _start(athena: Any, query: str, **extra: Any) -> str:
    params: dict[str, Any] = {
        "QueryString": query,
        "QueryExecutionContext": {"Database": "sagemaker_featurestore", "Catalog": "AwsDataCatalog"},
        "ResultConfiguration": {"OutputLocation": "s3://lake/results/"},
        **extra,
    }
    return str(athena.start_query_execution(**params)["QueryExecutionId"])


def test_athena_query_over_the_offline_store(lake: tuple[MockPutRecord, Any]) -> None:
    mock, s3 = lake
    fs = mock.featurestore
    fs.put_record("orders", {"id": "a", "t": "2024-01-01T00:00:00Z", "n": 1, "x": 0.5})
    fs.put_record("orders", {"id": "b", "t": "2024-01-01T00:00:00Z", "n": 2})
    athena = boto3.client("athena", region_name="us-east-1", config=RAW)
    table = _table(mock)
    query_id = _start(athena, f'SELECT id, n, x, is_deleted FROM "sagemaker_featurestore"."{table}" ORDER BY id')
    execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    assert execution["Status"]["State"] == "SUCCEEDED"
    assert execution["ResultConfiguration"]["OutputLocation"] == f"s3://lake/results/{query_id}.csv"
    body = s3.get_object(Bucket="lake", Key=f"results/{query_id}.csv")["Body"].read()
    assert body == b'"id","n","x","is_deleted"\n"a","1","0.5","false"\n"b","2",,"false"\n'
    results = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]
    assert [[cell.get("VarCharValue") for cell in row["Data"]] for row in results["Rows"]] == [
        ["id", "n", "x", "is_deleted"], ["a", "1", "0.5", "false"], ["b", "2", None, "false"]
    ]


def test_athena_query_error_fails_the_execution(lake: tuple[MockPutRecord, Any]) -> None:
    mock, _ = lake
    athena = boto3.client("athena", region_name="us-east-1", config=RAW)
    query_id = _start(athena, f"SELECT no_such_column FROM {_table(mock)}")
    status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    assert status["State"] == "FAILED" and "no_such_column" in status["StateChangeReason"]


def test_athena_needs_an_output_location(lake: tuple[MockPutRecord, Any]) -> None:
    mock, _ = lake
    athena = boto3.client("athena", region_name="us-east-1", config=RAW)
    assert error_of(lambda: athena.start_query_execution(QueryString=f"SELECT * FROM {_table(mock)}")) == (
        "InvalidRequestException",
        "No output location provided. An output location is required either through the Workgroup result "
        "configuration setting or as an API input.",
        400,
    )


def test_athena_without_duckdb_says_what_to_install(lake: tuple[MockPutRecord, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    mock, _ = lake
    monkeypatch.setitem(sys.modules, "duckdb", None)
    athena = boto3.client("athena", region_name="us-east-1", config=RAW)
    assert error_of(lambda: _start(athena, f"SELECT * FROM {_table(mock)}")) == (
        "InvalidRequestException",
        "mock_putrecord: Athena queries over the offline store needs duckdb: pip install 'mock_putrecord[offline]' (pyarrow and duckdb)",
        400,
    )


def test_other_athena_queries_are_left_to_moto(lake: tuple[MockPutRecord, Any]) -> None:
    athena = boto3.client("athena", region_name="us-east-1", config=RAW)
    query_id = _start(athena, "SELECT 1 FROM some_other_table")
    assert athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Query"] == "SELECT 1 FROM some_other_table"


# ---------------------------------------------------------------- CSV tables declared through Athena
CREATE_CSV = (
    "CREATE EXTERNAL TABLE labels (id STRING, t STRING, label INT, weight DOUBLE) "
    "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' "
    'WITH SERDEPROPERTIES ("separatorChar" = ",", "quoteChar" = "`", "escapeChar" = "\\\\") '
    "LOCATION 's3://lake/labels';"
)


def _state(athena: Any, query_id: str) -> tuple[str, str | None, str]:
    execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    return execution["Status"]["State"], execution["Status"].get("StateChangeReason"), execution["StatementType"]


def test_csv_table_declared_through_athena_joins_the_offline_store(lake: tuple[MockPutRecord, Any]) -> None:
    mock, s3 = lake
    fs = mock.featurestore
    fs.put_record("orders", {"id": "a", "t": "2024-01-01T00:00:00Z", "n": 1, "x": 0.5})
    fs.put_record("orders", {"id": "b", "t": "2024-01-03T00:00:00Z", "n": 2, "x": 1.5})
    athena = boto3.client("athena", region_name="us-east-1", config=RAW)
    created = _start(athena, CREATE_CSV)
    assert _state(athena, created) == ("SUCCEEDED", None, "DDL")
    # uploaded after the DDL (as the SDK does not, but AWS allows): read when queried
    s3.put_object(Bucket="lake", Key="labels/part-1.csv", Body=b"a,2024-01-02T00:00:00Z,1,0.25\n`b,c`,2024-01-02T00:00:00Z,,\n")
    s3.put_object(Bucket="lake", Key="labels/part-2.csv", Body=b"b,2024-01-02T00:00:00Z,0,2\n")
    query_id = _start(athena, (
        f'SELECT l.id, l.label, l.weight, o.n FROM "sagemaker_featurestore"."labels" l '
        f'LEFT JOIN "sagemaker_featurestore"."{_table(mock)}" o ON l.id = o.id '
        "AND from_iso8601_timestamp(l.t) >= from_iso8601_timestamp(o.t) ORDER BY l.id"))
    assert _state(athena, query_id) == ("SUCCEEDED", None, "DML")
    body = s3.get_object(Bucket="lake", Key=f"results/{query_id}.csv")["Body"].read()
    # b's label row is earlier than b's record: the point-in-time join leaves n empty
    assert body == b'"id","label","weight","n"\n"a","1","0.25","1"\n"b","0","2.0",\n"b,c",,,\n'


def test_csv_table_ddl_errors_and_drop(lake: tuple[MockPutRecord, Any]) -> None:
    athena = boto3.client("athena", region_name="us-east-1", config=RAW)
    _start(athena, CREATE_CSV)
    again = _start(athena, CREATE_CSV)
    assert _state(athena, again) == ("FAILED", "TableExistsError: Table labels already exists", "DDL")
    assert _state(athena, _start(athena, CREATE_CSV.replace("TABLE labels", "TABLE IF NOT EXISTS labels"))) == (
        "SUCCEEDED", None, "DDL")
    assert _state(athena, _start(athena, "DROP TABLE labels")) == ("SUCCEEDED", None, "DDL")
    # gone: a query naming it and a second DROP are not ours any more (moto answers them)
    dropped_again = _start(athena, "DROP TABLE labels")
    assert athena.get_query_execution(QueryExecutionId=dropped_again)["QueryExecution"]["Query"] == "DROP TABLE labels"
    from mock_putrecord.featurestore.athena import athena_backends

    assert athena_backends.get("123456789012", "us-east-1").csv_tables == {}


def test_other_ddl_is_left_to_moto(lake: tuple[MockPutRecord, Any]) -> None:
    athena = boto3.client("athena", region_name="us-east-1", config=RAW)
    parquet = "CREATE EXTERNAL TABLE p (id STRING) STORED AS PARQUET LOCATION 's3://lake/p'"
    query_id = _start(athena, parquet)
    assert athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Query"] == parquet
    from mock_putrecord.featurestore.athena import athena_backends

    assert athena_backends.get("123456789012", "us-east-1").csv_tables == {}


def test_iceberg_groups_get_parquet_in_the_glue_layout_and_queries_work(lake: tuple[MockPutRecord, Any]) -> None:
    """The Iceberg table format is not written: the same Parquet files as for Glue, no
    ``metadata/`` objects (docs/featurestore.md says so); Athena queries still answer."""
    mock, s3 = lake
    sagemaker = boto3.client("sagemaker", region_name="us-east-1", config=RAW)
    sagemaker.create_feature_group(
        FeatureGroupName="berg", RecordIdentifierFeatureName="id", EventTimeFeatureName="t",
        FeatureDefinitions=[{"FeatureName": "id", "FeatureType": "String"}, {"FeatureName": "t", "FeatureType": "String"}],
        OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://lake/berg"}, "TableFormat": "Iceberg"},
        RoleArn="arn:aws:iam::123456789012:role/fs")
    described = sagemaker.describe_feature_group(FeatureGroupName="berg")["OfflineStoreConfig"]
    assert described["TableFormat"] == "Iceberg"
    mock.featurestore.put_record("berg", {"id": "a", "t": "2024-01-01T05:00:00Z"})
    [uri] = mock.featurestore.flush_offline()
    resolved = described["S3StorageConfig"]["ResolvedOutputS3Uri"]
    assert re.fullmatch(re.escape(resolved) + r"/year=2024/month=01/day=01/hour=05/20240101T050000Z_[A-Za-z0-9]{16}\.parquet", uri)
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket="lake", Prefix="berg/")["Contents"]]
    assert keys == [uri.removeprefix("s3://lake/")]
    athena = boto3.client("athena", region_name="us-east-1", config=RAW)
    query_id = _start(athena, f'SELECT id, t FROM "{described["DataCatalogConfig"]["TableName"]}"')
    body = s3.get_object(Bucket="lake", Key=f"results/{query_id}.csv")["Body"].read()
    assert body == b'"id","t"\n"a","2024-01-01T05:00:00Z"\n'
