"""``requests`` to an AWS host that no mock answers is refused before any socket opens
(the SageMaker SDK's telemetry GET, say), unless ``passthrough=True``."""
from __future__ import annotations

import socket
from typing import Any, Iterator

import pytest

requests = pytest.importorskip("requests")
import requests.adapters  # noqa: E402

from mock_putrecord import UnmockedRequestError, mock_putrecord  # noqa: E402

TELEMETRY = "https://sm-pysdk-t-us-east-1.s3.us-east-1.amazonaws.com/telemetry?x-accountId=123456789012"


class _NoNetwork(OSError):
    """Raised by the patched socket layer: the request would have opened a connection."""


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every attempt to open a socket, refused with :class:`_NoNetwork`."""
    attempts: list[Any] = []

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(address)
        raise _NoNetwork(f"no network in tests: {address}")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr("urllib3.util.connection.create_connection", create_connection)
    yield attempts


def test_aws_host_is_refused_without_a_socket(connections: list[Any]) -> None:
    with mock_putrecord():
        with pytest.raises(UnmockedRequestError) as excinfo:
            requests.get(TELEMETRY, timeout=2)
    assert str(excinfo.value) == (
        f"mock_putrecord is active and nothing in this process answered GET {TELEMETRY}. The request was not sent. "
        "Mock that service too (moto's mock_aws, say) or pass mock_putrecord(passthrough=True) to let such requests out."
    )
    assert connections == []


@pytest.mark.parametrize("url", ["https://api.sagemaker.us-east-1.amazonaws.com/", "https://bucket.s3.cn-north-1.amazonaws.com.cn/k",
                                 "https://ec2.us-east-1.api.aws/", "https://amazonaws.com/"])
def test_every_aws_domain_is_refused(connections: list[Any], url: str) -> None:
    with mock_putrecord(), pytest.raises(UnmockedRequestError):
        requests.post(url, data=b"x", timeout=2)
    assert connections == []


def test_passthrough_lets_it_try(connections: list[Any]) -> None:
    with mock_putrecord(passthrough=True), pytest.raises(requests.ConnectionError):
        requests.get(TELEMETRY, timeout=2)
    assert connections == [("sm-pysdk-t-us-east-1.s3.us-east-1.amazonaws.com", 443)]


def test_other_hosts_are_untouched(connections: list[Any]) -> None:
    with mock_putrecord(), pytest.raises(requests.ConnectionError):
        requests.get("http://example.org:8080/", timeout=2)
    assert connections == [("example.org", 8080)]


def test_no_guard_without_an_active_mock(connections: list[Any]) -> None:
    original = vars(requests.adapters.HTTPAdapter)["get_connection_with_tls_context"]
    with mock_putrecord():
        assert vars(requests.adapters.HTTPAdapter)["get_connection_with_tls_context"] is not original
    assert vars(requests.adapters.HTTPAdapter)["get_connection_with_tls_context"] is original
    with pytest.raises(requests.ConnectionError):
        requests.get(TELEMETRY, timeout=2)
    assert len(connections) == 1


def test_what_moto_answers_is_answered(connections: list[Any]) -> None:
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws(), mock_putrecord():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="data")
        s3.put_object(Bucket="data", Key="k", Body=b"hello")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "data", "Key": "k"})
        reply = requests.get(url, timeout=2)
        assert (reply.status_code, reply.content) == (200, b"hello")
        assert requests.get(TELEMETRY, timeout=2).status_code == 404  # moto: NoSuchBucket
    assert connections == []
