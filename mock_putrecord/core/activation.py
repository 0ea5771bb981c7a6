"""Activation: one object that holds the options and is a decorator, a (sync and async)
context manager, and a ``start()``/``stop()`` pair.

The options and the live activation are kept apart (as time-machine keeps ``travel`` apart
from its ``Coordinates``): :class:`Activation` only holds options; every ``start()`` and
every call of a decorated function creates a fresh :class:`LiveActivation`, which fixes the
options for its lifetime, owns the environment patch it applied and sits on the one
process-wide stack. A decorated function can therefore run concurrently (in threads or
coroutines) without its calls sharing any state.

Activations are reference-counted process-wide: the outermost start resets the backends,
installs fake credentials and the patches; inner ones only add their options; the
outermost stop clears everything again. Every step is O(1).
"""
from __future__ import annotations

import inspect
import os
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, Coroutine, Iterator, ParamSpec, TYPE_CHECKING, TypeVar, overload

import wrapt

if TYPE_CHECKING:
    from typing_extensions import Self

from . import credentials, interception, patches
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


class LiveActivation:
    """One running activation: the options fixed when it started and the environment
    patch it applied. Created by :meth:`Activation.start` and by each call of a decorated
    function; never restarted."""

    __slots__ = ("owner", "options", "environment", "running")

    def __init__(self, owner: Activation, environment: EnvironmentPatch, options: Options) -> None:
        self.owner = owner
        self.environment = environment
        self.options = options
        self.running = True

    @property
    def is_active(self) -> bool:
        """True until it stops (what :mod:`.settings` asks of the context stack)."""
        return self.running

    def stop(self) -> None:
        """Stop this activation, wherever it was started (a handle's ``start()`` or a
        decorated call): for cleaning up after code that left one running."""
        with _lock:
            if self in self.owner._live:
                self.owner._live.remove(self)
            _deactivate(self)


_lock = threading.RLock()
_running: list[LiveActivation] = []
"""Every running live activation in the process, outermost first."""


def active_activations() -> list["Activation"]:
    """The handles (option holders) of the running activations, outermost first; one
    entry per live activation, so a handle started twice appears twice."""
    return [live.owner for live in _running]


def running_activations() -> list[LiveActivation]:
    """The running live activations, outermost first."""
    return list(_running)


def _activate(owner: Activation) -> LiveActivation:
    with _lock:
        outermost = not _running
        if outermost:
            interception.install()
            reset_all()
            credentials.capture()  # before the fake credentials replace the real ones
            owner._on_outermost_start()
        environment = EnvironmentPatch(owner.region)
        environment.apply()
        live = LiveActivation(owner, environment, owner._build_options())  # reads the patched region
        _running.append(live)
        _make_process_wide(live)
        enter_context(live)
        if outermost:
            patches.apply_all()
            for hook in _start_hooks:
                hook()
        return live


def _deactivate(live: LiveActivation) -> None:
    with _lock:
        if not live.running:  # already stopped through LiveActivation.stop()
            return
        live.running = False
        leave_context(live)
        # Activations normally nest, but concurrent coroutines may stop out of order: then
        # the environment patches applied after this one are unwound and re-applied, so
        # that the outermost stop still restores exactly what the outermost start found.
        index = _running.index(live)
        for later in reversed(_running[index:]):
            later.environment.restore()
        del _running[index]
        for later in _running[index:]:
            later.environment.apply()
        if _running:
            _make_process_wide(_running[-1])
            return
        for hook in reversed(_stop_hooks):
            hook()
        settings.process = None
        patches.remove_all()
        reset_all()
        credentials.forget()
        live.owner._on_outermost_stop()


def _make_process_wide(live: LiveActivation) -> None:
    settings.process = live.options
    live.owner._apply_extra_settings()


