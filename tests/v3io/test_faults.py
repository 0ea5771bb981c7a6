"""Fault injection through the v3io web API: seeded per-record failures and scripted
request errors, rendered in v3io's own formats."""
from __future__ import annotations

import base64

import requests

from mock_putrecord import mock_putrecord

URL = "http://v3io-webapi:8081/bigdata/streams/s/"
HEADERS = {"X-v3io-session-key": "key", "X-v3io-function": "PutRecords"}


def _put(count: int) -> dict:
    records = [{"Data": base64.b64encode(f"r{i}".encode()).decode(), "ShardId": i % 2} for i in range(count)]
    return requests.post(URL, json={"Records": records}, headers=HEADERS).json()


def _failures(seed: int) -> list:
    with mock_putrecord() as mock:
        mock.v3io.create_stream("bigdata", "streams/s", shard_count=2, endpoint="http://v3io-webapi:8081")
        mock.faults.fail_records("v3io", 0.3, errors=["ShardIDOutOfRangeException"], seed=seed)
        response = _put(50)
        stored = sum(mock.v3io.shard_record_counts("bigdata", "streams/s", endpoint="http://v3io-webapi:8081"))
        failed = [r for r in response["Records"] if "ErrorCode" in r]
        assert response["FailedRecordCount"] == len(failed) == 50 - stored > 0
        assert failed[0] == {"ErrorCode": -201326594, "ErrorMessage": "ShardIDOutOfRangeException"}
        assert [f.index for f in mock.faults.failed_records] == [
            i for i, r in enumerate(response["Records"]) if "ErrorCode" in r]
        return [r.get("ErrorCode") for r in response["Records"]]


def test_seeded_per_record_failures_are_reproducible() -> None:
    assert _failures(seed=5) == _failures(seed=5)


def test_scripted_http_error_for_the_next_call() -> None:
    with mock_putrecord() as mock:
        mock.v3io.create_stream("bigdata", "streams/s", shard_count=2, endpoint="http://v3io-webapi:8081")
        mock.faults.fail_next("v3io", "PutRecords", "ServiceUnavailable", status=503)
        first = requests.post(URL, json={"Records": [{"Data": "eA=="}]}, headers=HEADERS)
        assert first.status_code == 503
        assert _put(1)["FailedRecordCount"] == 0
        assert [(c.status, c.injected) for c in mock.faults.calls] == [(503, True), (200, False)]
