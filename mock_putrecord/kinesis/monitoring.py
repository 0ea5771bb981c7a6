"""Enhanced monitoring: the shard-level metrics a stream reports (Enable/Disable
EnhancedMonitoring; DescribeStream's ``EnhancedMonitoring``)."""
from __future__ import annotations

from typing import Sequence

from ..core.validation import ValidationException, format_validation_errors

METRICS = (
    "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
    "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds",
)
"""The seven shard-level metrics, in the model's order. ``ALL`` stands for all of them:
AWS expands it and never stores the literal."""


def check_names(names: Sequence[str]) -> None:
    """The enum check of ``ShardLevelMetrics`` in AWS's list-member form (core's
    validator checks length and pattern of scalar list members, not yet their enum)."""
    allowed = [*METRICS, "ALL"]
    if any(name not in allowed for name in names):
        raise ValidationException(format_validation_errors([
            f"Value '[{', '.join(names)}]' at 'shardLevelMetrics' failed to satisfy constraint: Member must "
            f"satisfy constraint: [Member must satisfy enum value set: [{', '.join(allowed)}]]"]))


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
