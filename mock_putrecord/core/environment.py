"""Fake AWS credentials for the time a mock is active, restored exactly afterwards."""
from __future__ import annotations

import os
from .credentials import FAKE_CREDENTIALS
from .settings import DEFAULT_REGION

OWNED = (*FAKE_CREDENTIALS, "AWS_DEFAULT_REGION")
"""The variables an activation owns. The rule: ``stop()`` puts each of them back exactly
as ``start()`` found it, undoing changes made to them inside the activation (the mock's
and the code's alike); every other variable is left as the code under test left it."""


class EnvironmentPatch:
    """Sets fake credentials (and a region if asked or missing); ``restore`` undoes it.

    "Was unset" and "was set to the empty string" are kept apart.
    """

    def __init__(self, region: str | None) -> None:
        self._region = region
        self._saved: dict[str, str | None] = {}

    def apply(self) -> None:
        """Save the current values, then install the fake ones."""
        wanted: dict[str, str | None] = dict(FAKE_CREDENTIALS)
        if self._region is not None:
            wanted["AWS_DEFAULT_REGION"] = self._region
        elif not os.environ.get("AWS_DEFAULT_REGION"):
            # botocore reads only AWS_DEFAULT_REGION: a region configured through
            # AWS_REGION alone (as other SDKs and AWS Lambda do) is handed on to it.
            wanted["AWS_DEFAULT_REGION"] = os.environ.get("AWS_REGION") or DEFAULT_REGION
        self._saved = {name: os.environ.get(name) for name in (*wanted, *OWNED)}
        for name, value in wanted.items():
            _set(name, value)

    def restore(self) -> None:
        """Put back exactly what :meth:`apply` found."""
        for name, value in self._saved.items():
            _set(name, value)
        self._saved = {}


def _set(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
