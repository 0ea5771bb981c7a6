"""Shared pieces of the reliability suite: raw clients and a hypothesis profile whose
example budget keeps the whole suite fast on two cores."""
from __future__ import annotations

import os
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config
from hypothesis import HealthCheck, settings

from mock_putrecord import MockPutRecord, mock_putrecord

# No client-side validation and a single attempt: what the mock answers is what we see.
RAW = Config(parameter_validation=False, retries={"total_max_attempts": 1, "mode": "standard"})

# The example budget. ``HYPOTHESIS_PROFILE=reliability-deep`` runs ten times as many.
settings.register_profile(
    "reliability",
    max_examples=int(os.environ.get("RELIABILITY_EXAMPLES", "80")),
    deadline=None,
    derandomize=True,  # the same examples on every run and on every xdist worker
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile("reliability-deep", parent=settings.get_profile("reliability"), max_examples=1500)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "reliability"))


@pytest.fixture
def mock() -> Iterator[MockPutRecord]:
    with mock_putrecord(region="us-east-1") as handle:
        yield handle


def raw_client(service: str) -> Any:
    """A boto3 client on its own session (sessions are not shared across threads)."""
    return boto3.session.Session().client(service, region_name="us-east-1", config=RAW)
