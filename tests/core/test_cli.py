"""``python -m mock_putrecord demo``, the README's first command, runs in a fresh
interpreter (where no client library has been imported before the mock starts)."""
from __future__ import annotations

import subprocess
import sys


def test_demo_runs_every_service_and_exits_0() -> None:
    result = subprocess.run([sys.executable, "-m", "mock_putrecord", "demo"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    for title in ("Kinesis Data Streams", "SageMaker Feature Store", "Iguazio v3io streams"):
        assert f"== {title} " in result.stdout
    assert "Read back 64 of 64 records" in result.stdout
    # The v3io failure is explained as deliberate, "keys -" is explained, and scores
    # print the same online and offline (0.50, not 0.5).
    assert "(the failure is deliberate: one record names ShardId 7 of a 3-shard stream)" in result.stdout
    assert "(keys -: heartbeats sent without a partition key, spread round-robin)" in result.stdout
    assert "event_time=2024-01-01T00:00:00Z  score=0.50  is_deleted=False" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-m", "mock_putrecord", "nope"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "invalid choice: 'nope'" in result.stderr


def test_help_has_no_raw_rst_markup() -> None:
    result = subprocess.run([sys.executable, "-m", "mock_putrecord", "--help"], capture_output=True, text=True,
                            timeout=120, check=True)
    assert "``" not in result.stdout
    assert "python -m mock_putrecord: run the demo, or serve the mock to other processes." in result.stdout
