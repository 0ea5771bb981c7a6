"""mock_putrecord: an exact, fast, in-memory Kinesis, SageMaker Feature Store and v3io.

    from mock_putrecord import mock_putrecord

    @mock_putrecord
    def test_producer(): ...
"""
from . import services as _services  # noqa: F401  (registers the service adapters)
from . import children as _children  # noqa: F401  (child processes share the live mock)
from .core.errors import MockConfigurationError, ServiceError, UnmockedRequestError
from .core.interception import install as _install
from .core.interception import patch_client
from .mock import MockPutRecord, mock_putrecord
from .version import __version__

_install()

__all__ = [
    "MockConfigurationError",
    "MockPutRecord",
    "ServiceError",
    "UnmockedRequestError",
    "__version__",
    "mock_putrecord",
    "patch_client",
]
