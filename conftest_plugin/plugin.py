"""The pytest plugin of mock_putrecord (entry point ``mock_putrecord``; disable it with
``-p no:mock_putrecord``): the ``putrecord_mock`` and ``aws_credentials`` fixtures and the
``putrecord_mock`` marker. Fixtures and marker only; the logic is in
:mod:`mock_putrecord.pytest_support`."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Generator, Iterator

import pytest

from mock_putrecord import MockPutRecord
from mock_putrecord.pytest_support import (
    MARKER,
    FixtureOptions,
    credentials_environment,
    fixture_options,
    marker_help,
    unchecked_streams_report,
)

_call_report = pytest.StashKey[pytest.TestReport]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", marker_help())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report  # the teardown check skips failed tests
    return report


def _marker_options(request: pytest.FixtureRequest) -> FixtureOptions:
    """The ``putrecord_mock`` markers' options merged key by key, the closest marker
    winning (a class's ``region=`` plus a function's ``passthrough=``), validated."""
    args: list[object] = []
    kwargs: dict[str, object] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # farthest first
        args.extend(marker.args)
        kwargs.update(marker.kwargs)
    return fixture_options(args, kwargs)


@pytest.fixture(autouse=True)
def _putrecord_mock_marker(request: pytest.FixtureRequest) -> None:
    """A test marked ``putrecord_mock`` runs with the mock active even when it does not
    request the ``putrecord_mock`` fixture."""
    names = request.fixturenames
    if "putrecord_mock" in names or "putrecord_server" in names:
        return
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue("putrecord_mock")


@pytest.fixture
def putrecord_mock(request: pytest.FixtureRequest) -> Iterator[MockPutRecord]:
    """The active mock (a :class:`~mock_putrecord.MockPutRecord`), stopped after the test.

    Configure it with ``@pytest.mark.putrecord_mock(**options)``; the closest marker wins.
    """
    options = _marker_options(request)
    mock = options.build().start()
    try:
        yield mock
        report = request.node.stash.get(_call_report, None)
        if options.assert_all_streams_checked and (report is None or report.passed):
            problem = unchecked_streams_report(mock)
            if problem:
                pytest.fail(problem, pytrace=False)
    finally:
        mock.stop()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake AWS credentials for the test (and ``AWS_DEFAULT_REGION=us-east-1`` if unset)."""
    for name, value in credentials_environment(os.environ).items():
        monkeypatch.setenv(name, value)


if TYPE_CHECKING:
    from mock_putrecord.server import MockServer


@pytest.fixture
def putrecord_server(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A running server-mode mock (:class:`~mock_putrecord.server.MockServer`, function
    scope): point other processes at ``.url``, inspect ``.mock``. The ``putrecord_mock``
    marker's options apply. A session-scoped one: see docs/server.md."""
    from mock_putrecord.server.fixtures import running_server

    yield from running_server(mock=_marker_options(request).build())
