"""The base class of every service error the mock answers with."""
from __future__ import annotations

from typing import ClassVar


class ServiceError(Exception):
    """An error a real service would return, with its wire code, message and status.

    Each service defines one subclass per error code with ``code`` and ``status`` as class
    attributes; adapters render it in the service's own wire format.
    """

    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


INTERNAL_FAILURE_MESSAGE = "The request processing has failed because of an unknown error, exception or failure."
"""AWS's text for ``InternalFailure`` (the common errors of every AWS API)."""


class InternalFailure(ServiceError):
    """What a request gets when the mock itself has a bug: the service's own 500, never a
    Python exception (the traceback goes to the ``mock_putrecord`` logger)."""

    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 500

    def __init__(self, message: str = INTERNAL_FAILURE_MESSAGE) -> None:
        super().__init__(message)


class MockConfigurationError(Exception):
    """Raised for a wrong use of the mock itself (bad option, stop without start)."""


class UnmockedRequestError(Exception):
    """A request for an AWS service that nothing in the process answers.

    Raised instead of letting the request reach the network. Pass ``passthrough=True``
    to :func:`mock_putrecord.mock_putrecord` to let such requests go out.
    """
