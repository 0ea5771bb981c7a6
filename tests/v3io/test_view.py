"""``mock.v3io``: the Python view, without HTTP."""
from __future__ import annotations

import pytest

from mock_putrecord import MockPutRecord
from mock_putrecord.v3io.exceptions import (
    InvalidArgumentException,
    ResourceInUseException,
    ResourceNotFoundException,
    ShardIDOutOfRangeException,
)
from mock_putrecord.v3io.view import PutResult, StreamInfo

from .conftest import Call, b64


def test_view_creates_a_stream_the_web_api_sees(mock: MockPutRecord, call: Call) -> None:
    info = mock.v3io.create_stream("bigdata", "/view/stream/", shard_count=3, retention_hours=6)
    assert info == StreamInfo("bigdata", "view/stream", 3, 6)
    assert call("DescribeStream", "/bigdata/view/stream/").json() == {"ShardCount": 3, "RetentionPeriodHours": 6}


def test_view_reads_what_the_web_api_wrote(mock: MockPutRecord, call: Call, stream: str) -> None:
    mock.advance(0)
    call("PutRecords", stream, {"Records": [{"Data": b64("x"), "ClientInfo": b64("ci"), "PartitionKey": "p", "ShardId": 2}]})
    (record,) = mock.v3io.records("bigdata", "test/stream", 2)
    assert (record.shard_id, record.sequence_number, record.data, record.client_info, record.partition_key) == (
        2, 1, b"x", b"ci", "p"
    )
    assert record.arrival_time_sec + record.arrival_time_nsec / 1e9 == pytest.approx(record.arrival_time)


def test_view_put_records_routes_like_the_web_api(mock: MockPutRecord) -> None:
    mock.v3io.create_stream("bigdata", "s", shard_count=2)
    assert mock.v3io.put_records("bigdata", "s", [b"a", "b", b"c"]) == [PutResult(0, 1), PutResult(1, 1), PutResult(0, 2)]
    assert mock.v3io.put_records("bigdata", "s", [b"z"], shard_id=9) == [None]
    assert mock.v3io.shard_record_counts("bigdata", "s") == [2, 1]


def test_view_errors_are_the_wire_errors(mock: MockPutRecord) -> None:
    mock.v3io.create_stream("bigdata", "s")
    with pytest.raises(ResourceInUseException):
        mock.v3io.create_stream("bigdata", "s")
    with pytest.raises(InvalidArgumentException):
        mock.v3io.create_stream("bigdata", "t", shard_count=0)
    with pytest.raises(ResourceNotFoundException):
        mock.v3io.records("bigdata", "missing")
    with pytest.raises(ShardIDOutOfRangeException):
        mock.v3io.records("bigdata", "s", 5)


def test_view_delete_stream(mock: MockPutRecord) -> None:
    mock.v3io.create_stream("bigdata", "a/s")
    mock.v3io.delete_stream("bigdata", "a/s")
    assert mock.v3io.stream_paths("bigdata") == []


def test_reset_forgets_streams(mock: MockPutRecord) -> None:
    mock.v3io.create_stream("bigdata", "s")
    mock.reset()
    assert mock.v3io.stream_paths("bigdata") == []


def test_storage_stays_flat_for_many_records(mock: MockPutRecord) -> None:
    mock.v3io.create_stream("bigdata", "big", shard_count=2)
    for _ in range(100):
        mock.v3io.put_records("bigdata", "big", [b"r"] * 1000)
    from mock_putrecord.v3io.container import v3io_backend

    stream = v3io_backend.container(mock.v3io.default_endpoint(), "bigdata").stream("big")
    location = stream.seek(1, "SEQUENCE", sequence_number=49_999)
    result = stream.get_records(1, location, limit=5)
    assert [seq for seq, _ in result.records] == [49_999, 50_000]
    assert result.records_behind_latest == 0


def test_objects_and_items_through_the_view(call: Call) -> None:
    from mock_putrecord import mock_putrecord
    from mock_putrecord.v3io.exceptions import NoSuchFileOrDirectory

    with mock_putrecord() as mock:
        mock.v3io.put_object("bigdata", "dir/o.txt", "hello")
        assert mock.v3io.get_object("bigdata", "/dir/o.txt") == b"hello"
        body = {"Item": {"n": {"N": "1.5"}, "s": {"S": "x"}, "b": {"B": "AAE="}, "f": {"BOOL": False}}}
        assert call("PutItem", "/bigdata/t/k", body, method="PUT").status_code == 200
        assert mock.v3io.item("bigdata", "t/k") == {"n": 1.5, "s": "x", "b": b"\x00\x01", "f": False}
        with pytest.raises(NoSuchFileOrDirectory):
            mock.v3io.item("bigdata", "t/missing")


def test_containers_and_streams_come_back_as_plain_records(mock: MockPutRecord) -> None:
    from mock_putrecord.v3io.view import ContainerInfo, StreamInfo

    assert mock.v3io.container("bigdata") == ContainerInfo(mock.v3io.default_endpoint(), "bigdata")
    assert mock.v3io.create_container("extra") == ContainerInfo(mock.v3io.default_endpoint(), "extra")
    created = mock.v3io.create_stream("bigdata", "s", shard_count=2)
    assert created == mock.v3io.stream("bigdata", "s") == StreamInfo("bigdata", "s", 2, 24)
    assert not hasattr(mock.v3io.stream("bigdata", "s"), "lock")
