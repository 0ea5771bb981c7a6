"""RecordDistributionStrategy: ``USER_PARTITION_KEY`` (the default) routes each record by
its partition key (or ExplicitHashKey); ``AUTO`` (on-demand streams) ignores both and
rotates records over the open shards, so they spread evenly."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ..core.validation import ValidationException, failure, format_validation_errors

if TYPE_CHECKING:
    from .models import Stream
    from .shards import Shard

USER_PARTITION_KEY, AUTO = "USER_PARTITION_KEY", "AUTO"


def next_shards(stream: "Stream", count: int) -> list["Shard"]:
    """The next ``count`` open shards of an ``AUTO`` stream's rotation (no advance)."""
    open_shards = stream.open_shards
    return [open_shards[(stream.auto_cursor + i) % len(open_shards)] for i in range(count)]


def rotation(stream: "Stream", count: int) -> list[int]:
    """Indexes into ``stream.open_shards`` for ``count`` ``AUTO`` records: a rotation that
    continues across calls. Caller holds ``stream.lock``."""
    width = len(stream.open_shards)
    start = stream.auto_cursor % width
    stream.auto_cursor = (start + count) % width
    return [(start + i) % width for i in range(count)]


def missing_keys(entries: Sequence[tuple[bytes, str | None, str | None]], single: bool) -> ValidationException:
    """A ``USER_PARTITION_KEY`` stream needs a key on every record (the model makes it
    optional, for ``AUTO`` streams): AWS's null-member message for each missing one."""
    paths = ["partitionKey"] if single else [
        f"records.{index}.member.partitionKey" for index, (_, key, _) in enumerate(entries, 1) if key is None]
    return ValidationException(format_validation_errors([
        failure("null", path, "Member must not be null") for path in paths]))
