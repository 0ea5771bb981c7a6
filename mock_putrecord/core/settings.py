"""The options request handling reads: those of the activation that applies to the
current context.

The rule (documented in ``docs/api.md``):

* a request made in a context that started an activation (the thread, or the asyncio
  task and the tasks it creates, that entered ``with mock_putrecord(...)``) uses the
  options of the innermost such activation still running;
* a request from anywhere else (a thread of its own, a worker pool's thread) uses the
  process-wide options: those of the innermost activation still running in the process.

So two threads with their own activations never see each other's ``account_id`` or
``passthrough``, while threads a test merely spawns are still served.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

DEFAULT_ACCOUNT_ID = "123456789012"
"""The account every request is attributed to unless ``account_id=`` says otherwise."""
DEFAULT_REGION = "us-east-1"
"""The region of calls that name none when neither the option nor the environment does."""
DEFAULT_V3IO_CONTAINERS = ("bigdata", "users", "projects")
"""The containers every v3io web-API endpoint starts with unless ``v3io_containers=`` says."""
DEFAULT_V3IO_PLATFORM = "3.6"
"""The newest Iguazio platform release modelled: the default ``v3io_platform``."""


@dataclass(frozen=True)
class Options:
    """One activation's options, as request handling needs them."""

    account_id: str = DEFAULT_ACCOUNT_ID
    default_region: str = DEFAULT_REGION
    passthrough: bool = False
    shard_throughput: bool = False
    """Enforce Kinesis's per-shard write limits (1 MiB/s and 1,000 records/s)."""
    v3io_containers: tuple[str, ...] = DEFAULT_V3IO_CONTAINERS
    """The containers every v3io web-API endpoint has when first used."""
    v3io_platform: str = DEFAULT_V3IO_PLATFORM
    """The Iguazio platform version whose behaviour v3io requests get."""


class LiveActivation(Protocol):
    """What the context stack holds: an activation and its options."""

    @property
    def is_active(self) -> bool: ...

    @property
    def options(self) -> Options: ...


_DEFAULTS = Options()
_context: ContextVar[tuple[LiveActivation, ...]] = ContextVar("mock_putrecord_activations", default=())


class ActiveSettings:
    """The options that apply to the caller's context (read on every request)."""

    def __init__(self) -> None:
        self.process: Options | None = None
        """The process-wide options (the innermost running activation's); None while no
        mock is active."""

    @property
    def active(self) -> bool:
        """True while any activation runs in the process."""
        return self.process is not None

    def current(self) -> Options:
        """The options for a request made from the calling context."""
        own = _context.get()
        for activation in reversed(own):
            if activation.is_active:
                return activation.options
        return self.process or _DEFAULTS

    @property
    def account_id(self) -> str:
        return self.current().account_id

    @property
    def default_region(self) -> str:
        return self.current().default_region

    @property
    def passthrough(self) -> bool:
        return self.current().passthrough

    @property
    def shard_throughput(self) -> bool:
        return self.current().shard_throughput

    @property
    def v3io_containers(self) -> tuple[str, ...]:
        return self.current().v3io_containers

    @property
    def v3io_platform(self) -> str:
        return self.current().v3io_platform


def enter_context(activation: LiveActivation) -> None:
    """Make ``activation`` the one for requests from the calling context."""
    _context.set(_context.get() + (activation,))


def leave_context(activation: LiveActivation) -> None:
    """Undo :func:`enter_context` in the calling context (a no-op in another context:
    there the stopped activation is skipped, being no longer active)."""
    own = _context.get()
    for index in range(len(own) - 1, -1, -1):
        if own[index] is activation:
            _context.set(own[:index] + own[index + 1:])
            return


settings = ActiveSettings()
