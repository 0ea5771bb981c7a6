"""Where Iguazio platform versions answer differently (``mock_putrecord(v3io_platform=...)``).

Each difference names its source; docs/v3io.md has the table.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..core.settings import settings

NEWEST = "3.6"
"""The default: the newest platform line the sources describe (storey 1.14's integration
tests run against it)."""


@dataclass(frozen=True)
class Platform:
    """The version-dependent behaviour of one platform version."""

    version: tuple[int, int]
    seek_missing_status: int
    """Seek on a stream path that does not exist: 404 before 2.10, then 400 (storey
    ``integration/test_flow_integration.py`` ``GetShardData``: "Regression in 2.10")."""
    max_record_bytes: int
    """Largest decoded ``Data`` of one record: 1 MB in the 3.2 docs' putrecords.md, 2 MB
    on later platforms (storey's integration test writes 3 MB to hit "the 2MB v3io record
    size limit"; the specifications page says 2 MB)."""


def parse_version(text: str) -> tuple[int, int]:
    """``"3.6"``, ``"2.10"`` or ``"3.5.4"`` as ``(major, minor)``.

    :raises ValueError: not a dotted version.
    """
    parts = str(text).strip().split(".")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        raise ValueError(f"v3io_platform must look like '3.6', got {text!r}") from None
    if len(numbers) < 2 or any(number < 0 for number in numbers):
        raise ValueError(f"v3io_platform must look like '3.6', got {text!r}")
    return numbers[0], numbers[1]


@lru_cache(maxsize=16)
def platform_for(text: str) -> Platform:
    """The behaviour of platform ``text``."""
    version = parse_version(text)
    return Platform(
        version=version,
        seek_missing_status=404 if version < (2, 10) else 400,
        max_record_bytes=1024 * 1024 if version <= (3, 2) else 2 * 1024 * 1024,
    )


def current() -> Platform:
    """The platform of the innermost active mock (the newest when none is active)."""
    return platform_for(settings.v3io_platform)
