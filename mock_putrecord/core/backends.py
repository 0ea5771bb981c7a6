"""Per-(account, region) backend containers, reset when the outermost activation starts."""
from __future__ import annotations

import threading
from typing import Callable, Generic, Iterator, Protocol, TypeVar

B = TypeVar("B")


class Resettable(Protocol):
    def reset(self) -> None: ...


_resettables: list[Resettable] = []


def register_resettable(item: Resettable) -> None:
    """Make ``item.reset()`` part of :func:`reset_all`."""
    _resettables.append(item)


def reset_all() -> None:
    """Clear the state of every registered backend container."""
    for item in _resettables:
        item.reset()


class BackendDict(Generic[B]):
    """Lazily created backends keyed by a pair of names: ``(account_id, region)`` for the
    AWS services, ``(endpoint, container)`` for v3io."""

    def __init__(self, factory: Callable[[str, str], B]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._backends: dict[tuple[str, str], B] = {}
        register_resettable(self)

    def get(self, account_id: str, region: str) -> B:
        """The backend for this account and region, created on first use."""
        key = (account_id, region)
        backend = self._backends.get(key)
        if backend is None:
            with self._lock:
                backend = self._backends.get(key)
                if backend is None:
                    backend = self._backends[key] = self._factory(account_id, region)
        return backend

    def items(self) -> Iterator[tuple[tuple[str, str], B]]:
        """A snapshot of the existing backends."""
        return iter(list(self._backends.items()))

    def reset(self) -> None:
        """Forget every backend."""
        with self._lock:
            self._backends = {}
