"""CreateStream, DescribeStream, UpdateStream and stream deletion."""
from __future__ import annotations

import pytest

from .conftest import Call, assert_error


def test_create_stream_answers_204_with_empty_body(call: Call) -> None:
    response = call("CreateStream", "/bigdata/a/s/", {"ShardCount": 2, "RetentionPeriodHours": 12})
    assert response.status_code == 204
    assert response.content == b""


def test_describe_stream_returns_count_and_retention(call: Call, stream: str) -> None:
    response = call("DescribeStream", stream, None, method="PUT")
    assert response.status_code == 200
    assert response.json() == {"ShardCount": 4, "RetentionPeriodHours": 24}


def test_create_stream_on_existing_path_is_resource_in_use_409(call: Call, stream: str) -> None:
    response = call("CreateStream", stream, {"ShardCount": 1, "RetentionPeriodHours": 1})
    assert_error(response, 409, "ResourceInUseException", -17)


def test_create_stream_on_a_directory_of_streams_is_resource_in_use(call: Call, stream: str) -> None:
    response = call("CreateStream", "/bigdata/test/", {"ShardCount": 1, "RetentionPeriodHours": 1})
    assert_error(response, 409, "ResourceInUseException")


@pytest.mark.parametrize(
    "body",
    [
        {"ShardCount": 0, "RetentionPeriodHours": 24},
        {"ShardCount": 4097, "RetentionPeriodHours": 24},
        {"ShardCount": 1, "RetentionPeriodHours": 0},
        {"ShardCount": 1, "RetentionPeriodHours": 8761},
        {"ShardCount": 1},
        {"RetentionPeriodHours": 24},
        {"ShardCount": "2", "RetentionPeriodHours": 24},
        {"ShardCount": True, "RetentionPeriodHours": 24},
    ],
)
def test_create_stream_rejects_bad_parameters(call: Call, body: dict[str, object]) -> None:
    response = call("CreateStream", "/bigdata/a/s/", body)
    assert_error(response, 400, "InvalidArgumentException", -201326592)


def test_create_stream_accepts_the_limits(call: Call) -> None:
    response = call("CreateStream", "/bigdata/a/s/", {"ShardCount": 4096, "RetentionPeriodHours": 8760})
    assert response.status_code == 204


def test_describe_missing_stream_is_404(call: Call) -> None:
    assert_error(call("DescribeStream", "/bigdata/nothing/", None, method="PUT"), 404, "ResourceNotFoundException")


def test_describe_directory_is_not_a_stream(call: Call, stream: str) -> None:
    assert_error(call("DescribeStream", "/bigdata/test/", None), 400, "ResourceIsnotStream")


def test_stream_name_in_body_names_the_stream(call: Call, stream: str) -> None:
    response = call("DescribeStream", "/bigdata/test/", {"StreamName": "stream"})
    assert response.json()["ShardCount"] == 4


def test_update_stream_grows_the_shard_count(call: Call, stream: str) -> None:
    response = call("UpdateStream", stream, {"ShardCount": 6})
    assert response.status_code == 204 and response.content == b""
    assert call("DescribeStream", stream).json()["ShardCount"] == 6
    put = call("PutRecords", stream, {"Records": [{"Data": "eA==", "ShardId": 5}]})
    assert put.json()["Records"] == [{"SequenceNumber": 1, "ShardId": 5}]


@pytest.mark.parametrize("count", [4, 2])
def test_update_stream_refuses_a_count_not_larger(call: Call, stream: str, count: int) -> None:
    assert_error(call("UpdateStream", stream, {"ShardCount": count}), 400, "InvalidShardCountException")


def test_update_stream_on_directory_uses_its_own_spelling(call: Call, stream: str) -> None:
    assert_error(call("UpdateStream", "/bigdata/test/", {"ShardCount": 9}), 400, "ResourceNotStreamException")


def test_update_missing_stream_is_404(call: Call) -> None:
    assert_error(call("UpdateStream", "/bigdata/none/", {"ShardCount": 9}), 404, "ResourceNotFoundException")


def test_delete_stream_by_listing_and_deleting_objects(call: Call, stream: str) -> None:
    listing = call(None, "/bigdata?prefix=test/stream/", method="GET")
    assert listing.status_code == 200
    keys = [part.split("</Key>")[0] for part in listing.text.split("<Key>")[1:]]
    assert keys == ["test/stream/0", "test/stream/1", "test/stream/2", "test/stream/3"]
    for key in keys:
        assert call(None, f"/bigdata/{key}", method="DELETE").status_code == 204
    assert call(None, stream, method="DELETE").status_code == 204
    assert_error(call("DescribeStream", stream), 404, "ResourceNotFoundException")


def test_delete_missing_path_is_no_such_file(call: Call) -> None:
    assert_error(call(None, "/bigdata/nothing/", method="DELETE"), 404, "No such file or directory", -2)


def test_delete_directory_holding_streams_is_refused(call: Call, stream: str) -> None:
    assert_error(call(None, "/bigdata/test/", method="DELETE"), 409, "Directory not empty", -39)


def test_stream_can_be_recreated_after_deletion(call: Call, stream: str) -> None:
    call("PutRecords", stream, {"Records": [{"Data": "eA==", "ShardId": 0}]})
    assert call(None, stream, method="DELETE").status_code == 204
    assert call("CreateStream", stream, {"ShardCount": 1, "RetentionPeriodHours": 1}).status_code == 204
    put = call("PutRecords", stream, {"Records": [{"Data": "eA=="}]})
    assert put.json()["Records"] == [{"SequenceNumber": 1, "ShardId": 0}]
