"""Fault injection, shared by the three services: scripted request-level errors and
seeded per-record failures, plus a log of calls (with botocore's retry attempt) so a
test can see exactly what was failed and what was retried.

Everything is deterministic: the same seed and the same sequence of calls give the
same failures.
"""
from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from .backends import register_resettable
from .errors import ServiceError


@dataclass(frozen=True)
class CallRecord:
    """One request the mock answered."""

    service: str
    operation: str
    attempt: int
    """botocore's attempt number (1 for the first try, 2+ for retries; 1 for non-botocore clients)."""
    status: int
    error_code: str | None = None
    injected: bool = False
    """True when the answer was a scripted fault."""


@dataclass(frozen=True)
class FailedRecord:
    """One record of a batch that the mock failed (throttled or injected)."""

    service: str
    target: str
    """The stream (or stream path) the record was for."""
    index: int
    """Its position in the request's record list."""
    error_code: str
    error_message: str


@dataclass
class _Script:
    error: type[ServiceError]
    message: str
    remaining: int


@dataclass
class _RecordRule:
    rate: float
    errors: Sequence[str]
    rng: random.Random
    operations: frozenset[str] | None = None


@lru_cache(maxsize=None)
def error_class(code: str, status: int) -> type[ServiceError]:
    """A :class:`ServiceError` subclass for an arbitrary code and status."""
    return type(code or "ScriptedError", (ServiceError,), {"code": code, "status": status})


CALL_LOG_SIZE = 10_000
"""How many calls ``mock.faults.calls`` keeps by default: a bounded log, so a long-running
server's memory stays flat however many requests it answers."""


@dataclass
class FaultInjector:
    """Scripted and random faults for one activation; reached as ``mock.faults``."""

    calls: deque[CallRecord] = field(default_factory=lambda: deque(maxlen=CALL_LOG_SIZE))
    """The most recent calls, oldest first (at most :attr:`call_log_size`)."""
    failed_records: list[FailedRecord] = field(default_factory=list)
    _scripts: dict[tuple[str, str], list[_Script]] = field(default_factory=dict)
    _record_rules: dict[str, _RecordRule] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------ configuring
    def fail_next(
        self,
        service: str,
        operation: str,
        code: str,
        *,
        message: str = "",
        status: int = 400,
        count: int = 1,
    ) -> None:
        """Answer the next ``count`` calls of ``operation`` with an error.

        :param service: ``kinesis``, ``sagemaker-featurestore-runtime``, ``sagemaker`` or ``v3io``.
        :param code: the error code (``ServiceUnavailable``, ``InternalFailure``...).
        :param status: the HTTP status to answer with.
        """
        script = _Script(error_class(code, status), message, count)
        with self._lock:
            self._scripts.setdefault((service, operation), []).append(script)

    def fail_records(
        self,
        service: str,
        rate: float,
        *,
        errors: Sequence[str],
        seed: int = 0,
        operations: Sequence[str] | None = None,
    ) -> None:
        """Fail each record of a batch put with probability ``rate``, choosing the
        error from ``errors``, with a random generator seeded by ``seed``."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {rate}")
        if not errors:
            raise ValueError("errors must name at least one error code")
        with self._lock:
            self._record_rules[service] = _RecordRule(
                rate, tuple(errors), random.Random(seed), frozenset(operations) if operations else None
            )

    def clear(self) -> None:
        """Forget scripts, rules and the logs."""
        with self._lock:
            self._scripts.clear()
            self._record_rules.clear()
            self.calls.clear()
            self.failed_records.clear()

    @property
    def call_log_size(self) -> int:
        """How many calls :attr:`calls` keeps; older ones are dropped first."""
        return self.calls.maxlen or 0

    @call_log_size.setter
    def call_log_size(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"call_log_size must be at least 1, got {size}")
        with self._lock:
            self.calls = deque(self.calls, maxlen=size)

    # ------------------------------------------------------------ inspection
    @property
    def retried_calls(self) -> list[CallRecord]:
        """Calls that botocore sent again (attempt 2 or later)."""
        return [call for call in self.calls if call.attempt > 1]

    @property
    def failed_calls(self) -> list[CallRecord]:
        """Calls answered with an error status."""
        return [call for call in self.calls if call.status >= 300]

    # ------------------------------------------------------------ used by the services
    def take_scripted(self, service: str, operation: str) -> ServiceError | None:
        """The scripted error for this call, if one is due (consumes it)."""
        if not self._scripts:
            return None
        with self._lock:
            queue = self._scripts.get((service, operation))
            if not queue:
                return None
            script = queue[0]
            script.remaining -= 1
            if script.remaining <= 0:
                queue.pop(0)
            return script.error(script.message)

    def record_fault(self, service: str, operation: str) -> str | None:
        """The error code to fail the next record with, or ``None`` to let it through."""
        rule = self._record_rules.get(service)
        if rule is None or (rule.operations is not None and operation not in rule.operations):
            return None
        with self._lock:
            if rule.rng.random() < rule.rate:
                return rule.errors[0] if len(rule.errors) == 1 else rule.rng.choice(list(rule.errors))
        return None

    @property
    def record_faults_enabled(self) -> bool:
        return bool(self._record_rules)

    def note_failed_record(self, record: FailedRecord) -> None:
        with self._lock:
            self.failed_records.append(record)

    def note_call(self, call: CallRecord) -> None:
        self.calls.append(call)  # deque.append is atomic under the GIL


    reset = clear


faults = FaultInjector()
"""The process-wide injector (cleared when the outermost activation starts and stops)."""
register_resettable(faults)
