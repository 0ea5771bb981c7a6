"""The service views of a handle say clearly when no mock is active."""
from __future__ import annotations

from typing import Any

import pytest

from mock_putrecord import MockConfigurationError, mock_putrecord


@pytest.mark.parametrize("use", [
    lambda mock: mock.kinesis.stream_names(),
    lambda mock: mock.featurestore.online_record("g", "1"),
    lambda mock: mock.featurestore.feature_groups(),
    lambda mock: mock.v3io.stream_paths("bigdata"),
], ids=["kinesis", "featurestore-online_record", "featurestore", "v3io"])
def test_a_view_of_an_inactive_mock_says_so(use: Any) -> None:
    mock = mock_putrecord()
    for _ in ("before start", "after stop"):
        with pytest.raises(MockConfigurationError, match=r"^mock_putrecord is not active: start the mock"):
            use(mock)
        mock.start()
        mock.stop()
