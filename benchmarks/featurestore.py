"""Case 4: Feature Store ``PutRecord`` and ``GetRecord`` through
``sagemaker-featurestore-runtime``, against the canned floor (the same client with a
``before-send`` handler returning a fixed body: empty for PutRecord, one record for
GetRecord), as the online store grows from 1k to 200k records. No moto column: moto
5.2 does not model the Feature Store runtime."""
from __future__ import annotations

import json
import random
from typing import Any

import boto3

from mock_putrecord import mock_putrecord
from mock_putrecord.core import interception

from .common import REGION, Config, Row, collect, median, timed
from .kinesis_put import canned_handler

GROUP = "bench"
RUNTIME = "sagemaker-featurestore-runtime"


def record(identifier: int) -> list[dict[str, str]]:
    minute, sec = divmod(identifier % 86_400, 60)
    hour, minute = divmod(minute, 60)
    return [
        {"FeatureName": "customer_id", "ValueAsString": f"c{identifier}"},
        {"FeatureName": "event_time", "ValueAsString": f"2024-01-01T{hour:02d}:{minute:02d}:{sec:02d}Z"},
        {"FeatureName": "age", "ValueAsString": str(identifier % 90)},
        {"FeatureName": "score", "ValueAsString": "0.5"},
    ]


def benchmark_group(mock: Any) -> tuple[Any, Any]:
    """Create the benchmark's feature group in ``mock``: its backend, and a runtime client."""
    mock.featurestore.create_feature_group(
        GROUP, record_identifier="customer_id", event_time="event_time",
        features={"customer_id": "String", "event_time": "String", "age": "Integral", "score": "Fractional"},
        online=True, offline=True,
    )
    return mock.featurestore.backend(), boto3.client(RUNTIME, region_name=REGION)


def _floor(body: bytes) -> Any:
    client = boto3.client(RUNTIME, region_name=REGION)
    client.meta.events.unregister("before-send", interception.before_send)
    client.meta.events.unregister("before-send", unique_id="mock_putrecord.before_send")
    client.meta.events.register_first("before-send", canned_handler(body))
    return client


def _puts(client: Any, start: int, count: int) -> None:
    put = client.put_record
    for number in range(start, start + count):
        put(FeatureGroupName=GROUP, Record=record(number))


def _gets(client: Any, identifiers: list[str]) -> None:
    get = client.get_record
    for identifier in identifiers:
        get(FeatureGroupName=GROUP, RecordIdentifierValueAsString=identifier)


def run(config: Config) -> list[Row]:
    checkpoints = config.pick([1_000, 10_000, 50_000, 200_000], [1_000, 20_000, 200_000], [500, 2_000])
    window, rounds = config.pick((500, 5), (300, 3), (50, 1))
    rng = random.Random(8)
    results: dict[int, dict[str, float]] = {}
    with mock_putrecord(region=REGION) as mock:
        backend, mocked = benchmark_group(mock)
        floor_put = _floor(b"")
        floor_get = _floor(json.dumps({"Record": record(1)}).encode())
        _puts(mocked, 0, 100), _puts(floor_put, 0, 100), _gets(floor_get, ["c1"] * 100)
        written = 100
        for checkpoint in checkpoints:
            while written < checkpoint:  # fill without boto3 (not timed)
                backend.put_record(GROUP, record(written), None, None)
                written += 1
            times: dict[str, list[float]] = {"put": [], "floor_put": [], "get": [], "floor_get": []}
            collect()
            for round_index in range(rounds):
                ids = [f"c{rng.randrange(written)}" for _ in range(window)]
                start = written
                steps = [
                    ("put", lambda: _puts(mocked, start, window)),
                    ("floor_put", lambda: _puts(floor_put, 0, window)),
                    ("get", lambda: _gets(mocked, ids)),
                    ("floor_get", lambda: _gets(floor_get, ids)),
                ]
                for name, func in steps if round_index % 2 == 0 else steps[::-1]:
                    times[name].append(timed(func) / window)
                written += window
            results[checkpoint] = {name: median(values) * 1e6 for name, values in times.items()}
        assert mock.featurestore.online_count(GROUP) == written
    rows = []
    for operation in ("put", "get"):
        label = "PutRecord" if operation == "put" else "GetRecord"
        costs, raw = [], []
        for checkpoint in checkpoints:
            figures = results[checkpoint]
            mock_us, floor_us = figures[operation], figures["floor_" + operation]
            costs.append(mock_us / floor_us)  # in floor units: robust to a neighbour's load
            raw.append(mock_us)
            ratio = floor_us / mock_us
            rows.append(Row(
                case="4. Feature Store", measure=f"{label}, store of {checkpoint:,}", unit="µs/call",
                mock=mock_us, floor=floor_us, ratio=ratio, ratio_label="throughput vs floor",
                target=">= 0.8", met=ratio >= 0.8, note="no moto column (moto has no Feature Store runtime)",
            ))
        rows.append(flatness_row(label, checkpoints, costs, raw))
    return rows


def flatness_row(label: str, checkpoints: list[int], costs: list[float], raw: list[float]) -> Row:
    """How far the cost per call (in floor units, ``costs``; raw µs, ``raw``) at each store
    size strays from the smallest store's: flat within ±15%."""
    spread = max(abs(cost / costs[0] - 1) for cost in costs)
    raw_spread = max(abs(cost / raw[0] - 1) for cost in raw)
    return Row(
        case="4. Feature Store", measure=f"{label} cost, {checkpoints[0]:,} to {checkpoints[-1]:,}",
        unit="% change", mock=spread * 100, ratio=spread, ratio_label="max deviation from smallest, in floor units",
        target="flat (within ±15%)", met=spread <= 0.15, note=f"raw µs/call deviation {raw_spread * 100:.1f}%",
    )
