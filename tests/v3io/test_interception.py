"""Interception: any endpoint, chaining with responses and moto, no network, v3io-py."""
from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
import requests
import responses

from mock_putrecord import mock_putrecord

from .conftest import b64, no_network  # noqa: F401 (fixture)

HEADERS = {"X-v3io-function": "CreateStream", "X-v3io-session-key": "k"}
BODY = '{"ShardCount": 1, "RetentionPeriodHours": 1}'


def test_no_socket_is_opened_for_a_v3io_call(no_network: None) -> None:
    with mock_putrecord():
        response = requests.post("http://v3io-webapi:8081/bigdata/s/", data=BODY, headers=HEADERS)
    assert response.status_code == 204


def test_any_host_with_the_function_header_is_intercepted(no_network: None) -> None:
    with mock_putrecord() as mock:
        response = requests.post("https://webapi.default-tenant.app.example.com:8443/users/s/", data=BODY, headers=HEADERS)
        assert response.status_code == 204
        assert mock.v3io.stream_paths("users", endpoint="https://webapi.default-tenant.app.example.com:8443") == ["s"]


def test_endpoints_keep_separate_state(no_network: None) -> None:
    with mock_putrecord() as mock:
        requests.post("http://one:8081/bigdata/s/", data=BODY, headers=HEADERS)
        assert requests.post("http://two:8081/bigdata/s/", data=BODY, headers=HEADERS).status_code == 204
        assert mock.v3io.stream_paths("bigdata", endpoint="one:8081") == ["s"]


