"""Per-shard write limits: 1 MiB/s and 1,000 records/s, as token buckets on the mock's
clock (virtual while the limits are on), so a test sees exactly which records of a
batch a real shard would reject, without sleeping."""
from __future__ import annotations

RECORDS_PER_SECOND = 1000
BYTES_PER_SECOND = 1024 * 1024


class ShardBudget:
    """What a shard can still accept; refills continuously at the shard's rate."""

    __slots__ = ("records", "bytes", "updated")

    def __init__(self, now: float) -> None:
        self.records = float(RECORDS_PER_SECOND)
        self.bytes = float(BYTES_PER_SECOND)
        self.updated = now

    def would_take(self, size: int, now: float) -> bool:
        """Whether :meth:`try_take` would accept the record now (nothing consumed)."""
        elapsed = max(0.0, now - self.updated)
        records = min(RECORDS_PER_SECOND, self.records + elapsed * RECORDS_PER_SECOND)
        available = min(BYTES_PER_SECOND, self.bytes + elapsed * BYTES_PER_SECOND)
        return records >= 1 and (available >= size or available >= BYTES_PER_SECOND)

    def try_take(self, size: int, now: float) -> bool:
        """Consume one record of ``size`` bytes if the shard has room for it now."""
        elapsed = now - self.updated
        if elapsed > 0:
            self.records = min(RECORDS_PER_SECOND, self.records + elapsed * RECORDS_PER_SECOND)
            self.bytes = min(BYTES_PER_SECOND, self.bytes + elapsed * BYTES_PER_SECOND)
            self.updated = now
        # A record over 1 MiB (streams with MaxRecordSizeInKiB above 1024) fits a full
        # bucket and leaves it in debt: the shard's average stays at 1 MiB/s, as the
        # large-records guide says, and it takes the time it takes to refill.
        if self.records < 1 or (self.bytes < size and self.bytes < BYTES_PER_SECOND):
            return False
        self.records -= 1
        self.bytes -= size
        return True
