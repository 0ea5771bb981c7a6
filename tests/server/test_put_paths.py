"""The server's column path for PutRecords bodies answers and stores exactly what the
record-by-record path does, for well-formed batches and for every kind it hands back."""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from mock_putrecord.kinesis import responses
from mock_putrecord.server import MockServer

from .conftest import kinesis_call

B64 = base64.b64encode


def records(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"Data": data, "PartitionKey": key} for data, key in pairs]


CASES: dict[str, list[Any]] = {
    "plain": records(*[(B64(b"r%d" % i).decode(), f"k{i}") for i in range(50)]),
    "repeated keys": records(*[(B64(b"r%d" % i).decode(), f"k{i % 3}") for i in range(20)]),
    "empty data": records(("", "k"), (B64(b"x").decode(), "k2")),
    "unicode keys": records((B64(b"a").decode(), "ключ"), (B64(b"b").decode(), "鍵🔑")),
    "lone surrogate key": records((B64(b"a").decode(), "\udcff"), (B64(b"b").decode(), "k")),
    "padding bits set": records((B64(b"a").decode(), "k"), ("QR==", "k")),
    "missing padding": records(("QQ", "k"),),
    "stray character": records(("QQ=*", "k"),),
    "whitespace": records(("QU Jj", "k"),),
    "non-ascii data": records(("QUJjé", "k"),),
    "explicit hash key": [{"Data": "QQ==", "PartitionKey": "k", "ExplicitHashKey": "1"}],
    "extra member": [{"Data": "QQ==", "PartitionKey": "k", "Extra": 1}],
    "key too long": records(("QQ==", "k" * 257),),
    "too many": records(*[("QQ==", "k")] * 501),
    "data not text": [{"Data": 5, "PartitionKey": "k"}],
}


def answer_and_state(server: MockServer, stream: str, batch: list[Any]) -> tuple[int, Any, list[tuple[Any, ...]]]:
    body = json.dumps({"StreamName": stream, "Records": batch})
    reply = kinesis_call(server, "PutRecords", json.loads(body))
    payload = reply.json()
    if reply.status == 200:  # sequence numbers differ between streams: keep their order only
        payload = [(r.get("ShardId"), r.get("ErrorCode")) for r in payload["Records"]]
    stored = [(r.data, r.partition_key, r.shard_id) for r in server.mock.kinesis.records(stream)]
    return reply.status, payload, stored


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("shards", [1, 4])
def test_the_column_path_answers_as_the_record_path(server: MockServer, monkeypatch: pytest.MonkeyPatch,
                                                    case: str, shards: int) -> None:
    server.mock.kinesis.create_stream("columns", shards)
    server.mock.kinesis.create_stream("rows", shards)
    taken: list[bool] = []
    body_columns = responses._body_columns

    def spy(params: Any) -> Any:
        columns = body_columns(params)
        taken.append(columns is not None)
        return columns

    monkeypatch.setattr(responses, "_body_columns", spy)
    by_columns = answer_and_state(server, "columns", CASES[case])
    monkeypatch.setattr(responses, "_body_columns", lambda params: None)
    by_rows = answer_and_state(server, "rows", CASES[case])
    assert by_columns == by_rows
    assert taken == [case in ("plain", "repeated keys", "empty data", "unicode keys", "lone surrogate key")]
