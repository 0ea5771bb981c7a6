"""One exception class per Feature Store error code, runtime and control plane.

The runtime (``sagemaker-featurestore-runtime``, rest-json) models ``ValidationError``,
``ResourceNotFound``, ``AccessForbidden``, ``InternalFailure`` and ``ServiceUnavailable``
with their own HTTP statuses. The control plane (``sagemaker``, JSON 1.1) models
``ResourceInUse``, ``ResourceLimitExceeded`` and ``ResourceNotFound`` with no status (so
400), and answers generic validation failures with ``ValidationException``.
"""
from __future__ import annotations

from ..core.errors import ServiceError


class FeatureStoreError(ServiceError):
    """Base class of every Feature Store error the mock answers with."""


# ---------------------------------------------------------------- runtime
class ValidationError(FeatureStoreError):
    """The runtime's only modelled client error (also used for unknown feature groups)."""

    code = "ValidationError"
    status = 400


class ResourceNotFound(FeatureStoreError):
    """Runtime ``GetRecord`` on a feature group that does not exist (404 in the model)."""

    code = "ResourceNotFound"
    status = 404


class AccessForbidden(FeatureStoreError):
    """The caller may not perform the action (fault injection only)."""

    code = "AccessForbidden"
    status = 403


class InternalFailure(FeatureStoreError):
    """An internal error (fault injection only)."""

    code = "InternalFailure"
    status = 500


class ServiceUnavailable(FeatureStoreError):
    """The service is unavailable (fault injection only)."""

    code = "ServiceUnavailable"
    status = 503


class ConflictException(FeatureStoreError):
    """UpdateRecord with an EventTime older than the stored record's (409 in the model)."""

    code = "ConflictException"
    status = 409


class NotImplementedOperation(FeatureStoreError):
    """A runtime operation this mock does not implement (named in the message)."""

    code = "NotImplemented"
    status = 501


# ---------------------------------------------------------------- control plane
class ValidationException(FeatureStoreError):
    """The control plane's generic validation error."""

    code = "ValidationException"
    status = 400


class ControlResourceNotFound(FeatureStoreError):
    """``Describe/Delete/UpdateFeatureGroup`` on a missing group (no status in the model: 400)."""

    code = "ResourceNotFound"
    status = 400


class ResourceInUse(FeatureStoreError):
    """``CreateFeatureGroup`` with a name that is taken."""

    code = "ResourceInUse"
    status = 400


class ResourceLimitExceeded(FeatureStoreError):
    """Too many feature groups in the account and region."""

    code = "ResourceLimitExceeded"
    status = 400


# ---------------------------------------------------------------- message templates
def group_not_found_message(name: str) -> str:
    """The text AWS returns for an unknown feature group (captured on PutRecord,
    sagemaker-python-sdk#2606; reused wherever a group is missing)."""
    return f"Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [{name}]."


def group_exists_message(name: str) -> str:
    """``ResourceInUse`` text for CreateFeatureGroup (as quoted by moto 5.2.1)."""
    return (
        f"Resource Already Exists: FeatureGroup with name {name} already exists. "
        f"Choose a different name.\nInfo: Feature Group '{name}' already exists."
    )
