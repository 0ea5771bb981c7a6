"""Safety: while a mock is active nothing reaches the network unless the user opted into
pass-through; after ``stop()`` the process is exactly as before."""
from __future__ import annotations

import os
import socket
from typing import Any, Iterator

import boto3
import botocore.endpoint
import botocore.session
import pytest
import requests
import requests.adapters
import responses
from botocore.config import Config

from mock_putrecord import UnmockedRequestError, mock_putrecord

ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=1, read_timeout=1)


class Refused(ConnectionRefusedError):
    """What the patched connect raises: the test's own network stand-in."""


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every name lookup and socket connect attempt in this process is recorded and refused."""
    attempts: list[Any] = []

    def connect(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise Refused(f"the test forbids connecting to {address!r}")

    def connect_ex(self: socket.socket, address: Any) -> int:
        attempts.append(address)
        return 111

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append((host, port))  # a DNS lookup already leaves the process
        raise socket.gaierror(f"the test forbids resolving {host!r}")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: connect(None, address))  # type: ignore[arg-type]
    yield attempts


def test_guard_sees_connections(connections: list[Any]) -> None:
    # The guard itself works: without a mock, a boto3 call tries to connect and is refused.
    client = boto3.client("kinesis", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b",
                          config=ONE_ATTEMPT)
    with pytest.raises(Exception):
        client.list_streams()
    assert connections


def test_mocked_services_open_no_socket(connections: list[Any]) -> None:
    with mock_putrecord() as mock:
        kinesis = boto3.client("kinesis", region_name="us-east-1")
        kinesis.create_stream(StreamName="s", ShardCount=2)
        kinesis.put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": "k"}] * 10)
        iterator = kinesis.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        kinesis.get_records(ShardIterator=iterator)
        sagemaker = boto3.client("sagemaker", region_name="us-east-1")
        sagemaker.create_feature_group(
            FeatureGroupName="g", RecordIdentifierFeatureName="id", EventTimeFeatureName="t",
            FeatureDefinitions=[{"FeatureName": "id", "FeatureType": "String"},
                                {"FeatureName": "t", "FeatureType": "String"}],
            OnlineStoreConfig={"EnableOnlineStore": True}, RoleArn="arn:aws:iam::123456789012:role/r")
        runtime = boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1")
        runtime.put_record(FeatureGroupName="g", Record=[{"FeatureName": "id", "ValueAsString": "1"},
                                                         {"FeatureName": "t", "ValueAsString": "2024-01-01T00:00:00Z"}])
        assert runtime.get_record(FeatureGroupName="g", RecordIdentifierValueAsString="1")["Record"]
        headers = {"X-v3io-function": "CreateStream", "X-v3io-session-key": "k"}
        assert requests.post("http://v3io-webapi:8081/bigdata/s/", json={"ShardCount": 1, "RetentionPeriodHours": 1},
                             headers=headers, timeout=1).status_code == 204
        headers["X-v3io-function"] = "PutRecords"
        assert requests.post("http://v3io-webapi:8081/bigdata/s/", json={"Records": [{"Data": "eA=="}]},
                             headers=headers, timeout=1).status_code == 200
        assert mock.kinesis.data("s") == [b"x"] * 10 or sorted(mock.kinesis.data("s")) == [b"x"] * 10
    assert connections == []


@pytest.mark.parametrize("service, call", [
    ("sqs", lambda c: c.list_queues()),
    ("s3", lambda c: c.list_buckets()),
    ("sts", lambda c: c.get_caller_identity()),
])
def test_unmocked_aws_service_fails_clearly_and_touches_no_socket(connections: list[Any], service: str, call: Any) -> None:
    with mock_putrecord():
        client = boto3.client(service, region_name="us-east-1", config=ONE_ATTEMPT)
        with pytest.raises(UnmockedRequestError, match="nothing in this process answered"):
            call(client)
    assert connections == []


def test_unmocked_sagemaker_operation_fails_clearly(connections: list[Any]) -> None:
    # The control plane is mocked for feature groups only; other SageMaker calls are not ours.
    with mock_putrecord():
        client = boto3.client("sagemaker", region_name="us-east-1", config=ONE_ATTEMPT)
        with pytest.raises(UnmockedRequestError):
            client.list_endpoints()
    assert connections == []


def test_unmocked_aiobotocore_call_fails_clearly(connections: list[Any]) -> None:
    aio_session = pytest.importorskip("aiobotocore.session")
    import asyncio

    async def call() -> None:
        async with aio_session.get_session().create_client("sqs", region_name="us-east-1", config=ONE_ATTEMPT) as c:
            await c.list_queues()

    with mock_putrecord():
        with pytest.raises(UnmockedRequestError):
            asyncio.run(call())
    assert connections == []


def test_passthrough_is_the_only_way_out(connections: list[Any]) -> None:
    with mock_putrecord(passthrough=True):
        client = boto3.client("sqs", region_name="us-east-1", config=ONE_ATTEMPT)
        with pytest.raises(Exception) as excinfo:
            client.list_queues()
        assert not isinstance(excinfo.value, UnmockedRequestError)
        # Even with pass-through on, the mocked services stay in the process.
        kinesis = boto3.client("kinesis", region_name="us-east-1", config=ONE_ATTEMPT)
        kinesis.create_stream(StreamName="s", ShardCount=1)
        kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")
    assert any("sqs.us-east-1.amazonaws.com" in str(a) for a in connections)
    assert not any("kinesis" in str(a) for a in connections)
    attempted = len(connections)
    with mock_putrecord():  # and without it, the same call never gets that far
        with pytest.raises(UnmockedRequestError):
            boto3.client("sqs", region_name="us-east-1", config=ONE_ATTEMPT).list_queues()
    assert len(connections) == attempted


# ---------------------------------------------------------------- after stop()
ENV_NAMES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
             "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"]


def _env() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in ENV_NAMES}


@pytest.mark.parametrize("initial", [
    {},  # all unset
    {name: "" for name in ENV_NAMES},  # all set to the empty string
    {"AWS_ACCESS_KEY_ID": "real", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
     "AWS_DEFAULT_REGION": "ap-south-1", "AWS_PROFILE": "prod"},
    {"AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": ""},
])
@pytest.mark.parametrize("region", [None, "eu-west-1"])
def test_environment_is_exactly_restored(monkeypatch: pytest.MonkeyPatch, initial: dict[str, str], region: str | None) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in initial.items():
        monkeypatch.setenv(name, value)
    before = _env()
    mock = mock_putrecord(region=region).start()
    assert os.environ["AWS_ACCESS_KEY_ID"] != "real" and os.environ["AWS_SESSION_TOKEN"] != "token"
    with mock_putrecord(region="us-west-2"):  # nested, then stopped in order
        pass
    mock.stop()
    assert _env() == before


def _before_send_handlers() -> list[Any]:
    """The before-send handlers a new botocore session calls for a Kinesis PutRecord."""
    emitter = botocore.session.get_session().get_component("event_emitter")
    return list(emitter._emitter._handlers.prefix_search("before-send.kinesis.PutRecord"))


def test_botocore_and_requests_hooks_are_restored() -> None:
    handlers = _before_send_handlers()
    send = botocore.endpoint.Endpoint.__dict__["_send"]
    adapter_send = requests.adapters.HTTPAdapter.send
    session_send = requests.Session.__dict__["send"]
    on_request = responses.RequestsMock._on_request
    with mock_putrecord():
        assert botocore.endpoint.Endpoint.__dict__["_send"] is not send  # the guard is on
        assert requests.Session.__dict__["send"] is not session_send
        assert requests.adapters.HTTPAdapter.send is adapter_send  # responses' target is left alone
    assert _before_send_handlers() == handlers
    assert botocore.endpoint.Endpoint.__dict__["_send"] is send
    assert requests.Session.__dict__["send"] is session_send
    assert requests.adapters.HTTPAdapter.send is adapter_send
    assert responses.RequestsMock._on_request is on_request


def test_a_users_responses_mock_is_unaffected() -> None:
    with responses.RequestsMock() as user:
        user.add(responses.GET, "http://example.invalid/a", body="users")
        with mock_putrecord():
            assert requests.get("http://example.invalid/a", timeout=1).text == "users"
            headers = {"X-v3io-function": "CreateStream", "X-v3io-session-key": "k"}
            assert requests.post("http://v3io-webapi:8081/bigdata/s/", json={"ShardCount": 1, "RetentionPeriodHours": 1}, headers=headers,
                                 timeout=1).status_code == 204
        assert requests.get("http://example.invalid/a", timeout=1).text == "users"
        assert [c.request.url for c in user.calls] == ["http://example.invalid/a"] * 2
        # v3io is no longer mocked: the user's mock refuses it, as it would have before.
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post("http://v3io-webapi:8081/bigdata/s/", json={}, headers=headers, timeout=1)


def test_the_global_responses_mock_is_unaffected() -> None:
    responses.start()
    try:
        responses.add(responses.GET, "http://example.invalid/b", body="global")
        with mock_putrecord():
            assert requests.get("http://example.invalid/b", timeout=1).text == "global"
        assert requests.get("http://example.invalid/b", timeout=1).text == "global"
        assert len(responses.calls) == 2
    finally:
        responses.stop()
        responses.reset()


@pytest.mark.parametrize("name", ["AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"])
@pytest.mark.parametrize("initial", [None, "before"])
def test_owned_variables_changed_inside_an_activation_are_restored(
    monkeypatch: pytest.MonkeyPatch, name: str, initial: str | None
) -> None:
    # One rule: the variables the activation owns come back exactly as start() found them.
    if initial is None:
        monkeypatch.delenv(name, raising=False)
    else:
        monkeypatch.setenv(name, initial)
    with mock_putrecord():
        os.environ[name] = "set-inside"
    assert os.environ.get(name) == initial


def test_other_variables_changed_inside_an_activation_are_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_putrecord():
        monkeypatch.setenv("AWS_PROFILE", "set-inside")
    assert os.environ["AWS_PROFILE"] == "set-inside"
