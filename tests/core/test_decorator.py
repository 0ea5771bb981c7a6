"""The decorator (built on wrapt): every kind of callable keeps its signature, binding and
kind, and each call runs under its own live activation with the decorator's options."""
from __future__ import annotations

import asyncio
import inspect
import threading
import unittest
from typing import Any, AsyncIterator, Iterator

import boto3
import pytest

from mock_putrecord import MockPutRecord, mock_putrecord
from mock_putrecord.core.activation import active_activations
from mock_putrecord.core.settings import settings


def _streams() -> list[str]:
    return boto3.client("kinesis", region_name="us-east-1").list_streams()["StreamNames"]


# ---------------------------------------------------------------- functions
def test_a_function_keeps_its_name_docstring_and_exact_signature() -> None:
    def produce(stream: str, count: int = 1, *, key: str = "k") -> int:
        """Put ``count`` records."""
        return count

    decorated = mock_putrecord(produce)
    assert decorated.__name__ == "produce" and decorated.__doc__ == "Put ``count`` records."
    assert inspect.signature(decorated) == inspect.signature(produce)
    assert decorated.__wrapped__ is produce  # type: ignore[attr-defined]
    assert decorated("s", 3) == 3


def test_each_call_runs_under_a_fresh_activation_with_the_decorators_options() -> None:
    handle = mock_putrecord(account_id="111122223333")
    seen: list[Any] = []

    @handle
    def produce() -> None:
        seen.append((settings.account_id, active_activations() == [handle], handle.is_active))

    produce()
    produce()
    # The options live in the handle; the activation of each call is its own.
    assert seen == [("111122223333", True, False)] * 2
    assert not settings.active


