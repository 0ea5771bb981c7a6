"""Seek (EARLIEST, LATEST, SEQUENCE, TIME) and GetRecords."""
from __future__ import annotations

import base64

import pytest

from mock_putrecord import MockPutRecord, mock_putrecord

from .conftest import Call, assert_error, b64


def put(call: Call, stream: str, *texts: str, shard: int = 0, **extra: str) -> None:
    records = [{"Data": b64(text), "ShardId": shard, **extra} for text in texts]
    assert call("PutRecords", stream, {"Records": records}).json()["FailedRecordCount"] == 0


def seek(call: Call, stream: str, body: dict[str, object], shard: int = 0) -> str:
    response = call("SeekShard", f"{stream}{shard}/", body, method="PUT")
    assert response.status_code == 200, response.text
    location = response.json()["Location"]
    assert isinstance(location, str) and len(base64.b64decode(location)) == 16
    return location


def get(call: Call, stream: str, location: str, shard: int = 0, **extra: int) -> dict[str, object]:
    response = call("GetRecords", f"{stream}{shard}/", {"Location": location, **extra}, method="PUT")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def texts(body: dict[str, object]) -> list[str]:
    return [base64.b64decode(r["Data"]).decode() for r in body["Records"]]  # type: ignore[attr-defined]


def test_earliest_reads_everything_in_order(call: Call, stream: str) -> None:
    put(call, stream, "a", "b", "c")
    body = get(call, stream, seek(call, stream, {"Type": "EARLIEST"}))
    assert texts(body) == ["a", "b", "c"]
    assert [r["SequenceNumber"] for r in body["Records"]] == [1, 2, 3]  # type: ignore[attr-defined]
    assert body["RecordsBehindLatest"] == 0 and body["MSecBehindLatest"] == 0


def test_get_records_entry_fields(call: Call, stream: str, mock: MockPutRecord) -> None:
    put(call, stream, "with", PartitionKey="pk", ClientInfo=b64("info"))
    put(call, stream, "bare")
    record, bare = get(call, stream, seek(call, stream, {"Type": "EARLIEST"}))["Records"]  # type: ignore[misc]
    stored = mock.v3io.records("bigdata", "test/stream", 0)[0]
    assert record == {
        "ArrivalTimeSec": stored.arrival_time_sec,
        "ArrivalTimeNSec": stored.arrival_time_nsec,
        "SequenceNumber": 1,
        "ClientInfo": b64("info"),
        "PartitionKey": "pk",
        "Data": b64("with"),
    }
    assert set(bare) == {"ArrivalTimeSec", "ArrivalTimeNSec", "SequenceNumber", "Data"}


def test_limit_and_next_location_page_through(call: Call, stream: str) -> None:
    put(call, stream, "a", "b", "c")
    first = get(call, stream, seek(call, stream, {"Type": "EARLIEST"}), Limit=2)
    assert texts(first) == ["a", "b"] and first["RecordsBehindLatest"] == 1
    second = get(call, stream, str(first["NextLocation"]), Limit=2)
    assert texts(second) == ["c"] and second["RecordsBehindLatest"] == 0
    third = get(call, stream, str(second["NextLocation"]))
    assert third["Records"] == [] and third["NextLocation"] == second["NextLocation"]


def test_msec_behind_latest_counts_unread_time(call: Call, stream: str, mock: MockPutRecord) -> None:
    mock.advance(0)  # freeze the clock
    put(call, stream, "old")
    mock.advance(2.5)
    put(call, stream, "new")
    body = get(call, stream, seek(call, stream, {"Type": "EARLIEST"}), Limit=1)
    assert body["RecordsBehindLatest"] == 1 and body["MSecBehindLatest"] == 2500


def test_latest_returns_only_records_put_after_the_seek(call: Call, stream: str) -> None:
    put(call, stream, "old1", "old2")
    location = seek(call, stream, {"Type": "LATEST"})
    put(call, stream, "new1", "new2")
    body = get(call, stream, location)
    assert texts(body) == ["new1", "new2"]
    assert body["Records"][0]["SequenceNumber"] == 3  # type: ignore[index]


def test_sequence_seek_starts_at_that_record(call: Call, stream: str) -> None:
    put(call, stream, "a", "b", "c")
    assert texts(get(call, stream, seek(call, stream, {"Type": "SEQUENCE", "StartingSequenceNumber": 2}))) == ["b", "c"]


def test_sequence_seek_to_the_next_number_is_the_end(call: Call, stream: str) -> None:
    put(call, stream, "a")
    location = seek(call, stream, {"Type": "SEQUENCE", "StartingSequenceNumber": 2})
    put(call, stream, "b")
    assert texts(get(call, stream, location)) == ["b"]


def test_sequence_seek_beyond_the_shard_fails(call: Call, stream: str) -> None:
    put(call, stream, "a")
    response = call("SeekShard", f"{stream}0/", {"Type": "SEQUENCE", "StartingSequenceNumber": 5})
    assert_error(response, 400, "InvalidArgumentException", -201326592)


