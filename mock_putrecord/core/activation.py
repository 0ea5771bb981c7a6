"""Activation: one object that is a decorator, a (sync and async) context manager, and a
``start()``/``stop()`` pair.

Activations are reference-counted process-wide: the outermost ``start`` resets the
backends, installs fake credentials and the network guard; inner ones only push their
options; the outermost ``stop`` clears everything again. Every step is O(1).
"""
from __future__ import annotations

import functools
import inspect
import os
import sys
import threading
from typing import Any, AsyncIterator, Awaitable, Callable, Coroutine, Iterator, ParamSpec, TYPE_CHECKING, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import Self

from . import interception, patches
from .backends import reset_all
from .environment import EnvironmentPatch
from .lifecycle import StartStop
from .settings import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Options, enter_context, leave_context, settings

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

Hook = Callable[[], None]
_start_hooks: list[Hook] = []
_stop_hooks: list[Hook] = []


def register_activation_hooks(on_start: Hook, on_stop: Hook) -> None:
    """Run ``on_start`` after the outermost start and ``on_stop`` before the outermost stop
    (e.g. to install and remove a transport patch)."""
    _start_hooks.append(on_start)
    _stop_hooks.append(on_stop)


_lock = threading.RLock()
_stack: list["Activation"] = []
_environments: list[EnvironmentPatch] = []
"""One environment patch per entry of ``_stack``, in the same order."""


def active_activations() -> list["Activation"]:
    """The active activations, outermost first."""
    return list(_stack)


