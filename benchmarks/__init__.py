"""The benchmark suite: mock_putrecord side by side with moto and canned-response floors.

    python -m benchmarks                 # full run (several minutes), table + results/latest.json
    python -m benchmarks --quick         # under 2 minutes
    python -m benchmarks --quick --smoke # seconds: only checks that every case runs
    python -m benchmarks --report        # regenerate docs/performance.md (+ chart) from the JSON

Not part of the test run: timings belong here, not in ``tests/``.
"""
