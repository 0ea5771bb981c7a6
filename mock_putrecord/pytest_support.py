"""The logic behind the pytest plugin (``conftest_plugin.plugin``), which itself holds only
fixtures and the marker: marker-option validation, the ``aws_credentials`` environment, and
the opt-in teardown check for records nobody looked at."""
from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .core.credentials import FAKE_CREDENTIALS
from .core.errors import MockConfigurationError
from .core.settings import DEFAULT_REGION
from .mock import MockPutRecord

MARKER = "putrecord_mock"
"""The marker's name: ``@pytest.mark.putrecord_mock(**options)``."""

PLUGIN_OPTIONS: Mapping[str, bool] = {"assert_all_streams_checked": False}
"""Marker options that configure the fixture rather than the mock, with their defaults."""

def mock_options() -> dict[str, inspect.Parameter]:
    """The keyword options of ``mock_putrecord(...)``, read from :class:`MockPutRecord`."""
    parameters = inspect.signature(MockPutRecord.__init__).parameters
    return {name: p for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}


def marker_help() -> str:
    """The marker's line in ``pytest --markers``: its signature and what it does."""
    options = [f"{name}={p.default!r}" for name, p in mock_options().items()]
    options += [f"{name}={default!r}" for name, default in PLUGIN_OPTIONS.items()]
    return (
        f"{MARKER}(*, {', '.join(options)}): configure the putrecord_mock fixture with the "
        "options of mock_putrecord(...); assert_all_streams_checked=True fails the test if "
        "records went to a Kinesis stream it never declared or inspected through "
        "putrecord_mock.kinesis."
    )


@dataclass(frozen=True)
class FixtureOptions:
    """The validated options of one test's ``putrecord_mock`` fixture."""

    mock: dict[str, Any] = field(default_factory=dict)
    assert_all_streams_checked: bool = False

    def build(self) -> MockPutRecord:
        """The (not yet started) handle these options describe."""
        try:
            return MockPutRecord(**self.mock)
        except (TypeError, ValueError) as error:
            raise MockConfigurationError(f"@pytest.mark.{MARKER}: {error}") from None


def fixture_options(args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None) -> FixtureOptions:
    """Validate the closest marker's arguments.

    :raises MockConfigurationError: naming the positional argument, the unknown option or
        the option whose value has the wrong type.
    """
    kwargs = dict(kwargs or {})
    if args:
        raise MockConfigurationError(
            f"@pytest.mark.{MARKER} takes keyword options only, got positional argument(s) "
            f"{', '.join(map(repr, args))}. Example: @pytest.mark.{MARKER}(region=\"eu-west-1\")."
        )
    known = mock_options()
    valid = sorted([*known, *PLUGIN_OPTIONS])
    unknown = sorted(name for name in kwargs if name not in known and name not in PLUGIN_OPTIONS)
    if unknown:
        raise MockConfigurationError(
            f"@pytest.mark.{MARKER} got unknown option(s) {', '.join(map(repr, unknown))}. "
            f"Valid options: {', '.join(valid)}."
        )
    hints = typing.get_type_hints(MockPutRecord.__init__)
    hints.update({name: type(default) for name, default in PLUGIN_OPTIONS.items()})
    for name, value in kwargs.items():
        expected = hints.get(name)
        if expected is not None and not _is_instance(value, expected):
            raise MockConfigurationError(
                f"@pytest.mark.{MARKER} option {name!r} must be {_describe(expected)}, got {value!r}."
            )
    plugin = {name: kwargs.pop(name) for name in PLUGIN_OPTIONS if name in kwargs}
    return FixtureOptions(mock=kwargs, **plugin)


def _is_instance(value: Any, expected: Any) -> bool:
    if expected is bool:
        return isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    try:
        return isinstance(value, expected)
    except TypeError:  # a parametrised generic: let MockPutRecord judge
        return True


def _describe(expected: Any) -> str:
    args = typing.get_args(expected)
    names = [getattr(t, "__name__", str(t)) for t in (args or (expected,))]
    return " or ".join("None" if name == "NoneType" else name for name in names)


def credentials_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables the ``aws_credentials`` fixture sets, given the current environment:
    fake credentials always, ``AWS_DEFAULT_REGION`` only when it is unset."""
    wanted = dict(FAKE_CREDENTIALS)
    if "AWS_DEFAULT_REGION" not in environ:
        wanted["AWS_DEFAULT_REGION"] = DEFAULT_REGION
    return wanted


@dataclass(frozen=True)
class UncheckedStream:
    """A Kinesis stream that received records the test never declared or inspected."""

    name: str
    region: str
    account_id: str
    records: int


def unchecked_streams() -> list[UncheckedStream]:
    """Streams holding records, neither declared nor inspected through ``mock.kinesis``."""
    from .kinesis.models import kinesis_backends

    found = []
    for (account_id, region), backend in kinesis_backends.items():
        for stream in list(backend.streams.values()):
            count = sum(len(shard) for shard in stream.shards)
            if count and not stream.seen_by_test:
                found.append(UncheckedStream(stream.name, region, account_id, count))
    return sorted(found, key=lambda s: (s.account_id, s.region, s.name))


def unchecked_streams_report(mock: MockPutRecord) -> str | None:
    """The opt-in teardown check of the ``putrecord_mock`` fixture: ``None`` when every
    stream that received records was declared or inspected, else a message listing each
    other stream with the call that inspects it."""
    found = unchecked_streams()
    if not found:
        return None
    lines = [f"putrecord_mock: records were put to {len(found)} Kinesis stream(s) this test never "
             "declared or inspected:"]
    for stream in found:
        where = []
        if stream.region != mock.default_region:
            where.append(f"region={stream.region!r}")
        if stream.account_id != mock.account_id:
            where.append(f"account_id={stream.account_id!r}")
        call = ", ".join([repr(stream.name), *where])
        lines.append(
            f"  - {stream.name!r} ({stream.records} record(s), {stream.region}, account "
            f"{stream.account_id}): assert on putrecord_mock.kinesis.data({call}) or "
            f".records({call})"
        )
    lines.append(
        "If these writes are expected, declare the stream in the test with "
        "putrecord_mock.kinesis.create_stream(...) or inspect it; to turn the check off, drop "
        f"assert_all_streams_checked=True from @pytest.mark.{MARKER}."
    )
    return "\n".join(lines)
