"""Activation: decorator (bare, parametrised, class), context manager, start/stop, nesting."""
from __future__ import annotations

import os
import unittest

import boto3
import pytest

from mock_putrecord import MockPutRecord, mock_putrecord
from mock_putrecord.core import interception


def _streams() -> list[str]:
    return boto3.client("kinesis", region_name="us-east-1").list_streams()["StreamNames"]


@mock_putrecord
def test_bare_decorator_activates() -> None:
    assert interception.settings.active
    assert _streams() == []


@mock_putrecord(region="eu-west-1", account_id="111122223333")
def test_parametrised_decorator_applies_options() -> None:
    client = boto3.client("kinesis")  # no region: the mock's option is the default
    assert client.meta.region_name == "eu-west-1"
    client.create_stream(StreamName="s", ShardCount=1)
    arn = client.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    assert arn == "arn:aws:kinesis:eu-west-1:111122223333:stream/s"


def test_decorated_function_keeps_name_and_signature() -> None:
    @mock_putrecord
    def produce(stream: str, count: int = 1) -> int:
        """Docstring."""
        return count

    assert produce.__name__ == "produce" and produce.__doc__ == "Docstring."
    assert produce("s", count=3) == 3


def test_context_manager_yields_handle_and_resets_on_exit() -> None:
    with mock_putrecord() as mock:
        assert isinstance(mock, MockPutRecord)
        mock.kinesis.create_stream("s")
        assert _streams() == ["s"]
    assert not interception.settings.active
    with mock_putrecord():
        assert _streams() == []


def test_start_stop_and_stop_before_start_raises() -> None:
    mock = mock_putrecord()
    with pytest.raises(RuntimeError, match="stop\\(\\) called before start\\(\\)"):
        mock.stop()
    mock.start()
    assert mock.is_active
    mock.stop()
    assert not mock.is_active


def test_nested_activations_share_state_and_only_outermost_clears() -> None:
    with mock_putrecord() as outer:
        outer.kinesis.create_stream("s")
        with mock_putrecord() as inner:
            assert inner.kinesis.stream_names() == ["s"]
            inner.kinesis.create_stream("t")
        assert interception.settings.active
        assert _streams() == ["s", "t"]
    assert not interception.settings.active


def test_bad_account_id_is_rejected_clearly() -> None:
    with pytest.raises(ValueError, match="account_id must be 12 digits"):
        mock_putrecord(account_id="123")


@mock_putrecord
class TestPlainClass:
    @pytest.fixture
    def stream_name(self) -> str:  # fixtures on the class stay fixtures
        return "from-fixture"

    def test_fixture_still_works(self, stream_name: str) -> None:
        boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName=stream_name, ShardCount=1)
        assert _streams() == ["from-fixture"]

    def test_each_method_starts_fresh(self) -> None:
        assert _streams() == []


@mock_putrecord
class TestUnittestClass(unittest.TestCase):
    def setUp(self) -> None:
        boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="from-setup", ShardCount=1)

    def test_setup_ran_inside_the_mock(self) -> None:
        self.assertEqual(_streams(), ["from-setup"])

    def test_state_is_fresh_per_test(self) -> None:
        self.assertEqual(_streams(), ["from-setup"])


async def test_async_decorator_keeps_the_mock_for_the_whole_coroutine() -> None:
    import asyncio

    @mock_putrecord
    async def produce() -> list[str]:
        await asyncio.sleep(0)
        boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="a", ShardCount=1)
        await asyncio.sleep(0.01)
        return _streams()

    assert await produce() == ["a"]
    assert not interception.settings.active


async def test_async_with() -> None:
    async with mock_putrecord() as mock:
        mock.kinesis.create_stream("s")
        assert _streams() == ["s"]


def test_environment_is_restored_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "")  # set but empty
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)  # unset
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    with mock_putrecord():
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
        assert os.environ["AWS_SESSION_TOKEN"] == "testing"  # never a real token with the fake key
    assert os.environ["AWS_ACCESS_KEY_ID"] == ""
    assert "AWS_SECRET_ACCESS_KEY" not in os.environ
    assert os.environ["AWS_SESSION_TOKEN"] == "real-token"


def test_generator_function_keeps_the_mock_until_it_finishes() -> None:
    @mock_putrecord
    def producer():  # e.g. a yield fixture
        boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="g", ShardCount=1)
        yield _streams()
        yield interception.settings.active

    steps = producer()
    assert next(steps) == ["g"]
    assert next(steps) is True
    assert list(steps) == []
    assert not interception.settings.active


async def test_async_generator_function_keeps_the_mock_until_it_finishes() -> None:
    @mock_putrecord
    async def producer():
        yield _streams()
        yield interception.settings.active

    assert [item async for item in producer()] == [[], True]
    assert not interception.settings.active


def test_activations_stopped_out_of_order_still_restore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "real-key")
    first, second = mock_putrecord(), mock_putrecord(region="eu-west-1")
    first.start()
    second.start()
    first.stop()  # not the innermost: e.g. concurrent decorated coroutines
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
    second.stop()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "real-key"


def test_a_second_stop_says_already_stopped() -> None:
    mock = mock_putrecord().start()
    mock.stop()
    with pytest.raises(RuntimeError, match=r"^mock_putrecord: this mock is already stopped \(stop\(\) called twice\)$"):
        mock.stop()


@pytest.mark.parametrize("seconds", [float("nan"), float("inf"), float("-inf"), -1, -0.001])
def test_advance_refuses_non_finite_and_negative_seconds(seconds: float) -> None:
    with mock_putrecord(shard_throughput=True) as mock:
        before = mock.advance(0)
        with pytest.raises(ValueError, match="advance|forward"):
            mock.advance(seconds)
        assert mock.advance(0) == before  # the clock did not move


def test_aws_region_alone_is_a_configured_region(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    with mock_putrecord() as mock:
        client = boto3.client("kinesis")
        assert client.meta.region_name == "eu-west-3"
        client.create_stream(StreamName="s", ShardCount=1)
        assert mock.default_region == "eu-west-3"
        assert mock.kinesis.stream_names() == ["s"]
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_a_handle_started_twice_nests_and_keeps_its_options_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    mock = mock_putrecord()
    assert mock.start() is mock and mock.start() is mock
    assert mock.default_region == "us-east-1" and mock.options.default_region == "us-east-1"
    mock.stop()
    assert mock.is_active and interception.settings.active
    mock.stop()
    assert not mock.is_active and not interception.settings.active
    with pytest.raises(RuntimeError, match=r"already stopped"):
        mock.stop()


def test_a_handle_can_be_started_again_after_it_stopped() -> None:
    mock = mock_putrecord(account_id="111122223333")
    for _ in range(2):
        with mock:
            assert interception.settings.account_id == "111122223333"
    assert not mock.is_active
