"""The SageMaker Python SDK v3's feature store (``sagemaker.mlops.feature_store``, on
sagemaker-core), unchanged, against the mock.

SDK v3 needs a newer botocore than aiobotocore allows, so it is not in the pinned test
set (which has SDK v2, tested in ``test_sdk.py``): install the ``test-sdk3`` extra.
"""
from __future__ import annotations

from typing import Any, Iterator

import boto3
import pytest
from botocore.exceptions import ClientError

from mock_putrecord import MockPutRecord, mock_putrecord


def _sdk3_missing() -> str | None:
    """Why the SDK v3 tests cannot run (found by distribution: importing
    ``sagemaker.mlops`` creates boto3 clients, so it needs a region, which the mock gives)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        installed = version("sagemaker")
    except PackageNotFoundError:
        installed = None
    try:
        version("sagemaker-mlops")
        return None
    except PackageNotFoundError:
        return (f"needs the SageMaker SDK v3 (sagemaker.mlops.feature_store; pip install 'mock_putrecord[test-sdk3]'); "
                f"installed: {'sagemaker ' + installed if installed else 'no sagemaker'}")


pytestmark = pytest.mark.skipif(_sdk3_missing() is not None, reason=str(_sdk3_missing()))
pandas = pytest.importorskip("pandas")

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/sdk3"
T0 = "2024-01-01T00:00:00Z"


@pytest.fixture
def mock() -> Iterator[MockPutRecord]:
    with mock_putrecord(region=REGION) as handle:
        yield handle


@pytest.fixture
def fs(mock: MockPutRecord) -> Any:
    import sagemaker.mlops.feature_store as module  # first import inside the mock: it makes boto3 clients

    return module


def _create(fs: Any, name: str = "customers", *, manager: bool = False, offline: bool = False,
            storage: str = "Standard_V2", table_format: str | None = None) -> Any:
    cls = fs.FeatureGroupManager if manager else fs.FeatureGroup
    extra: dict[str, Any] = {}
    if offline:
        config: dict[str, Any] = {"s3_storage_config": fs.S3StorageConfig(s3_uri="s3://lake/fs")}
        if table_format:
            config["table_format"] = table_format
        extra["offline_store_config"] = fs.OfflineStoreConfig(**config)
    return cls.create(
        feature_group_name=name,
        record_identifier_feature_name="customer_id",
        event_time_feature_name="event_time",
        feature_definitions=[fs.StringFeatureDefinition("customer_id"), fs.StringFeatureDefinition("event_time"),
                             fs.FractionalFeatureDefinition("score"), fs.StringFeatureDefinition("tier")],
        online_store_config=fs.OnlineStoreConfig(enable_online_store=True, storage_type=storage),
        role_arn=ROLE,
        region=REGION,
        **extra,
    )


def _values(record: Any) -> dict[str, str]:
    return {value.feature_name: value.value_as_string for value in record}


def _frame(count: int, start: int = 0) -> Any:
    return pandas.DataFrame({
        "customer_id": [f"c{i:03d}" for i in range(start, start + count)],
        "event_time": [T0] * count,
        "score": [i / 4 for i in range(start, start + count)],
        "tier": ["free"] * count,
    })


def test_create_get_put_and_get_record(mock: MockPutRecord, fs: Any) -> None:
    created = _create(fs)
    assert (created.feature_group_name, created.feature_group_status) == ("customers", "Created")
    group = fs.FeatureGroup.get(feature_group_name="customers", region=REGION)
    assert group.feature_group_arn == "arn:aws:sagemaker:us-east-1:123456789012:feature-group/customers"
    assert group.online_store_config.storage_type == "Standard_V2"
    group.put_record(record=[fs.FeatureValue(feature_name="customer_id", value_as_string="c1"),
                             fs.FeatureValue(feature_name="event_time", value_as_string=T0),
                             fs.FeatureValue(feature_name="score", value_as_string="0.5")])
    assert _values(group.get_record(record_identifier_value_as_string="c1").record) == {
        "customer_id": "c1", "event_time": T0, "score": "0.5"}
    assert mock.featurestore.online_record("customers", "c1") == {"customer_id": "c1", "event_time": T0, "score": "0.5"}


def test_list_records_pages(mock: MockPutRecord, fs: Any) -> None:
    _create(fs)
    for customer in ("c3", "c1", "c2"):
        mock.featurestore.put_record("customers", {"customer_id": customer, "event_time": T0})
    first = fs.list_records("customers", max_results=2, region=REGION)
    assert first.record_identifiers == ["c1", "c2"]
    second = fs.list_records("customers", next_token=first.next_token, region=REGION)
    assert second.record_identifiers == ["c3"]
    assert not isinstance(second.next_token, str)  # the last page has none (sagemaker-core's Unassigned)


def test_update_record_keeps_the_features_left_out(mock: MockPutRecord, fs: Any) -> None:
    _create(fs)
    mock.featurestore.put_record("customers", {"customer_id": "c1", "event_time": T0, "score": 0.5, "tier": "free"})
    fs.update_record("customers", "c1", [{"FeatureName": "tier", "ValueAsString": "pro"}], region=REGION)
    assert mock.featurestore.online_record("customers", "c1") == {
        "customer_id": "c1", "event_time": T0, "score": "0.5", "tier": "pro"}
    with pytest.raises(ClientError) as excinfo:
        fs.update_record("customers", "c9", [{"FeatureName": "tier", "ValueAsString": "pro"}], region=REGION)
    error = excinfo.value.response
    assert (error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "ResourceNotFound",
        "Resource Not Found: Amazon SageMaker can't find a Record with RecordIdentifierValueAsString [c9] in the "
        "FeatureGroup [customers].",
        404,
    )


def test_update_record_needs_standard_v2(mock: MockPutRecord, fs: Any) -> None:
    _create(fs, storage="Standard")
    mock.featurestore.put_record("customers", {"customer_id": "c1", "event_time": T0})
    with pytest.raises(ClientError) as excinfo:
        fs.update_record("customers", "c1", [{"FeatureName": "tier", "ValueAsString": "pro"}], region=REGION)
    assert excinfo.value.response["Error"]["Code"] == "ValidationError"
    assert mock.featurestore.online_record("customers", "c1") == {"customer_id": "c1", "event_time": T0}


def test_feature_group_manager(mock: MockPutRecord, fs: Any) -> None:
    created = _create(fs, manager=True, offline=True, table_format="Iceberg")
    assert type(created).__name__ == "FeatureGroupManager"
    managed = fs.FeatureGroupManager.get(feature_group_name="customers", region=REGION)
    assert (type(managed).__name__, managed.feature_group_status) == ("FeatureGroupManager", "Created")
    assert managed.offline_store_config.table_format == "Iceberg"
    managed.update(feature_additions=[fs.IntegralFeatureDefinition("age")])
    described = mock.featurestore.describe("customers")
    assert [d["FeatureName"] for d in described["FeatureDefinitions"]] == [
        "customer_id", "event_time", "score", "tier", "age"]
    assert described["OfflineStoreConfig"]["TableFormat"] == "Iceberg"


@pytest.mark.parametrize("batch", [False, True], ids=["put_record", "batch_write_record"])
def test_ingest_dataframe_single_worker(mock: MockPutRecord, fs: Any, batch: bool) -> None:
    _create(fs)
    manager = fs.ingest_dataframe("customers", _frame(30), max_workers=1, max_processes=1,
                                  use_batch_write_record=batch, region=REGION)
    assert manager.failed_rows == []
    assert mock.featurestore.online_count("customers") == 30
    assert mock.featurestore.online_record("customers", "c029") == {
        "customer_id": "c029", "event_time": T0, "score": "7.25", "tier": "free"}


@pytest.mark.parametrize("batch", [False, True], ids=["put_record", "batch_write_record"])
def test_ingest_dataframe_many_processes_every_row_reaches_the_parent(mock: MockPutRecord, fs: Any, batch: bool) -> None:
    """A forked ``multiprocessing.Pool`` of 2 processes with 3 threads each: every row is
    in the parent's mock when ingestion returns."""
    _create(fs, offline=True)
    frame = _frame(60)
    manager = fs.ingest_dataframe("customers", frame, max_workers=3, max_processes=2,
                                  use_batch_write_record=batch, region=REGION)
    assert manager.failed_rows == []
    assert mock.featurestore.online_count("customers") == 60
    for row in frame.itertuples(index=False):
        assert mock.featurestore.online_record("customers", row.customer_id) == {
            "customer_id": row.customer_id, "event_time": T0, "score": repr(row.score), "tier": "free"}
    rows = mock.featurestore.offline_rows("customers")
    assert sorted(row["customer_id"] for row in rows) == list(frame["customer_id"])


