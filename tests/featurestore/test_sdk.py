"""The SageMaker Python SDK's feature-store path, unchanged, against the mock.

Ingestion here runs with ``max_workers=1, max_processes=1``; the multi-process path (a
forked pathos pool sharing the parent's mock) is tested in ``tests/processes``.
"""
from __future__ import annotations

from typing import Any, Iterator

import pytest

sagemaker = pytest.importorskip("sagemaker")
pandas = pytest.importorskip("pandas")
feature_group_module = pytest.importorskip("sagemaker.feature_store.feature_group")

import boto3  # noqa: E402

from mock_putrecord import MockPutRecord, mock_putrecord  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/sdk-test"


@pytest.fixture
def sdk() -> Iterator[tuple[MockPutRecord, Any]]:
    with mock_putrecord(region="us-east-1") as handle:
        boto_session = boto3.Session(region_name="us-east-1")
        session = sagemaker.Session(
            boto_session=boto_session,
            sagemaker_client=boto_session.client("sagemaker"),
            sagemaker_featurestore_runtime_client=boto_session.client("sagemaker-featurestore-runtime"),
            default_bucket="sdk-bucket",
        )
        yield handle, session


def _group(session: Any, name: str = "customers", offline: bool = False) -> Any:
    from sagemaker.feature_store.feature_definition import FractionalFeatureDefinition, StringFeatureDefinition

    group = feature_group_module.FeatureGroup(
        name=name,
        sagemaker_session=session,
        feature_definitions=[
            StringFeatureDefinition("customer_id"),
            StringFeatureDefinition("event_time"),
            FractionalFeatureDefinition("score"),
        ],
    )
    group.create(
        s3_uri="s3://sdk-bucket/offline" if offline else False,
        record_identifier_name="customer_id",
        event_time_feature_name="event_time",
        role_arn=ROLE,
        enable_online_store=True,
    )
    return group


def test_sdk_put_and_get_record(sdk: tuple[MockPutRecord, Any]) -> None:
    from sagemaker.feature_store.inputs import FeatureValue

    _, session = sdk
    group = _group(session)
    group.put_record(
        record=[
            FeatureValue("customer_id", value_as_string="c1"),
            FeatureValue("event_time", value_as_string="2024-01-01T00:00:00Z"),
            FeatureValue("score", value_as_string="0.5"),
        ]
    )
    assert group.get_record(record_identifier_value_as_string="c1") == [
        {"FeatureName": "customer_id", "ValueAsString": "c1"},
        {"FeatureName": "event_time", "ValueAsString": "2024-01-01T00:00:00Z"},
        {"FeatureName": "score", "ValueAsString": "0.5"},
    ]
    assert group.get_record(record_identifier_value_as_string="nobody") is None


def test_sdk_describe_reports_created(sdk: tuple[MockPutRecord, Any]) -> None:
    _, session = sdk
    group = _group(session)
    assert group.describe()["FeatureGroupStatus"] == "Created"


def test_sdk_ingest_dataframe_single_worker(sdk: tuple[MockPutRecord, Any]) -> None:
    mock, session = sdk
    group = _group(session, offline=True)
    frame = pandas.DataFrame(
        {
            "customer_id": ["c1", "c2", "c1"],
            "event_time": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"],
            "score": [0.5, float("nan"), 0.9],
        }
    )
    group.ingest(data_frame=frame, max_workers=1, max_processes=1, wait=True)
    assert mock.featurestore.online_record("customers", "c1") == {
        "customer_id": "c1", "event_time": "2024-02-01T00:00:00Z", "score": "0.9",
    }
    # The SDK leaves NaN features out of the record, so c2 has no score.
    assert mock.featurestore.online_record("customers", "c2") == {"customer_id": "c2", "event_time": "2024-01-01T00:00:00Z"}
    assert len(mock.featurestore.offline_rows("customers")) == 3


def test_sdk_ingest_reports_rejected_rows(sdk: tuple[MockPutRecord, Any]) -> None:
    from sagemaker.feature_store.feature_group import IngestionError

    _, session = sdk
    group = _group(session)
    frame = pandas.DataFrame({"customer_id": ["c1", "c2"], "event_time": ["2024-01-01T00:00:00Z", "not a time"], "score": [0.5, 0.7]})
    with pytest.raises(IngestionError) as excinfo:
        group.ingest(data_frame=frame, max_workers=1, max_processes=1, wait=True)
    assert excinfo.value.failed_rows == [1]