def test_a_decorated_function_runs_concurrently_in_threads() -> None:
    started, release = threading.Barrier(2), threading.Event()
    results: list[list[str]] = []

    @mock_putrecord
    def produce(name: str) -> None:
        boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName=name, ShardCount=1)
        started.wait(5)
        release.wait(5)
        results.append(_streams())

    threads = [threading.Thread(target=produce, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(10)
    # Reference counting: the first call to finish left the mock up for the other.
    assert sorted(map(tuple, results)) == [("a", "b"), ("a", "b")]
    assert active_activations() == [] and not settings.active


def test_the_call_stops_the_mock_when_the_function_raises() -> None:
    @mock_putrecord
    def fail() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        fail()
    assert not settings.active


# ---------------------------------------------------------------- methods
class Producer:
    def __init__(self, name: str) -> None:
        self.name = name

    @mock_putrecord
    def method(self, count: int) -> tuple[str, int, bool]:
        return self.name, count, settings.active

    @mock_putrecord
    @classmethod
    def factory(cls, name: str) -> tuple[type, str, bool]:
        return cls, name, settings.active

    @mock_putrecord
    @staticmethod
    def static(value: int) -> tuple[int, bool]:
        return value, settings.active

    @mock_putrecord
    async def coroutine_method(self) -> tuple[str, bool]:
        await asyncio.sleep(0)
        return self.name, settings.active


def test_a_method_binds_to_its_instance() -> None:
    producer = Producer("p")
    assert producer.method(2) == ("p", 2, True)
    assert list(inspect.signature(producer.method).parameters) == ["count"]
    assert list(inspect.signature(Producer.method).parameters) == ["self", "count"]
    assert not settings.active


def test_a_classmethod_binds_to_the_class_through_the_class_and_an_instance() -> None:
    assert Producer.factory("x") == (Producer, "x", True)
    assert Producer("p").factory("y") == (Producer, "y", True)
    assert list(inspect.signature(Producer.factory).parameters) == ["name"]


def test_a_staticmethod_gets_no_instance() -> None:
    assert Producer.static(1) == (1, True)
    assert Producer("p").static(2) == (2, True)
    assert list(inspect.signature(Producer.static).parameters) == ["value"]


class Plain:
    def method(self, count: int) -> tuple["Plain", int, bool]:
        return self, count, settings.active


def test_a_bound_method_can_be_decorated() -> None:
    plain = Plain()
    decorated = mock_putrecord(plain.method)
    assert decorated(5) == (plain, 5, True)
    assert list(inspect.signature(decorated).parameters) == ["count"]
    assert not settings.active


async def test_a_coroutine_method_stays_a_coroutine_function() -> None:
    producer = Producer("c")
    assert inspect.iscoroutinefunction(Producer.coroutine_method)
    assert inspect.iscoroutinefunction(producer.coroutine_method)
    assert await producer.coroutine_method() == ("c", True)


# ---------------------------------------------------------------- coroutines and generators
def test_a_coroutine_function_stays_one_for_inspect_and_asyncio() -> None:
    async def produce(stream: str) -> str:
        return stream

    decorated = mock_putrecord(produce)
    assert inspect.iscoroutinefunction(decorated)
    assert asyncio.iscoroutinefunction(decorated)
    assert inspect.signature(decorated) == inspect.signature(produce)
    assert asyncio.run(decorated("s")) == "s"


@pytest.fixture
def stream_name() -> str:
    return "from-fixture"


@mock_putrecord(region="eu-west-1")
async def test_pytest_asyncio_runs_a_decorated_coroutine_with_fixtures(stream_name: str) -> None:
    await asyncio.sleep(0)
    client = boto3.client("kinesis")
    assert client.meta.region_name == "eu-west-1"
    client.create_stream(StreamName=stream_name, ShardCount=1)
    await asyncio.sleep(0)
    assert client.list_streams()["StreamNames"] == ["from-fixture"]


@mock_putrecord
def test_pytest_injects_fixtures_into_a_decorated_function(stream_name: str, tmp_path: Any) -> None:
    assert stream_name == "from-fixture" and tmp_path.exists()
    assert settings.active


def test_a_generator_function_stays_one_and_keeps_the_mock_until_it_finishes() -> None:
    @mock_putrecord
    def steps(count: int) -> Iterator[bool]:
        for _ in range(count):
            yield settings.active
        return None

    assert inspect.isgeneratorfunction(steps)
    iterator = steps(2)
    assert not settings.active  # created, not started
    assert list(iterator) == [True, True]
    assert not settings.active


def test_a_generator_passes_its_return_value_through() -> None:
    @mock_putrecord
    def steps() -> Iterator[int]:
        yield 1
        return 42  # type: ignore[misc]

    def consume() -> Iterator[int]:
        result = yield from steps()
        yield result

    assert list(consume()) == [1, 42]


async def test_an_async_generator_function_stays_one() -> None:
    @mock_putrecord
    async def steps(count: int) -> AsyncIterator[bool]:
        for _ in range(count):
            await asyncio.sleep(0)
            yield settings.active

    assert inspect.isasyncgenfunction(steps)
    assert [item async for item in steps(2)] == [True, True]
    assert not settings.active


# ---------------------------------------------------------------- classes
@mock_putrecord(region="eu-west-1")
class TestPlainClassWithItsOwnSetupAndTeardown:
    calls: list[str] = []

    def setup_method(self, method: Any) -> None:
        assert settings.active  # the mock starts before the class's own setup
        boto3.client("kinesis").create_stream(StreamName="from-setup", ShardCount=1)
        self.calls.append("setup")

    def teardown_method(self) -> None:  # pytest's optional argument left out
        assert settings.active  # and stops after its teardown
        self.calls.append("teardown")

    def test_setup_ran_inside(self) -> None:
        assert boto3.client("kinesis").list_streams()["StreamNames"] == ["from-setup"]

    async def test_async_method(self) -> None:
        await asyncio.sleep(0)
        assert boto3.client("kinesis").meta.region_name == "eu-west-1"


def test_the_class_decorator_leaves_test_methods_untouched() -> None:
    @mock_putrecord
    class TestSomething:
        def test_one(self) -> None: ...

    assert "test_one" in vars(TestSomething) and inspect.isfunction(vars(TestSomething)["test_one"])


class _Base(unittest.TestCase):
    def setUp(self) -> None:
        self.base_setup_active = settings.active


@mock_putrecord
class TestUnittestClassWithAnInheritedSetUp(_Base):
    def test_inherited_setup_ran_inside(self) -> None:
        self.assertTrue(self.base_setup_active)
        self.assertEqual(_streams(), [])


def test_a_decorated_unittest_class_stops_after_each_test() -> None:
    @mock_putrecord
    class Case(unittest.TestCase):
        def test_one(self) -> None:
            assert settings.active

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Case).run(result)
    assert result.wasSuccessful() and result.testsRun == 1
    assert not settings.active and active_activations() == []


def test_decorating_something_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot decorate 42"):
        MockPutRecord()(42)  # type: ignore[call-overload]


def test_an_unfinished_generator_leaves_a_live_activation_that_can_be_stopped() -> None:
    from mock_putrecord.core.activation import running_activations

    @mock_putrecord
    def steps() -> Iterator[int]:
        yield 1
        yield 2

    iterator = steps()
    assert next(iterator) == 1
    [live] = running_activations()
    assert live.is_active and live.options.account_id == "123456789012"
    live.stop()
    assert not settings.active and running_activations() == []
    iterator.close()  # its own exit finds the activation already stopped
    assert not settings.active


@pytest.fixture
@mock_putrecord(region="eu-west-1")
def declared_stream() -> Iterator[str]:
    boto3.client("kinesis").create_stream(StreamName="fixture-stream", ShardCount=1)
    yield "fixture-stream"


def test_a_decorated_yield_fixture_keeps_the_mock_for_the_test(declared_stream: str) -> None:
    client = boto3.client("kinesis")
    assert client.meta.region_name == "eu-west-1"
    assert client.list_streams()["StreamNames"] == [declared_stream]
