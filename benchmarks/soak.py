"""Soak: minutes of mixed Kinesis load against mock_putrecord's server, memory sampled,
then every record acknowledged is read back: none may be lost or duplicated.

The server runs in a process of its own on 127.0.0.1. ``--connections`` threads (50 by
default), each on one keep-alive ``http.client`` connection, loop over a mix of
PutRecords (20 records), PutRecord, GetRecords (following its own shard iterator) and
DescribeStreamSummary on a 4-shard stream for ``--minutes`` (10 by default). Every
``--sample`` seconds the server process's resident set (``VmRSS``) is read. At the end
every shard is read from TRIM_HORIZON and the records found are compared, as a
multiset, with the records whose puts were acknowledged.

The memory bound: the growth of the server's RSS from the start of the load to its end
must stay within ``--base-mib`` (32 MiB by default) plus ``--per-record`` bytes (1,024 by
default) for each record stored. Stored records are data the server must keep; anything
beyond that allowance (a per-request leak, an unbounded call log) fails the run.

    python -m benchmarks.soak                 # 10 minutes
    python -m benchmarks.soak --minutes 2     # shorter

Linux only (reads ``/proc``).
"""
from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from .server_throughput import hosted

STREAM = "soak"
SHARDS = 4
RECORD_BYTES = 100
PUT_BATCH = 20
MIX = [("PutRecords", 3), ("PutRecord", 3), ("GetRecords", 2), ("DescribeStreamSummary", 2)]


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class Client:
    """One keep-alive connection speaking Kinesis JSON 1.1."""

    def __init__(self, host: str, port: int) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def call(self, operation: str, body: dict) -> dict:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self.conn.request("POST", "/", json.dumps(body), {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"Kinesis_20131202.{operation}",
            "X-Amz-Date": stamp,
            "Authorization": f"AWS4-HMAC-SHA256 Credential=soak/{stamp[:8]}/us-east-1/kinesis/aws4_request, "
                             f"SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={'0' * 64}",
        })
        response = self.conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"{operation}: HTTP {response.status} {payload[:200]!r}")
        return json.loads(payload) if payload else {}


def data_for(worker: int, seq: int) -> str:
    tag = f"{worker:03d}-{seq:012d}-".encode()
    return base64.b64encode(tag + b"x" * (RECORD_BYTES - len(tag))).decode()


