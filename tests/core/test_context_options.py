"""Options belong to the activation that set them: a thread with its own activation uses
its options; a thread without one uses the process-wide (innermost running) activation."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import boto3
import pytest
from botocore.config import Config

from mock_putrecord import UnmockedRequestError, mock_putrecord
from mock_putrecord.core.settings import settings

ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=1, read_timeout=1)


def _in_two_threads(plain: Callable[[], Any], other: Callable[[], Any]) -> tuple[Any, Any]:
    """Run ``plain`` under a plain activation in thread A while thread B holds
    ``mock_putrecord(account_id="111122223333", passthrough=True)``."""
    b_started, a_done = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def thread_b() -> None:
        with mock_putrecord(account_id="111122223333", passthrough=True):
            results["b"] = other()
            b_started.set()
            a_done.wait(10)

    def thread_a() -> None:
        b_started.wait(10)
        try:
            with mock_putrecord():
                results["a"] = plain()
        finally:
            a_done.set()

    threads = [threading.Thread(target=thread_b), threading.Thread(target=thread_a)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return results.get("a"), results.get("b")


def test_a_plain_activation_does_not_see_another_threads_account() -> None:
    def plain() -> Any:
        client = boto3.client("kinesis", region_name="us-east-1")
        client.create_stream(StreamName="orders", ShardCount=1)
        client.put_record(StreamName="orders", Data=b"x", PartitionKey="k")
        return client.describe_stream_summary(StreamName="orders")["StreamDescriptionSummary"]["StreamARN"]

    def other() -> Any:
        return settings.account_id

    arn, b_account = _in_two_threads(plain, other)
    assert arn == "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
    assert b_account == "111122223333"


def test_a_plain_activation_does_not_inherit_another_threads_passthrough() -> None:
    def plain() -> Any:
        client = boto3.client("s3", region_name="us-east-1", config=ONE_ATTEMPT)
        with pytest.raises(UnmockedRequestError):
            client.list_buckets()
        return settings.passthrough

    def other() -> Any:
        return settings.passthrough

    assert _in_two_threads(plain, other) == (False, True)


def test_a_thread_without_an_activation_uses_the_process_wide_one() -> None:
    with mock_putrecord(account_id="111122223333"):
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(lambda: settings.account_id).result() == "111122223333"
        with mock_putrecord(account_id="444455556666"):
            with ThreadPoolExecutor(1) as pool:
                assert pool.submit(lambda: settings.account_id).result() == "444455556666"
            assert settings.account_id == "444455556666"
        assert settings.account_id == "111122223333"
    assert not settings.active


async def test_tasks_inherit_the_activation_of_the_context_that_created_them() -> None:
    import asyncio

    async with mock_putrecord(account_id="111122223333"):
        assert await asyncio.create_task(_account()) == "111122223333"


async def _account() -> str:
    return settings.account_id