# ---------------------------------------------------------------- offline store: Athena, datasets
@pytest.fixture
def lake(mock: MockPutRecord, fs: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    moto = pytest.importorskip("moto")
    pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    from sagemaker.core.helper.session_helper import Session

    monkeypatch.chdir(tmp_path)  # the SDK downloads result CSVs into the working directory
    with moto.mock_aws():
        boto_session = boto3.Session(region_name=REGION)
        boto_session.client("s3").create_bucket(Bucket="lake")
        group = _create(fs, offline=True)
        fs.ingest_dataframe("customers", pandas.DataFrame({
            "customer_id": ["c1", "c2", "c1"], "event_time": [T0, T0, "2024-02-01T00:00:00Z"],
            "score": [0.5, 0.7, 0.9], "tier": ["free", "free", "pro"]}), region=REGION)
        yield Session(boto_session=boto_session), group


def test_athena_query(lake: tuple[Any, Any], fs: Any) -> None:
    session, _ = lake
    query = fs.create_athena_query("customers", session)
    query.run(f'SELECT customer_id, score FROM "{query.table_name}" ORDER BY score', output_location="s3://lake/athena")
    query.wait()
    assert query.get_query_execution()["QueryExecution"]["Status"]["State"] == "SUCCEEDED"
    assert query.as_dataframe().to_dict("list") == {"customer_id": ["c1", "c2", "c1"], "score": [0.5, 0.7, 0.9]}


def test_dataset_builder_with_a_feature_group_base(lake: tuple[Any, Any], fs: Any) -> None:
    session, group = lake
    dataset, query = (
        fs.DatasetBuilder.create(base=group, output_path="s3://lake/dataset", session=session)
        .with_number_of_recent_records_by_record_identifier(1)
        .to_dataframe()
    )
    assert query.startswith("WITH fg_base AS (")
    assert sorted(dataset.itertuples(index=False, name=None)) == [
        ("c1", "2024-02-01T00:00:00Z", 0.9, "pro"), ("c2", T0, 0.7, "free")]


def test_dataset_builder_with_a_data_frame_base(lake: tuple[Any, Any], fs: Any) -> None:
    session, group = lake
    base = pandas.DataFrame({"customer_id": ["c1", "c2", "c3"], "event_time": ["2024-03-01T00:00:00Z"] * 3,
                             "label": [1, 0, 1]}).astype({"customer_id": object, "event_time": object})
    dataset, _ = (
        fs.DatasetBuilder.create(base=base, output_path="s3://lake/dataset", session=session,
                                 record_identifier_feature_name="customer_id",
                                 event_time_identifier_feature_name="event_time")
        .with_feature_group(group, target_feature_name_in_base="customer_id", included_feature_names=["score"])
        .with_number_of_recent_records_by_record_identifier(1)
        .to_dataframe()
    )
    assert list(dataset.columns) == ["customer_id", "event_time", "label", "score.1"]
    assert sorted(dataset.itertuples(index=False, name=None)) == [
        ("c1", "2024-03-01T00:00:00Z", 1, 0.9), ("c2", "2024-03-01T00:00:00Z", 0, 0.7)]
