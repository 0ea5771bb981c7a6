"""PutRecords' fast paths answer and store exactly what the reference path does.

Three ways through ``kinesis.responses.put_records``: the botocore parameters the body was
serialized from, proven by identity (stored by column, ``put_records_by_column``), the
parsed body checked inline (``_plainly_valid_entries``), and
the reference: the parsed body through the model validator. Random batches (valid and
not) go through each into its own account under one frozen clock; the answers, the
sequence numbers and the stored records must be identical.
"""
from __future__ import annotations

import base64
import json
import random
from typing import Any

import pytest

from mock_putrecord import MockPutRecord, mock_putrecord
from mock_putrecord.core.dispatch import dispatch
from mock_putrecord.core.wire import ClientParameters, WireRequest
from mock_putrecord.kinesis import responses

ACCOUNTS = {"client_parameters": "111111111111", "inline": "222222222222", "reference": "333333333333"}
_KEYS = ["k", "user-1", "ü-ß-€", "😀", "a" * 256, "", "a" * 257, "x y", "0"]


def _batch(rng: random.Random) -> list[dict[str, Any]]:
    """A plain batch (what the column path takes), one with explicit hash keys, or a
    hostile one (missing, empty or over-long keys, hash keys out of range)."""
    kind = rng.choice(["plain", "plain", "explicit", "hostile"])
    records: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 25)):
        record: dict[str, Any] = {"Data": rng.randbytes(rng.choice([0, 1, 7, 64, 300]))}
        if kind != "hostile" or rng.random() < 0.9:
            record["PartitionKey"] = rng.choice(_KEYS if kind == "hostile" else _KEYS[:5])
        if kind == "explicit" and rng.random() < 0.5 or kind == "hostile" and rng.random() < 0.2:
            top = 2**128 if kind == "hostile" else 2**128 - 1
            record["ExplicitHashKey"] = str(rng.choice([0, 1, 2**127, top, rng.getrandbits(128)]))
        records.append(record)
    return records


def _request(account: str, params: dict[str, Any] | None, body: bytes) -> WireRequest:
    return WireRequest("POST", "https://kinesis.us-east-1.amazonaws.com/", "/", "", {}, body, "kinesis",
                       "PutRecords", "us-east-1", account,
                       body_source=ClientParameters(params) if params is not None else None)


def _body(params: dict[str, Any]) -> bytes:
    """The body botocore serializes from ``params`` (blobs base64-encoded)."""
    encoded = {**params, "Records": [
        {**r, "Data": base64.b64encode(r["Data"]).decode()} for r in params["Records"]]}
    return json.dumps(encoded, separators=(",", ":")).encode()


def _stored(mock: MockPutRecord, account: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in mock.kinesis.records("s", account_id=account)]


@pytest.mark.parametrize("seed", range(40))
def test_fast_paths_equal_the_reference_path(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    shards = rng.randint(1, 5)
    with mock_putrecord() as mock:
        mock.advance(0)  # freeze the clock: arrival times and sequence numbers compare equal
        for account in ACCOUNTS.values():
            mock.kinesis.create_stream("s", shard_count=shards, account_id=account)
        for _ in range(3):
            params = {"StreamName": "s", "Records": _batch(rng)}
            body = _body(params)
            answers = {}
            answers["client_parameters"] = dispatch(_request(ACCOUNTS["client_parameters"], params, body))
            answers["inline"] = dispatch(_request(ACCOUNTS["inline"], None, body))
            with monkeypatch.context() as patch:
                patch.setattr(responses, "_plainly_valid_entries", lambda params: None)
                answers["reference"] = dispatch(_request(ACCOUNTS["reference"], None, body))
            outcome = {name: (a.status, json.loads(a.body)) for name, a in answers.items() if a is not None}
            assert outcome["client_parameters"] == outcome["reference"], params
            assert outcome["inline"] == outcome["reference"], params
            mock.advance(0.001)
        stored = {name: _stored(mock, account) for name, account in ACCOUNTS.items()}
        assert stored["client_parameters"] == stored["reference"]
        assert stored["inline"] == stored["reference"]
