"""PutRecords sent with requests' ``json=`` skips re-parsing its own body; the answers and
the stored records must be exactly those of the parsing path."""
from __future__ import annotations

import base64

import requests

from mock_putrecord import mock_putrecord

ENDPOINT = "http://v3io-webapi:8081"
URL = f"{ENDPOINT}/bigdata/s/"
HEADERS = {"X-v3io-session-key": "key", "X-v3io-function": "PutRecords"}


def _records(count: int) -> list[dict[str, object]]:
    return [{"Data": base64.b64encode(f"r{i}".encode()).decode(), "PartitionKey": f"k{i % 5}"} for i in range(count)]


def _stored(mock) -> list[tuple[int, bytes]]:
    return [(r.shard_id, r.data) for r in mock.v3io.records("bigdata", "s", endpoint=ENDPOINT)]


def test_json_and_data_bodies_answer_and_store_the_same() -> None:
    import json

    outcomes = []
    for send in ("json", "data"):
        with mock_putrecord() as mock:
            mock.v3io.create_stream("bigdata", "s", shard_count=3, endpoint=ENDPOINT)
            payload = {"Records": _records(20)}
            if send == "json":
                response = requests.post(URL, json=payload, headers=HEADERS)
            else:
                response = requests.post(URL, data=json.dumps(payload), headers=HEADERS)
            outcomes.append((response.status_code, response.json(), _stored(mock)))
    assert outcomes[0] == outcomes[1]


def test_changing_the_object_after_prepare_does_not_reach_the_store() -> None:
    with mock_putrecord() as mock:
        mock.v3io.create_stream("bigdata", "s", shard_count=1, endpoint=ENDPOINT)
        payload = {"Records": _records(2)}
        prepared = requests.Request("POST", URL, json=payload, headers=HEADERS).prepare()
        payload["Records"][0]["Data"] = base64.b64encode(b"changed").decode()
        requests.Session().send(prepared)
        assert [data for _, data in _stored(mock)] == [b"r0", b"r1"]


def test_a_body_replaced_after_prepare_is_parsed() -> None:
    with mock_putrecord() as mock:
        mock.v3io.create_stream("bigdata", "s", shard_count=1, endpoint=ENDPOINT)
        prepared = requests.Request("POST", URL, json={"Records": _records(2)}, headers=HEADERS).prepare()
        prepared.body = b'{"Records": [{"Data": "eA=="}]}'
        response = requests.Session().send(prepared)
        assert response.json()["FailedRecordCount"] == 0
        assert [data for _, data in _stored(mock)] == [b"x"]


def test_invalid_json_payload_gets_the_parsing_paths_error() -> None:
    with mock_putrecord() as mock:
        mock.v3io.create_stream("bigdata", "s", shard_count=1, endpoint=ENDPOINT)
        vouched = requests.post(URL, json={"Records": [{"Data": "not base64!"}]}, headers=HEADERS)
        parsed = requests.post(URL, data=b'{"Records": [{"Data": "not base64!"}]}', headers=HEADERS)
        assert (vouched.status_code, vouched.json()) == (parsed.status_code, parsed.json())
        assert vouched.status_code == 400
        assert _stored(mock) == []


def test_prepare_body_is_restored_on_stop() -> None:
    original = requests.models.PreparedRequest.prepare_body
    with mock_putrecord() as mock:
        mock.v3io.create_stream("bigdata", "s", shard_count=1, endpoint=ENDPOINT)
        assert requests.models.PreparedRequest.prepare_body is not original  # the wrapper noting the batch
        prepared = requests.Request("POST", URL, json={"Records": _records(1)}, headers=HEADERS).prepare()
        assert "_mock_putrecord_v3io" in prepared.__dict__  # this batch was taken from its json= object
        requests.Session().send(prepared)
    assert requests.models.PreparedRequest.prepare_body is original
