"""Server-mode PutRecords records/s, side by side in one run: mock_putrecord's server
(JSON and CBOR), kinesalite (JSON and CBOR) and kinesis-mock (``kinesis-local``, JSON).

Every server is started by this script on 127.0.0.1 and stopped at the end of its turn.
kinesalite and kinesis-local are installed from npm into a cache directory
(``~/.cache/mock_putrecord-bench-node``, or ``$MOCK_PUTRECORD_BENCH_NODE``) on first
use and run with ``node``; both would listen on every interface, so ``node`` is started
with a small preload that pins every ``listen`` to 127.0.0.1.

The load is the same for every server: ``--clients`` producer processes, each on one
keep-alive connection, sending up to ``--batches`` PutRecords calls of 500 records of
100 bytes (CBOR: ``--cbor-batch``, 100 by default, as kinesalite cuts CBOR replies
over 16 KiB short) to a 4-shard stream, stopping early after ``--seconds``. The JSON load is
plain boto3 with ``endpoint_url``; the CBOR load is a raw ``http.client`` loop posting
cbor2-encoded PutRecords (``application/x-amz-cbor-1.1``) with a SigV4-shaped
Authorization header, as the AWS SDK for Java sends them. Producers start together at
an agreed moment after their imports and a warm-up call; throughput is the records
acknowledged over the time from that moment to the last producer's end.

    python -m benchmarks.server_vs_others            # the default load
    python -m benchmarks.server_vs_others --quick    # a smaller one

Needs node and npm for the competitors (each is skipped, with the reason, if it cannot
start) and cbor2 for the CBOR rows.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

if __package__ in (None, ""):  # run as a file: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

from .server_throughput import BATCH, CLIENT_ENV, RECORD_BYTES, SETUP, SHARDS, served_by

NODE_DIR = Path(os.environ.get("MOCK_PUTRECORD_BENCH_NODE",
                               Path.home() / ".cache" / "mock_putrecord-bench-node"))
NODE_PACKAGES = ["kinesalite", "kinesis-local"]

# Preloaded into node: every server listens on 127.0.0.1 only, whatever host it asks for.
LOOPBACK_JS = """
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args.length && typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    args[0] = Object.assign({}, args[0], {host: '127.0.0.1'});
  } else if (args.length && (typeof args[0] === 'number' || /^[0-9]+$/.test(String(args[0])))) {
    if (typeof args[1] === 'string') args[1] = '127.0.0.1'; else args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
"""

PRODUCER = """
import json, os, sys, time
mode, url, stream, batches, start_at, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
size = int(sys.argv[7])
worker = os.getpid()
records = [[(os.urandom(%(size)d), "%%d-%%d-%%d" %% (worker, b, i)) for i in range(size)] for b in range(batches + 1)]
if mode == "json":
    import boto3
    client = boto3.client("kinesis", endpoint_url=url, region_name="us-east-1")
    def put(batch):
        reply = client.put_records(StreamName=stream, Records=[{"Data": d, "PartitionKey": k} for d, k in batch])
        return reply["FailedRecordCount"]
else:
    import http.client, cbor2
    host, port = url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    def put(batch):
        body = cbor2.dumps({"StreamName": stream, "Records": [{"Data": d, "PartitionKey": k} for d, k in batch]})
        stamp = time.strftime("%%Y%%m%%dT%%H%%M%%SZ", time.gmtime())
        conn.request("POST", "/", body, {
            "Content-Type": "application/x-amz-cbor-1.1",
            "X-Amz-Target": "Kinesis_20131202.PutRecords",
            "X-Amz-Date": stamp,
            "Authorization": "AWS4-HMAC-SHA256 Credential=bench/%%s/us-east-1/kinesis/aws4_request, "
                             "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=%%s" %% (stamp[:8], "0" * 64),
        })
        response = conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise SystemExit("CBOR PutRecords: HTTP %%d %%r" %% (response.status, payload[:300]))
        return cbor2.loads(payload)["FailedRecordCount"]
assert put(records[0]) == 0  # connection, lazy imports
delay = start_at - time.time()
if delay > 0:
    time.sleep(delay)
deadline = start_at + seconds
failed = sent = 0
for batch in records[1:]:
    failed += put(batch)
    sent += len(batch)
    if time.time() >= deadline:
        break
print(json.dumps({"end": time.time(), "records": sent - failed, "failed": failed}))
""" % {"size": RECORD_BYTES}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with code {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"not listening on 127.0.0.1:{port} after {timeout:.0f} s")


def ensure_node_packages() -> Path:
    """The npm packages in the cache directory; installs them on first use."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("node or npm not on PATH")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    missing = [name for name in NODE_PACKAGES if not (NODE_DIR / "node_modules" / name / "package.json").exists()]
    if missing:
        if not (NODE_DIR / "package.json").exists():
            (NODE_DIR / "package.json").write_text('{"name": "mock-putrecord-bench-node", "private": true}\n')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", *missing], cwd=NODE_DIR, check=True,
                       stdout=subprocess.DEVNULL, timeout=600)
    loopback = NODE_DIR / "loopback.js"
    if not loopback.exists() or loopback.read_text() != LOOPBACK_JS:
        loopback.write_text(LOOPBACK_JS)
    return NODE_DIR


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def node_server(kind: str) -> Iterator[str]:
    base = ensure_node_packages()
    port = free_port()
    env = dict(os.environ)
    if kind == "kinesalite":
        script = base / "node_modules" / "kinesalite" / "cli.js"
        argv = [str(script), "--port", str(port), "--createStreamMs", "0", "--deleteStreamMs", "0",
                "--updateStreamMs", "0", "--shardLimit", "100"]
        startup = 30.0
    else:
        script = base / "node_modules" / "kinesis-local" / "main.js"
        argv = [str(script)]
        env.update({"KINESIS_MOCK_PLAIN_PORT": str(port), "KINESIS_MOCK_TLS_PORT": str(free_port()),
                    "KINESIS_MOCK_CERT_PATH": str(script.parent / "server.json"),
                    "CREATE_STREAM_DURATION": "0ms", "DELETE_STREAM_DURATION": "0ms",
                    "SHOULD_PERSIST_DATA": "false", "LOG_LEVEL": "WARN", "ROOT_LOG_LEVEL": "ERROR",
                    "SHARD_LIMIT": "100"})
        startup = 120.0
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(["node", "--require", str(base / "loopback.js"), *argv], cwd=base, env=env,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        try:
            wait_for_port(port, process, startup)
        except RuntimeError as error:
            log.seek(0)
            tail = log.read().decode(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"{kind} {error}: {' | '.join(tail)}") from None
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
        log.close()


SERVERS = {"mock_putrecord": lambda: served_by("mock_putrecord"), "kinesalite": lambda: node_server("kinesalite"),
           "kinesis-mock": lambda: node_server("kinesis-mock")}


def run_round(mode: str, url: str, stream: str, clients: int, batches: int, seconds: float, size: int) -> dict:
    env = {**os.environ, **CLIENT_ENV}
    subprocess.run([sys.executable, "-c", SETUP, url, stream, str(SHARDS)], check=True, env=env, timeout=180,
                   stdout=subprocess.DEVNULL)
    start_at = time.time() + 2.5 + 0.5 * clients  # after every producer's imports and warm-up
    producers = [subprocess.Popen([sys.executable, "-c", PRODUCER, mode, url, stream, str(batches),
                                   repr(start_at), repr(seconds), str(size)], stdout=subprocess.PIPE, text=True, env=env)
                 for _ in range(clients)]
    results = []
    for producer in producers:
        out, _ = producer.communicate(timeout=seconds + 300)
        if producer.returncode != 0:
            raise RuntimeError(f"a {mode} producer failed against {url}")
        results.append(json.loads(out))
    if time.time() < start_at:
        raise RuntimeError("the producers finished before the agreed start")
    elapsed = max(r["end"] for r in results) - start_at
    records = sum(r["records"] for r in results)
    return {"records": records, "seconds": elapsed, "failed": sum(r["failed"] for r in results),
            "records_per_second": records / elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=2, help="producer processes (default 2)")
    parser.add_argument("--batches", type=int, default=40, help="most PutRecords calls per producer (default 40)")
    parser.add_argument("--seconds", type=float, default=10.0, help="stop each producer after this (default 10)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per server and mode (default 1)")
    parser.add_argument("--cbor-batch", type=int, default=100,
                        help="records per CBOR PutRecords call (default 100: kinesalite truncates CBOR replies "
                             "at 16 KiB, so a 500-record reply comes back cut short)")
    parser.add_argument("--only", default="", help="comma-separated servers: mock_putrecord,kinesalite,kinesis-mock")
    parser.add_argument("--quick", action="store_true", help="1 producer, 10 batches, 5 s, 1 round")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.batches, args.seconds, args.rounds = 1, 10, 5.0, 1
    wanted = [s for s in args.only.split(",") if s] or list(SERVERS)
    try:
        import cbor2  # noqa: F401
        modes = {"mock_putrecord": ["json", "cbor"], "kinesalite": ["json", "cbor"], "kinesis-mock": ["json"]}
    except ImportError:
        print("cbor2 not installed: CBOR rows skipped")
        modes = {"mock_putrecord": ["json"], "kinesalite": ["json"], "kinesis-mock": ["json"]}

    figures: dict[str, list[dict]] = {}
    skipped: dict[str, str] = {}
    for index in range(args.rounds):
        for name in wanted:
            if name in skipped:
                continue
            try:
                with SERVERS[name]() as url:
                    for mode in modes[name]:
                        size = args.cbor_batch if mode == "cbor" else BATCH
                        result = run_round(mode, url, f"bench-{mode}-{index}", args.clients,
                                           args.batches * BATCH // size, args.seconds, size)
                        figures.setdefault(f"{name} {mode}", []).append(result)
                        print(f"  round {index + 1} {name + ' ' + mode:<22} {result['records_per_second']:>10,.0f}"
                              f" records/s ({result['records']:,} records in {result['seconds']:.2f} s)", flush=True)
            except (RuntimeError, subprocess.SubprocessError, OSError) as error:
                skipped[name] = str(error)
                print(f"  {name}: skipped: {error}", flush=True)

    medians = {key: statistics.median(r["records_per_second"] for r in results) for key, results in figures.items()}
    print()
    print(f"PutRecords, {BATCH} records (CBOR: {args.cbor_batch}) x {RECORD_BYTES} B per call, {SHARDS}-shard stream, "
          f"{args.clients} producer process(es) x up to {args.batches * BATCH:,} records or {args.seconds:g} s, "
          f"median of {args.rounds} round(s)")
    for key, value in medians.items():
        print(f"  {key:<24} {value:>10,.0f} records/s")
    targets = [("mock_putrecord json", "kinesalite json", 4.0), ("mock_putrecord json", "kinesis-mock json", 50.0),
               ("mock_putrecord cbor", "kinesalite cbor", 4.0)]
    ratios = []
    for ours_key, theirs_key, target in targets:
        if ours_key in medians and theirs_key in medians:
            ratio = medians[ours_key] / medians[theirs_key]
            ratios.append({"ours": ours_key, "theirs": theirs_key, "ratio": ratio, "target": target,
                           "met": ratio >= target})
            print(f"  {ours_key} / {theirs_key}: {ratio:.1f}x (target >= {target:g}x: "
                  f"{'met' if ratio >= target else 'NOT met'})")
        else:
            print(f"  {ours_key} / {theirs_key}: not measured")
    for name, reason in skipped.items():
        print(f"  skipped {name}: {reason}")
    if args.json:
        Path(args.json).write_text(json.dumps({"medians": medians, "rounds": figures, "ratios": ratios,
                                               "skipped": skipped}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
