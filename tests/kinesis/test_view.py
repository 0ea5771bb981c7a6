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
