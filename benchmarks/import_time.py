"""Case 6: import time above ``import boto3``, each in a fresh interpreter (median of
several; CPU time of the child, as everywhere in the suite): ``import mock_putrecord`` against ``import moto`` and ``from moto import
mock_aws`` (what a moto test needs)."""
from __future__ import annotations

import subprocess
import sys

from .common import Config, Row, median

SCRIPT = """
import time, boto3
began = time.process_time()
{statement}
print(time.process_time() - began)
"""


def measure(statement: str) -> float:
    output = subprocess.run([sys.executable, "-c", SCRIPT.format(statement=statement)], check=True,
                            capture_output=True, text=True).stdout
    return float(output.split()[-1]) * 1e3


def run(config: Config) -> list[Row]:
    repeats = config.pick(9, 5, 1)
    statements = {"mock": "import mock_putrecord", "moto": "import moto", "moto_aws": "from moto import mock_aws"}
    times: dict[str, list[float]] = {name: [] for name in statements}
    for _ in range(repeats):  # interleaved
        for name, statement in statements.items():
            times[name].append(measure(statement))
    ms = {name: median(values) for name, values in times.items()}
    return [Row(
        case="6. Import time", measure="above import boto3 (fresh interpreter)", unit="ms",
        mock=ms["mock"], moto=ms["moto_aws"], ratio=ms["mock"], ratio_label="ms", target="<= 30 ms",
        met=ms["mock"] <= 30, note=f"moto: 'from moto import mock_aws'; bare 'import moto' {ms['moto']:.1f} ms",
        extra={"moto_import_ms": ms["moto"]},
    )]
