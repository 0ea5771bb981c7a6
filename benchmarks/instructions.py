"""Instructions per call, mock against floor, counted by valgrind's callgrind.

A shared machine's timings scatter (the figures in ``docs/performance.md`` move by ±10%
between runs on 2 busy cores); instruction counts do not. Each subject runs in a child
process under ``valgrind --tool=callgrind``, counting only inside one
``functools.reduce`` over the timed calls (``--toggle-collect``), after a warm-up. The
ratio floor/mock in instructions is what the time ratio would be if every instruction
cost the same; the time ratio is lower where the mock's stored records crowd the caches
that botocore's own work uses, so read both.

    python -m benchmarks.instructions [--calls N] [--only featurestore_batch,v3io,kinesis_put]

Needs ``valgrind`` on PATH; about a minute per subject and side.
"""
from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from typing import Any, Callable

SUBJECTS = {
    "featurestore_batch": ("BatchWriteRecord of 10 (botocore 1.44+)", ("floor", "mock")),
    "v3io": ("v3io PutRecords of 1,000 via requests", ("blind_floor", "decoding_floor", "mock")),
    "kinesis_put": ("Kinesis put_records of 500", ("floor", "mock")),
}


# ---------------------------------------------------------------- children (under valgrind)
def _featurestore_batch(side: str) -> tuple[Callable[[int], None], Any]:
    from mock_putrecord import mock_putrecord

    from .featurestore import GROUP, _floor, benchmark_group, record

    mock = mock_putrecord(region="us-east-1")
    handle = mock.start()
    _, mocked = benchmark_group(handle)
    client = _floor(b'{"Errors":[],"UnprocessedEntries":[]}') if side == "floor" else mocked
    write = client.batch_write_record

    def call(number: int) -> None:
        first = 1_000_000 + number * 10
        write(Entries=[{"FeatureGroupName": GROUP, "Record": record(index)} for index in range(first, first + 10)])

    return call, mock


def _v3io(side: str) -> tuple[Callable[[int], None], Any]:
    import re as regex

    import requests
    import responses

    from mock_putrecord import mock_putrecord

    from .v3io import HEADERS, URL, _blind_callback, _decoding_callback, payload

    body = payload()
    if side == "mock":
        activation: Any = mock_putrecord()
        activation.start().v3io.create_stream("bigdata", "bench/stream", shard_count=4)
    else:
        activation = responses.RequestsMock(assert_all_requests_are_fired=False)
        activation.start()
        callback = _blind_callback if side == "blind_floor" else _decoding_callback
        activation.add_callback(responses.POST, regex.compile(".*"), callback=callback)
    post = requests.Session().post

    def call(number: int) -> None:
        post(URL, json=body, headers=HEADERS)

    return call, activation


def _kinesis_put(side: str) -> tuple[Callable[[int], None], Any]:
    import boto3

    from mock_putrecord import mock_putrecord

    from .kinesis_put import SHARDS, batches, floor_client, put_records_body

    mock = mock_putrecord(region="us-east-1")
    mock.start().kinesis.create_stream("bench", shard_count=SHARDS)
    client = floor_client(put_records_body()) if side == "floor" else boto3.client("kinesis", region_name="us-east-1")
    prepared = batches()
    put = client.put_records

    def call(number: int) -> None:
        put(StreamName="bench", Records=prepared[number % len(prepared)])

    return call, mock


def child(subject: str, side: str, calls: int) -> None:
    """Set up ``subject``'s ``side``, warm up, then run ``calls`` calls inside the one
    ``functools.reduce`` callgrind counts."""
    call, activation = {"featurestore_batch": _featurestore_batch, "v3io": _v3io, "kinesis_put": _kinesis_put}[
        subject
    ](side)
    for number in range(20):
        call(number)
    functools.reduce(lambda _, number: call(number), range(20, 20 + calls), None)
    activation.stop()


# ---------------------------------------------------------------- parent
def _count(subject: str, side: str, calls: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            "valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=functools_reduce",
            f"--callgrind-out-file={scratch}/out", sys.executable, "-m", "benchmarks.instructions",
            "--child", subject, side, str(calls),
        ]
        environment = dict(os.environ, PYTHONHASHSEED="0")  # the same dict layouts in every run
        done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"{subject} {side} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1)) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--only", default=",".join(SUBJECTS))
    parser.add_argument("--child", nargs=3, metavar=("SUBJECT", "SIDE", "CALLS"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        subject, side, calls = arguments.child
        child(subject, side, int(calls))
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not on PATH (apt-get install valgrind)")
    for subject in arguments.only.split(","):
        label, sides = SUBJECTS[subject]
        if subject == "featurestore_batch":
            import boto3

            if "BatchWriteRecord" not in boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1").meta.service_model.operation_names:
                print(f"{label}: skipped (this botocore has no BatchWriteRecord)")
                continue
        counts = {side: _count(subject, side, arguments.calls) for side in sides}
        mock = counts["mock"]
        figures = ", ".join(
            f"{side} {count / 1e6:.3f}M (ratio {count / mock:.3f})" for side, count in counts.items() if side != "mock"
        )
        print(f"{label}: mock {mock / 1e6:.3f}M instructions/call; {figures}", flush=True)


if __name__ == "__main__":
    main()
