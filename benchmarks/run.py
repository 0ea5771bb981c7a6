"""Run the benchmark cases in one process, print the table, write ``results/latest.json``.

    python -m benchmarks [--quick] [--smoke] [--only kinesis_put,per_test] [--report]
    python benchmarks/run.py ...   (the same)
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"

CASES = ["kinesis_put", "per_test", "kinesis_reads", "featurestore", "featurestore_batch", "v3io", "v3io_kv",
         "import_time", "memory"]
RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    versions = {}
    for package in ("mock_putrecord", "boto3", "botocore", "moto", "requests", "responses"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - not installed
            versions[package] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "versions": versions,
    }


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}" if abs(value) < 1 else f"{value:.2f}"


def table(rows: list[dict[str, Any]]) -> list[list[str]]:
    """Rows of text: case, measure, unit, mock, moto, floor, ratio (label), target, met."""
    lines = []
    for row in rows:
        met = {True: "yes", False: "NO", None: ""}[row["met"]]
        ratio = _fmt(row["ratio"])
        lines.append([row["case"], row["measure"], row["unit"], _fmt(row["mock"]), _fmt(row["moto"]),
                      _fmt(row["floor"]), f"{ratio} ({row['ratio_label']})" if row["ratio_label"] else ratio,
                      row["target"], met, row["note"]])
    return lines


HEADER = ["case", "measure", "unit", "mock_putrecord", "moto", "floor", "ratio", "target", "met", "note"]


def print_table(rows: list[dict[str, Any]]) -> None:
    lines = [HEADER] + table(rows)
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER) - 1)]
    for number, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + ("  " + line[-1] if line[-1] else ""))
        if number == 0:
            print("  ".join("-" * width for width in widths))


CASE_PREFIX = {"kinesis_put": "1.", "per_test": "2.", "kinesis_reads": "3.", "featurestore": "4.",
               "featurestore_batch": "4.", "v3io": "5.", "v3io_kv": "6. v3io", "import_time": "6. Import",
               "memory": "7."}
"""How each case module's rows start (``4.`` holds two modules' rows, ``6.`` two cases)."""


def _merged(previous: dict[str, Any], new: dict[str, Any], selected: list[str]) -> dict[str, Any]:
    """``--only`` results folded into the previous results file: the re-run cases' rows
    replace theirs, every other case keeps its rows (so the report still has every case;
    a lone case used to overwrite the file and break the report's chart). Which runs the
    rows come from is kept in ``runs``."""
    def source(row: dict[str, Any]) -> str:
        if row.get("source"):
            return str(row["source"])
        if row["case"].startswith("4."):  # rows written before rows named their module
            return "featurestore_batch" if "BatchWriteRecord" in row["measure"] else "featurestore"
        return next(module for module, prefix in CASE_PREFIX.items() if row["case"].startswith(prefix))

    kept = [row for row in previous["rows"] if source(row) not in selected]
    number = lambda row: int(row["case"].split(".", 1)[0]) if row["case"].split(".", 1)[0].isdigit() else 99  # noqa: E731
    rows = sorted(kept + new["rows"], key=number)  # stable: a case's rows keep their order
    runs = previous.get("runs") or [{key: previous[key] for key in ("mode", "date", "total_s") if key in previous}
                                    | {"cases": "all"}]
    runs = runs + [{"mode": new["mode"], "date": new["date"], "total_s": new["total_s"], "cases": ",".join(selected),
                    "botocore": new["machine"]["versions"].get("botocore")}]
    return dict(new, rows=rows, runs=runs, durations_s=dict(previous.get("durations_s", {}), **new["durations_s"]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="mock_putrecord benchmarks, side by side with moto and floors")
    parser.add_argument("--quick", action="store_true", help="smaller runs; under 2 minutes")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: only checks that every case runs")
    parser.add_argument("--only", default="", help=f"comma-separated cases (of {', '.join(CASES)})")
    parser.add_argument("--output", default=None, help="JSON path (default results/latest.json; "
                                                       "smoke runs write results/smoke.json)")
    parser.add_argument("--report", action="store_true",
                        help="regenerate docs/performance.md and its chart from the JSON (after the run, "
                             "or alone with --no-run)")
    parser.add_argument("--no-run", action="store_true", help="with --report: use the existing JSON")
    args = parser.parse_args(argv)
    from .common import Config

    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    output = Path(args.output) if args.output else RESULTS / ("smoke.json" if mode == "smoke" else "latest.json")
    if not args.no_run:
        config = Config(mode)
        selected = [case.strip() for case in args.only.split(",") if case.strip()] or CASES
        rows: list[dict[str, Any]] = []
        durations = {}
        began = time.perf_counter()
        for case in selected:
            module = importlib.import_module(f"{__package__}.{case}")
            started = time.perf_counter()
            print(f"running {case} ...", file=sys.stderr, flush=True)
            rows.extend(dict(row.as_dict(), source=case) for row in module.run(config))
            durations[case] = round(time.perf_counter() - started, 1)
            print(f"  {case}: {durations[case]} s", file=sys.stderr, flush=True)
        result = {
            "mode": mode,
            "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "machine": machine(),
            "durations_s": durations,
            "total_s": round(time.perf_counter() - began, 1),
            "rows": rows,
        }
        print()
        print_table(rows)
        print(f"\n{mode} run, {result['total_s']} s; targets met: "
              f"{sum(1 for r in rows if r['met'])} of {sum(1 for r in rows if r['met'] is not None)}")
        if args.only and output.exists():
            result = _merged(json.loads(output.read_text()), result, selected)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {output}")
    if args.report:
        from .report import write_report

        write_report(output)


if __name__ == "__main__":
    main()
