"""The handle: :class:`MockPutRecord` and the :func:`mock_putrecord` entry point."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Coroutine, ParamSpec, TypeVar, overload

from .children import refuse_in_forked_child
from .core.activation import Activation
from .core.backends import reset_all
from .core.clock import clock, time_is_patched
from .core.faults import FaultInjector, faults
from .core.settings import settings

if TYPE_CHECKING:
    from .featurestore.view import FeatureStoreView
    from .kinesis.view import KinesisView
    from .v3io.view import V3ioView

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class MockPutRecord(Activation):
    """An activation of the in-memory Kinesis, Feature Store and v3io services.

    Use it as a decorator, a context manager (``with``/``async with``) or through
    ``start()``/``stop()``. While active, it exposes one view per service for
    declaring resources and inspecting what was written.

    :param region: region for clients created without one, and for the views' defaults.
        Clients with an explicit region keep theirs (state is per account and region).
    :param account_id: the 12-digit account every request is attributed to.
    :param passthrough: let requests for AWS services that nothing mocks go to the
        network instead of failing with :class:`~mock_putrecord.UnmockedRequestError`.
    :param shard_throughput: enforce Kinesis's per-shard write limits (1 MiB/s and 1,000
        records/s). Time becomes virtual: it stands still unless the test calls
        :meth:`advance` (or moves freezegun's or time-machine's clock, if one is active).
    """

    def __init__(
        self,
        *,
        region: str | None = None,
        account_id: str = "123456789012",
        passthrough: bool = False,
        shard_throughput: bool = False,
    ) -> None:
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        super().__init__(region=region, account_id=account_id, passthrough=passthrough)
        self.shard_throughput = shard_throughput

    def _apply_extra_settings(self) -> None:
        settings.shard_throughput = self.shard_throughput
        if self.shard_throughput and not clock.is_virtual and not time_is_patched():
            clock.freeze()

    @property
    def faults(self) -> FaultInjector:
        """Scripted errors, seeded per-record failures, and the log of calls."""
        refuse_in_forked_child("mock.faults")
        return faults

    @property
    def kinesis(self) -> KinesisView:
        """Declare Kinesis streams and read what was written, without boto3."""
        refuse_in_forked_child("mock.kinesis")
        from .kinesis.view import KinesisView

        return KinesisView(self)

    @property
    def featurestore(self) -> FeatureStoreView:
        """Declare feature groups and read online records and offline rows."""
        refuse_in_forked_child("mock.featurestore")
        from .featurestore.view import FeatureStoreView

        return FeatureStoreView(self)

    @property
    def v3io(self) -> V3ioView:
        """Declare v3io streams and read records per shard, without HTTP."""
        refuse_in_forked_child("mock.v3io")
        from .v3io.view import V3ioView

        return V3ioView(self)

    def reset(self) -> None:
        """Forget every stream, feature group and record (the mock stays active)."""
        refuse_in_forked_child("mock.reset()")
        reset_all()

    def advance(self, seconds: float) -> float:
        """Move the mock's clock forward (freezing it first if it runs in real time).

        :returns: the new time in epoch seconds.
        """
        refuse_in_forked_child("mock.advance()")
        return clock.advance(seconds)

    def _on_outermost_stop(self) -> None:
        clock.use_real_time()
        settings.shard_throughput = False


@overload
def mock_putrecord(func: type[T]) -> type[T]: ...  # type: ignore[overload-overlap]


@overload
def mock_putrecord(func: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]: ...


@overload
def mock_putrecord(func: Callable[P, R]) -> Callable[P, R]: ...


@overload
def mock_putrecord(
    func: None = None,
    *,
    region: str | None = None,
    account_id: str = "123456789012",
    passthrough: bool = False,
    shard_throughput: bool = False,
) -> MockPutRecord: ...


def mock_putrecord(func: Any = None, **options: Any) -> Any:
    """Mock Kinesis, the SageMaker Feature Store and v3io streams in memory.

    ``@mock_putrecord`` and ``@mock_putrecord(region=...)`` decorate a function,
    coroutine function or test class; ``with mock_putrecord() as mock:`` (or
    ``async with``) yields the :class:`MockPutRecord` handle; so does
    ``mock_putrecord().start()``.
    """
    handle = MockPutRecord(**options)
    if func is None:
        return handle
    return handle(func)
