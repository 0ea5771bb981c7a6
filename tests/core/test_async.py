"""Async: ``@mock_putrecord`` on coroutines, ``async with``, and aiobotocore clients.

aiobotocore awaits the same ``before-send`` event botocore emits, so its clients reach the
same in-memory backends as boto3 clients; these tests prove it with the installed version.
"""
from __future__ import annotations

import asyncio
import base64
import importlib.util
import os
import sys
from typing import Any

import boto3
import pytest
import wrapt

from mock_putrecord import MockPutRecord, UnmockedRequestError, mock_putrecord
from mock_putrecord.core import interception

aiobotocore_session = pytest.importorskip("aiobotocore.session")


def _aio_client(service: str, region: str = "us-east-1", **kwargs: Any) -> Any:
    return aiobotocore_session.get_session().create_client(service, region_name=region, **kwargs)


# ---------------------------------------------------------------- decorator and async with
@mock_putrecord
async def test_decorated_coroutine_is_mocked_after_every_await() -> None:
    # moto's decorator stopped before the coroutine body ran (getmoto/moto#905, #7201).
    await asyncio.sleep(0.01)
    client = boto3.client("kinesis", region_name="us-east-1")
    client.create_stream(StreamName="late", ShardCount=1)
    await asyncio.sleep(0.01)
    assert interception.settings.active
    assert client.list_streams()["StreamNames"] == ["late"]


async def test_decorated_coroutine_stops_the_mock_when_it_returns() -> None:
    @mock_putrecord(region="eu-west-1")
    async def produce() -> str:
        await asyncio.sleep(0)
        return str(boto3.client("kinesis").meta.region_name)

    assert await produce() == "eu-west-1"
    assert not interception.settings.active


async def test_decorated_coroutine_stops_the_mock_when_it_raises() -> None:
    @mock_putrecord
    async def fail() -> None:
        await asyncio.sleep(0)
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await fail()
    assert not interception.settings.active


async def test_concurrent_decorated_coroutines_share_one_activation() -> None:
    @mock_putrecord
    async def produce(name: str, delay: float) -> list[str]:
        boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName=name, ShardCount=1)
        await asyncio.sleep(delay)
        return list(boto3.client("kinesis", region_name="us-east-1").list_streams()["StreamNames"])

    # The first to finish must not tear the mock down under the other (reference counting).
    short, long = await asyncio.gather(produce("a", 0.0), produce("b", 0.05))
    assert short == ["a", "b"] and long == ["a", "b"]
    assert not interception.settings.active


@mock_putrecord
class TestAsyncMethodsOfADecoratedClass:
    async def test_first(self) -> None:
        await asyncio.sleep(0)
        boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="s", ShardCount=1)
        assert interception.settings.active

    async def test_second_starts_fresh(self) -> None:
        await asyncio.sleep(0)
        assert boto3.client("kinesis", region_name="us-east-1").list_streams()["StreamNames"] == []


async def test_async_with_yields_the_handle_and_clears_on_exit() -> None:
    async with mock_putrecord(region="ap-south-1") as mock:
        assert isinstance(mock, MockPutRecord)
        mock.kinesis.create_stream("s")
        await asyncio.sleep(0)
        assert mock.kinesis.stream_names(region="ap-south-1") == ["s"]
    assert not interception.settings.active
    async with mock_putrecord(region="ap-south-1") as mock:
        assert mock.kinesis.stream_names() == []


