"""The neutral request/response pair that adapters work with.

Interception layers (botocore, `responses`, v3io-py, the HTTP server) turn their own
request objects into a :class:`WireRequest` and a :class:`WireResponse` back into
whatever their client expects, so service adapters never see a transport.
"""
from __future__ import annotations

import json
import os
from itertools import count
from random import getrandbits
from dataclasses import dataclass, field
from typing import Any, Mapping, TypeVar


class BodySource:
    """What a request's body was serialized from, when the interception layer can prove
    it by object identity (the very bytes object produced from this very object, not
    replaced since). A hot path may then read the source instead of parsing the body;
    every adapter must answer the same either way (the randomized path tests prove it).
    Services subclass it with their own typed fields."""

    __slots__ = ()


@dataclass(frozen=True)
class ClientParameters(BodySource):
    """The API parameters a botocore client serialized the body from: exactly what the
    caller passed (botocore's own checks may be off), so a hot path must check them."""

    __slots__ = ("values",)
    values: Mapping[str, Any]


SourceT = TypeVar("SourceT", bound=BodySource)


@dataclass(slots=True)  # slots: built for every request, read a few times
class WireRequest:
    """One HTTP request as a service adapter sees it."""

    method: str
    url: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    service: str
    """Dispatch key: botocore's hyphenised service id (``kinesis``, ``sagemaker``,
    ``sagemaker-featurestore-runtime``) or ``v3io``."""
    operation: str
    """The operation name, e.g. ``PutRecords``."""
    region: str
    account_id: str
    attempt: int = 1
    """botocore's attempt number (2 and up for retries)."""
    body_source: BodySource | None = None
    """What ``body`` was serialized from, when proven (see :class:`BodySource`): botocore's
    :class:`ClientParameters` for AWS services, the v3io PutRecords batch validated from
    ``requests``' ``json=`` object. ``None`` otherwise. Read it with :meth:`source_as`."""

    def source_as(self, kind: type[SourceT]) -> SourceT | None:
        """The body's proven source if it is a ``kind``, else ``None``."""
        source = self.body_source
        return source if isinstance(source, kind) else None


@dataclass
class WireResponse:
    """One HTTP response produced by a service adapter."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def body_bytes(body: Any) -> bytes:
    """A request body as bytes, whatever the client handed over (bytes, str, a
    bytearray or memoryview, or a file-like object, which is rewound after reading)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    data = body.read()
    if hasattr(body, "seek"):
        body.seek(0)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def loads_json(body: bytes | str) -> Any:
    """``json.loads``, except that a document nested too deeply for Python's parser is
    invalid JSON (``ValueError``), as every service's own parser reports it, rather than a
    ``RecursionError``."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


_request_prefix = ""
_request_numbers = count()


def _new_request_prefix() -> None:
    """A random prefix for this process's request ids (again in each forked child)."""
    global _request_prefix, _request_numbers
    text = f"{getrandbits(80):020x}"
    variant = "89ab"[int(text[16], 16) & 3]  # RFC 4122's variant bits
    _request_prefix = f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{variant}{text[17:20]}-"
    _request_numbers = count(getrandbits(40))


_new_request_prefix()
os.register_at_fork(after_in_child=_new_request_prefix)


def new_request_id() -> str:
    """A request id in AWS's form (a version-4 UUID, 8-4-4-4-12 hex digits), unique in
    the process: a random per-process prefix and a counter. It only has to be unique, and
    one increment is cheaper than a fresh random number, whose generator state (2.5 KB)
    is out of the cache by the time a request arrives."""
    return f"{_request_prefix}{next(_request_numbers):012x}"


def credential_scope(authorization: str) -> list[str] | None:
    """The SigV4 credential scope of an ``Authorization`` header value, split:
    ``[access_key, date, region, service, "aws4_request"]``; None without one."""
    start = authorization.find("Credential=")
    if start < 0:
        return None
    end = len(authorization)
    for stop in (",", " "):
        found = authorization.find(stop, start)
        if 0 <= found < end:
            end = found
    return authorization[start + 11 : end].split("/")
