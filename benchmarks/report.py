"""Write ``docs/performance.md`` and ``docs/performance.png`` from a results JSON.

    python -m benchmarks --report            # run the full suite, then write the page
    python -m benchmarks --report --no-run   # write the page from results/latest.json
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .run import HEADER, table

DOCS = Path(__file__).resolve().parent.parent / "docs"
CHART = "performance.png"


KEPT_HEADINGS = ("## Server mode against kinesalite and kinesis-mock", "## Server soak")


def _kept_sections() -> str:
    """Hand-written sections of the current page (figures from benchmarks/server_vs_others.py
    and benchmarks/soak.py, which are not part of this suite's run), carried over verbatim."""
    try:
        current = (DOCS / "performance.md").read_text()
    except OSError:
        return ""
    kept = []
    for heading in KEPT_HEADINGS:
        start = current.find("\n" + heading + "\n")
        if start < 0:
            continue
        end = current.find("\n## ", start + 1)
        kept.append(current[start:end if end >= 0 else len(current)].rstrip() + "\n")
    return "".join(kept)


def chart(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = result["rows"]
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.6))

    puts = [r for r in rows if r["case"].startswith("1.") and r["unit"] == "ms/batch"]
    sizes = [int(r["measure"].split()[0].replace(",", "")) for r in puts]
    left.plot(sizes, [r["mock"] for r in puts], "o-", label="mock_putrecord")
    left.plot(sizes, [r["floor"] for r in puts], "s--", label="canned floor")
    moto = [(s, r["moto"]) for s, r in zip(sizes, puts) if r["moto"] is not None]
    if moto:
        left.plot([s for s, _ in moto], [m for _, m in moto], "^-", color="tab:red", label="moto mock_aws")
    if puts:  # log axes need data
        left.set_xscale("log")
        left.set_yscale("log")
    from matplotlib.ticker import ScalarFormatter

    left.yaxis.set_major_formatter(ScalarFormatter())
    left.yaxis.set_minor_formatter(ScalarFormatter())
    left.set_xlabel("records in the stream")
    left.set_ylabel("ms per 500-record put_records (log)")
    left.set_title("Kinesis put_records: cost per batch")
    left.legend()
    left.grid(True, which="both", alpha=0.3)

    # A results file may hold only some cases (``--only`` on a fresh checkout): a panel
    # whose rows are missing shows what is there instead of failing the whole report.
    bars = [(label, row) for label, row in (
        ("per-test cycle", next((r for r in rows if r["case"].startswith("2.") and r["unit"] == "ms/test"), None)),
        ("import above boto3", next((r for r in rows if r["case"].startswith("6. Import")), None)),
    ) if row is not None]
    positions = range(len(bars))
    middle.bar([p - 0.2 for p in positions], [row["mock"] for _, row in bars], 0.4, label="mock_putrecord")
    middle.bar([p + 0.2 for p in positions], [row["moto"] or 0 for _, row in bars], 0.4, label="moto", color="tab:red")
    middle.set_xticks(list(positions), [label for label, _ in bars])
    middle.set_ylabel("ms (lower is better)")
    middle.set_title("Per-test overhead and import time")
    middle.legend()
    middle.grid(True, axis="y", alpha=0.3)

    ratios = [r for r in rows if r["ratio_label"].startswith("throughput vs floor")]
    names = [f"{r['case'].split(' ', 1)[1].replace('Kinesis ', '')}\n{r['measure']}" for r in ratios]
    colours = ["tab:green" if r["met"] else "tab:orange" for r in ratios]
    right.barh(range(len(ratios)), [r["ratio"] for r in ratios], color=colours)
    right.set_yticks(range(len(ratios)), names, fontsize=7)
    right.invert_yaxis()
    for target, style in ((0.85, "--"), (0.8, ":")):
        right.axvline(target, color="black", linestyle=style, linewidth=1, label=f"target {target}")
    right.axvline(1.0, color="grey", linewidth=0.8)
    right.set_xlabel("throughput / canned floor\n(1.0 = the client library alone)")
    right.set_title("Throughput against the floor")
    right.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for cells in table(rows):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def write_report(results: Path) -> None:
    result = json.loads(results.read_text())
    DOCS.mkdir(exist_ok=True)
    chart(result, DOCS / CHART)
    machine = result["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in machine["versions"].items() if version)
    rows = result["rows"]
    met = sum(1 for r in rows if r["met"])
    judged = sum(1 for r in rows if r["met"] is not None)
    missed = [r for r in rows if r["met"] is False]
    why = {
        "2.": "**Per-test overhead vs moto.** mock_putrecord's own share of the cycle (activate, "
              "dispatch, stop) is about 0.15 ms; the rest is `boto3.client()` (~2.5 ms) and botocore's "
              "work for two API calls, which no mock can remove without changing your client. How far "
              "ahead that puts it depends on moto's cost, which varies with the process's history: "
              "measured separately in a fresh interpreter, moto's cycle cost 105–117 ms of CPU (over 20x "
              "the mock's), against the median in the table from this long run.",
        "1.": "**Kinesis at the smallest size.** Side by side on each supported botocore (1.43.11, "
              "1.43.117, 1.44.8; 3 rounds of 21 alternating chunks) the mock holds 0.86-0.94x of the "
              "floor; a single quick-mode size can dip below 0.85 on this shared machine.",
        "4.": "**BatchWriteRecord of 10 records.** The mock checks every entry as PutRecord does "
              "(the record's shape, each feature against the group's definitions, the EventTime) and "
              "stores it online and offline. Counted by `python -m benchmarks.instructions` (callgrind, "
              "immune to the machine's load) it now adds 0.37M instructions to botocore's 4.84M per "
              "call (0.93x of the floor; 0.88x before this round's work). In time it holds 0.81-0.86x "
              "(median of 31 alternating pairs, about 0.84x): after botocore's own work every object "
              "the mock touches is out of the cache, so its code runs at about half the speed it has "
              "in isolation, and the records it keeps cost the client about 2% more.",
        "5.": "**v3io against a `responses` callback.** The floor decodes the 70 KB request and "
              "answers a canned body. The mock does the service's work for each of the 1,000 "
              "records: validate it (from the `json=` object when the body is provably that "
              "object's serialization, else by parsing the body), route it by ShardId or partition "
              "key, store it and write its entry of the response, in C-level passes over the batch's "
              "columns. Against a callback that never reads the request (the reference row) that "
              "work weighs more. Counted in instructions per batch: `requests` with a do-nothing "
              "adapter costs 8.97M, the blind floor 9.18M, the mock 14.12M; 0.8x would leave the mock "
              "2.5M for its work, and routing (0.64M), sequence numbers (0.58M), the response body "
              "(0.80M) and request handling (0.49M) take that before validation (2.68M, one pass per "
              "check the service's answers depend on). No mock of a service can skip that work.",
    }
    explained = [text for prefix, text in why.items() if any(r["case"].startswith(prefix) for r in missed)]
    misses = ("\n## Where targets are missed\n\n" + "\n\n".join(explained) + "\n") if explained else ""
    kept = _kept_sections()
    runs = result.get("runs") or []
    run_lines = "".join(
        f"\n  - `{run.get('cases', 'all')}`: `{run['mode']}` mode, {run['date']}"
        + (f", botocore {run['botocore']}" if run.get("botocore") else "")
        for run in runs
    )
    run_line = (f"- **Runs:** the full run, with these cases re-run since:{run_lines}" if len(runs) > 1 else
                f"- **Run:** `{result['mode']}` mode, {result['date']}, {result['total_s']} s in all")
    page = f"""# Performance

How fast mock_putrecord is, side by side with moto's `mock_aws` and with a **canned
floor**: the same client with a handler that returns a fixed response body, which costs
exactly what botocore (or `requests` + `responses`) itself costs. A mock cannot beat its
floor; the ratios below say how close it gets.

Every figure on this page comes from the benchmark suite on one machine:

- **Machine:** {machine['cores']} cores, {machine['cpu']}; {machine['platform']}
- **Python:** {machine['implementation']} {machine['python']}
- **Libraries:** {versions}
{run_line}

The machine is shared (other jobs ran alongside), so timings are the benchmark
process's CPU time (a descheduled process is not charged for other work), each
comparison alternates its subjects round by round, and medians are reported; expect a
few percent of noise.

![Kinesis cost per batch, per-test overhead, import time and throughput ratios]({CHART})

## Results

{markdown_table(rows)}

Targets met: **{met} of {judged}**.{"" if not missed else " Missed: " + "; ".join(f"{r['case']} — {r['measure']}" for r in missed) + "."}
{misses}
How to read it:

- **Kinesis put_records** (case 1) puts 500 records of 100 bytes per call into a
  4-shard stream until it holds 10k, 100k or 1M records. moto's cost per batch grows
  with the stream (its total time is quadratic), so it runs only at the smaller sizes.
- **Per-test overhead** (case 2) is one whole test: activate, create a client, create a
  stream, put one record, stop. moto rebuilds boto3's default session on every
  activation; mock_putrecord never does.
- **GetRecords** (case 3) costs the same deep in a 1M-record shard as at the start of a
  small one: reads are O(records returned).
- **Feature Store** (case 4) and **v3io** (case 5) have no moto column: moto does not
  model the Feature Store runtime, and v3io is not an AWS service.
- **Import time** (case 6) is measured in a fresh interpreter, after `import boto3`.
- **Memory** (case 7) is what tracemalloc sees held per stored record of 1 KiB.
{kept}
## Run it yourself

```bash
pip install -e ".[bench]"
python -m benchmarks --quick             # under 2 minutes
python -m benchmarks                     # the full run behind this page
python -m benchmarks --report --no-run   # rewrite this page from benchmarks/results/latest.json
```

Benchmarks are not part of the test run; `python -m benchmarks --quick --smoke` only
checks that every case still runs.
"""
    (DOCS / "performance.md").write_text(page)
    print(f"wrote {DOCS / 'performance.md'} and {DOCS / CHART}")
