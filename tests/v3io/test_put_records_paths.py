"""v3io PutRecords' fast paths answer and store exactly what the reference path does.

Three ways through ``v3io.responses.put_records``: the batch validated from the object
``requests`` serialized the body from (``PutRecordsBatch``, proven by identity), the
parsed body checked column by column (``_put_records_fast``), and the reference: the parsed
body checked record by record (``_put_records_slowly``). Random batches, valid and not
(bad base64 and padding, wrong types, nulls, unknown members, out-of-range shards, long
keys and ClientInfo), go through each into its own stream under one frozen clock; the
answers, the sequence numbers and the stored records must be identical.
"""
from __future__ import annotations

import base64
import json
import random
from typing import Any

import pytest

from mock_putrecord import mock_putrecord
from mock_putrecord.core.dispatch import dispatch
from mock_putrecord.core.wire import WireRequest
from mock_putrecord.v3io import validation

ENDPOINT = "http://v3io-webapi:8081"
STREAMS = {"json_object": "s-object", "column_checks": "s-columns", "reference": "s-reference"}
HEADERS = {"X-v3io-function": "PutRecords", "X-v3io-session-key": "key"}


ODD_DATA = ["not base64!", "YQ", "YQ==YQ==", "Y===", "YR==", 7, None, "ü", "YQ==\n", "YWJj\nYWJ", "YWJ\n",
            "\nYWJ", "YQ=\n", "====", "YW=j", ""]
"""Data values each path must judge alike (a newline inside a value is not a separator)."""


def _b64(rng: random.Random, size: int) -> str:
    return base64.b64encode(rng.randbytes(size)).decode()


def _record(rng: random.Random, hostile: bool) -> Any:
    if hostile and rng.random() < 0.03:
        return rng.choice([None, "text", 5, ["Data"]])
    record: dict[str, Any] = {"Data": _b64(rng, rng.choice([0, 1, 2, 3, 20, 100]))}
    if hostile and rng.random() < 0.1:
        record["Data"] = rng.choice(ODD_DATA)
    if rng.random() < 0.5:
        record["PartitionKey"] = rng.choice(["user-1", "user-2", "ü-ß", "k" * 64] + (
            ["k" * 65, "k" * 257, 3, None] if hostile else []))
    if rng.random() < (0.3 if hostile else 0.1):
        record["ShardId"] = rng.choice([0, 1, 2, 3] + ([7, -1, True, "1", None, 2**70] if hostile else []))
    if rng.random() < 0.1:
        record["ClientInfo"] = rng.choice([_b64(rng, 16), _b64(rng, 4)] + ([_b64(rng, 17), "bad!", None] if hostile else []))
    if hostile and rng.random() < 0.05:
        record["Unknown"] = 1
    return record


def _request(stream: str, body: bytes, source: Any) -> WireRequest:
    url = f"{ENDPOINT}/bigdata/{stream}/"
    return WireRequest("POST", url, f"/bigdata/{stream}/", "", HEADERS, body, "v3io", "PutRecords", "", "",
                       body_source=source)


def _stored(mock: Any, stream: str) -> list[tuple[Any, ...]]:
    return sorted((r.shard_id, r.sequence_number, r.data, r.partition_key, r.client_info, r.arrival_time_sec,
                   r.arrival_time_nsec) for r in mock.v3io.records("bigdata", stream, endpoint=ENDPOINT))


def _answers(payload: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Each path's (status, JSON answer) to ``payload``, each into its own stream."""
    body = json.dumps(payload).encode()
    answers = {
        "json_object": dispatch(_request(STREAMS["json_object"], body, validation.put_records_from_json_object(payload))),
        "column_checks": dispatch(_request(STREAMS["column_checks"], body, None)),
    }
    with monkeypatch.context() as patch:
        def refuse(records: list[Any]) -> Any:
            raise ValueError("take the reference path")

        patch.setattr(validation, "_put_records_fast", refuse)
        answers["reference"] = dispatch(_request(STREAMS["reference"], body, None))
    return {name: (a.status, json.loads(a.body) if a.body else None) for name, a in answers.items() if a is not None}


def _assert_paths_agree(mock: Any, payloads: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    for payload in payloads:
        outcome = _answers(payload, monkeypatch)
        assert outcome["json_object"] == outcome["reference"], payload
        assert outcome["column_checks"] == outcome["reference"], payload
        mock.advance(0.001)
    stored = {name: _stored(mock, stream) for name, stream in STREAMS.items()}
    assert stored["json_object"] == stored["reference"]
    assert stored["column_checks"] == stored["reference"]


def _streams(mock: Any, shards: int) -> None:
    mock.advance(0)  # freeze the clock: arrival times compare equal
    for stream in STREAMS.values():
        mock.v3io.create_stream("bigdata", stream, shard_count=shards, endpoint=ENDPOINT)


@pytest.mark.parametrize("seed", range(40))
def test_fast_paths_equal_the_reference_path(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    shards = rng.randint(1, 5)
    with mock_putrecord() as mock:
        _streams(mock, shards)
        payloads = []
        for _ in range(4):
            hostile = rng.random() < 0.5
            payloads.append({"Records": [_record(rng, hostile) for _ in range(rng.choice([1, 2, 10, 100]))]})
        _assert_paths_agree(mock, payloads, monkeypatch)


@pytest.mark.parametrize("odd", ODD_DATA)
def test_each_odd_data_value_is_judged_alike(odd: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Alone and among valid records: a random batch rarely holds one odd value only."""
    with mock_putrecord() as mock:
        _streams(mock, 3)
        _assert_paths_agree(mock, [{"Records": [{"Data": odd}]},
                                   {"Records": [{"Data": "YWJj"}, {"Data": odd, "PartitionKey": "k"}, {"Data": ""}]}],
                            monkeypatch)


def test_plain_batches_take_the_json_object_path() -> None:
    rng = random.Random(1)
    payload = {"Records": [_record(rng, hostile=False) for _ in range(50)]}
    batch = validation.put_records_from_json_object(payload)
    assert batch is not None and batch.columns.data == [r["Data"] for r in payload["Records"]]
