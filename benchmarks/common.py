"""What every case shares: the run configuration, timing helpers and result rows."""
from __future__ import annotations

import gc
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

REGION = "us-east-1"


@dataclass
class Config:
    mode: str = "full"
    """``full``, ``quick`` (under 2 minutes) or ``smoke`` (tiny sizes; checks only that it runs)."""

    def pick(self, full: Any, quick: Any, smoke: Any) -> Any:
        return {"full": full, "quick": quick, "smoke": smoke}[self.mode]


@dataclass
class Row:
    """One line of the results table."""

    case: str
    measure: str
    unit: str
    mock: float | None
    floor: float | None = None
    moto: float | None = None
    ratio: float | None = None
    """The figure the target is about (throughput vs floor, moto / mock, ...)."""
    ratio_label: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


CLOCK = time.process_time
"""Timings are this process's CPU time, not wall time: the machine is shared (2 cores,
other jobs), and a descheduled benchmark should not be charged for someone else's work.
Every subject runs single-threaded in this process, so CPU time is the cost."""


def timed(func: Callable[[], Any]) -> float:
    """CPU seconds one call of ``func`` takes."""
    began = CLOCK()
    func()
    return CLOCK() - began


def interleaved(subjects: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Time each subject once per round, alternating (so both see the same machine state,
    which matters on a shared 2-core box); returns every round's seconds per subject."""
    times: dict[str, list[float]] = {name: [] for name in subjects}
    for round_index in range(rounds):
        order = list(subjects.items())
        if round_index % 2:
            order.reverse()  # neither subject always goes first
        for name, func in order:
            times[name].append(timed(func))
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def collect() -> None:
    """A full collection before a timed section, so it does not pay for earlier garbage."""
    gc.collect()