def test_sdk_hard_delete_record(sdk: tuple[MockPutRecord, Any]) -> None:
    from sagemaker.feature_store.inputs import DeletionModeEnum, FeatureValue

    _, session = sdk
    group = _group(session)
    group.put_record(
        record=[FeatureValue("customer_id", value_as_string="c1"), FeatureValue("event_time", value_as_string="2024-01-01T00:00:00Z")]
    )
    group.delete_record("c1", event_time="2024-06-01T00:00:00Z", deletion_mode=DeletionModeEnum.HARD_DELETE)
    assert group.get_record(record_identifier_value_as_string="c1") is None


# ---------------------------------------------------------------- the rest of the v2 FeatureGroup surface
def _connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record (and refuse) every socket the code under test would open."""
    attempts: list[Any] = []

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(address)
        raise OSError(f"no network in tests: {address}")

    monkeypatch.setattr("socket.create_connection", create_connection)
    monkeypatch.setattr("urllib3.util.connection.create_connection", create_connection)
    return attempts


def test_sdk_tags_metadata_and_search(sdk: tuple[MockPutRecord, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from sagemaker.feature_store.feature_store import FeatureStore
    from sagemaker.feature_store.inputs import FeatureParameter, Filter, FilterOperatorEnum, ResourceEnum

    connections = _connections(monkeypatch)  # the SDK's telemetry must not leave the process
    _, session = sdk
    group = _group(session)
    session.sagemaker_client.add_tags(ResourceArn=group.describe()["FeatureGroupArn"], Tags=[{"Key": "team", "Value": "ml"}])
    assert group.list_tags() == [{"Key": "team", "Value": "ml"}]
    group.update_feature_metadata(
        feature_name="score", description="risk score",
        parameter_additions=[FeatureParameter(key="key1", value="value1"), FeatureParameter(key="key2", value="value2")],
    )
    group.update_feature_metadata(feature_name="score", parameter_removals=["key1"])
    assert group.describe_feature_metadata(feature_name="score")["Description"] == "risk score"
    assert group.list_parameters_for_feature_metadata(feature_name="score") == [{"Key": "key2", "Value": "value2"}]
    store = FeatureStore(sagemaker_session=session)
    found = store.search(resource=ResourceEnum.FEATURE_GROUP, filters=[Filter(name="FeatureGroupName", value="customers")])
    assert [item["FeatureGroup"]["FeatureGroupName"] for item in found["Results"]] == ["customers"]
    features = store.search(
        resource=ResourceEnum.FEATURE_METADATA,
        filters=[Filter(name="Description", value="risk", operator=FilterOperatorEnum.CONTAINS)],
    )
    assert [item["FeatureMetadata"]["FeatureName"] for item in features["Results"]] == ["score"]
    assert [item["FeatureGroupName"] for item in store.list_feature_groups()["FeatureGroupSummaries"]] == ["customers"]
    assert connections == []


def test_sdk_search_and_list_tags_with_moto_active(monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's case: with moto also active, search returned [] and list_tags crashed."""
    moto = pytest.importorskip("moto")
    from sagemaker.feature_store.feature_store import FeatureStore
    from sagemaker.feature_store.inputs import Filter, ResourceEnum

    connections = _connections(monkeypatch)
    with moto.mock_aws(), mock_putrecord(region="us-east-1"):
        boto_session = boto3.Session(region_name="us-east-1")
        session = sagemaker.Session(boto_session=boto_session, default_bucket="sdk-bucket")
        group = _group(session)
        assert group.list_tags() == []
        found = FeatureStore(sagemaker_session=session).search(
            resource=ResourceEnum.FEATURE_GROUP, filters=[Filter(name="FeatureGroupName", value="customers")]
        )
        assert [item["FeatureGroup"]["FeatureGroupName"] for item in found["Results"]] == ["customers"]
    assert connections == []


def test_sdk_update_throughput_and_storage(sdk: tuple[MockPutRecord, Any]) -> None:
    from sagemaker.feature_store.inputs import ThroughputConfigUpdate, ThroughputModeEnum

    _, session = sdk
    group = _group(session)
    group.update(throughput_config=ThroughputConfigUpdate(
        mode=ThroughputModeEnum.PROVISIONED, provisioned_read_capacity_units=4, provisioned_write_capacity_units=2))
    assert group.describe()["ThroughputConfig"] == {
        "ThroughputMode": "Provisioned", "ProvisionedReadCapacityUnits": 4, "ProvisionedWriteCapacityUnits": 2
    }


def test_sdk_batch_get_record(sdk: tuple[MockPutRecord, Any]) -> None:
    from sagemaker.feature_store.feature_store import FeatureStore
    from sagemaker.feature_store.inputs import FeatureValue, Identifier

    _, session = sdk
    group = _group(session)
    group.put_record(record=[FeatureValue("customer_id", value_as_string="c1"), FeatureValue("event_time", value_as_string="2024-01-01T00:00:00Z")])
    got = FeatureStore(sagemaker_session=session).batch_get_record(
        identifiers=[Identifier(feature_group_name="customers", record_identifiers_value_as_string=["c1", "c9"])]
    )
    assert [record["RecordIdentifierValueAsString"] for record in got["Records"]] == ["c1"]


