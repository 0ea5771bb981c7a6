"""One shard's storage: append-only columns, so a put is O(1) and a read by position is
O(log n + records returned), however many records the shard holds."""
from __future__ import annotations

from array import array
from bisect import bisect_left
from typing import NamedTuple

from .throughput import ShardBudget
from .sequence import CLOSED_SEQ_IX, make_sequence, shard_base, shard_id_name

HASH_KEY_MAX = (1 << 128) - 1


class StoredRecord(NamedTuple):
    """A record as stored in a shard (what ``mock.kinesis`` returns)."""

    sequence_number: str
    partition_key: str | None
    """``None`` for a record put to an ``AUTO`` stream without a key."""
    data: bytes
    arrival: float
    """``ApproximateArrivalTimestamp`` in epoch seconds."""
    shard_id: str
    explicit_hash_key: str | None = None


class Shard:
    """A shard: its hash-key range, lineage and records.

    Records are kept column-wise (data, partition key, arrival time) — about 30 bytes of
    bookkeeping per record. The record at position ``i`` has the sequence-number counter
    ``i + 1`` (0 is the shard's StartingSequenceNumber), so the 56-digit number is
    recomputed from the position and arrival time instead of being stored.
    """

    __slots__ = (
        "index", "shard_id", "start_hash", "end_hash", "parent_id", "adjacent_parent_id",
        "create_secs", "base", "closed_seq_secs", "child_ids",
        "data", "keys", "arrivals", "explicit_keys", "budget",
    )

    def __init__(
        self,
        index: int,
        start_hash: int,
        end_hash: int,
        create_secs: int,
        parent_id: str | None = None,
        adjacent_parent_id: str | None = None,
    ) -> None:
        self.index = index
        self.shard_id = shard_id_name(index)
        self.start_hash = start_hash
        self.end_hash = end_hash
        self.parent_id = parent_id
        self.adjacent_parent_id = adjacent_parent_id
        self.create_secs = create_secs
        self.base = shard_base(create_secs, index)
        self.closed_seq_secs: int | None = None
        self.child_ids: list[str] = []
        self.data: list[bytes] = []
        self.keys: list[str | None] = []
        self.arrivals = array("d")
        self.explicit_keys: dict[int, str] = {}  # rare, so a sparse map by position
        self.budget: ShardBudget | None = None  # created when throughput limits are on

    # ------------------------------------------------------------ state
    @property
    def is_open(self) -> bool:
        return self.closed_seq_secs is None

    @property
    def starting_sequence_number(self) -> str:
        return str(make_sequence(self.base, 0, self.create_secs))

    @property
    def ending_sequence_number(self) -> str | None:
        if self.closed_seq_secs is None:
            return None
        return str(make_sequence(self.base, CLOSED_SEQ_IX, self.closed_seq_secs))

    def close(self, now_secs: int) -> None:
        self.closed_seq_secs = max(now_secs, self.create_secs)

    def __len__(self) -> int:
        return len(self.data)

    # ------------------------------------------------------------ records
    def sequence_number(self, position: int, arrival_secs: int) -> int:
        """The sequence number of the record at ``position`` that arrived at ``arrival_secs``
        (never before the shard's creation time, which its numbers also encode)."""
        return make_sequence(self.base, position + 1, max(arrival_secs, self.create_secs))

    def sequence_at(self, position: int) -> str:
        return str(self.sequence_number(position, int(self.arrivals[position])))

    def record_at(self, position: int) -> StoredRecord:
        return StoredRecord(
            self.sequence_at(position),
            self.keys[position],
            self.data[position],
            self.arrivals[position],
            self.shard_id,
            self.explicit_keys.get(position),
        )

    def position_at_sequence(self, seq_ix: int, after: bool) -> int:
        """Where an AT_/AFTER_SEQUENCE_NUMBER iterator starts, from the number's counter."""
        position = seq_ix if after else seq_ix - 1
        return min(max(position, 0), len(self.data))

    def position_of_time(self, timestamp: float) -> int:
        """Index of the first record that arrived at or after ``timestamp``."""
        return bisect_left(self.arrivals, timestamp)

    def describe(self) -> dict[str, object]:
        """The ``Shard`` structure of DescribeStream and ListShards."""
        sequence_range: dict[str, str] = {"StartingSequenceNumber": self.starting_sequence_number}
        ending = self.ending_sequence_number
        if ending is not None:
            sequence_range["EndingSequenceNumber"] = ending
        shard: dict[str, object] = {"ShardId": self.shard_id}
        if self.parent_id is not None:
            shard["ParentShardId"] = self.parent_id
        if self.adjacent_parent_id is not None:
            shard["AdjacentParentShardId"] = self.adjacent_parent_id
        shard["HashKeyRange"] = {"StartingHashKey": str(self.start_hash), "EndingHashKey": str(self.end_hash)}
        shard["SequenceNumberRange"] = sequence_range
        return shard


def even_ranges(count: int) -> list[tuple[int, int]]:
    """AWS's split of the 128-bit hash space into ``count`` ranges (kinesalite's formula,
    matching aws-cli's captured 3-shard ranges): ``step = floor(2**128 / n)``, the last
    range ends at ``2**128 - 1``."""
    step = (1 << 128) // count
    ranges = [(step * i, step * (i + 1) - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], HASH_KEY_MAX)
    return ranges
