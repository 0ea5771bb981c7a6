"""Case 4b: Feature Store ``BatchWriteRecord`` of 10-record batches through
``sagemaker-featurestore-runtime``, against the canned floor (the same client with a
``before-send`` handler returning the empty success body ``{"Errors":[],
"UnprocessedEntries":[]}``), as the online store grows from 1k to 200k records.
Ratio: the median over 31 alternating pairs of 20 batches of each pair's floor/mock time.
BatchWriteRecord is in botocore 1.44 and later: with an older botocore this case
reports nothing (run it with the newest set)."""
from __future__ import annotations

import random

import boto3

from mock_putrecord import mock_putrecord

from .common import REGION, Config, Row, collect, median, timed
from .featurestore import GROUP, RUNTIME, _floor, benchmark_group, flatness_row, record

BATCH = 10


def _writes(client: object, start: int, count: int) -> None:
    write = client.batch_write_record  # type: ignore[attr-defined]
    for first in range(start, start + count * BATCH, BATCH):
        write(Entries=[{"FeatureGroupName": GROUP, "Record": record(number)} for number in range(first, first + BATCH)])


def run(config: Config) -> list[Row]:
    if "BatchWriteRecord" not in boto3.client(RUNTIME, region_name=REGION).meta.service_model.operation_names:
        return []
    checkpoints = config.pick([1_000, 10_000, 50_000, 200_000], [1_000, 20_000, 200_000], [500, 2_000])
    # Many short alternating pairs: a neighbour's burst of load hits both sides of a pair,
    # and the median of the pairs' ratios shrugs off the pairs it hit unevenly.
    window, rounds = config.pick((20, 31), (20, 21), (10, 3))  # batches per timed run, pairs
    random.seed(8)
    results: dict[int, tuple[float, float, float]] = {}
    with mock_putrecord(region=REGION) as mock:
        backend, mocked = benchmark_group(mock)
        floor = _floor(b'{"Errors":[],"UnprocessedEntries":[]}')
        _writes(mocked, 0, 10), _writes(floor, 0, 10)
        written = 10 * BATCH
        for checkpoint in checkpoints:
            while written < checkpoint:  # fill without boto3 (not timed)
                backend.put_record(GROUP, record(written), None, None)
                written += 1
            mock_times: list[float] = []
            floor_times: list[float] = []
            collect()
            for round_index in range(rounds):
                start = written
                steps = [(mock_times, lambda: _writes(mocked, start, window)),
                         (floor_times, lambda: _writes(floor, 0, window))]
                for times, func in steps if round_index % 2 == 0 else steps[::-1]:
                    times.append(timed(func) / window)
                written += window * BATCH
            pair_ratio = median([floor / mocked for floor, mocked in zip(floor_times, mock_times)])
            results[checkpoint] = (median(mock_times) * 1e6, median(floor_times) * 1e6, pair_ratio)
        assert mock.featurestore.online_count(GROUP) == written
    rows, costs, raw = [], [], []
    for checkpoint in checkpoints:
        mock_us, floor_us, ratio = results[checkpoint]
        costs.append(1 / ratio)  # in floor units: robust to a neighbour's load
        raw.append(mock_us)
        rows.append(Row(
            case="4. Feature Store", measure=f"BatchWriteRecord of {BATCH}, store of {checkpoint:,}", unit="µs/call",
            mock=mock_us, floor=floor_us, ratio=ratio, ratio_label="throughput vs floor (median of pairs)", target=">= 0.85",
            met=ratio >= 0.85, note="botocore 1.44+ (newest set)",
        ))
    rows.append(flatness_row("BatchWriteRecord", checkpoints, costs, raw))
    return rows
