"""``mock.kinesis``: input is validated with errors that name the argument."""
from __future__ import annotations

from typing import Any

import pytest

from mock_putrecord import mock_putrecord


@pytest.mark.parametrize(("shard_count", "error", "message"), [
    (0, ValueError, "create_stream(): shard_count must be at least 1, got 0"),
    (-1, ValueError, "create_stream(): shard_count must be at least 1, got -1"),
    (1.5, TypeError, "create_stream(): shard_count must be an int, got 1.5"),
    (True, TypeError, "create_stream(): shard_count must be an int, got True"),
    (None, TypeError, "create_stream(): shard_count must be an int, got None"),
])
def test_create_stream_rejects_a_bad_shard_count(shard_count: Any, error: type[Exception], message: str) -> None:
    with mock_putrecord() as mock:
        with pytest.raises(error) as info:
            mock.kinesis.create_stream("s", shard_count=shard_count)
        assert str(info.value) == message
        assert mock.kinesis.stream_names() == []


def test_create_stream_on_demand_needs_no_shard_count() -> None:
    with mock_putrecord() as mock:
        mock.kinesis.create_stream("s", shard_count=None, on_demand=True)
        assert len(mock.kinesis.shard_ids("s")) == 4


@pytest.mark.parametrize(("name", "error", "message"), [
    ("", ValueError, "create_stream(): name must not be empty"),
    (7, TypeError, "create_stream(): name must be a str, got 7"),
])
def test_create_stream_rejects_a_bad_name(name: Any, error: type[Exception], message: str) -> None:
    with mock_putrecord() as mock:
        with pytest.raises(error, match=f"^{message}$".replace("(", r"\(").replace(")", r"\)")):
            mock.kinesis.create_stream(name)


@pytest.mark.parametrize(("records", "message"), [
    ([("text", "k")], "put(): records[0] data must be bytes, got str 'text' (encode it, e.g. data.encode())"),
    ([(b"ok", "k"), (b"x", 7)], "put(): records[1] partition_key must be a str, got int 7"),
    ([b"x"], "put(): records[0] must be a (data, partition_key) pair, got b'x'"),
])
def test_put_rejects_bad_records_and_stores_none(records: Any, message: str) -> None:
    with mock_putrecord() as mock:
        mock.kinesis.create_stream("s")
        with pytest.raises(TypeError) as info:
            mock.kinesis.put("s", records)
        assert str(info.value) == message
        assert mock.kinesis.records("s") == []


def test_put_accepts_bytes_like_data() -> None:
    with mock_putrecord() as mock:
        mock.kinesis.create_stream("s")
        mock.kinesis.put("s", [(bytearray(b"a"), "k"), (memoryview(b"b"), "k")])
        assert mock.kinesis.data("s") == [b"a", b"b"]


# ---------------------------------------------------------------- plain records, not models
def test_create_stream_returns_a_frozen_snapshot(mock: Any, kinesis: Any) -> None:
    import dataclasses

    from mock_putrecord.kinesis.view import StreamInfo

    info = mock.kinesis.create_stream("s", 2)
    assert info == StreamInfo(
        name="s", arn="arn:aws:kinesis:us-east-1:123456789012:stream/s", account_id="123456789012",
        region="us-east-1", status="ACTIVE", mode="PROVISIONED", created=info.created, retention_hours=24,
        max_record_size_kib=1024, distribution=info.distribution, encryption_type="NONE", key_id=None,
        shard_ids=("shardId-000000000000", "shardId-000000000001"),
        open_shard_ids=("shardId-000000000000", "shardId-000000000001"),
        shard_record_counts=(0, 0), tags={}, policy=None,
    )
    assert not hasattr(info, "lock") and not hasattr(info, "shards")
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.status = "DELETING"  # type: ignore[misc]
    with pytest.raises(TypeError):
        info.tags["team"] = "x"  # type: ignore[index]


def test_a_snapshot_does_not_follow_later_writes(mock: Any, kinesis: Any) -> None:
    before = mock.kinesis.create_stream("s")
    kinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")
    kinesis.add_tags_to_stream(StreamName="s", Tags={"team": "data"})
    after = mock.kinesis.stream("s")
    assert (before.record_count, dict(before.tags)) == (0, {})
    assert (after.record_count, dict(after.tags)) == (1, {"team": "data"})
    assert mock.kinesis.stream("s").created == before.created
