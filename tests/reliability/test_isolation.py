"""Isolation: state is per test, per class test and shared by nested activations, as
documented; and a suite runs green with isolated state under ``pytest -n 2``."""
from __future__ import annotations

import unittest

import boto3
import pytest

from mock_putrecord import mock_putrecord

pytest_plugins = ["pytester"]


def _streams() -> list[str]:
    return list(boto3.client("kinesis", region_name="us-east-1").list_streams()["StreamNames"])


def test_nested_activations_share_state_and_only_the_outermost_clears() -> None:
    with mock_putrecord() as outer:
        outer.kinesis.create_stream("a", shard_count=1)
        with mock_putrecord(region="us-east-1") as inner:
            assert _streams() == ["a"]
            inner.kinesis.create_stream("b", shard_count=1)
        assert _streams() == ["a", "b"]  # the inner stop kept the state
    with mock_putrecord():
        assert _streams() == []  # the outermost stop cleared it


@mock_putrecord
def test_decorated_tests_start_fresh_one() -> None:
    assert _streams() == []
    boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="leftover", ShardCount=1)


@mock_putrecord
def test_decorated_tests_start_fresh_two() -> None:
    assert _streams() == []
    boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="leftover", ShardCount=1)


@mock_putrecord
class TestDecoratedClass:
    def test_one(self) -> None:
        assert _streams() == []
        boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="c", ShardCount=1)

    def test_two(self) -> None:
        assert _streams() == []
        boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="c", ShardCount=1)


@mock_putrecord
class TestDecoratedTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.client = boto3.client("kinesis", region_name="us-east-1")
        self.client.create_stream(StreamName="set-up", ShardCount=1)

    def test_one(self) -> None:
        self.assertEqual(_streams(), ["set-up"])

    def test_two(self) -> None:
        self.assertEqual(_streams(), ["set-up"])


XDIST_SUITE = '''
import os
import boto3
import pytest
import requests
from mock_putrecord import mock_putrecord

@pytest.mark.parametrize("n", range(12))
def test_each_test_sees_only_its_own_state(n):
    with mock_putrecord() as mock:
        client = boto3.client("kinesis", region_name="us-east-1")
        assert client.list_streams()["StreamNames"] == []
        client.create_stream(StreamName=f"s{n}", ShardCount=2)
        client.put_records(StreamName=f"s{n}", Records=[{"Data": b"%d" % n, "PartitionKey": "k"}] * (n + 1))
        assert len(mock.kinesis.records(f"s{n}")) == n + 1
        headers = {"X-v3io-function": "CreateStream", "X-v3io-session-key": "k"}
        assert requests.post("http://v3io-webapi:8081/bigdata/s/", json={"ShardCount": 1, "RetentionPeriodHours": 1},
                             headers=headers, timeout=5).status_code == 204
        print("worker", os.environ.get("PYTEST_XDIST_WORKER"))

@pytest.mark.parametrize("n", range(4))
def test_fixture_is_fresh(putrecord_mock, n):
    assert putrecord_mock.kinesis.stream_names() == []
    putrecord_mock.kinesis.create_stream("fixture", shard_count=1)
'''


def test_xdist_two_workers_run_a_suite_green_with_isolated_state(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_isolated=XDIST_SUITE)
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "-p", "no:randomly", "-v")
    result.assert_outcomes(passed=16)
    workers = {word for line in result.outlines if "PASSED" in line for word in line.split() if word.startswith("[gw")}
    assert {"[gw0]", "[gw1]"} <= workers, "both workers ran tests"
