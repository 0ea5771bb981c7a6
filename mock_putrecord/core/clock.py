"""The mock's notion of "now": real time, or a virtual clock a test moves by hand.

Real time is read through ``time.time()`` at each call (not a bound reference), so
freezegun and time-machine, which patch it, are honoured.
"""
from __future__ import annotations

import math
import sys
import threading
import time
from typing import Callable


class Clock:
    """Epoch seconds as a float; virtual while frozen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._virtual: float | None = None
        self.listeners: list[Callable[[], None]] = []
        """Called after the clock is moved, frozen or set back to real time (what
        waits for a deadline on the mock's clock waits on these)."""

    def _moved(self) -> None:
        for listener in list(self.listeners):
            listener()

    @property
    def is_virtual(self) -> bool:
        """True while the clock stands still unless advanced."""
        return self._virtual is not None

    def now(self) -> float:
        """The current time in epoch seconds."""
        virtual = self._virtual
        return time.time() if virtual is None else virtual

    def freeze(self, at: float | None = None) -> None:
        """Stop the clock at ``at`` (default: the current time)."""
        with self._lock:
            self._virtual = time.time() if at is None else float(at)
        self._moved()

    def advance(self, seconds: float) -> float:
        """Move a frozen clock forward by ``seconds``; freezes a real clock first."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f"advance() takes a number of seconds, got {seconds!r}")
        if not math.isfinite(seconds):
            raise ValueError(f"advance() takes a finite number of seconds, got {seconds!r}")
        if seconds < 0:
            raise ValueError(f"the clock only moves forward: advance() got {seconds!r} seconds")
        with self._lock:
            base = time.time() if self._virtual is None else self._virtual
            self._virtual = now = base + seconds
        self._moved()
        return now

    def use_real_time(self) -> None:
        """Return to real time."""
        with self._lock:
            self._virtual = None
        self._moved()


def time_is_patched() -> bool:
    """True while freezegun or time-machine controls ``time.time()`` (then the mock
    follows their clock instead of freezing its own)."""
    if getattr(time.time, "__module__", "") == "freezegun.api":
        return True
    time_machine = sys.modules.get("time_machine")
    return bool(time_machine is not None and getattr(time_machine, "coordinates_stack", None))


clock = Clock()
"""The process-wide clock every backend reads."""
