"""Resharding: SplitShard, MergeShards, and UpdateShardCount's UNIFORM_SCALING built from
them, so every shard that scaling creates has a lineage real splits and merges produce.

UNIFORM_SCALING follows what AWS's shard totals show (AWS-verified cases from the issue
and moto's tests: 2→4 leaves 6 shards in all, 4→5 15, 10→13 37, 4→2 6, 5→3 7): to scale
up, every open shard is split in two at its midpoint; then adjacent pairs of open shards
are merged, in hash-key order, round after round, until the target count is open.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Stream
    from .shards import Shard


def split(stream: "Stream", shard: "Shard", new_start: int, now: int) -> tuple["Shard", "Shard"]:
    """Close ``shard``; its two children cover ``[start, new_start)`` and
    ``[new_start, end]``. Caller holds ``stream.lock`` and reindexes."""
    shard.close(now)
    low = stream.add_shard(shard.start_hash, new_start - 1, now + 1, parent=shard.shard_id)
    high = stream.add_shard(new_start, shard.end_hash, now + 1, parent=shard.shard_id)
    return low, high


def merge(stream: "Stream", first: "Shard", second: "Shard", now: int) -> "Shard":
    """Close two adjacent shards (``first`` below ``second``); the child covers both."""
    first.close(now)
    second.close(now)
    return stream.add_shard(first.start_hash, second.end_hash, now + 1,
                            parent=first.shard_id, adjacent=second.shard_id)


def midpoint(shard: "Shard") -> int:
    """The NewStartingHashKey that splits ``shard`` into two halves of equal size (or
    the upper one a key smaller)."""
    return (shard.start_hash + shard.end_hash + 1) // 2


def uniform_scale(stream: "Stream", target: int, now: int) -> None:
    """Reshard ``stream`` to ``target`` open shards by splits then merges (see module doc).
    Caller holds ``stream.lock`` and has checked the bounds (half to double)."""
    current = len(stream.open_shards)
    if target > current:
        for shard in list(stream.open_shards):
            split(stream, shard, midpoint(shard), now)
        stream.reindex()
        now += 1
    while len(stream.open_shards) > target:
        needed = len(stream.open_shards) - target
        ordered = stream.open_shards
        for low, high in list(zip(ordered[0:-1:2], ordered[1::2]))[:needed]:
            merge(stream, low, high, now)
        stream.reindex()
        now += 1


def peak_additional_shards(current: int, target: int) -> int:
    """How many more shards are open at the busiest moment of a uniform scaling (the
    short-lived shards count towards the account's quota, says UpdateShardCount's doc)."""
    return current if target > current else 0
