"""Case 5: v3io ``PutRecords`` of 1,000-record batches through ``requests`` (``json=``,
encoded per request, as v3io-py and the reference example do), against the floor: a plain
``responses`` callback that decodes the request's JSON body (``json.loads``, as a
hand-written callback does to know what it was sent) and returns a canned response of the
same shape (1,000 entries). A second row compares with a callback that never reads the
body (no target: no mock of a service can skip reading the request). Ratio: alternating
activations, median round. Flatness: one stream of 4 shards grown to 1M records, cost per
batch per 100k-record stretch (the floor cannot run between them: a ``responses`` mock
started while ours is active hands v3io requests to ours, by design)."""
from __future__ import annotations

import base64
import json
import re
from typing import Any

import requests
import responses

from mock_putrecord import mock_putrecord

from .common import Config, Row, collect, median, timed

URL = "http://v3io-webapi:8081/bigdata/bench/stream/"
HEADERS = {"X-v3io-function": "PutRecords", "X-v3io-session-key": "bench", "Content-Type": "application/json"}
BATCH = 1000


def payload() -> dict[str, list[dict[str, str]]]:
    """Small JSON events, half with a partition key."""
    records = []
    for i in range(BATCH):
        entry = {"Data": base64.b64encode(json.dumps({"event": i, "value": i * 1.5}).encode()).decode()}
        if i % 2:
            entry["PartitionKey"] = f"user-{i % 37}"
        records.append(entry)
    return {"Records": records}


FIXED = json.dumps({"FailedRecordCount": 0,
                    "Records": [{"SequenceNumber": i + 1, "ShardId": i % 4} for i in range(BATCH)]}).encode()


def _send(session: requests.Session, body: Any, count: int) -> None:
    post = session.post
    for _ in range(count):
        response = post(URL, json=body, headers=HEADERS)
        if response.status_code != 200:
            raise AssertionError(response.text)


def _decoding_callback(request: Any) -> tuple[int, dict[str, str], bytes]:
    json.loads(request.body)
    return 200, {}, FIXED


def _blind_callback(request: Any) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, FIXED


def floor_round(body: Any, count: int, callback: Any = _decoding_callback) -> float:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.POST, re.compile(".*"), callback=callback)
        with requests.Session() as session:
            return timed(lambda: _send(session, body, count)) / count


def blind_floor_round(body: Any, count: int) -> float:
    return floor_round(body, count, _blind_callback)


def mock_round(body: Any, count: int) -> float:
    with mock_putrecord() as mock:
        mock.v3io.create_stream("bigdata", "bench/stream", shard_count=4)
        with requests.Session() as session:
            return timed(lambda: _send(session, body, count)) / count


def run(config: Config) -> list[Row]:
    rounds, per_round = config.pick((15, 50), (9, 40), (2, 5))
    total = config.pick(1_000_000, 1_000_000, 20_000)
    body = payload()
    floor_round(body, 5), blind_floor_round(body, 5), mock_round(body, 5)  # warm-up
    mock_times: list[float] = []
    floor_times: list[float] = []
    blind_times: list[float] = []
    for index in range(rounds):
        subjects = [(mock_times, mock_round), (floor_times, floor_round), (blind_times, blind_floor_round)]
        for times, func in subjects if index % 2 == 0 else subjects[::-1]:
            collect()
            times.append(func(body, per_round))
    mock_ms, floor_ms = median(mock_times) * 1e3, median(floor_times) * 1e3
    blind_ms = median(blind_times) * 1e3
    ratio = floor_ms / mock_ms
    # Flatness: one stream grown to ``total`` records.
    stretch = total // 10 // BATCH
    stretches: list[float] = []
    with mock_putrecord() as mock:
        mock.v3io.create_stream("bigdata", "bench/stream", shard_count=4)
        with requests.Session() as session:
            collect()
            for _ in range(10):
                stretches.append(timed(lambda: _send(session, body, stretch)) / stretch * 1e3)
            stored = sum(mock.v3io.shard_record_counts("bigdata", "bench/stream"))
    assert stored == total, stored
    after = median([floor_round(body, per_round) for _ in range(3)]) * 1e3
    first, last = median(stretches[:2]), median(stretches[-2:])
    spread = last / first - 1
    return [
        Row(case="5. v3io PutRecords", measure="1,000-record batches via requests", unit="ms/batch",
            mock=mock_ms, floor=floor_ms, ratio=ratio, ratio_label="throughput vs floor", target=">= 0.8",
            met=ratio >= 0.8, note="floor: plain responses callback decoding the body (json.loads), canned "
                                    "1,000-entry answer; no moto column (not AWS)"),
        Row(case="5. v3io PutRecords", measure="1,000-record batches, floor never reading the body", unit="ms/batch",
            mock=mock_ms, floor=blind_ms, ratio=blind_ms / mock_ms, ratio_label="vs a callback that ignores the request",
            note="for reference, no target: a mock has to read the request"),
        Row(case="5. v3io PutRecords", measure=f"at {total:,} records stored", unit="ms/batch",
            mock=last, floor=after, ratio=after / last, ratio_label="throughput vs floor (floor measured after)",
            target=">= 0.8", met=after / last >= 0.8),
        Row(case="5. v3io PutRecords", measure=f"cost per batch, first vs last {total // 10:,}", unit="% change",
            mock=spread * 100, ratio=spread, ratio_label="last 20% / first 20% - 1", target="flat (within ±15%)",
            met=abs(spread) <= 0.15, extra={"stretches_ms": stretches}),
    ]
