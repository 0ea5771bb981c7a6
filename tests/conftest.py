"""Shared test configuration: every test must leave no mock active behind it."""
from __future__ import annotations

import os
from typing import Iterator

import pytest

from mock_putrecord.core.activation import active_activations, running_activations
from mock_putrecord.core.credentials import FAKE_ACCESS_KEY_ID


@pytest.fixture(autouse=True)
def _no_activation_leaks() -> Iterator[None]:
    """Fail the test that leaves an activation running or the fake credentials set, rather
    than a later test that happens to check the environment."""
    before = os.environ.get("AWS_ACCESS_KEY_ID")
    yield
    leaked = active_activations()
    key = os.environ.get("AWS_ACCESS_KEY_ID")
    for live in reversed(running_activations()):
        live.stop()
    assert not leaked, f"the test left {len(leaked)} mock activation(s) running"
    assert key == before or key != FAKE_ACCESS_KEY_ID, "the test left the fake AWS credentials set"
