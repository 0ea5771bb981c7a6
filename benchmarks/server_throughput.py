"""Server-mode ``put_records`` throughput: mock_putrecord's ``MockServer`` against moto's
``ThreadedMotoServer``, the same load, in one run.

Each server runs on a background thread of a fresh process of its own, bound to 127.0.0.1. The load comes from
``--clients`` producer processes (plain boto3 with ``endpoint_url``, never importing
either mock), each sending ``--batches`` ``put_records`` calls of 500 records of 100
bytes to a 4-shard stream, one call after the other on a keep-alive connection. The
producers start together at an agreed moment after their imports and a warm-up call;
throughput is all records over the time from that moment to the last producer's end.
The two servers take turns for ``--rounds`` rounds (a fresh stream each round) and the
median round is reported.

    python benchmarks/server_throughput.py            # the default load
    python benchmarks/server_throughput.py --quick    # a smaller one, a few seconds

Needs moto with its server extra (``pip install "moto[server,kinesis]"``).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from contextlib import contextmanager
from typing import Iterator

RECORD_BYTES = 100
BATCH = 500
SHARDS = 4
REGION = "us-east-1"
CLIENT_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}

SETUP = """
import sys, boto3
client = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1")
client.create_stream(StreamName=sys.argv[2], ShardCount=int(sys.argv[3]))
client.get_waiter("stream_exists").wait(StreamName=sys.argv[2], WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
"""

PRODUCER = """
import json, os, sys, time, boto3
url, stream, batches, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
client = boto3.client("kinesis", endpoint_url=url, region_name="us-east-1")
worker = os.getpid()
records = [[{"Data": os.urandom(%(size)d), "PartitionKey": "%%d-%%d-%%d" %% (worker, b, i)}
            for i in range(%(batch)d)] for b in range(batches + 1)]
warm = client.put_records(StreamName=stream, Records=records[0])  # connection, lazy imports
assert warm["FailedRecordCount"] == 0, warm
delay = start_at - time.time()
if delay > 0:
    time.sleep(delay)
failed = 0
for batch in records[1:]:
    failed += client.put_records(StreamName=stream, Records=batch)["FailedRecordCount"]
print(json.dumps({"end": time.time(), "records": batches * %(batch)d, "failed": failed}))
""" % {"size": RECORD_BYTES, "batch": BATCH}


@dataclass
class Round:
    seconds: float
    records: int

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds


def run_round(url: str, stream: str, clients: int, batches: int) -> Round:
    env = {**os.environ, **CLIENT_ENV}
    subprocess.run([sys.executable, "-c", SETUP, url, stream, str(SHARDS)], check=True, env=env, timeout=120)
    start_at = time.time() + 2.0 + 0.5 * clients  # after every producer's imports and warm-up
    producers = [
        subprocess.Popen([sys.executable, "-c", PRODUCER, url, stream, str(batches), repr(start_at)],
                         stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(clients)
    ]
    results = []
    for producer in producers:
        out, _ = producer.communicate(timeout=600)
        if producer.returncode != 0:
            raise SystemExit(f"a producer failed against {url}")
        results.append(json.loads(out))
    if time.time() < start_at:
        raise SystemExit("the producers finished before the agreed start")
    if any(r["failed"] for r in results):
        raise SystemExit(f"records failed against {url}: {results}")
    return Round(max(r["end"] for r in results) - start_at, sum(r["records"] for r in results))


SERVER_HOST = """
import logging, sys
if sys.argv[1] == "moto":
    from moto.server import ThreadedMotoServer
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access-log line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print("http://%s:%d" % (host, port), flush=True)
else:
    from mock_putrecord.server import MockServer
    server = MockServer().start()
    print(server.url, flush=True)
sys.stdin.read()  # serve until the benchmark closes our stdin
server.stop()
"""


@contextmanager
def hosted(kind: str) -> Iterator[tuple[str, int]]:
    """A fresh server process of ``kind`` (``mock_putrecord`` or ``moto``), as its URL and
    process id: each round's server starts from a clean interpreter, so neither inherits
    the other's heap. It stops when the block ends."""
    host = subprocess.Popen([sys.executable, "-c", SERVER_HOST, kind], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert host.stdin is not None and host.stdout is not None
    try:
        url = host.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise SystemExit(f"the {kind} server did not start")
        yield url, host.pid
    finally:
        host.stdin.close()
        try:
            host.wait(timeout=30)
        except subprocess.TimeoutExpired:
            host.kill()
            host.wait()


@contextmanager
def served_by(kind: str) -> Iterator[str]:
    """The URL of a fresh server process of ``kind`` (see :func:`hosted`)."""
    with hosted(kind) as (url, _):
        yield url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=2, help="producer processes (default 2)")
    parser.add_argument("--batches", type=int, default=40, help="put_records calls per producer (default 40)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server, alternating (default 3)")
    parser.add_argument("--quick", action="store_true", help="1 producer, 10 batches, 1 round")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.batches, args.rounds = 1, 10, 1

    servers = {"mock_putrecord MockServer": "mock_putrecord", "moto ThreadedMotoServer": "moto"}
    rounds: dict[str, list[Round]] = {name: [] for name in servers}
    for index in range(args.rounds):
        order = list(servers.items())
        if index % 2:
            order.reverse()  # neither server always goes first
        for name, kind in order:
            with served_by(kind) as url:
                result = run_round(url, f"bench-{index}", args.clients, args.batches)
            rounds[name].append(result)
            print(f"  round {index + 1} {name:<26} {result.records_per_second:>10,.0f} records/s "
                  f"({result.records:,} records in {result.seconds:.2f} s)", flush=True)

    print()
    print(f"put_records, {BATCH} records x {RECORD_BYTES} B per call, {SHARDS}-shard stream, "
          f"{args.clients} producer process(es) x {args.batches} calls, median of {args.rounds} round(s)")
    medians = {name: statistics.median(r.records_per_second for r in results) for name, results in rounds.items()}
    for name, value in medians.items():
        print(f"  {name:<26} {value:>10,.0f} records/s  {value / BATCH:>8,.1f} calls/s")
    ours, theirs = medians["mock_putrecord MockServer"], medians["moto ThreadedMotoServer"]
    print(f"  ratio (mock_putrecord / moto): {ours / theirs:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
