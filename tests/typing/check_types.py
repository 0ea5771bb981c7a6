"""Static checks of the public API's types: mypy --strict reads this module (see
``test_mypy.py``); it is never executed or collected.

``assert_type`` fails the mypy run when a type is not exactly the expected one, and each
``# type: ignore[code]`` marks a call that *must* be an error: under ``warn_unused_ignores``
(part of ``strict``) an ignore that suppresses nothing is itself an error, so a decorator
that lost its signature would be caught.
"""
from __future__ import annotations

import asyncio
import unittest
from typing import Any, AsyncIterator, Coroutine, Iterator

from typing_extensions import assert_type

from mock_putrecord import (
    MockConfigurationError,
    MockPutRecord,
    ServiceError,
    UnmockedRequestError,
    __version__,
    mock_putrecord,
    patch_client,
)
from mock_putrecord.kinesis.view import ChannelInfo, StreamInfo
from mock_putrecord.kinesis.shards import StoredRecord
from mock_putrecord.kinesis.view import KinesisView


# ---------------------------------------------------------------- decorators keep signatures
@mock_putrecord
def produce(stream: str, count: int = 1) -> list[str]:
    return [stream] * count


assert_type(produce("s", count=2), list[str])
produce(1)  # type: ignore[arg-type]
produce("s", cnt=2)  # type: ignore[call-arg]


@mock_putrecord(region="eu-west-1", account_id="111122223333", passthrough=True)
def produce_in_region(stream: str) -> int:
    return len(stream)


assert_type(produce_in_region("s"), int)
produce_in_region()  # type: ignore[call-arg]


@mock_putrecord
async def produce_async(stream: str, *, batch: int = 10) -> bytes:
    await asyncio.sleep(0)
    return stream.encode() * batch


coroutine = produce_async("s", batch=2)
assert_type(coroutine, Coroutine[Any, Any, bytes]).close()
assert_type(asyncio.run(produce_async("s")), bytes)  # still a coroutine, so asyncio.run takes it
bad_call = produce_async("s", 2)  # type: ignore[call-arg]


@mock_putrecord(region="eu-west-1")
async def produce_async_in_region(stream: str) -> None:
    await asyncio.sleep(0)


region_coroutine = produce_async_in_region("s")
assert_type(region_coroutine, Coroutine[Any, Any, None]).close()


@mock_putrecord
class TestProducer(unittest.TestCase):
    def test_it(self) -> None: ...


assert_type(TestProducer, type[TestProducer])
assert_type(TestProducer("test_it").test_it(), None)


@mock_putrecord(region="eu-west-1")
class TestProducerInRegion:
    def test_it(self) -> None: ...


assert_type(TestProducerInRegion, type[TestProducerInRegion])

mock_putrecord(regoin="eu-west-1")  # type: ignore[call-overload]
mock_putrecord(account_id=123456789012)  # type: ignore[call-overload]


# ---------------------------------------------------------------- the handle
def handle_forms() -> None:
    assert_type(mock_putrecord(), MockPutRecord)
    assert_type(mock_putrecord(region="eu-west-1"), MockPutRecord)
    assert_type(mock_putrecord().start(), MockPutRecord)
    assert_type(mock_putrecord().stop(), None)
    with mock_putrecord() as mock:
        assert_type(mock, MockPutRecord)
        assert_type(mock.is_active, bool)
        assert_type(mock.default_region, str)
        assert_type(mock.reset(), None)
        assert_type(mock.advance(1.5), float)
        assert_type(mock.kinesis, KinesisView)
        assert_type(mock.kinesis.create_stream("s", 2), StreamInfo)
        assert_type(mock.kinesis.stream("s"), StreamInfo)
        assert_type(mock.kinesis.stream("s").shard_ids, tuple[str, ...])
        assert_type(mock.kinesis.channel("c"), ChannelInfo)
        assert_type(mock.kinesis.records("s"), list[StoredRecord])
        assert_type(mock.kinesis.records_by_shard("s"), dict[str, list[StoredRecord]])
        assert_type(mock.kinesis.data("s"), list[bytes])
        assert_type(mock.kinesis.stream_names(region="eu-west-1"), list[str])
        assert_type(mock.kinesis.put("s", [(b"x", "k")]), list[tuple[str, str]])
        mock.kinesis.put("s", [("x", "k")])  # type: ignore[list-item]


async def async_handle() -> None:
    async with mock_putrecord(region="eu-west-1") as mock:
        assert_type(mock, MockPutRecord)


# ---------------------------------------------------------------- the rest of the public API
assert_type(__version__, str)
assert_type(patch_client(object()), None)
assert issubclass(MockConfigurationError, Exception)
assert issubclass(UnmockedRequestError, Exception)
assert_type(ServiceError("boom").message, str)
assert_type(ServiceError.code, str)


# ---------------------------------------------------------------- decorator kinds keep their types
@mock_putrecord
def generator(count: int) -> Iterator[int]:
    yield count


assert_type(generator(1), Iterator[int])


@mock_putrecord
async def async_generator(count: int) -> AsyncIterator[int]:
    yield count


assert_type(async_generator(1), AsyncIterator[int])