class Worker(threading.Thread):
    def __init__(self, index: int, host: str, port: int, until: float, shard_ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.index, self.until = index, until
        self.client = Client(host, port)
        self.shard = shard_ids[index % len(shard_ids)]
        self.acked: list[str] = []
        self.calls: collections.Counter[str] = collections.Counter()
        self.failed_records = 0
        self.error: BaseException | None = None
        self.seq = 0
        self.iterator: str | None = None
        self.random = random.Random(index)

    def next_data(self) -> str:
        self.seq += 1
        return data_for(self.index, self.seq)

    def run(self) -> None:
        operations = [name for name, weight in MIX for _ in range(weight)]
        try:
            while time.time() < self.until:
                operation = self.random.choice(operations)
                self.calls[operation] += 1
                if operation == "PutRecords":
                    batch = [self.next_data() for _ in range(PUT_BATCH)]
                    reply = self.client.call("PutRecords", {"StreamName": STREAM, "Records": [
                        {"Data": d, "PartitionKey": f"{self.index}-{i}"} for i, d in enumerate(batch)]})
                    for data, entry in zip(batch, reply["Records"]):
                        if "SequenceNumber" in entry:
                            self.acked.append(data)
                        else:
                            self.failed_records += 1
                elif operation == "PutRecord":
                    data = self.next_data()
                    reply = self.client.call("PutRecord", {"StreamName": STREAM, "Data": data,
                                                           "PartitionKey": f"{self.index}-{self.seq}"})
                    if "SequenceNumber" in reply:
                        self.acked.append(data)
                elif operation == "GetRecords":
                    if self.iterator is None:
                        self.iterator = self.client.call("GetShardIterator", {
                            "StreamName": STREAM, "ShardId": self.shard,
                            "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
                    reply = self.client.call("GetRecords", {"ShardIterator": self.iterator, "Limit": 100})
                    self.iterator = reply.get("NextShardIterator")
                else:
                    self.client.call("DescribeStreamSummary", {"StreamName": STREAM})
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            self.error = error


def read_back(client: Client, shard_ids: list[str]) -> collections.Counter[str]:
    found: collections.Counter[str] = collections.Counter()
    for shard in shard_ids:
        iterator = client.call("GetShardIterator", {"StreamName": STREAM, "ShardId": shard,
                                                    "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        while iterator:
            reply = client.call("GetRecords", {"ShardIterator": iterator, "Limit": 10000})
            found.update(record["Data"] for record in reply["Records"])
            if not reply["Records"] and reply.get("MillisBehindLatest", 0) == 0:
                break
            iterator = reply.get("NextShardIterator")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the load (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="keep-alive connections (default 50)")
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples (default 5)")
    parser.add_argument("--base-mib", type=float, default=32.0, help="allowed RSS growth, MiB (default 32)")
    parser.add_argument("--per-record", type=int, default=1024,
                        help="allowed RSS growth per stored record, bytes (default 1024)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args(argv)

    with hosted("mock_putrecord") as (url, pid):
        host, port = url.split("//", 1)[1].split(":")
        setup = Client(host, int(port))
        setup.call("CreateStream", {"StreamName": STREAM, "ShardCount": SHARDS})
        for _ in range(100):
            summary = setup.call("DescribeStreamSummary", {"StreamName": STREAM})["StreamDescriptionSummary"]
            if summary["StreamStatus"] == "ACTIVE":
                break
            time.sleep(0.1)
        shard_ids = [s["ShardId"] for s in setup.call("ListShards", {"StreamName": STREAM})["Shards"]]

        start_rss = rss_bytes(pid)
        started = time.time()
        until = started + args.minutes * 60
        workers = [Worker(i, host, int(port), until, shard_ids) for i in range(args.connections)]
        for worker in workers:
            worker.start()
        samples = [(0.0, start_rss)]
        print(f"soak: {args.connections} connections for {args.minutes:g} min against {url} (pid {pid}); "
              f"RSS at start {start_rss / 2**20:.1f} MiB", flush=True)
        while any(worker.is_alive() for worker in workers):
            time.sleep(min(args.sample, max(0.1, until - time.time() + 0.1)))
            sample = (time.time() - started, rss_bytes(pid))
            samples.append(sample)
            if len(samples) % max(1, int(30 / args.sample)) == 0:
                print(f"  {sample[0]:6.0f} s  RSS {sample[1] / 2**20:7.1f} MiB  "
                      f"acked {sum(len(w.acked) for w in workers):,} records", flush=True)
        for worker in workers:
            worker.join()
        elapsed = time.time() - started
        end_rss = rss_bytes(pid)
        errors = [f"worker {w.index}: {w.error!r}" for w in workers if w.error is not None]

        acked = collections.Counter(data for worker in workers for data in worker.acked)
        found = read_back(Client(host, int(port)), shard_ids)  # a fresh connection: the setup one idled out
        lost = sum((acked - found).values())
        duplicated = sum((found - acked).values())
        calls: collections.Counter[str] = collections.Counter()
        for worker in workers:
            calls.update(worker.calls)
        stored = sum(found.values())

    max_rss = max(rss for _, rss in samples + [(elapsed, end_rss)])
    growth = end_rss - start_rss
    allowed = args.base_mib * 2**20 + args.per_record * stored
    total_calls = sum(calls.values())
    memory_ok = growth <= allowed and max_rss - start_rss <= allowed
    passed = memory_ok and lost == 0 and duplicated == 0 and not errors and sum(acked.values()) > 0
    print()
    print(f"soak: {elapsed:.0f} s, {args.connections} keep-alive connections, {total_calls:,} calls "
          f"({total_calls / elapsed:,.0f}/s): " + ", ".join(f"{name} {count:,}" for name, count in calls.items()))
    print(f"  memory (server RSS): start {start_rss / 2**20:.1f} MiB, end {end_rss / 2**20:.1f} MiB, "
          f"max {max_rss / 2**20:.1f} MiB; growth {growth / 2**20:.1f} MiB "
          f"({growth / max(stored, 1):,.0f} B per stored record, {growth / max(total_calls, 1):,.0f} B per call)")
    print(f"  bound: growth <= {args.base_mib:g} MiB + {args.per_record:,} B x {stored:,} stored records = "
          f"{allowed / 2**20:.1f} MiB: {'within' if memory_ok else 'EXCEEDED'}")
    print(f"  records: {sum(acked.values()):,} acknowledged, {stored:,} read back, {lost:,} lost, "
          f"{duplicated:,} duplicated or unexpected, {sum(w.failed_records for w in workers):,} refused by the server")
    for error in errors[:5]:
        print(f"  error: {error}")
    print(f"  {'PASS' if passed else 'FAIL'}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "seconds": elapsed, "connections": args.connections, "calls": dict(calls),
            "rss": {"start": start_rss, "end": end_rss, "max": max_rss, "allowed_growth": allowed},
            "samples": samples, "acknowledged": sum(acked.values()), "read_back": stored, "lost": lost,
            "duplicated": duplicated, "errors": errors, "passed": passed}, indent=2) + "\n")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
