"""Interception: which requests the hook answers, the network guard, early clients."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import botocore.endpoint
import botocore.session
import pytest

from mock_putrecord import UnmockedRequestError, mock_putrecord, patch_client


def test_unmocked_aws_service_fails_clearly_without_network() -> None:
    with mock_putrecord():
        client = boto3.client("sqs", region_name="us-east-1")
        with pytest.raises(UnmockedRequestError, match="nothing in this process answered POST https://sqs"):
            client.list_queues()


def test_passthrough_lets_unmocked_requests_reach_the_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    sent = []

    def fake_send(self, request):  # stands in for the network
        sent.append(request.url)
        raise ConnectionAbortedError("stopped in the test")

    monkeypatch.setattr(botocore.endpoint.Endpoint, "_send", fake_send)  # patched before start: kept
    with mock_putrecord(passthrough=True):
        client = boto3.client("sqs", region_name="us-east-1",
                              config=botocore.config.Config(retries={"max_attempts": 1}))
        with pytest.raises(Exception):
            client.list_queues()
    assert sent and sent[0].startswith("https://sqs.us-east-1.amazonaws.com")


def test_patch_client_is_idempotent_and_does_not_double_store() -> None:
    with mock_putrecord() as mock:
        client = boto3.client("kinesis", region_name="us-east-1")
        patch_client(client)
        patch_client(client)
        client.create_stream(StreamName="s", ShardCount=1)
        client.put_record(StreamName="s", Data=b"once", PartitionKey="k")
        assert mock.kinesis.data("s") == [b"once"]


def test_default_session_created_before_import_is_intercepted() -> None:
    script = textwrap.dedent(
        """
        import boto3
        boto3.setup_default_session(region_name="us-east-1")   # before mock_putrecord is imported
        early = boto3.DEFAULT_SESSION
        from mock_putrecord import mock_putrecord
        with mock_putrecord() as mock:
            assert boto3.DEFAULT_SESSION is early                # registered on, not replaced
            client = boto3.client("kinesis")
            client.create_stream(StreamName="s", ShardCount=1)
            client.put_record(StreamName="s", Data=b"x", PartitionKey="k")
            assert mock.kinesis.data("s") == [b"x"]
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def test_client_created_before_import_needs_patch_client() -> None:
    script = textwrap.dedent(
        """
        import boto3
        from botocore.config import Config
        early = boto3.client("kinesis", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
        from mock_putrecord import mock_putrecord, patch_client, UnmockedRequestError
        with mock_putrecord() as mock:
            try:
                early.list_streams()
            except UnmockedRequestError:
                print("guarded")
            patch_client(early)
            early.create_stream(StreamName="s", ShardCount=1)
            print(early.list_streams()["StreamNames"])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["guarded", "['s']"], result.stderr


def test_hook_is_a_no_op_when_inactive() -> None:
    from mock_putrecord.core.interception import before_send

    assert before_send(request=object(), event_name="before-send.kinesis.PutRecords") is None  # type: ignore[arg-type]


_EARLY_CLIENT = """
import boto3, botocore.config, sys
client = boto3.client("kinesis", region_name="us-east-1",
                      config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=1))
from mock_putrecord import mock_putrecord, patch_client, UnmockedRequestError
for passthrough in (False, True):
    with mock_putrecord(passthrough=passthrough):
        try:
            client.list_streams()
        except UnmockedRequestError as error:
            print("refused:", error)
        else:
            print("answered")
with mock_putrecord() as mock:
    patch_client(client)
    client.create_stream(StreamName="s", ShardCount=1)
    print("patched:", mock.kinesis.stream_names())
"""


def test_a_client_created_before_import_is_refused_with_patch_client_advice_even_with_passthrough() -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "user-key", "AWS_SECRET_ACCESS_KEY": "user-secret"}
    result = subprocess.run([sys.executable, "-c", _EARLY_CLIENT], capture_output=True, text=True, timeout=120,
                            cwd=str(Path(__file__).resolve().parents[2]), env=env)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert len(lines) == 3, result.stdout
    for line in lines[:2]:
        assert line.startswith("refused: mock_putrecord is active, but this kinesis client was created before "
                               "mock_putrecord was imported, so the mock never saw POST https://kinesis.us-east-1")
        assert line.endswith("The request was not sent. Call mock_putrecord.patch_client(client) on it (or create "
                             "the client after importing mock_putrecord).")
    assert lines[2] == "patched: ['s']"


def test_botocore_parameters_are_the_body_source_on_every_supported_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hot path takes botocore's own parameters instead of re-reading the body. Old
    botocore (1.43.11) keeps no request context on the prepared request; the parameters
    must reach the adapter there too (the context of the same call, matched by body)."""
    from mock_putrecord.core import interception
    from mock_putrecord.core.wire import ClientParameters

    seen: list[object] = []
    original = interception.build_wire_request

    def spy(*args: object, **kwargs: object) -> object:
        wire = original(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(wire.body_source)
        return wire

    monkeypatch.setattr(interception, "build_wire_request", spy)
    with mock_putrecord(region="us-east-1"):
        client = boto3.client("kinesis", region_name="us-east-1")
        client.create_stream(StreamName="s", ShardCount=1)
        seen.clear()
        records = [{"Data": b"x", "PartitionKey": "k"}]
        client.put_records(StreamName="s", Records=records)
        assert seen == [ClientParameters({"StreamName": "s", "Records": records})]
        # A request whose body is not the one serialized from the latest call's
        # parameters is read from the wire: an injected body is never mistaken for it.
        seen.clear()

        def replace_body(request: object, **_: object) -> None:
            request.body = b'{"StreamName":"s","Records":[{"Data":"eQ==","PartitionKey":"k"}]}'  # type: ignore[attr-defined]

        client.meta.events.register_first("before-send.kinesis.PutRecords", replace_body)
        assert client.put_records(StreamName="s", Records=records)["FailedRecordCount"] == 0
        assert seen == [None]
        shard = client.list_shards(StreamName="s")["Shards"][0]["ShardId"]
        iterator = client.get_shard_iterator(StreamName="s", ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        assert [r["Data"] for r in client.get_records(ShardIterator=iterator["ShardIterator"])["Records"]] == [b"x", b"y"]
