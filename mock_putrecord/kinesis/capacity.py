"""Per-stream capacity settings changed after creation: UpdateStreamMode,
UpdateMaxRecordSize, UpdateStreamRecordDistributionStrategy and
UpdateStreamWarmThroughput. Each applies at once (the mock has no UPDATING phase)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .consumers import check_on_demand_dependents
from .distribution import AUTO, USER_PARTITION_KEY
from .exceptions import InvalidArgumentException, ValidationError

if TYPE_CHECKING:
    from .models import KinesisBackend, Stream

ON_DEMAND, PROVISIONED = "ON_DEMAND", "PROVISIONED"


def _active(backend: "KinesisBackend", name: str | None, arn: str | None) -> "Stream":
    stream = backend.get_stream(name, arn)
    backend.check_active(stream)
    return stream


def update_stream_mode(backend: "KinesisBackend", arn: str, mode: str, warm_mibps: int | None) -> None:
    """Switch capacity mode. Leaving on-demand drops its on-demand-only settings (AUTO
    distribution, warm throughput); warm throughput may come with a switch to it."""
    with backend.lock:
        stream = _active(backend, None, arn)
        if warm_mibps is not None:
            if mode != ON_DEMAND:
                raise ValidationError.provisioned(stream.name, backend.account_id)
            backend.account.require_commitment()
        if mode == PROVISIONED:
            check_on_demand_dependents(stream)
        stream.mode = mode
        if mode == PROVISIONED:
            stream.distribution, stream.warm_throughput_mibps = USER_PARTITION_KEY, None
        elif warm_mibps is not None:
            stream.warm_throughput_mibps = warm_mibps


def update_max_record_size(backend: "KinesisBackend", arn: str | None, kib: int) -> None:
    """UpdateMaxRecordSize: later puts may be up to ``kib`` KiB (data plus key)."""
    with backend.lock:
        _active(backend, None, arn).max_record_size_kib = kib


def update_distribution(backend: "KinesisBackend", arn: str, strategy: str) -> None:
    """UpdateStreamRecordDistributionStrategy: AUTO only on on-demand streams
    (InvalidArgumentException, as the API reference says); records already stored stay
    where they are."""
    with backend.lock:
        stream = _active(backend, None, arn)
        if strategy == AUTO and stream.mode != ON_DEMAND:
            raise InvalidArgumentException.auto_needs_on_demand(stream.name, backend.account_id)
        with stream.lock:
            stream.distribution = strategy


def update_warm_throughput(backend: "KinesisBackend", name: str | None, arn: str | None,
                           mibps: int) -> dict[str, Any]:
    """UpdateStreamWarmThroughput (on-demand streams, accounts with a billing
    commitment). The output's ``CurrentMiBps`` is the value the scaling starts from."""
    with backend.lock:
        stream = _active(backend, name, arn)
        if stream.mode != ON_DEMAND:
            raise ValidationError.provisioned(stream.name, backend.account_id)
        backend.account.require_commitment()
        previous, stream.warm_throughput_mibps = stream.warm_throughput_mibps, mibps
        warm: dict[str, Any] = {"TargetMiBps": mibps}
        if previous is not None:
            warm["CurrentMiBps"] = previous
        return {"StreamARN": stream.arn, "StreamName": stream.name, "WarmThroughput": warm}
