"""Fixtures for the child-process tests: an active mock and the loopback server's address."""
from __future__ import annotations

import threading
from typing import Iterator

import pytest

from mock_putrecord import MockPutRecord, mock_putrecord

SERVER_THREAD = "mock_putrecord-server-"


def loopback_servers() -> list[str]:
    """The addresses of the mock servers running in this process."""
    return [t.name[len(SERVER_THREAD):] for t in threading.enumerate() if t.name.startswith(SERVER_THREAD)]


@pytest.fixture
def mock() -> Iterator[MockPutRecord]:
    with mock_putrecord(region="us-east-1") as handle:
        yield handle
