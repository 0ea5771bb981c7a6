"""Wires the service packages into the core dispatcher (imported by ``mock_putrecord``).

Adapters are imported on the first request they answer, which keeps
``import mock_putrecord`` cheap.
"""
from __future__ import annotations

from .core.dispatch import register_service

register_service("kinesis", "mock_putrecord.kinesis.responses")
register_service("sagemaker-featurestore-runtime", "mock_putrecord.featurestore.responses", "runtime_adapter")
register_service("sagemaker", "mock_putrecord.featurestore.responses", "control_adapter")
register_service("athena", "mock_putrecord.featurestore.athena", "athena_adapter")  # offline-store tables only
register_service("v3io", "mock_putrecord.v3io.responses")

from . import v3io as _v3io  # noqa: E402,F401  (registers the v3io transport hooks; imports nothing heavy)
