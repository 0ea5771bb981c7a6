"""botocore's service models, loaded once per process (validation, the front door, CBOR)."""
from __future__ import annotations

from functools import lru_cache

from botocore.model import ServiceModel


@lru_cache(maxsize=None)
def service_model(service: str) -> ServiceModel:
    """The installed botocore's model of ``service`` (``kinesis``, ``sagemaker``...)."""
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


@lru_cache(maxsize=None)
def model_operations(service: str) -> frozenset[str]:
    """Every operation name in the installed botocore's model of ``service``."""
    return frozenset(service_model(service).operation_names)