def test_v3io_api_endpoint_is_the_view_default_and_catches_headerless_calls(
    no_network: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("V3IO_API", "webapi.example:9999")
    with mock_putrecord() as mock:
        mock.v3io.create_stream("bigdata", "s", shard_count=2)
        listing = requests.get("http://webapi.example:9999/bigdata?prefix=s/", headers={"X-v3io-session-key": "k"})
        assert listing.status_code == 200 and "<Key>s/1</Key>" in listing.text


def test_state_is_cleared_when_the_mock_stops(no_network: None) -> None:
    with mock_putrecord():
        requests.post("http://v3io-webapi:8081/bigdata/s/", data=BODY, headers=HEADERS)
    with mock_putrecord() as mock:
        assert mock.v3io.stream_paths("bigdata") == []


def test_interception_is_removed_after_stop() -> None:
    with responses.RequestsMock() as user:  # the user's mock sees what reaches the adapter
        with mock_putrecord():
            pass
        user.add(responses.POST, "http://v3io-webapi:8081/bigdata/s/", status=599)
        assert requests.post("http://v3io-webapi:8081/bigdata/s/", data=BODY, headers=HEADERS).status_code == 599


def test_user_responses_mock_started_before_keeps_working(no_network: None) -> None:
    with responses.RequestsMock() as user:
        user.add(responses.GET, "https://api.example.com/things", json={"things": 1})
        with mock_putrecord():
            assert requests.get("https://api.example.com/things").json() == {"things": 1}
            assert requests.post("http://v3io-webapi:8081/bigdata/s/", data=BODY, headers=HEADERS).status_code == 204
        assert len(user.calls) == 1  # the v3io call never reached the user's mock


def test_user_responses_mock_started_after_keeps_working(no_network: None) -> None:
    with mock_putrecord():
        with responses.RequestsMock() as user:
            user.add(responses.GET, "https://api.example.com/things", json={"things": 2})
            assert requests.get("https://api.example.com/things").json() == {"things": 2}
            assert requests.post("http://v3io-webapi:8081/bigdata/s/", data=BODY, headers=HEADERS).status_code == 204
            with pytest.raises(requests.ConnectionError):  # the user's mock still refuses unknowns
                requests.get("https://api.example.com/unknown")


def test_responses_activate_decorator_inside_the_mock(no_network: None) -> None:
    @responses.activate
    def inner() -> int:
        responses.add(responses.GET, re.compile(r"https://other\.example/.*"), body="x")
        assert requests.get("https://other.example/a").text == "x"
        return requests.post("http://v3io-webapi:8081/bigdata/s/", data=BODY, headers=HEADERS).status_code

    with mock_putrecord():
        assert inner() == 204


def test_unmatched_non_v3io_requests_pass_through_to_the_previous_sender() -> None:
    with responses.RequestsMock() as user:
        user.add(responses.GET, "https://api.example.com/ok", body="from-user")
        with mock_putrecord():
            assert requests.get("https://api.example.com/ok").text == "from-user"


moto = pytest.importorskip("moto")


@pytest.mark.parametrize("moto_first", [True, False], ids=["moto-outside", "moto-inside"])
def test_moto_keeps_answering_aws_over_requests(no_network: None, moto_first: bool) -> None:
    import boto3

    def exercise() -> None:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bucket")
        url = s3.generate_presigned_url("list_objects_v2", Params={"Bucket": "bucket"})
        assert requests.get(url).status_code == 200  # moto's responses mock answers this
        response = requests.post("http://v3io-webapi:8081/bigdata/s/", data=BODY, headers=HEADERS)
        assert response.status_code == 204

    if moto_first:
        with moto.mock_aws(), mock_putrecord(passthrough=True):
            exercise()
    else:
        with mock_putrecord(passthrough=True), moto.mock_aws():
            exercise()


v3io_dataplane = pytest.importorskip("v3io.dataplane")


def _stream_calls(client: Any) -> list[bytes]:
    client.stream.create("bigdata", "py/stream", shard_count=2, retention_period_hours=2)
    put = client.stream.put_records(
        "bigdata", "py/stream", [{"data": "one", "shard_id": 1}, {"data": "two", "shard_id": 7}]
    ).output
    assert put.failed_record_count == 1 and put.records[0].sequence_number == 1
    assert put.records[1].error_message == "ShardIDOutOfRangeException"
    assert client.stream.describe("bigdata", "py/stream").output.shard_count == 2
    location = client.stream.seek("bigdata", "py/stream", 1, "EARLIEST").output.location
    records = client.stream.get_records("bigdata", "py/stream", 1, location).output.records
    client.stream.delete("bigdata", "py/stream")
    return [record.data for record in records]


@pytest.mark.parametrize("transport_kind", ["httpclient", "requests"])
def test_v3io_py_client_runs_unchanged(no_network: None, transport_kind: str) -> None:
    with mock_putrecord() as mock:
        client = v3io_dataplane.Client(endpoint="http://v3io-webapi:8081", access_key="k", transport_kind=transport_kind)
        assert _stream_calls(client) == [b"one"]
        assert mock.v3io.stream_paths("bigdata") == []  # delete removed it
        client.close()


def test_v3io_py_error_statuses_raise_its_own_error(no_network: None) -> None:
    from v3io.dataplane.response import HttpResponseError

    with mock_putrecord():
        client = v3io_dataplane.Client(endpoint="http://v3io-webapi:8081", access_key="k")
        with pytest.raises(HttpResponseError) as info:
            client.stream.describe("bigdata", "missing")
        assert info.value.status_code == 404


def test_v3io_py_client_created_before_activation_is_intercepted(no_network: None) -> None:
    client = v3io_dataplane.Client(endpoint="http://v3io-webapi:8081", access_key="k")
    with mock_putrecord():
        assert client.stream.create("bigdata", "early", shard_count=1).status_code == 204


def test_v3io_py_async_client(no_network: None) -> None:
    aio = pytest.importorskip("v3io.aio.dataplane")

    async def main() -> list[bytes]:
        client = aio.Client(endpoint="http://v3io-webapi:8081", access_key="k")
        try:
            await client.stream.create("bigdata", "aio/stream", shard_count=1)
            await client.stream.put_records("bigdata", "aio/stream", [{"data": "async"}])
            location = (await client.stream.seek("bigdata", "aio/stream", 0, "EARLIEST")).output.location
            response = await client.stream.get_records("bigdata", "aio/stream", 0, location)
            return [record.data for record in response.output.records]
        finally:
            await client.close()

    with mock_putrecord():
        assert asyncio.run(main()) == [b"async"]


def test_headerless_request_to_an_unknown_host_is_not_v3io() -> None:
    with responses.RequestsMock() as user:
        user.add(responses.DELETE, "https://api.example.com/x", status=202)
        with mock_putrecord():
            assert requests.delete("https://api.example.com/x", headers={"X-v3io-session-key": b64("k")}).status_code == 202
