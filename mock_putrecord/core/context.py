"""What a service's Python view needs from the handle that owns it."""
from __future__ import annotations

from typing import Protocol

from .errors import MockConfigurationError
from .settings import settings


class MockContext(Protocol):
    """Defaults a view applies when a test names no account or region."""

    @property
    def account_id(self) -> str: ...

    @property
    def default_region(self) -> str: ...


def require_active(view: str) -> None:
    """Refuse, with a message that says so, to use ``mock.<view>`` while no mock is active
    (before ``start()`` or after the last ``stop()``, when there is no state to show).

    :raises MockConfigurationError: naming the view.
    """
    if not settings.active:
        raise MockConfigurationError(
            f"mock_putrecord is not active: start the mock (mock.start(), `with mock:` or the "
            f"decorator) before using mock.{view}; its state is cleared when the last activation stops."
        )
