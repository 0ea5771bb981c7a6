"""Enhanced monitoring: the shard-level metrics a stream reports (Enable/Disable
EnhancedMonitoring; DescribeStream's ``EnhancedMonitoring``)."""
from __future__ import annotations

from typing import Sequence

METRICS = (
    "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
    "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds",
)
"""The seven shard-level metrics, in the model's order. ``ALL`` stands for all of them:
AWS expands it and never stores the literal."""


def _expand(names: Sequence[str]) -> set[str]:
    return set(METRICS) if "ALL" in names else set(names)


def _ordered(names: set[str]) -> list[str]:
    return [name for name in METRICS if name in names]


def enable(current: Sequence[str], names: Sequence[str]) -> list[str]:
    """The metrics enabled after EnableEnhancedMonitoring(``names``)."""
    return _ordered(set(current) | _expand(names))


def disable(current: Sequence[str], names: Sequence[str]) -> list[str]:
    """The metrics enabled after DisableEnhancedMonitoring(``names``)."""
    return _ordered(set(current) - _expand(names))
