"""Docs examples run through pytester: see ``preload_service_modules``."""
from __future__ import annotations

from ..helpers import preload_service_modules

preload_service_modules()