class Activation(StartStop):
    """The activation machinery shared by :class:`~mock_putrecord.MockPutRecord`."""

    def __init__(
        self,
        *,
        region: str | None = None,
        account_id: str = DEFAULT_ACCOUNT_ID,
        passthrough: bool = False,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.passthrough = passthrough
        self._depth = 0
        self._stopped = False
        self._options = Options()

    # ------------------------------------------------------------ start / stop
    def start(self) -> Self:
        """Activate the mock; returns ``self`` so ``mock = mock_putrecord().start()`` works."""
        with _lock:
            outermost = not _stack
            if outermost:
                interception.install()
                reset_all()
                self._on_outermost_start()
            environment = EnvironmentPatch(self.region)
            environment.apply()
            _environments.append(environment)
            self._depth += 1
            _stack.append(self)
            self._apply_settings()
            enter_context(self)
            if outermost:
                patches.apply_all()
                for hook in _start_hooks:
                    hook()
        return self

    def stop(self) -> None:
        """Deactivate; the outermost stop clears all mocked state.

        :raises RuntimeError: if this mock was not started.
        """
        with _lock:
            if self._depth == 0 or self not in _stack:
                if self._stopped:
                    raise RuntimeError("mock_putrecord: this mock is already stopped (stop() called twice)")
                raise RuntimeError("mock_putrecord: stop() called before start()")
            self._depth -= 1
            self._stopped = self._depth == 0
            leave_context(self)
            # Remove the innermost occurrence of self. Activations normally nest, but
            # concurrent coroutines may stop out of order: then the environment patches
            # started after this one are unwound and re-applied, so that the outermost
            # stop still restores exactly what the outermost start found.
            index = len(_stack) - 1 - _stack[::-1].index(self)
            for environment in reversed(_environments[index:]):
                environment.restore()
            del _stack[index]
            del _environments[index]
            for environment in _environments[index:]:
                environment.apply()
            if _stack:
                _stack[-1]._apply_settings()
                return
            for hook in reversed(_stop_hooks):
                hook()
            settings.process = None
            patches.remove_all()
            reset_all()
            self._on_outermost_stop()

    @property
    def is_active(self) -> bool:
        """True between ``start()`` and the matching ``stop()``."""
        return self._depth > 0

    @property
    def options(self) -> Options:
        """The options requests answered under this activation use (fixed at start)."""
        return self._options

    def _apply_settings(self) -> None:
        """Fix this activation's options and make them the process-wide ones."""
        self._options = self._build_options()
        self._apply_extra_settings()
        settings.process = self._options

    def _build_options(self) -> Options:
        """Subclass hook: the options of this activation."""
        return Options(account_id=self.account_id, default_region=self.default_region, passthrough=self.passthrough)

    def _apply_extra_settings(self) -> None:
        """Subclass hook: process-wide effects of the options (e.g. freezing the clock)."""

    @property
    def default_region(self) -> str:
        """The region used where a call names none: the ``region`` option, else the
        environment's ``AWS_DEFAULT_REGION``, else its ``AWS_REGION``, else ``us-east-1``."""
        return self.region or os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION

    def _on_outermost_start(self) -> None:
        """Subclass hook, called before the first request can arrive."""

    def _on_outermost_stop(self) -> None:
        """Subclass hook, called after the last activation ends."""

    # ------------------------------------------------------------ decorator
    @overload
    def __call__(self, func: type[T]) -> type[T]: ...  # type: ignore[overload-overlap]

    @overload
    def __call__(self, func: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]: ...

    @overload
    def __call__(self, func: Callable[P, R]) -> Callable[P, R]: ...

    def __call__(self, func: Any) -> Any:
        """Decorate a function, coroutine function, (async) generator function or class
        so it runs with the mock active."""
        if inspect.isclass(func):
            return self._decorate_class(func)
        if inspect.iscoroutinefunction(func):
            return self._decorate_coroutine(func)
        if inspect.isgeneratorfunction(func):
            return self._decorate_generator(func)
        if inspect.isasyncgenfunction(func):
            return self._decorate_async_generator(func)
        if callable(func):
            return self._decorate_function(func)
        raise TypeError(f"mock_putrecord cannot decorate {func!r}")

    def _fresh(self) -> Self:
        """A new activation with the same options (one per decorated call)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._depth = 0
        clone._stopped = False
        return clone

    def _decorate_function(self, func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with self._fresh():
                return func(*args, **kwargs)

        return wrapper

    def _decorate_generator(self, func: Callable[P, Iterator[Any]]) -> Callable[P, Iterator[Any]]:
        """A generator (e.g. a yield fixture) keeps the mock active until it finishes."""

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
            with self._fresh():
                return (yield from func(*args, **kwargs))

        return wrapper

    def _decorate_async_generator(self, func: Callable[P, AsyncIterator[Any]]) -> Callable[P, AsyncIterator[Any]]:
        @functools.wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[Any]:
            async with self._fresh():
                async for item in func(*args, **kwargs):
                    yield item

        return wrapper

    def _decorate_coroutine(self, func: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        @functools.wraps(func)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            async with self._fresh():
                return await func(*args, **kwargs)

        return wrapper

    def _decorate_class(self, cls: type[T]) -> type[T]:
        """Each test gets fresh state. For ``unittest.TestCase`` the mock starts before
        ``setUp`` and stops after ``tearDown`` (via ``addCleanup``); for other classes the
        same happens through pytest's ``setup_method``/``teardown_method``. Fixtures and
        other attributes of the class are left untouched."""
        factory = self._fresh
        unittest = sys.modules.get("unittest")  # not imported: cls cannot be a TestCase
        if unittest is not None and issubclass(cls, unittest.TestCase):
            original_setup = getattr(cls, "setUp")

            def setUp(test: Any) -> None:  # noqa: N802 - unittest's name
                activation = factory().start()
                test.addCleanup(activation.stop)
                original_setup(test)

            setattr(cls, "setUp", setUp)
            return cls
        original_setup_method = getattr(cls, "setup_method", None)
        original_teardown_method = getattr(cls, "teardown_method", None)

        def setup_method(instance: Any, method: Any = None) -> None:
            activation = factory().start()
            instance.__dict__["_mock_putrecord_activation"] = activation
            if original_setup_method is not None:
                original_setup_method(instance, method)

        def teardown_method(instance: Any, method: Any = None) -> None:
            try:
                if original_teardown_method is not None:
                    original_teardown_method(instance, method)
            finally:
                activation = instance.__dict__.pop("_mock_putrecord_activation", None)
                if activation is not None:
                    activation.stop()

        setattr(cls, "setup_method", setup_method)
        setattr(cls, "teardown_method", teardown_method)
        return cls
