"""The pytest plugin, exercised through ``pytester``: fixtures, marker, teardown, isolation."""
from __future__ import annotations

import os

import pytest

from mock_putrecord.core import interception
from mock_putrecord.core.activation import active_activations

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _quiet_inner_runs(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def _assert_clean() -> None:
    """Nothing of an inner run's activation is left in this process."""
    assert active_activations() == []
    assert not interception.settings.active
    assert os.environ.get("AWS_ACCESS_KEY_ID") != "testing"


# ---------------------------------------------------------------- putrecord_mock fixture
def test_fixture_yields_the_active_handle(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        from mock_putrecord import MockPutRecord
        from mock_putrecord.core import interception

        def test_it(putrecord_mock):
            assert isinstance(putrecord_mock, MockPutRecord)
            assert putrecord_mock.is_active and interception.settings.active
            client = boto3.client("kinesis", region_name="us-east-1")
            client.create_stream(StreamName="clicks", ShardCount=1)
            client.put_record(StreamName="clicks", Data=b"hi", PartitionKey="k")
            assert putrecord_mock.kinesis.data("clicks") == [b"hi"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
    _assert_clean()


def test_fixture_stops_the_mock_after_a_failing_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os
        from mock_putrecord.core.activation import active_activations

        def test_fails(putrecord_mock):
            putrecord_mock.kinesis.create_stream("s")
            assert False, "the test body failed"

        def test_after_it_nothing_is_active():
            assert active_activations() == []
            assert os.environ.get("AWS_ACCESS_KEY_ID") != "testing"
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*the test body failed*"])
    _assert_clean()


def test_state_does_not_leak_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest

        @pytest.mark.parametrize("run", range(3))
        def test_each_run_starts_empty(putrecord_mock, run):
            client = boto3.client("kinesis", region_name="us-east-1")
            assert client.list_streams()["StreamNames"] == []
            client.create_stream(StreamName="same-name", ShardCount=1)
            client.put_record(StreamName="same-name", Data=b"x", PartitionKey="k")
            assert len(putrecord_mock.kinesis.records("same-name")) == 1
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)
    _assert_clean()


def test_fixture_nests_with_the_decorator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from mock_putrecord import mock_putrecord
        from mock_putrecord.core import interception

        @mock_putrecord
        def test_both(putrecord_mock):
            putrecord_mock.kinesis.create_stream("s")
            assert putrecord_mock.kinesis.stream_names() == ["s"]

        def test_after():
            assert not interception.settings.active
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_fixture_in_an_async_test_with_aiobotocore(pytester: pytest.Pytester) -> None:
    pytest.importorskip("aiobotocore")
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")  # replaces the autouse one
    pytester.makepyfile(
        """
        from aiobotocore.session import get_session

        async def test_it(putrecord_mock):
            putrecord_mock.kinesis.create_stream("s")
            async with get_session().create_client("kinesis", region_name="us-east-1") as client:
                await client.put_records(StreamName="s", Records=[{"Data": b"a", "PartitionKey": "k"}])
            assert putrecord_mock.kinesis.data("s") == [b"a"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
    _assert_clean()


# ---------------------------------------------------------------- marker
def test_marker_is_registered_with_its_signature(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines([
        "@pytest.mark.putrecord_mock(*, region=None, account_id='123456789012', passthrough=False, "
        "*assert_all_streams_checked=False): configure the putrecord_mock fixture*"
    ])


def test_marker_options_configure_the_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest

        @pytest.mark.putrecord_mock(region="eu-west-1", account_id="111122223333")
        def test_it(putrecord_mock):
            client = boto3.client("kinesis")  # no region: the marker's
            assert client.meta.region_name == "eu-west-1"
            client.create_stream(StreamName="s", ShardCount=1)
            arn = client.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
            assert arn == "arn:aws:kinesis:eu-west-1:111122223333:stream/s"
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_markers_merge_key_by_key_and_the_closest_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.putrecord_mock(region="ap-south-1", account_id="111111111111")

        def test_module_marker(putrecord_mock):
            assert (putrecord_mock.default_region, putrecord_mock.account_id) == ("ap-south-1", "111111111111")

        @pytest.mark.putrecord_mock(region="eu-west-1")
        class TestClass:
            def test_class_marker(self, putrecord_mock):
                # the class's region wins; the module's account_id is kept
                assert (putrecord_mock.default_region, putrecord_mock.account_id) == ("eu-west-1", "111111111111")

            @pytest.mark.putrecord_mock(region="us-west-2", passthrough=True)
            def test_function_marker(self, putrecord_mock):
                assert putrecord_mock.default_region == "us-west-2"
                assert (putrecord_mock.account_id, putrecord_mock.passthrough) == ("111111111111", True)

            @pytest.mark.putrecord_mock(passthrough=True)
            def test_function_adds_a_key(self, putrecord_mock):
                assert (putrecord_mock.default_region, putrecord_mock.passthrough) == ("eu-west-1", True)
        """
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_a_marked_test_without_the_fixture_runs_mocked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from mock_putrecord.core.activation import active_activations

        @pytest.mark.putrecord_mock(region="eu-west-1")
        def test_marked_only():
            [mock] = active_activations()
            client = boto3.client("kinesis")
            assert client.meta.region_name == "eu-west-1"
            client.create_stream(StreamName="s", ShardCount=1)
            assert mock.kinesis.stream_names() == ["s"]

        @pytest.mark.putrecord_mock(region="eu-west-1")
        class TestMarkedClass:
            def test_method(self):
                assert len(active_activations()) == 1

        def test_unmarked_is_not_mocked():
            assert active_activations() == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)
    _assert_clean()


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('region="eu-west-1", regoin="x"',
         "*@pytest.mark.putrecord_mock got unknown option(s) 'regoin'. Valid options: account_id, *region*"),
        ('"eu-west-1"', "*@pytest.mark.putrecord_mock takes keyword options only, got positional argument(s) 'eu-west-1'*"),
        ("passthrough=1", "*@pytest.mark.putrecord_mock option 'passthrough' must be bool, got 1.*"),
        ("region=42", "*@pytest.mark.putrecord_mock option 'region' must be str or None, got 42.*"),
        ('account_id="12"', "*@pytest.mark.putrecord_mock: account_id must be 12 digits, got '12'*"),
    ],
)
def test_bad_marker_option_is_a_clear_setup_error(pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.putrecord_mock({marker})
        def test_it(putrecord_mock):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*MockConfigurationError*", message])
    _assert_clean()


# ---------------------------------------------------------------- aws_credentials
def test_aws_credentials_sets_fakes_and_a_default_region(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "real-looking-key")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    pytester.makepyfile(
        """
        import os

        def test_it(aws_credentials):
            assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
            assert os.environ["AWS_SECRET_ACCESS_KEY"] == "testing"
            assert os.environ["AWS_SESSION_TOKEN"] == "testing"
            assert os.environ["AWS_SECURITY_TOKEN"] == "testing"
            assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
    assert os.environ["AWS_ACCESS_KEY_ID"] == "real-looking-key"  # monkeypatch undid it
    assert "AWS_DEFAULT_REGION" not in os.environ


def test_aws_credentials_keeps_a_region_that_is_set(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    pytester.makepyfile(
        """
        import os

        def test_it(aws_credentials):
            assert os.environ["AWS_DEFAULT_REGION"] == "eu-north-1"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


# ---------------------------------------------------------------- opt-in teardown check
_PRODUCER = """
import boto3
import pytest

def produce(stream="orders", region="us-east-1", count=2):
    client = boto3.client("kinesis", region_name=region)
    client.create_stream(StreamName=stream, ShardCount=1)
    for i in range(count):
        client.put_record(StreamName=stream, Data=b"%d" % i, PartitionKey="k")
"""


def test_teardown_check_is_off_by_default(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_PRODUCER + "\ndef test_it(putrecord_mock):\n    produce()\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_teardown_check_reports_unseen_records_actionably(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        _PRODUCER
        + """
@pytest.mark.putrecord_mock(assert_all_streams_checked=True)
def test_forgets_to_look(putrecord_mock):
    produce()
    produce("audit", region="eu-west-1", count=1)
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.no_fnmatch_line("*pytest_support.py*")  # a message, not a traceback
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_forgets_to_look*",
        "*putrecord_mock: records were put to 2 Kinesis stream(s) this test never declared or inspected:",
        "*- 'audit' (1 record(s), eu-west-1, account 123456789012): assert on "
        "putrecord_mock.kinesis.data('audit', region='eu-west-1')*",
        "*- 'orders' (2 record(s), us-east-1, account 123456789012): assert on "
        "putrecord_mock.kinesis.data('orders') or .records('orders')",
        "*declare the stream in the test with putrecord_mock.kinesis.create_stream(...) or inspect it; "
        "to turn the check off, drop assert_all_streams_checked=True*",
    ])
    _assert_clean()


def test_teardown_check_passes_when_streams_are_inspected_or_declared(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        _PRODUCER
        + """
pytestmark = pytest.mark.putrecord_mock(assert_all_streams_checked=True)

def test_inspects(putrecord_mock):
    produce()
    assert putrecord_mock.kinesis.data("orders") == [b"0", b"1"]

def test_inspects_by_shard(putrecord_mock):
    produce()
    assert len(putrecord_mock.kinesis.records_by_shard("orders")["shardId-000000000000"]) == 2

def test_declares(putrecord_mock):
    putrecord_mock.kinesis.create_stream("orders")
    boto3.client("kinesis", region_name="us-east-1").put_record(StreamName="orders", Data=b"x", PartitionKey="k")

def test_empty_stream_is_fine(putrecord_mock):
    boto3.client("kinesis", region_name="us-east-1").create_stream(StreamName="idle", ShardCount=1)
"""
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_teardown_check_stays_quiet_after_a_failed_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        _PRODUCER
        + """
@pytest.mark.putrecord_mock(assert_all_streams_checked=True)
def test_fails(putrecord_mock):
    produce()
    assert False, "real failure"
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)  # no extra teardown error on top of it
    result.stdout.no_fnmatch_line("*never declared or inspected*")
    _assert_clean()


# ---------------------------------------------------------------- disabling, xdist
def test_p_no_mock_putrecord_disables_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.putrecord_mock(region="eu-west-1")
        def test_it(putrecord_mock):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:mock_putrecord", "--strict-markers")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*'putrecord_mock' not found in `markers` configuration option*"])
    result = pytester.runpytest_subprocess("-p", "no:mock_putrecord")
    result.stdout.fnmatch_lines(["*fixture 'putrecord_mock' not found*"])


def test_xdist_workers_have_isolated_state(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        """
        import os
        import boto3
        import pytest

        @pytest.mark.parametrize("n", range(8))
        def test_same_stream_name_everywhere(putrecord_mock, n):
            client = boto3.client("kinesis", region_name="us-east-1")
            assert client.list_streams()["StreamNames"] == []
            client.create_stream(StreamName="shared-name", ShardCount=2)
            client.put_records(
                StreamName="shared-name",
                Records=[{"Data": b"%d" % n, "PartitionKey": str(i)} for i in range(10)],
            )
            assert len(putrecord_mock.kinesis.records("shared-name")) == 10
            print("worker", os.environ.get("PYTEST_XDIST_WORKER"))
        """
    )
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*2 workers*"])
