"""What queues and channels share: both hang off a stream, move through CREATING,
UPDATING, ACTIVE and DELETING on the mock's clock, and vanish when their deletion ends."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ..core.clock import clock
from .exceptions import ResourceNotFoundException

if TYPE_CHECKING:
    from .models import KinesisBackend, Stream


class Attachment:
    """The lifecycle fields a queue or channel dataclass declares, and its status."""

    name: str
    created: float
    ready_at: float
    updated: bool
    gone_at: float | None

    @property
    def arn(self) -> str:
        raise NotImplementedError

    def status(self, now: float | None = None) -> str:
        now = clock.now() if now is None else now
        if self.gone_at is not None:
            return "DELETING"
        if now < self.ready_at:
            return "UPDATING" if self.updated else "CREATING"
        return "ACTIVE"


A = TypeVar("A", bound=Attachment)


def all_attached(backend: KinesisBackend, attribute: str) -> list[Any]:
    """Every queue or channel (``attribute`` of each stream) that still exists, oldest
    first; those whose deletion has ended are dropped on the way."""
    now = clock.now()
    found = []
    for stream in list(backend.streams.values()):
        items: dict[str, Attachment] = getattr(stream, attribute)
        for name, item in list(items.items()):
            if item.gone_at is not None and now >= item.gone_at:
                del items[name]
            else:
                found.append(item)
    return sorted(found, key=lambda item: (item.created, item.name))


def attached_count(stream: Stream, attribute: str) -> int:
    """How many of the stream's queues or channels still exist."""
    now = clock.now()
    items: dict[str, Attachment] = getattr(stream, attribute)
    return sum(1 for item in items.values() if item.gone_at is None or now < item.gone_at)


def find_attached(backend: KinesisBackend, attribute: str, arn: str, kind: str) -> Any:
    """The queue or channel an ARN names, or ResourceNotFoundException (worded as the
    stream's own not-found message)."""
    for item in all_attached(backend, attribute):
        if item.arn == arn:
            return item
    raise ResourceNotFoundException(f"{kind} {arn} under account {backend.account_id} not found.")
