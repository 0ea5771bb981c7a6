"""Kinesis channels (botocore 1.44): lifecycle, the model's destination rules,
ChannelCount, and delivery into a moto-mocked S3 bucket or into the view."""
from __future__ import annotations

import gzip
from typing import Any, Iterator

import boto3
import pytest
from botocore.exceptions import ClientError

from mock_putrecord import MockPutRecord, mock_putrecord

from ..helpers import requires_operation
from .conftest import error_of

pytestmark = requires_operation("kinesis", "CreateChannel")
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/channel"


@pytest.fixture
def stream_arn(kinesis: Any) -> str:
    kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    return str(kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"])


def _s3_destination(bucket: str = "lake", compression: str = "NONE", **extra: Any) -> dict[str, Any]:
    return {"StorageConfiguration": {"BucketARN": f"arn:aws:s3:::{bucket}", "ExpectedBucketOwner": ACCOUNT,
                                     "CompressionType": compression, **extra}}


def _channel(kinesis: Any, stream_arn: str, name: str = "c", fmt: str = "JSON", **destination: Any) -> dict[str, Any]:
    if not destination:
        destination = {"S3DestinationConfiguration": _s3_destination()}
    return dict(kinesis.create_channel(
        ChannelName=name, ServiceExecutionRoleARN=ROLE,
        StreamConfigurationList=[{"StreamARN": stream_arn, "RecordConfiguration": {"RecordFormatType": fmt}}],
        **destination)["ChannelDescription"])


def _put(kinesis: Any, *datas: bytes, key: str = "k") -> None:
    kinesis.put_records(StreamName="s", Records=[{"Data": d, "PartitionKey": key} for d in datas])


def test_create_describe_list_and_count(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    created = _channel(kinesis, stream_arn)
    assert created["ChannelARN"] == f"arn:aws:kinesis:us-east-1:{ACCOUNT}:channel/c/{created['ChannelId']}"
    assert created["ChannelStatus"] == "CREATING"
    assert created["S3DestinationConfiguration"]["DataFreshnessInSeconds"] == 300
    assert created["StreamConfigurationList"][0]["RecordConfiguration"] == {"RecordFormatType": "JSON"}
    mock.advance(5)
    assert kinesis.describe_channel(ChannelARN=created["ChannelARN"])["ChannelDescription"]["ChannelStatus"] == "ACTIVE"
    [summary] = kinesis.list_channels(StreamFilter=[{"StreamARN": stream_arn}])["ChannelSummaries"]
    assert (summary["ChannelName"], summary["ChannelDestinationType"]) == ("c", "S3")
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["ChannelCount"] == 1


def test_destination_rules_from_the_model(kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    tables = {"DeadLetterQueueS3Configuration": {"BucketARN": "arn:aws:s3:::dlq", "ExpectedBucketOwner": ACCOUNT},
              "S3TablesConfigurationList": [{"TableBucketARN": f"arn:aws:s3tables:us-east-1:{ACCOUNT}:bucket/tables",
                                             "Namespace": "ns", "TableName": "events", "CompressionType": "ZSTD"}]}
    cases = [
        ({}, "Exactly one of S3DestinationConfiguration and S3TablesDestinationConfiguration must be specified."),
        ({"S3DestinationConfiguration": _s3_destination(), "S3TablesDestinationConfiguration": tables},
         "Exactly one of S3DestinationConfiguration and S3TablesDestinationConfiguration must be specified."),
        ({"S3TablesDestinationConfiguration": tables},
         "RecordFormatType STRING is not supported for streaming table destinations."),
    ]
    for destination, message in cases:
        with pytest.raises(ClientError) as excinfo:
            raw_kinesis.create_channel(
                ChannelName="bad", ServiceExecutionRoleARN=ROLE, **destination,
                StreamConfigurationList=[{"StreamARN": stream_arn, "RecordConfiguration": {"RecordFormatType": "STRING"}}])
        assert error_of(excinfo) == ("InvalidArgumentException", message, 400)
    with pytest.raises(ClientError) as excinfo:
        _channel(raw_kinesis, stream_arn, fmt="GSR_JSON")
    assert error_of(excinfo) == (
        "InvalidArgumentException", "RecordFormatType GSR_JSON is not supported for general purpose Amazon S3 destinations.", 400)
    with pytest.raises(ClientError) as excinfo:
        _channel(raw_kinesis, stream_arn, S3TablesDestinationConfiguration=tables)
    assert error_of(excinfo) == (
        "InvalidArgumentException", "GSRSchemaARN is required when the channel destination is a streaming table.", 400)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_channel(ChannelName="c", ServiceExecutionRoleARN="not-a-role",
                                   StreamConfigurationList=[{"StreamARN": stream_arn,
                                                             "RecordConfiguration": {"RecordFormatType": "JSON"}}],
                                   S3DestinationConfiguration=_s3_destination())
    code, message, _ = error_of(excinfo)
    assert code == "ValidationException" and "at 'serviceExecutionRoleARN' failed to satisfy constraint" in message


def test_channels_need_an_on_demand_stream_and_unique_names(kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    _channel(kinesis, stream_arn)
    with pytest.raises(ClientError) as excinfo:
        _channel(raw_kinesis, stream_arn)
    assert error_of(excinfo) == ("ResourceInUseException", f"Channel c under account {ACCOUNT} already exists.", 400)
    kinesis.create_stream(StreamName="p", ShardCount=1)
    provisioned = kinesis.describe_stream_summary(StreamName="p")["StreamDescriptionSummary"]["StreamARN"]
    with pytest.raises(ClientError) as excinfo:
        _channel(raw_kinesis, provisioned, name="other")
    assert error_of(excinfo)[0] == "InvalidArgumentException"


def test_update_changes_freshness_only_for_its_destination(mock: MockPutRecord, kinesis: Any, raw_kinesis: Any,
                                                          stream_arn: str) -> None:
    arn = _channel(kinesis, stream_arn)["ChannelARN"]
    updated = kinesis.update_channel(ChannelARN=arn, S3DestinationConfiguration={"DataFreshnessInSeconds": 60},
                                     LoggingConfiguration={"CloudWatchLogs": {"Enabled": True}})["ChannelDescription"]
    assert updated["S3DestinationConfiguration"]["DataFreshnessInSeconds"] == 60
    assert updated["LoggingConfiguration"] == {"CloudWatchLogs": {"Enabled": True}}
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_channel(ChannelARN=arn, S3TablesDestinationConfiguration={"DataFreshnessInSeconds": 60})
    assert error_of(excinfo)[0] == "InvalidArgumentException"


def test_delete_is_deleting_then_gone(mock: MockPutRecord, kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    arn = _channel(kinesis, stream_arn)["ChannelARN"]
    mock.advance(5)
    kinesis.delete_channel(ChannelARN=arn)
    assert kinesis.describe_channel(ChannelARN=arn)["ChannelDescription"]["ChannelStatus"] == "DELETING"
    mock.advance(5)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.describe_channel(ChannelARN=arn)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Channel {arn} under account {ACCOUNT} not found.", 400)
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["ChannelCount"] == 0


def test_without_s3_the_view_shows_the_batches(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    _put(kinesis, b"before")
    _channel(kinesis, stream_arn)
    _put(kinesis, b'{"n":1}', b'{"n":2}')
    assert mock.kinesis.channel("c").batches == []  # not due yet
    mock.kinesis.flush_channels()
    [batch] = mock.kinesis.channel("c").batches
    assert (batch.records, batch.body, batch.written) == ([b'{"n":1}', b'{"n":2}'], b'{"n":1}\n{"n":2}\n', False)
    assert batch.key is not None and batch.key.startswith("s/") and batch.shard_id in batch.key


def test_delivery_after_the_freshness_interval_on_the_virtual_clock(mock: MockPutRecord, kinesis: Any,
                                                                   stream_arn: str) -> None:
    mock.advance(0)
    _channel(kinesis, stream_arn)
    mock.advance(5)
    _put(kinesis, b"a")
    mock.advance(299)
    assert mock.kinesis.channel("c").batches == []
    mock.advance(1)
    assert [b.records for b in mock.kinesis.channel("c").batches] == [[b"a"]]


def test_s3_tables_destinations_are_accepted_and_shown(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    tables = {"DeadLetterQueueS3Configuration": {"BucketARN": "arn:aws:s3:::dlq", "ExpectedBucketOwner": ACCOUNT},
              "S3TablesConfigurationList": [{"TableBucketARN": f"arn:aws:s3tables:us-east-1:{ACCOUNT}:bucket/tables",
                                             "Namespace": "ns", "TableName": "events", "CompressionType": "SNAPPY"}]}
    created = kinesis.create_channel(
        ChannelName="t", ServiceExecutionRoleARN=ROLE, S3TablesDestinationConfiguration=tables,
        StreamConfigurationList=[{"StreamARN": stream_arn, "RecordConfiguration": {
            "RecordFormatType": "GSR_JSON",
            "GSRSchemaARN": f"arn:aws:glue:us-east-1:{ACCOUNT}:schema/registry/events"}}])["ChannelDescription"]
    assert created["S3TablesDestinationConfiguration"]["S3TablesConfigurationList"][0]["TableName"] == "events"
    _put(kinesis, b'{"e":1}')
    mock.kinesis.flush_channels()
    [batch] = mock.kinesis.channel("t").batches
    assert (batch.records, batch.key, batch.written) == ([b'{"e":1}'], None, False)


@pytest.fixture
def moto_s3() -> Iterator[Any]:
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def test_delivery_into_a_moto_bucket(moto_s3: Any) -> None:
    moto_s3.create_bucket(Bucket="lake")
    with mock_putrecord(region="us-east-1") as mock:
        kinesis = boto3.client("kinesis")
        kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
        arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
        _channel(kinesis, arn, S3DestinationConfiguration=_s3_destination(compression="GZIP"))
        _put(kinesis, b"x", b"y", key="same")
        mock.kinesis.flush_channels()
        [batch] = mock.kinesis.channel("c").batches
        assert batch.written and batch.key is not None and batch.key.endswith(".gz")
        body = moto_s3.get_object(Bucket="lake", Key=batch.key)["Body"].read()
        assert gzip.decompress(body) == b"x\ny\n"
        [listed] = moto_s3.list_objects_v2(Bucket="lake")["Contents"]
        assert listed["Key"] == batch.key


def test_a_missing_bucket_leaves_the_batch_in_the_view(moto_s3: Any) -> None:
    with mock_putrecord(region="us-east-1") as mock:
        kinesis = boto3.client("kinesis")
        kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
        arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
        _channel(kinesis, arn, S3DestinationConfiguration=_s3_destination(
            bucket="missing", OutputKeyTemplate="raw/{ChannelName}/{ShardId}"))
        _put(kinesis, b"x")
        mock.kinesis.flush_channels()
        [batch] = mock.kinesis.channel("c").batches
        assert (batch.written, batch.key) == (False, f"raw/c/{batch.shard_id}")
