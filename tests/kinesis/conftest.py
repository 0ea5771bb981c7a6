"""Kinesis test fixtures: an active mock and clients with and without botocore's
client-side validation (the mock must validate server side, as AWS does)."""
from __future__ import annotations

from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config

from mock_putrecord import MockPutRecord, mock_putrecord


@pytest.fixture
def mock() -> Iterator[MockPutRecord]:
    with mock_putrecord() as handle:
        yield handle


@pytest.fixture
def kinesis(mock: MockPutRecord) -> Any:
    return boto3.client("kinesis", region_name="us-east-1")


@pytest.fixture
def raw_kinesis(mock: MockPutRecord) -> Any:
    """No client-side validation and no retries: what the server says is what we see."""
    return boto3.client(
        "kinesis",
        region_name="us-east-1",
        config=Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"}),
    )


def error_of(excinfo: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]
