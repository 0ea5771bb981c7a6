"""The logic behind the ``putrecord_server`` pytest fixture (the plugin holds no logic)."""
from __future__ import annotations

from typing import Any, Iterator

from .mock_server import MockServer


def running_server(**options: Any) -> Iterator[MockServer]:
    """Yield a started :class:`MockServer` and stop it afterwards.

    ``options`` are :class:`MockServer`'s keyword arguments. A fixture of any scope
    delegates to it with ``yield from running_server()``.
    """
    with MockServer(**options) as server:
        yield server
