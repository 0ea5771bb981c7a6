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

    @classmethod
    def already_resharded(cls, shard_id: str, stream: str, account_id: str) -> "InvalidArgumentException":
        return cls(f"Shard {shard_id} in stream {stream} under account {account_id} has already been merged "
                   "or split, and thus is not eligible for merging or splitting.")

    @classmethod
    def auto_needs_on_demand(cls, stream: str, account_id: str) -> "InvalidArgumentException":
        # The API reference names the code (UpdateStreamRecordDistributionStrategy) but
        # quotes no message: this wording is the mock's.
        return cls(f"RecordDistributionStrategy AUTO is not supported for stream {stream} under account "
                   f"{account_id} because it is not in On-Demand mode.")


class ValidationError(KinesisError):
    """A ValidationException raised by a service rule rather than by the input shape."""

    code = "ValidationException"

    @classmethod
    def on_demand(cls, stream: str, account_id: str) -> "ValidationError":
        # moto's text for UpdateShardCount on an on-demand stream (its AWS-verified tests).
        return cls(f"Request is invalid. Stream {stream} under account {account_id} is in On-Demand mode.")

    @classmethod
    def provisioned(cls, stream: str, account_id: str) -> "ValidationError":
        # The mirror of ``on_demand`` for the on-demand-only warm throughput (no AWS capture).
        return cls(f"Request is invalid. Stream {stream} under account {account_id} is in Provisioned mode.")


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


class DryRunOperationException(KinesisError):
    """A DryRun request that would have succeeded (HTTP 400, as the dry-run guide says)."""

    code = "DryRunOperationException"

    def __init__(self, message: str = "The request was rejected because the DryRun parameter was specified.") -> None:
        # The model's shape documentation; AWS publishes no other text for it.
        super().__init__(message)


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