# ---------------------------------------------------------------- aiobotocore
async def test_aiobotocore_put_records_reaches_the_same_backend() -> None:
    async with mock_putrecord() as mock:
        mock.kinesis.create_stream("clicks", shard_count=2)
        async with _aio_client("kinesis") as client:
            response = await client.put_records(
                StreamName="clicks",
                Records=[{"Data": b"a", "PartitionKey": "alice"}, {"Data": b"b", "PartitionKey": "bob"}],
            )
        assert response["FailedRecordCount"] == 0
        stored = mock.kinesis.records("clicks")
        assert sorted(r.data for r in stored) == [b"a", b"b"]
        by_sequence = {r.sequence_number: r.shard_id for r in stored}
        assert {e["SequenceNumber"]: e["ShardId"] for e in response["Records"]} == by_sequence
        # ...and a boto3 client sees them too: one backend.
        boto = boto3.client("kinesis", region_name="us-east-1")
        shard = response["Records"][0]["ShardId"]
        iterator = boto.get_shard_iterator(StreamName="clicks", ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        records = boto.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        assert [r["SequenceNumber"] for r in records] == [e["SequenceNumber"] for e in response["Records"]
                                                          if e["ShardId"] == shard]


async def test_aiobotocore_reads_what_boto3_wrote() -> None:
    async with mock_putrecord():
        boto = boto3.client("kinesis", region_name="us-east-1")
        boto.create_stream(StreamName="s", ShardCount=1)
        put = boto.put_record(StreamName="s", Data=b"payload", PartitionKey="k")
        async with _aio_client("kinesis") as client:
            iterator = await client.get_shard_iterator(
                StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
            )
            records = (await client.get_records(ShardIterator=iterator["ShardIterator"]))["Records"]
    assert [(r["Data"], r["SequenceNumber"]) for r in records] == [(b"payload", put["SequenceNumber"])]


async def test_aiobotocore_gets_aws_errors_with_exact_code_and_message() -> None:
    async with mock_putrecord(account_id="111122223333"):
        async with _aio_client("kinesis") as client:
            with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
                await client.put_record(StreamName="missing", Data=b"x", PartitionKey="k")
    error = excinfo.value.response["Error"]
    assert error["Code"] == "ResourceNotFoundException"
    assert error["Message"] == "Stream missing under account 111122223333 not found."
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


async def test_aiobotocore_server_side_validation_without_client_validation() -> None:
    from aiobotocore.config import AioConfig

    async with mock_putrecord() as mock:
        mock.kinesis.create_stream("s")
        config = AioConfig(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
        async with _aio_client("kinesis", config=config) as client:
            with pytest.raises(client.exceptions.ClientError) as excinfo:
                await client.put_records(StreamName="s", Records=[])
    error = excinfo.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("1 validation error detected: Value '[]' at 'records'")


async def test_aiobotocore_client_uses_the_mock_region_and_account() -> None:
    async with mock_putrecord(region="eu-central-1", account_id="999988887777") as mock:
        async with aiobotocore_session.get_session().create_client("kinesis") as client:
            await client.create_stream(StreamName="s", ShardCount=1)
            summary = (await client.describe_stream_summary(StreamName="s"))["StreamDescriptionSummary"]
        assert summary["StreamARN"] == "arn:aws:kinesis:eu-central-1:999988887777:stream/s"
        assert mock.kinesis.stream_names() == ["s"]


async def test_aiobotocore_is_refused_for_unmocked_services() -> None:
    async with mock_putrecord():
        async with _aio_client("sqs", config=_no_retries()) as client:
            with pytest.raises(UnmockedRequestError, match="nothing in this process answered POST https://sqs"):
                await client.list_queues()


def _no_retries() -> Any:
    from aiobotocore.config import AioConfig

    return AioConfig(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=1, read_timeout=1)


async def test_aiobotocore_imported_after_start_is_still_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    # The guard wraps AioEndpoint._send at start only if aiobotocore is loaded by then; a
    # test importing it later must be guarded all the same. Simulate "not yet imported".
    aio_endpoint = sys.modules.pop("aiobotocore.endpoint")
    try:
        async with mock_putrecord():
            sys.modules["aiobotocore.endpoint"] = aio_endpoint  # "import" it now
            async with _aio_client("sqs", config=_no_retries()) as client:
                with pytest.raises(UnmockedRequestError):
                    await client.list_queues()
        assert not isinstance(aio_endpoint.AioEndpoint.__dict__["_send"], wrapt.FunctionWrapper)
    finally:
        sys.modules["aiobotocore.endpoint"] = aio_endpoint


async def test_aiobotocore_send_is_restored_after_stop() -> None:
    from aiobotocore.endpoint import AioEndpoint

    original = AioEndpoint.__dict__["_send"]
    async with mock_putrecord():
        assert AioEndpoint.__dict__["_send"].__wrapped__ is original
    assert AioEndpoint.__dict__["_send"] is original


_HAS_FEATURESTORE = importlib.util.find_spec("mock_putrecord.featurestore.responses") is not None


@pytest.mark.skipif(not _HAS_FEATURESTORE, reason="the Feature Store mock is not in this build yet")
async def test_aiobotocore_featurestore_put_record_reaches_the_same_backend() -> None:
    async with mock_putrecord() as mock:
        async with _aio_client("sagemaker") as sagemaker:
            await sagemaker.create_feature_group(
                FeatureGroupName="users",
                RecordIdentifierFeatureName="user_id",
                EventTimeFeatureName="event_time",
                FeatureDefinitions=[
                    {"FeatureName": "user_id", "FeatureType": "String"},
                    {"FeatureName": "event_time", "FeatureType": "String"},
                    {"FeatureName": "score", "FeatureType": "Fractional"},
                ],
                OnlineStoreConfig={"EnableOnlineStore": True},
            )
        record = [
            {"FeatureName": "user_id", "ValueAsString": "u1"},
            {"FeatureName": "event_time", "ValueAsString": "2024-01-01T00:00:00Z"},
            {"FeatureName": "score", "ValueAsString": "0.5"},
        ]
        async with _aio_client("sagemaker-featurestore-runtime") as runtime:
            await runtime.put_record(FeatureGroupName="users", Record=record)
            got = await runtime.get_record(FeatureGroupName="users", RecordIdentifierValueAsString="u1")
        assert got["Record"] == record
        # boto3 reads the same online store.
        boto = boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1")
        assert boto.get_record(FeatureGroupName="users", RecordIdentifierValueAsString="u1")["Record"] == record
        assert mock.featurestore.online_record("users", "u1") == {
            "user_id": "u1", "event_time": "2024-01-01T00:00:00Z", "score": "0.5"
        }


def test_awaitable_response_content_is_plain_bytes_for_sync_clients() -> None:
    response = interception.to_aws_response(
        "https://kinesis.us-east-1.amazonaws.com/",
        interception.WireResponse(200, b'{"a":1}', {"Content-Type": "application/x-amz-json-1.1"}),
    )
    assert response.content == b'{"a":1}' and isinstance(response.content, bytes)
    assert asyncio.run(_await(response.content)) == b'{"a":1}'
    assert base64.b64encode(response.content) == b"eyJhIjoxfQ=="


async def _await(value: Any) -> Any:
    return await value


@pytest.mark.parametrize("form", ["sync", "async"])
async def test_reentering_the_same_handle_restores_the_environment(
    monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    # e.g. a helper doing `async with mock:` on a handle its caller already entered, or
    # server mode starting the handle it was given. Each stop restores its own start.
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    mock = mock_putrecord(region="eu-west-1")
    if form == "sync":
        with mock:
            with mock:
                assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
            assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1" and mock.is_active
    else:
        async with mock:
            async with mock:
                await asyncio.sleep(0)
            assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1" and mock.is_active
    assert "AWS_DEFAULT_REGION" not in os.environ
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert not interception.settings.active
