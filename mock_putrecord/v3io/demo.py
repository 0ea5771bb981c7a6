"""The v3io part of ``python -m mock_putrecord demo``: a producer and a consumer through
``requests``, as the web-API reference's example does, against the active mock."""
from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any, Callable

import requests

ENDPOINT = "http://v3io-webapi:8081"
STREAM = "/bigdata/demo/sensors/"


def _call(function: str, path: str, body: dict[str, Any] | None, method: str = "POST") -> requests.Response:
    headers = {"X-v3io-function": function, "X-v3io-session-key": "demo-access-key"}
    return requests.request(method, ENDPOINT + path, json=body, headers=headers, timeout=5)


def run(out: Callable[[str], None]) -> None:
    """Create a 3-shard stream, put readings (keyed, keyless, one bad shard id), read every
    shard back and print a per-shard summary. The mock must already be active."""
    response = _call("CreateStream", STREAM, {"ShardCount": 3, "RetentionPeriodHours": 24})
    out(f"CreateStream {STREAM}: HTTP {response.status_code}")

    readings = [{"sensor": f"s{i % 4}", "value": i} for i in range(12)]
    records: list[dict[str, Any]] = [
        {"Data": base64.b64encode(json.dumps(r).encode()).decode(), "PartitionKey": r["sensor"]} for r in readings
    ]
    records += [{"Data": base64.b64encode(f"heartbeat {i}".encode()).decode()} for i in range(4)]
    records.append({"Data": base64.b64encode(b"misrouted").decode(), "ShardId": 7})
    result = _call("PutRecords", STREAM, {"Records": records}).json()
    errors = Counter(r["ErrorMessage"] for r in result["Records"] if "ErrorCode" in r)
    out(f"PutRecords: {len(records)} records, FailedRecordCount={result['FailedRecordCount']} {dict(errors)}")
    out("  (the failure is deliberate: one record names ShardId 7 of a 3-shard stream)")

    out("")
    out("Consumer (Seek EARLIEST, then GetRecords on every shard):")
    total = 0
    for shard in range(_call("DescribeStream", STREAM, None, "PUT").json()["ShardCount"]):
        location = _call("Seek", f"{STREAM}{shard}/", {"Type": "EARLIEST"}, "PUT").json()["Location"]
        page = _call("GetRecords", f"{STREAM}{shard}/", {"Location": location}, "PUT").json()
        got = page["Records"]
        total += len(got)
        keys = sorted({r.get("PartitionKey", "-") for r in got})  # "-": records sent without a key
        sequences = [r["SequenceNumber"] for r in got]
        span = f"{sequences[0]}..{sequences[-1]}" if sequences else "-"
        out(
            f"  shard {shard}: {len(got):2d} records, sequence {span}, keys {', '.join(keys)}, "
            f"RecordsBehindLatest={page['RecordsBehindLatest']}"
        )
    out(f"  total read back: {total}  (keys -: heartbeats sent without a partition key, spread round-robin)")
