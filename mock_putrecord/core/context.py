"""What a service's Python view needs from the handle that owns it."""
from __future__ import annotations

from typing import Protocol


class MockContext(Protocol):
    """Defaults a view applies when a test names no account or region."""

    @property
    def account_id(self) -> str: ...

    @property
    def default_region(self) -> str: ...
