"""PutRecords: routing, sequence numbers, limits and per-record failures."""
from __future__ import annotations

import json

import pytest

from mock_putrecord import MockPutRecord, mock_putrecord

from .conftest import Call, assert_error, b64


def test_shard_id_assigns_the_shard(call: Call, stream: str) -> None:
    body = call("PutRecords", stream, {"Records": [{"Data": b64("x"), "ShardId": 2}]}).json()
    assert body == {"FailedRecordCount": 0, "Records": [{"SequenceNumber": 1, "ShardId": 2}]}


def test_shard_id_wins_over_partition_key(call: Call, stream: str) -> None:
    records = [{"Data": b64(str(i)), "PartitionKey": "same", "ShardId": i} for i in range(4)]
    body = call("PutRecords", stream, {"Records": records}).json()
    assert [r["ShardId"] for r in body["Records"]] == [0, 1, 2, 3]


def test_same_partition_key_goes_to_the_same_shard_across_requests(call: Call, stream: str) -> None:
    first = call("PutRecords", stream, {"Records": [{"Data": b64("a"), "PartitionKey": "k7"}] * 3}).json()
    second = call("PutRecords", stream, {"Records": [{"Data": b64("b"), "PartitionKey": "k7"}]}).json()
    shards = {r["ShardId"] for r in first["Records"] + second["Records"]}
    assert len(shards) == 1
    assert second["Records"][0]["SequenceNumber"] == 4


def test_partition_keys_spread_over_shards(call: Call, stream: str) -> None:
    records = [{"Data": b64("d"), "PartitionKey": f"user-{i}"} for i in range(200)]
    body = call("PutRecords", stream, {"Records": records}).json()
    assert {r["ShardId"] for r in body["Records"]} == {0, 1, 2, 3}


def test_keyless_records_go_round_robin_from_shard_zero(call: Call, stream: str) -> None:
    body = call("PutRecords", stream, {"Records": [{"Data": b64(str(i))} for i in range(6)]}).json()
    assert [r["ShardId"] for r in body["Records"]] == [0, 1, 2, 3, 0, 1]


def test_round_robin_continues_across_requests(call: Call, stream: str) -> None:
    call("PutRecords", stream, {"Records": [{"Data": b64("a")}] * 3})
    body = call("PutRecords", stream, {"Records": [{"Data": b64("b")}] * 2}).json()
    assert [r["ShardId"] for r in body["Records"]] == [3, 0]


def test_sequence_numbers_are_consecutive_per_shard_from_one(call: Call, stream: str) -> None:
    records = [{"Data": b64(str(i)), "ShardId": i % 2} for i in range(6)]
    body = call("PutRecords", stream, {"Records": records}).json()
    assert [(r["ShardId"], r["SequenceNumber"]) for r in body["Records"]] == [
        (0, 1), (1, 1), (0, 2), (1, 2), (0, 3), (1, 3)
    ]


def test_out_of_range_shard_fails_only_that_record(call: Call, mock: MockPutRecord, stream: str) -> None:
    records = [{"Data": b64("ok"), "ShardId": 1}, {"Data": b64("bad"), "ShardId": 10}, {"Data": b64("ok2")}]
    response = call("PutRecords", stream, {"Records": records})
    assert response.status_code == 200
    assert response.json() == {
        "FailedRecordCount": 1,
        "Records": [
            {"SequenceNumber": 1, "ShardId": 1},
            {"ErrorCode": -201326594, "ErrorMessage": "ShardIDOutOfRangeException"},
            {"SequenceNumber": 1, "ShardId": 0},
        ],
    }
    assert [r.data for r in mock.v3io.records("bigdata", "test/stream")] == [b"ok2", b"ok"]


def test_negative_shard_id_is_out_of_range(call: Call, stream: str) -> None:
    body = call("PutRecords", stream, {"Records": [{"Data": b64("x"), "ShardId": -1}]}).json()
    assert body["FailedRecordCount"] == 1
    assert body["Records"][0]["ErrorMessage"] == "ShardIDOutOfRangeException"


def test_a_thousand_records_are_accepted(call: Call, stream: str) -> None:
    body = call("PutRecords", stream, {"Records": [{"Data": b64("r")}] * 1000}).json()
    assert body["FailedRecordCount"] == 0 and len(body["Records"]) == 1000


@pytest.mark.parametrize("records", [[], [{"Data": "cg=="}] * 1001], ids=["none", "1001"])
def test_record_count_outside_1_to_1000_fails_the_request(call: Call, stream: str, records: list[object]) -> None:
    assert_error(call("PutRecords", stream, {"Records": records}), 400, "InvalidArgumentException", -201326592)


def test_data_of_exactly_1_mib_is_accepted(call: Call, stream: str, mock: MockPutRecord) -> None:
    body = call("PutRecords", stream, {"Records": [{"Data": b64(b"a" * 1048576), "ShardId": 0}]}).json()
    assert body["FailedRecordCount"] == 0
    assert len(mock.v3io.records("bigdata", "test/stream", 0)[0].data) == 1048576