class Activation(StartStop):
    """The options of an activation, and the ways to run code under them; the base of
    :class:`~mock_putrecord.MockPutRecord`."""

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
        self._live: list[LiveActivation] = []  # this handle's own starts, innermost last
        self._ever_started = False

    # ------------------------------------------------------------ start / stop
    def start(self) -> Self:
        """Activate the mock; returns ``self`` so ``mock = mock_putrecord().start()`` works.
        Starting a handle that is already active nests (one ``stop()`` per ``start()``)."""
        self._live.append(_activate(self))
        self._ever_started = True
        return self

    def stop(self) -> None:
        """Deactivate; the outermost stop clears all mocked state.

        :raises RuntimeError: if this mock was not started, or is already stopped.
        """
        with _lock:
            if not self._live:
                if self._ever_started:
                    raise RuntimeError("mock_putrecord: this mock is already stopped (stop() called twice)")
                raise RuntimeError("mock_putrecord: stop() called before start()")
            _deactivate(self._live.pop())

    @property
    def is_active(self) -> bool:
        """True between ``start()`` and the matching ``stop()``."""
        return bool(self._live)

    @property
    def options(self) -> Options:
        """The options requests answered under this handle's activation use: fixed when
        it started (while it is not active: the ones a start would fix now)."""
        return self._live[-1].options if self._live else self._build_options()

    def _build_options(self) -> Options:
        """Subclass hook: the options of an activation starting now."""
        return Options(account_id=self.account_id, default_region=self._region_now(), passthrough=self.passthrough)

    def _apply_extra_settings(self) -> None:
        """Subclass hook: process-wide effects of the options (e.g. freezing the clock)."""

    @property
    def default_region(self) -> str:
        """The region used where a call names none: the ``region`` option, else the
        environment's ``AWS_DEFAULT_REGION``, else its ``AWS_REGION``, else ``us-east-1``
        (as found when the activation started)."""
        return self._live[-1].options.default_region if self._live else self._region_now()

    def _region_now(self) -> str:
        return self.region or os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION

    def _on_outermost_start(self) -> None:
        """Subclass hook, called before the first request can arrive."""

    def _on_outermost_stop(self) -> None:
        """Subclass hook, called after the last activation ends."""

    # ------------------------------------------------------------ decorator
    @contextmanager
    def _activated(self) -> Iterator[LiveActivation]:
        """A fresh live activation with this handle's options, for one decorated call."""
        live = _activate(self)
        try:
            yield live
        finally:
            _deactivate(live)

    @overload
    def __call__(self, func: type[T]) -> type[T]: ...  # type: ignore[overload-overlap]

    @overload
    def __call__(self, func: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]: ...

    @overload
    def __call__(self, func: Callable[P, R]) -> Callable[P, R]: ...

    def __call__(self, func: Any) -> Any:
        """Decorate a function, bound method, classmethod, staticmethod, coroutine
        function, (async) generator function or class so it runs with the mock active.

        Functions are wrapped with ``wrapt``, so the result keeps the name, docstring,
        signature (pytest injects fixtures by parameter name), descriptor binding and
        kind (``inspect.iscoroutinefunction`` stays true). Each call runs under its own
        live activation."""
        if inspect.isclass(func):
            return self._decorate_class(func)
        target = func.__func__ if isinstance(func, (classmethod, staticmethod)) else func
        if not callable(target):
            raise TypeError(f"mock_putrecord cannot decorate {func!r}")
        return wrapt.FunctionWrapper(func, self._wrapper_for(target))

    def _wrapper_for(self, target: Callable[..., Any]) -> Callable[..., Any]:
        """The wrapt wrapper ``(wrapped, instance, args, kwargs)`` for ``target``'s kind:
        generators and coroutines keep the mock active until they finish, not only until
        they are created."""
        activated = self._activated
        if inspect.iscoroutinefunction(target):
            async def run_coroutine(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
                with activated():
                    return await wrapped(*args, **kwargs)

            return run_coroutine
        if inspect.isasyncgenfunction(target):
            async def run_async_generator(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
                with activated():
                    async for item in wrapped(*args, **kwargs):
                        yield item

            return run_async_generator
        if inspect.isgeneratorfunction(target):
            def run_generator(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
                with activated():
                    return (yield from wrapped(*args, **kwargs))

            return run_generator

        def run(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            with activated():
                return wrapped(*args, **kwargs)

        return run

    def _decorate_class(self, cls: type[T]) -> type[T]:
        """Each test gets fresh state. For ``unittest.TestCase`` the mock starts before
        ``setUp`` and stops after ``tearDown`` (via ``addCleanup``); for other classes the
        same happens through pytest's ``setup_method``/``teardown_method``. Test methods,
        fixtures and other attributes of the class are left untouched."""
        unittest = sys.modules.get("unittest")  # not imported: cls cannot be a TestCase
        if unittest is not None and issubclass(cls, unittest.TestCase):
            _wrap_method(cls, "setUp", self._start_before_setup)
            return cls
        _wrap_method(cls, "setup_method", self._start_before_setup_method)
        _wrap_method(cls, "teardown_method", _stop_after_teardown_method)
        return cls

    def _start_before_setup(self, wrapped: Any, test: Any, args: Any, kwargs: Any) -> Any:
        live = _activate(self)
        test.addCleanup(_deactivate, live)
        return wrapped(*args, **kwargs)

    def _start_before_setup_method(self, wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        instance.__dict__[_LIVE_ATTRIBUTE] = _activate(self)
        return wrapped(*args, **kwargs)


_LIVE_ATTRIBUTE = "_mock_putrecord_activation"


def _stop_after_teardown_method(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
    try:
        return wrapped(*args, **kwargs)
    finally:
        live = instance.__dict__.pop(_LIVE_ATTRIBUTE, None)
        if live is not None:
            _deactivate(live)


def _absent(self: Any, method: Any = None) -> None:
    """Stands in for a ``setup_method``/``teardown_method`` the class does not define."""


def _wrap_method(cls: type[Any], name: str, wrapper: Callable[..., Any]) -> None:
    """Wrap ``cls.<name>`` (inherited or defined; a no-op method if absent) with a wrapt
    wrapper set on ``cls`` itself."""
    setattr(cls, name, wrapt.FunctionWrapper(getattr(cls, name, _absent), wrapper))
