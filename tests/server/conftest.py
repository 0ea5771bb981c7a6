"""Fixtures and helpers for the server-mode tests: a running server, raw HTTP, subprocesses.

Every request goes to the loopback address the server is bound to; every loop is bounded.
"""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from mock_putrecord.server import MockServer
from mock_putrecord.server.fixtures import running_server

AMZ_JSON = "application/x-amz-json-1.1"
UUID_RE = r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"
SUBPROCESS_TIMEOUT = 120
CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDCHILD",
    "AWS_SECRET_ACCESS_KEY": "child-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
"""What a client process gets: fake credentials, a region, no user config."""


@pytest.fixture
def server() -> Iterator[MockServer]:
    """A running server (function scope), exactly what ``putrecord_server`` yields."""
    yield from running_server()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def raw_request(
    server: MockServer,
    method: str = "POST",
    path: str = "/",
    headers: Mapping[str, str] | None = None,
    body: bytes | str = b"",
    connection: http.client.HTTPConnection | None = None,
) -> Reply:
    """Send one request as written (no header added but Host and Content-Length)."""
    conn = connection or http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        data = body.encode() if isinstance(body, str) else body
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if data or method in ("POST", "PUT"):
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data or None)
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        if connection is None:
            conn.close()


def signed_headers(
    server: MockServer,
    target: str | None,
    body: bytes,
    *,
    region: str = "us-east-1",
    service: str = "kinesis",
    content_type: str = AMZ_JSON,
    method: str = "POST",
    path: str = "/",
) -> dict[str, str]:
    """The headers an AWS SDK sends: SigV4-signed, as in kinesalite's ``aws4.sign``."""
    headers = {"Content-Type": content_type}
    if target is not None:
        headers["X-Amz-Target"] = target
    request = AWSRequest(method=method, url=f"{server.url}{path}", data=body, headers=headers)
    SigV4Auth(Credentials("AKIDEXAMPLE", "secret"), service, region).add_auth(request)
    return dict(request.headers.items())


def kinesis_call(
    server: MockServer,
    operation: str,
    params: Mapping[str, Any],
    *,
    region: str = "us-east-1",
    connection: http.client.HTTPConnection | None = None,
) -> Reply:
    """A signed Kinesis JSON 1.1 call over raw HTTP."""
    body = json.dumps(params).encode()
    headers = signed_headers(server, f"Kinesis_20131202.{operation}", body, region=region)
    return raw_request(server, "POST", "/", headers, body, connection)


def run_python(code: str, env: Mapping[str, str] | None = None, timeout: float = SUBPROCESS_TIMEOUT) -> str:
    """Run ``code`` in a fresh interpreter (which never imports mock_putrecord) and return
    its stdout; fail with its stderr if it exits non-zero."""
    environment = dict(os.environ)
    environment.update(CLIENT_ENV)
    environment.update(env or {})
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
