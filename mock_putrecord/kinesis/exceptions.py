"""Kinesis errors: one class per AWS error code, with AWS's message texts."""
from __future__ import annotations

from ..core.errors import ServiceError


class KinesisError(ServiceError):
    """Base of the Kinesis errors (HTTP 400 unless stated)."""


class ResourceNotFoundException(KinesisError):
    code = "ResourceNotFoundException"

    @classmethod
    def stream(cls, name: str, account_id: str) -> "ResourceNotFoundException":
        return cls(f"Stream {name} under account {account_id} not found.")

    @classmethod
    def shard(cls, shard_id: str, stream: str, account_id: str) -> "ResourceNotFoundException":
        # AWS's text has no final period here.
        return cls(f"Shard {shard_id} in stream {stream} under account {account_id} does not exist")

    @classmethod
    def unparsable_shard(cls, raw_id: str, stream: str, account_id: str) -> "ResourceNotFoundException":
        return cls(f"Could not find shard {raw_id} in stream {stream} under account {account_id}.")


class ResourceInUseException(KinesisError):
    code = "ResourceInUseException"

    @classmethod
    def exists(cls, name: str, account_id: str) -> "ResourceInUseException":
        return cls(f"Stream {name} under account {account_id} already exists.")

    @classmethod
    def not_active(cls, name: str, account_id: str, status: str) -> "ResourceInUseException":
        return cls(f"Stream {name} under account {account_id} not ACTIVE, instead in state {status}")


class InvalidArgumentException(KinesisError):
    code = "InvalidArgumentException"


class LimitExceededException(KinesisError):
    code = "LimitExceededException"


class ExpiredIteratorException(KinesisError):
    code = "ExpiredIteratorException"


class ProvisionedThroughputExceededException(KinesisError):
    code = "ProvisionedThroughputExceededException"

    @classmethod
    def shard(cls, shard_id: str, stream: str, account_id: str) -> "ProvisionedThroughputExceededException":
        return cls(f"Rate exceeded for shard {shard_id} in stream {stream} under account {account_id}.")


class InternalFailure(KinesisError):
    code = "InternalFailure"
    status = 500


class RequestEntityTooLarge(KinesisError):
    """A body over AWS's size cap: a bare 413 with an empty body, before validation."""

    code = ""
    status = 413


class NotImplementedByMock(KinesisError):
    """An AWS operation that exists but that mock_putrecord does not implement."""

    code = "NotImplemented"
    status = 501


class ExpiredNextTokenException(KinesisError):
    code = "ExpiredNextTokenException"


class DryRunOperationException(KinesisError):
    code = "DryRunOperationException"
    # The model's documentation of the shape.
    DEFAULT = "The request was rejected because the DryRun parameter was specified."
