"""``passthrough=True`` requests leave the process signed with the credentials configured
before the activation, never with the mock's fake key. The transport is stubbed: nothing
reaches the network."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterator

import boto3
import botocore.httpsession
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.credentials import Credentials

from mock_putrecord import mock_putrecord
from mock_putrecord.core.credentials import FAKE_ACCESS_KEY_ID
from mock_putrecord.core.wire import credential_scope

REAL_KEY = "AKIAPREACTIVATION001"
REAL_SECRET = "pre-activation-secret"


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Any]:
    """Requests that reached botocore's HTTP session, answered 200 without a socket; the
    credential chain limited to the environment and the files given (no instance metadata)."""
    requests: list[Any] = []

    def send(self: Any, request: Any) -> AWSResponse:
        requests.append(request)
        if "//s3." in request.url:
            return AWSResponse(request.url, 200, {}, _Body(b"<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>"))
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"},
                           _Body(b'{"TableNames": []}'))

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", send)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    return requests


def _list_tables() -> None:
    boto3.client("dynamodb", region_name="eu-west-1").list_tables()


def _authorization(request: Any) -> str:
    value = request.headers["Authorization"]
    return value.decode() if isinstance(value, bytes) else str(value)


def _header(request: Any, name: str) -> str | None:
    value = request.headers.get(name)
    return value.decode() if isinstance(value, bytes) else value


def test_a_passthrough_request_carries_the_pre_activation_key(sent: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    with mock_putrecord(passthrough=True):
        _list_tables()
    [request] = sent
    assert credential_scope(_authorization(request))[:4] == [REAL_KEY, _header(request, "X-Amz-Date")[:8],  # type: ignore[index]
                                                            "eu-west-1", "dynamodb"]
    assert _header(request, "X-Amz-Security-Token") is None  # the fake token is not sent


def test_the_new_signature_is_valid_for_the_real_secret(sent: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    with mock_putrecord(passthrough=True):
        _list_tables()
    [request] = sent
    # Sign the same request again with the real secret at the same instant: same signature.
    expected = AWSRequest(method=request.method, url=request.url, data=request.body,
                          headers={k: _header(request, k) for k in request.headers if k != "Authorization"})
    signer = SigV4Auth(Credentials(REAL_KEY, REAL_SECRET), "dynamodb", "eu-west-1")
    expected.context["timestamp"] = _header(request, "X-Amz-Date")
    canonical = signer.canonical_request(expected)
    signature = signer.signature(signer.string_to_sign(expected, canonical), expected)
    assert _authorization(request).endswith(f"Signature={signature}")


def test_a_real_session_token_comes_back(sent: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-session-token")
    with mock_putrecord(passthrough=True):
        _list_tables()
    assert _header(sent[0], "X-Amz-Security-Token") == "real-session-token"


def test_credentials_from_the_shared_file_are_used(sent: list[Any], monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    credentials_file = tmp_path / "credentials"
    credentials_file.write_text("[default]\naws_access_key_id = AKIAFROMTHEFILE00001\naws_secret_access_key = s\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials_file))
    with mock_putrecord(passthrough=True):
        _list_tables()
    assert credential_scope(_authorization(sent[0]))[0] == "AKIAFROMTHEFILE00001"  # type: ignore[index]


def test_a_clients_own_credentials_are_left_alone(sent: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    with mock_putrecord(passthrough=True):
        boto3.client("dynamodb", region_name="eu-west-1", aws_access_key_id="AKIAEXPLICIT00000001",
                     aws_secret_access_key="x").list_tables()
    assert credential_scope(_authorization(sent[0]))[0] == "AKIAEXPLICIT00000001"  # type: ignore[index]


def test_without_real_credentials_the_request_keeps_the_fake_key_and_says_so(
    sent: list[Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    with caplog.at_level(logging.WARNING, logger="mock_putrecord"):
        with mock_putrecord(passthrough=True):
            _list_tables()
    assert credential_scope(_authorization(sent[0]))[0] == FAKE_ACCESS_KEY_ID  # type: ignore[index]
    assert "no AWS credentials were configured before the mock started" in caplog.text


def test_nested_activations_sign_with_what_the_outermost_found(sent: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    with mock_putrecord():
        with mock_putrecord(passthrough=True):  # started while the fake key is set
            _list_tables()
    assert credential_scope(_authorization(sent[0]))[0] == REAL_KEY  # type: ignore[index]


def test_s3_requests_are_signed_the_s3_way(sent: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    with mock_putrecord(passthrough=True):
        boto3.client("s3", region_name="eu-west-1").list_buckets()
    [request] = sent
    assert credential_scope(_authorization(request))[::3] == [REAL_KEY, "s3"]  # type: ignore[index]
    assert _header(request, "X-Amz-Content-SHA256")  # S3's payload hash header is signed again


async def test_aiobotocore_sends_go_through_the_same_re_signing(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from mock_putrecord.core import interception

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)
    request = AWSRequest(method="POST", url="https://dynamodb.eu-west-1.amazonaws.com/", data=b"{}",
                         headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
    SigV4Auth(Credentials(FAKE_ACCESS_KEY_ID, "testing", "testing"), "dynamodb", "eu-west-1").add_auth(request)
    prepared = request.prepare()

    async def send(request: Any) -> Any:
        return request

    with mock_putrecord(passthrough=True):
        sent = await interception._aio_guarded_send(send, SimpleNamespace(_endpoint_prefix="dynamodb"), (prepared,), {})
    assert credential_scope(_authorization(sent))[0] == REAL_KEY  # type: ignore[index]
    assert _header(sent, "X-Amz-Security-Token") is None
