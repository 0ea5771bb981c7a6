"""PutRecord through boto3: mock_putrecord versus a canned-response floor, side by side.

The floor is the same kind of client with a ``before-send`` handler that returns a fixed
empty 200 (and without the mock's hook), so it costs exactly what botocore itself costs:
serialisation, signing, event emission and response parsing. The mock cannot be faster
than that; the target is at least 0.85x the floor's throughput, with a per-put cost that
stays flat as the stores grow from 1k to 200k records.

Run as a script (not part of the test run)::

    python benchmarks/featurestore_put.py            # ratio + flatness up to 200k records
    python benchmarks/featurestore_put.py --quick    # a smaller run
"""
from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from mock_putrecord import mock_putrecord
from mock_putrecord.core import interception

REGION = "us-east-1"
GROUP = "bench"


class _Raw:
    def stream(self, **_: Any) -> list[bytes]:
        return [b""]


def _canned(request: Any, **_: Any) -> AWSResponse:
    return AWSResponse(request.url, 200, {"x-amzn-RequestId": "00000000-0000-0000-0000-000000000000"}, _Raw())


def _record(identifier: int, second: int) -> list[dict[str, str]]:
    minute, sec = divmod(second % 86_400, 60)
    hour, minute = divmod(minute, 60)
    return [
        {"FeatureName": "customer_id", "ValueAsString": f"c{identifier}"},
        {"FeatureName": "event_time", "ValueAsString": f"2024-01-01T{hour:02d}:{minute:02d}:{sec:02d}Z"},
        {"FeatureName": "age", "ValueAsString": str(identifier % 90)},
        {"FeatureName": "score", "ValueAsString": "0.5"},
    ]


def _clients() -> tuple[Any, Any]:
    mocked = boto3.client("sagemaker-featurestore-runtime", region_name=REGION)
    floor = boto3.client("sagemaker-featurestore-runtime", region_name=REGION)
    floor.meta.events.unregister("before-send", interception.before_send)
    floor.meta.events.register_first("before-send", _canned)
    return mocked, floor


def _time_puts(client: Any, start: int, count: int) -> float:
    """Seconds per put over ``count`` puts of distinct identifiers."""
    put = client.put_record
    began = time.perf_counter()
    for number in range(start, start + count):
        put(FeatureGroupName=GROUP, Record=_record(number, number))
    return (time.perf_counter() - began) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, grow to 20k records only")
    args = parser.parse_args()
    rounds, batch = (5, 500) if args.quick else (9, 1000)
    checkpoints = [1_000, 10_000, 20_000] if args.quick else [1_000, 10_000, 50_000, 100_000, 200_000]

    with mock_putrecord(region=REGION) as mock:
        mock.featurestore.create_feature_group(
            GROUP,
            record_identifier="customer_id",
            event_time="event_time",
            features={"customer_id": "String", "event_time": "String", "age": "Integral", "score": "Fractional"},
            online=True,
            offline=True,
        )
        mocked, floor = _clients()
        _time_puts(mocked, 0, 200)  # warm up both paths (model loading, caches)
        _time_puts(floor, 0, 200)
        written = 200

        # 1. Ratio: interleaved rounds, medians.
        mock_times, floor_times = [], []
        for _ in range(rounds):
            mock_times.append(_time_puts(mocked, written, batch))
            written += batch
            floor_times.append(_time_puts(floor, 0, batch))
        mock_us = statistics.median(mock_times) * 1e6
        floor_us = statistics.median(floor_times) * 1e6
        print(f"PutRecord via boto3, median of {rounds} rounds x {batch} puts")
        print(f"  canned floor : {floor_us:8.1f} us/put  ({1e6 / floor_us:8.0f} puts/s)")
        print(f"  mock         : {mock_us:8.1f} us/put  ({1e6 / mock_us:8.0f} puts/s)")
        print(f"  ratio        : {floor_us / mock_us:8.3f}x of the floor (target >= 0.85)")

        # 2. Flatness: cost per put as the online and offline stores grow.
        print("\nCost per put as the stores grow (distinct identifiers, offline rows appended):")
        window = 1_000
        for checkpoint in checkpoints:
            if written < checkpoint - window:
                fill = checkpoint - window - written
                _time_puts(mocked, written, fill)
                written += fill
            per_put = _time_puts(mocked, written, window) * 1e6
            written += window
            floor_now = _time_puts(floor, 0, window) * 1e6
            print(f"  at {written:>7,} records: mock {per_put:7.1f} us/put, floor {floor_now:7.1f} us/put, ratio {floor_now / per_put:5.3f}")
        print(f"\nonline records: {mock.featurestore.online_count(GROUP):,}; offline rows: {len(mock.featurestore.offline_rows(GROUP)):,}")


if __name__ == "__main__":
    main()
