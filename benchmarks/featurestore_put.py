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
    """CPU seconds per put over ``count`` puts of distinct identifiers. Process CPU time,
    not wall time, so that other load on the machine does not skew the comparison."""
    put = client.put_record
    records = [_record(number, number) for number in range(start, start + count)]
    began = time.process_time()
    for item in records:
        put(FeatureGroupName=GROUP, Record=item)
    return (time.process_time() - began) / count


def _side_by_side(mocked: Any, floor: Any, start: int, rounds: int, batch: int) -> tuple[float, float, float]:
    """Interleaved rounds: (median mock s/put, median floor s/put, median per-round ratio)."""
    mock_times, floor_times, ratios = [], [], []
    for number in range(rounds):
        mock_time = _time_puts(mocked, start + number * batch, batch)
        floor_time = _time_puts(floor, 0, batch)
        mock_times.append(mock_time)
        floor_times.append(floor_time)
        ratios.append(floor_time / mock_time)
    return statistics.median(mock_times), statistics.median(floor_times), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, grow to 20k records only")
    args = parser.parse_args()
    rounds, batch = (9, 200) if args.quick else (15, 200)
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
        _time_puts(floor, 0, 300)  # warm up both paths (model loading, caches)
        written = 0
        print("PutRecord via boto3: mock vs canned floor, CPU time per put, interleaved rounds")
        print(f"{'records stored':>15} {'mock us/put':>12} {'floor us/put':>13} {'ratio':>7}")
        for checkpoint in checkpoints:
            fill = checkpoint - written
            if fill > 0:
                _time_puts(mocked, written, fill)
                written = checkpoint
            mock_s, floor_s, ratio = _side_by_side(mocked, floor, written, rounds, batch)
            written += rounds * batch
            print(f"{checkpoint:>15,} {mock_s * 1e6:>12.1f} {floor_s * 1e6:>13.1f} {ratio:>7.3f}")
        print("(ratio = floor time / mock time per round, median; target >= 0.85, flat across sizes)")
        print(f"\nonline records: {mock.featurestore.online_count(GROUP):,}; offline rows: {len(mock.featurestore.offline_rows(GROUP)):,}")


if __name__ == "__main__":
    main()
