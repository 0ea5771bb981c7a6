"""Credentials: the one set of fake credentials, and the real ones that ``passthrough=True``
requests are signed with.

While a mock is active, clients find the fake credentials in the environment, so every
request they sign carries the fake access key id. A request the mock lets out
(``passthrough=True``) is therefore signed again, just before it is sent, with the
credentials that were configured before the outermost activation started: the environment
as :func:`capture` found it, then the rest of botocore's chain (profile, SSO, container,
instance metadata), which the mock never touches. They are resolved on the first such
request, not at activation, so activation stays O(1) and never reaches the network.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Any, Mapping

FAKE_ACCESS_KEY_ID = "testing"
FAKE_SECRET_ACCESS_KEY = "testing"
FAKE_SESSION_TOKEN = "testing"

FAKE_CREDENTIALS: Mapping[str, str] = {
    "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
    "AWS_SESSION_TOKEN": FAKE_SESSION_TOKEN,
    "AWS_SECURITY_TOKEN": FAKE_SESSION_TOKEN,
}
"""The fake credentials, as environment variables: what an activation sets while it runs
and what the ``aws_credentials`` fixture sets (the values moto's documentation uses). The
session token is set too, so a real one is never paired with the fake key."""

logger = logging.getLogger("mock_putrecord")

_SIGV4 = "AWS4-HMAC-SHA256"
_DROPPED = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")
"""Headers of the fake signature, replaced (or, for the token, dropped) when re-signing."""


class RealCredentials:
    """The credentials configured before the outermost activation, resolved on demand."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)
        self._lock = threading.Lock()
        self._resolved = False
        self._credentials: Any = None

    def get(self) -> Any:
        """botocore ``Credentials`` (None when none were configured), resolved once."""
        with self._lock:
            if not self._resolved:
                self._credentials = self._resolve()
                self._resolved = True
            return self._credentials

    def _resolve(self) -> Any:
        import botocore.session
        from botocore.credentials import EnvProvider, create_credential_resolver

        resolver = create_credential_resolver(botocore.session.Session())
        # The environment provider reads the snapshot: os.environ holds the fake set now.
        resolver.remove("env")
        resolver.providers.insert(0, EnvProvider(environ=self._environ))
        return resolver.load_credentials()


_captured: RealCredentials | None = None


def capture() -> None:
    """Outermost start, before the fake credentials are set: remember the environment."""
    global _captured
    _captured = RealCredentials(os.environ)


def forget() -> None:
    """Outermost stop: drop what :func:`capture` kept."""
    global _captured
    _captured = None


def resign(request: Any) -> None:
    """Sign an outgoing (``passthrough=True``) botocore request again with the real
    credentials, if it was signed with the fake ones. Requests signed with a client's own
    credentials are left alone. Without real credentials the request goes out as it is
    (AWS will refuse the fake key), with a warning."""
    from .wire import credential_scope

    authorization = request.headers.get("Authorization")
    if isinstance(authorization, bytes):
        authorization = authorization.decode("latin-1")
    if not authorization:
        return
    scope = credential_scope(authorization)
    if scope is None or scope[0] != FAKE_ACCESS_KEY_ID:
        return
    if not authorization.startswith(_SIGV4) or len(scope) != 5:
        logger.warning("mock_putrecord: passthrough request %s %s is signed with the fake key by a "
                       "scheme other than SigV4; it was sent as it is", request.method, request.url)
        return
    real = _captured.get() if _captured is not None else None
    if real is None:
        logger.warning("mock_putrecord: no AWS credentials were configured before the mock started; "
                       "passthrough request %s %s goes out signed with the fake key", request.method, request.url)
        return
    _sign(request, real.get_frozen_credentials(), region=scope[2], service=scope[3])


def _sign(request: Any, credentials: Any, *, region: str, service: str) -> None:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest

    signer = (S3SigV4Auth if service == "s3" else SigV4Auth)(credentials, service, region)
    headers = {name: value.decode("utf-8") if isinstance(value, bytes) else value
               for name, value in request.headers.items()}
    unsigned = AWSRequest(method=request.method, url=request.url, headers=headers, data=request.body)
    unsigned.context = dict(getattr(request, "context", None) or {})
    for name in _DROPPED:
        if name in unsigned.headers:
            del unsigned.headers[name]
    signer.add_auth(unsigned)
    for name in _DROPPED:
        if name in request.headers:
            del request.headers[name]
    for name in _DROPPED:
        if name in unsigned.headers:
            request.headers[name] = unsigned.headers[name]
    if "X-Amz-Content-SHA256" in unsigned.headers:
        request.headers["X-Amz-Content-SHA256"] = unsigned.headers["X-Amz-Content-SHA256"]