@pytest.mark.parametrize("platform,limit", [("3.2", 1024 * 1024), ("3.6", 2 * 1024 * 1024)])
def test_data_over_the_platform_limit_fails_the_request(
    call: Call, stream: str, mock: MockPutRecord, platform: str, limit: int
) -> None:
    with mock_putrecord(v3io_platform=platform):
        records = [{"Data": b64("fine")}, {"Data": b64(b"a" * (limit + 1))}]
        assert_error(call("PutRecords", stream, {"Records": records}), 400, "InvalidArgumentException", -201326592)
        assert mock.v3io.records("bigdata", "test/stream") == []  # nothing of the batch was stored
        records = [{"Data": b64(b"a" * limit), "ShardId": 0}]
        assert call("PutRecords", stream, {"Records": records}).json()["FailedRecordCount"] == 0


@pytest.mark.parametrize("size,ok", [(16, True), (17, False)])
def test_client_info_is_limited_to_128_bits(call: Call, stream: str, size: int, ok: bool) -> None:
    response = call("PutRecords", stream, {"Records": [{"Data": b64("d"), "ClientInfo": b64(b"c" * size)}]})
    if ok:
        assert response.json()["FailedRecordCount"] == 0
    else:
        assert_error(response, 400, "InvalidArgumentException", -201326592)


@pytest.mark.parametrize("key,ok", [("k" * 256, True), ("k" * 257, False), ("é" * 128, True), ("é" * 129, False)])
def test_partition_key_is_limited_to_256_bytes(call: Call, stream: str, key: str, ok: bool) -> None:
    response = call("PutRecords", stream, {"Records": [{"Data": b64("d"), "PartitionKey": key}]})
    if ok:
        assert response.json()["FailedRecordCount"] == 0
    else:
        assert_error(response, 400, "InvalidArgumentException", -201326592)


def test_body_over_10_mib_fails_the_request(call: Call, stream: str) -> None:
    records = [{"Data": b64(b"z" * 1048576), "ShardId": 0}] * 8
    response = call("PutRecords", stream, {"Records": records})
    assert_error(response, 400, "InvalidArgumentException", -201326592)


@pytest.mark.parametrize(
    "record",
    [{}, {"Data": None}, {"Data": 5}, {"Data": "not base64!"}, {"Data": "abc"}, {"Data": "a=bc"}, {"Data": "ab==="},
     {"Data": "eA==", "ShardId": "1"}, {"Data": "eA==", "ShardId": 1.0}, {"Data": "eA==", "PartitionKey": 3},
     {"Data": "eA==", "ClientInfo": "%%%%"}, "eA=="],
)
def test_malformed_record_fails_the_request(call: Call, stream: str, record: object) -> None:
    response = call("PutRecords", stream, {"Records": [{"Data": "eA=="}, record]})
    assert_error(response, 400, "InvalidArgumentException", -201326592)


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[]", b'{"Records": {}}', b"\xff\xfe"])
def test_bad_json_is_invalid_argument_not_a_traceback(call: Call, stream: str, raw: bytes) -> None:
    assert_error(call("PutRecords", stream, raw), 400, "InvalidArgumentException", -201326592)


def test_put_to_missing_stream_is_404(call: Call) -> None:
    response = call("PutRecords", "/bigdata/none/", {"Records": [{"Data": "eA=="}]})
    assert_error(response, 404, "ResourceNotFoundException")


@pytest.mark.parametrize("path", ["/bigdata/test/", "/bigdata/", "/bigdata/test/stream/0/"])
def test_put_to_a_path_that_is_not_a_stream(call: Call, stream: str, path: str) -> None:
    assert_error(call("PutRecords", path, {"Records": [{"Data": "eA=="}]}), 400, "ResourceIsnotStream")


@pytest.mark.parametrize("path", ["/bigdata/test/stream", "//bigdata/test/stream/", "/bigdata/test/%73tream/"])
def test_path_forms_clients_send_reach_the_stream(call: Call, stream: str, path: str) -> None:
    assert call("PutRecords", path, {"Records": [{"Data": "eA=="}]}).json()["FailedRecordCount"] == 0


def test_put_method_behaves_like_post(call: Call, stream: str) -> None:
    response = call("PutRecords", stream, {"Records": [{"Data": "eA==", "ShardId": 3}]}, method="PUT")
    assert response.json()["Records"] == [{"SequenceNumber": 1, "ShardId": 3}]


def test_success_entries_have_no_error_keys(call: Call, stream: str) -> None:
    raw = call("PutRecords", stream, {"Records": [{"Data": "eA=="}]}).text
    assert "ErrorCode" not in raw and json.loads(raw)["Records"][0].keys() == {"SequenceNumber", "ShardId"}