def test_time_seek_finds_the_first_record_at_or_after(call: Call, stream: str, mock: MockPutRecord) -> None:
    start = mock.advance(0)
    put(call, stream, "t0")
    mock.advance(10)
    put(call, stream, "t10")
    mock.advance(10)
    put(call, stream, "t20")
    at = start + 5
    body = {"Type": "TIME", "TimestampSec": int(at), "TimestampNSec": int(round(at % 1 * 1e9))}
    assert texts(get(call, stream, seek(call, stream, body))) == ["t10", "t20"]


def test_time_seek_after_every_record_is_the_end(call: Call, stream: str, mock: MockPutRecord) -> None:
    now = mock.advance(0)
    put(call, stream, "a")
    location = seek(call, stream, {"Type": "TIME", "TimestampSec": int(now) + 60, "TimestampNSec": 0})
    assert get(call, stream, location)["Records"] == []


@pytest.mark.parametrize(
    "body",
    [{}, {"Type": "NEWEST"}, {"Type": "SEQUENCE"}, {"Type": "TIME", "TimestampSec": 1}, {"Type": "TIME", "TimestampNSec": 0}],
)
def test_seek_rejects_incomplete_bodies(call: Call, stream: str, body: dict[str, object]) -> None:
    assert_error(call("SeekShard", f"{stream}0/", body), 400, "InvalidArgumentException", -201326592)


def test_seek_accepts_both_function_names(call: Call, stream: str) -> None:
    put(call, stream, "a")
    response = call("Seek", f"{stream}0", {"Type": "EARLIEST"})
    assert response.json()["Location"] == seek(call, stream, {"Type": "EARLIEST"})


def test_shard_id_in_body_with_the_stream_url(call: Call, stream: str) -> None:
    put(call, stream, "body-shard", shard=3)
    location = call("Seek", stream, {"Type": "EARLIEST", "ShardId": 3}).json()["Location"]
    body = call("GetRecords", stream, {"Location": location, "ShardId": 3}).json()
    assert texts(body) == ["body-shard"]


def test_stream_url_without_shard_id_is_invalid(call: Call, stream: str) -> None:
    assert_error(call("Seek", stream, {"Type": "EARLIEST"}), 400, "InvalidArgumentException")


def test_shard_beyond_the_stream_is_out_of_range(call: Call, stream: str) -> None:
    location = seek(call, stream, {"Type": "EARLIEST"})
    response = call("GetRecords", f"{stream}199", {"Location": location})
    assert_error(response, 400, "ShardIDOutOfRangeException", -201326594)
    assert_error(call("Seek", f"{stream}4", {"Type": "EARLIEST"}), 400, "ShardIDOutOfRangeException", -201326594)


@pytest.mark.parametrize("platform,status", [("2.8", 404), ("2.10", 400), ("3.6", 400)])
def test_seek_on_a_missing_stream_depends_on_the_platform(call: Call, platform: str, status: int) -> None:
    # storey integration/test_flow_integration.py GetShardData: 404, or 400 "Regression in 2.10"
    with mock_putrecord(v3io_platform=platform):
        assert_error(call("Seek", "/bigdata/none/0", {"Type": "EARLIEST"}), status, "ResourceNotFoundException", -2)


def test_the_default_platform_is_the_newest(call: Call) -> None:
    assert_error(call("Seek", "/bigdata/none/0", {"Type": "EARLIEST"}), 400, "ResourceNotFoundException")


@pytest.mark.parametrize("bad", ["3", "x.y", "3.-1", ""])
def test_a_malformed_platform_is_refused_at_construction(bad: str) -> None:
    with pytest.raises(ValueError, match="v3io_platform"):
        mock_putrecord(v3io_platform=bad)


@pytest.mark.parametrize("location", ["garbage", b64(b"\x01" * 15), b64(b"\x01" + b"\x00" * 15)])
def test_foreign_location_is_illegal(call: Call, stream: str, location: str) -> None:
    assert_error(call("GetRecords", f"{stream}0/", {"Location": location}), 400, "IllegalLocationException")


def test_location_of_another_shard_is_illegal(call: Call, stream: str) -> None:
    location = seek(call, stream, {"Type": "EARLIEST"}, shard=1)
    assert_error(call("GetRecords", f"{stream}0/", {"Location": location}), 400, "IllegalLocationException")


@pytest.mark.parametrize("body", [{}, {"Location": ""}, {"Location": "AQ==", "Limit": 0}, {"Location": "AQ==", "Limit": "5"}])
def test_get_records_rejects_bad_parameters(call: Call, stream: str, body: dict[str, object]) -> None:
    assert_error(call("GetRecords", f"{stream}0/", body), 400, "InvalidArgumentException", -201326592)


def test_retention_drops_old_records_when_new_ones_arrive(call: Call, mock: MockPutRecord) -> None:
    call("CreateStream", "/bigdata/short/", {"ShardCount": 1, "RetentionPeriodHours": 1})
    mock.advance(0)
    put(call, "/bigdata/short/", "old")
    mock.advance(3601)
    put(call, "/bigdata/short/", "new")
    assert texts(get(call, "/bigdata/short/", seek(call, "/bigdata/short/", {"Type": "EARLIEST"}))) == ["new"]


def test_a_never_written_shard_reads_empty(call: Call, stream: str) -> None:
    body = get(call, stream, seek(call, stream, {"Type": "EARLIEST"}, shard=3), shard=3)
    assert body["Records"] == [] and body["RecordsBehindLatest"] == 0
