"""Kinesis resources addressed by ARN (TagResource, Put/Get/DeleteResourcePolicy, …):
the ARN's resource type picks the lookup. Streams are here; consumers, queues and
channels plug in with :func:`register_resource_type` when they exist.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

from .exceptions import ResourceNotFoundException

if TYPE_CHECKING:
    from .models import KinesisBackend


class Resource(Protocol):
    """What ARN-addressed operations need of a resource: its tags and policy."""

    tags: dict[str, str]
    policy: str | None

    @property
    def name(self) -> str: ...


Lookup = Callable[["KinesisBackend", str], Resource]
"""``(backend, ARN) -> resource``, or a service error (ResourceNotFoundException)."""


def resource_type(arn: str) -> str:
    """``stream``, ``consumer``, ``queue`` or ``channel``: the ARN's resource part
    (a consumer's is ``stream/<name>/consumer/<name>:<timestamp>``)."""
    resource = arn.split(":", 5)[-1]
    kind, _, rest = resource.partition("/")
    if kind == "stream" and "/consumer/" in f"/{rest}":
        return "consumer"
    return kind


def _stream(backend: "KinesisBackend", arn: str) -> Resource:
    return backend.get_stream(None, arn)


def _consumer_not_found(backend: "KinesisBackend", arn: str) -> Resource:
    # moto's text for an unknown consumer; the consumers helper replaces this lookup.
    raise ResourceNotFoundException(f"Consumer {arn}, account {backend.account_id} not found.")


def _unknown(backend: "KinesisBackend", arn: str) -> Resource:
    raise ResourceNotFoundException(f"Resource {arn} under account {backend.account_id} not found.")


_LOOKUPS: dict[str, Lookup] = {"stream": _stream, "consumer": _consumer_not_found}


def register_resource_type(kind: str, lookup: Lookup) -> None:
    """Make ARNs of resource type ``kind`` resolve through ``lookup``."""
    _LOOKUPS[kind] = lookup


def resolve(backend: "KinesisBackend", arn: str) -> Resource:
    """The resource ``arn`` names, or ResourceNotFoundException."""
    return _LOOKUPS.get(resource_type(arn), _unknown)(backend, arn)
