"""The benchmark report: it regenerates from partial results, and ``--only`` runs merge."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import report, run


def _row(case: str, measure: str, source: str | None = None) -> dict[str, object]:
    row: dict[str, object] = {"case": case, "measure": measure, "unit": "ms/batch", "mock": 1.0, "floor": 0.9,
                              "moto": None, "ratio": 0.9, "ratio_label": "throughput vs floor", "target": ">= 0.8",
                              "met": True, "note": "", "extra": {}}
    if source:
        row["source"] = source
    return row


def _result(rows: list[dict[str, object]], mode: str = "quick") -> dict[str, object]:
    return {"mode": mode, "date": "2026-11-29 09:00:00 +0000", "total_s": 1.0, "durations_s": {},
            "machine": {"cores": 2, "cpu": "test", "platform": "test", "implementation": "CPython",
                        "python": "3.11", "versions": {"botocore": "1.44.8"}}, "rows": rows}


def test_report_regenerates_from_results_holding_only_some_cases(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(report, "DOCS", tmp_path)
    results = tmp_path / "partial.json"
    results.write_text(json.dumps(_result([_row("5. v3io PutRecords", "1,000-record batches via requests")])))
    report.write_report(results)  # raised StopIteration (no per-test row) before
    page = (tmp_path / "performance.md").read_text()
    assert "| 5. v3io PutRecords | 1,000-record batches via requests |" in page
    assert (tmp_path / report.CHART).stat().st_size > 0


def test_only_run_replaces_its_own_rows_and_keeps_the_others() -> None:
    previous = _result([_row("1. Kinesis put_records", "10,000"), _row("4. Feature Store", "PutRecord, store of 1,000"),
                        _row("5. v3io PutRecords", "old")], mode="full")
    new = _result([_row("4. Feature Store", "BatchWriteRecord of 10, store of 1,000", "featurestore_batch"),
                   _row("5. v3io PutRecords", "new", "v3io")])
    merged = run._merged(previous, new, ["featurestore_batch", "v3io"])
    assert [(r["case"], r["measure"]) for r in merged["rows"]] == [
        ("1. Kinesis put_records", "10,000"),
        ("4. Feature Store", "PutRecord, store of 1,000"),
        ("4. Feature Store", "BatchWriteRecord of 10, store of 1,000"),
        ("5. v3io PutRecords", "new"),
    ]
    assert [r["cases"] for r in merged["runs"]] == ["all", "featurestore_batch,v3io"]


def test_the_two_cases_numbered_6_are_told_apart() -> None:
    previous = _result([_row("6. Import time", "above import boto3"), _row("7. Memory", "per record")], mode="full")
    new = _result([_row("6. v3io KV and objects", "GetItems: middle page", "v3io_kv")])
    merged = run._merged(previous, new, ["v3io_kv"])
    assert [r["case"] for r in merged["rows"]] == ["6. Import time", "6. v3io KV and objects", "7. Memory"]