def test_sdk_athena_query_and_dataset_builder_over_the_offline_store() -> None:
    moto = pytest.importorskip("moto")
    pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    from sagemaker.feature_store.feature_store import FeatureStore

    with moto.mock_aws(), mock_putrecord(region="us-east-1"):
        boto_session = boto3.Session(region_name="us-east-1")
        boto_session.client("s3").create_bucket(Bucket="sdk-bucket")
        session = sagemaker.Session(boto_session=boto_session, default_bucket="sdk-bucket")
        group = _group(session, offline=True)
        frame = pandas.DataFrame({
            "customer_id": ["c1", "c2", "c1"],
            "event_time": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"],
            "score": [0.5, 0.7, 0.9],
        })
        group.ingest(data_frame=frame, max_workers=1, max_processes=1, wait=True)
        query = group.athena_query()
        query.run(f'SELECT customer_id, score FROM "{query.table_name}" ORDER BY score', output_location="s3://sdk-bucket/athena")
        query.wait()
        assert query.as_dataframe().to_dict("list") == {"customer_id": ["c1", "c2", "c1"], "score": [0.5, 0.7, 0.9]}
        dataset, _ = (
            FeatureStore(sagemaker_session=session)
            .create_dataset(base=group, output_path="s3://sdk-bucket/dataset")
            .with_number_of_recent_records_by_record_identifier(1)
            .to_dataframe()
        )
        assert sorted(dataset.itertuples(index=False, name=None)) == [
            ("c1", "2024-02-01T00:00:00Z", 0.9), ("c2", "2024-01-01T00:00:00Z", 0.7)
        ]


def test_sdk_dataset_builder_with_a_data_frame_base(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``create_dataset(base=data_frame)``: the SDK uploads the frame as a CSV, declares an
    external table over it with ``CREATE EXTERNAL TABLE``, and joins it with a group's
    offline table in one Athena query."""
    moto = pytest.importorskip("moto")
    pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    from sagemaker.feature_store.feature_store import FeatureStore

    monkeypatch.chdir(tmp_path)  # the SDK writes and reads its CSV files in the working directory
    with moto.mock_aws(), mock_putrecord(region="us-east-1"):
        boto_session = boto3.Session(region_name="us-east-1")
        s3 = boto_session.client("s3")
        s3.create_bucket(Bucket="sdk-bucket")
        session = sagemaker.Session(boto_session=boto_session, default_bucket="sdk-bucket")
        group = _group(session, offline=True)
        group.ingest(data_frame=pandas.DataFrame({
            "customer_id": ["c1", "c2", "c1"],
            "event_time": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"],
            "score": [0.5, 0.7, 0.9],
        }), max_workers=1, max_processes=1, wait=True)
        base = pandas.DataFrame({
            "customer_id": ["c1", "c2", "c3"],
            "event_time": ["2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z"],
            "label": [1, 0, 1],
        }).astype({"customer_id": object, "event_time": object})  # the SDK maps object columns (not pandas 3's str) to STRING
        store = FeatureStore(sagemaker_session=session)
        alone, query = store.create_dataset(
            base=base, record_identifier_feature_name="customer_id", event_time_identifier_feature_name="event_time",
            output_path="s3://sdk-bucket/dataset",
        ).to_dataframe()
        assert query.startswith("WITH fg_base AS (")
        assert alone.sort_values("customer_id").to_dict("list") == {
            "customer_id": ["c1", "c2", "c3"], "event_time": ["2024-03-01T00:00:00Z"] * 3, "label": [1, 0, 1]}
        joined, _ = (
            store.create_dataset(
                base=base, record_identifier_feature_name="customer_id",
                event_time_identifier_feature_name="event_time", output_path="s3://sdk-bucket/dataset")
            .with_feature_group(group, target_feature_name_in_base="customer_id", included_feature_names=["score"])
            .with_number_of_recent_records_by_record_identifier(1)
            .to_dataframe()
        )
        # the SDK's default join is an inner join: c3 has no feature-group row
        assert list(joined.columns) == ["customer_id", "event_time", "label", "score.1"]
        assert sorted(joined.itertuples(index=False, name=None)) == [
            ("c1", "2024-03-01T00:00:00Z", 1, 0.9), ("c2", "2024-03-01T00:00:00Z", 0, 0.7)]
        uploaded = [item["Key"] for item in s3.list_objects_v2(Bucket="sdk-bucket", Prefix="dataset/dataframe-base")["Contents"]]
        assert len(uploaded) == 2 and all(key.endswith(".csv") for key in uploaded)
