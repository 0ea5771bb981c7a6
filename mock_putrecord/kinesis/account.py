"""Account-level Kinesis settings: the minimum throughput billing commitment
(DescribeAccountSettings, UpdateAccountSettings) that unlocks warm throughput."""
from __future__ import annotations

import threading
from typing import Any

from ..core.clock import clock
from .exceptions import InvalidArgumentException

COMMITMENT_SECONDS = 24 * 3600
"""A commitment's minimum duration (the model's MinimumThroughputBillingCommitmentInput)."""

ENABLED, DISABLED, ENDING = "ENABLED", "DISABLED", "ENABLED_UNTIL_EARLIEST_ALLOWED_END"


class AccountSettings:
    """One account's settings in one region, on the mock's clock.

    A commitment lasts at least 24 hours: disabling it earlier schedules the disable
    for the earliest allowed end (status ``ENABLED_UNTIL_EARLIEST_ALLOWED_END``), and
    enabling it again before then cancels the pending disable.
    """

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.lock = threading.Lock()
        self._status = DISABLED
        self._started: float | None = None
        self._ended: float | None = None
        self._earliest_end: float | None = None

    def _settle(self, now: float) -> None:
        """Apply a scheduled disable whose time has come."""
        if self._status == ENDING and self._earliest_end is not None and now >= self._earliest_end:
            self._status, self._ended = DISABLED, self._earliest_end

    @property
    def commitment_enabled(self) -> bool:
        with self.lock:
            self._settle(clock.now())
            return self._status != DISABLED

    def require_commitment(self) -> None:
        """Warm throughput needs an active commitment (API reference of CreateStream and
        UpdateStreamWarmThroughput; the message is the mock's, AWS publishes none)."""
        if not self.commitment_enabled:
            raise InvalidArgumentException(
                f"Warm throughput requires MinimumThroughputBillingCommitment to be enabled for account "
                f"{self.account_id}."
            )

    def describe(self) -> dict[str, Any]:
        """The ``MinimumThroughputBillingCommitment`` output structure."""
        with self.lock:
            self._settle(clock.now())
            result: dict[str, Any] = {"Status": self._status}
            if self._started is not None:
                result["StartedAt"] = self._started
            if self._status != DISABLED and self._earliest_end is not None:
                result["EarliestAllowedEndAt"] = self._earliest_end
            if self._ended is not None and self._status == DISABLED:
                result["EndedAt"] = self._ended
            return result

    def update(self, status: str) -> dict[str, Any]:
        """UpdateAccountSettings: ``ENABLED`` or ``DISABLED``; returns :meth:`describe`."""
        with self.lock:
            now = clock.now()
            self._settle(now)
            if status == ENABLED:
                if self._status == DISABLED:
                    self._status, self._started, self._ended = ENABLED, now, None
                    self._earliest_end = now + COMMITMENT_SECONDS
                else:  # ENABLED stays; ENDING cancels its pending disable
                    self._status = ENABLED
            elif self._status != DISABLED:
                assert self._earliest_end is not None
                if now >= self._earliest_end:
                    self._status, self._ended = DISABLED, now
                else:
                    self._status = ENDING
        return self.describe()
