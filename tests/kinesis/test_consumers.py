"""Register/Describe/List/DeregisterStreamConsumer: ARNs, statuses on the virtual
clock, limits, ConsumerCount and AWS's errors."""
from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from mock_putrecord import MockPutRecord
from mock_putrecord.kinesis.consumers import resolve_consumer_arn

from .conftest import error_of

ACCOUNT = "123456789012"


@pytest.fixture
def stream_arn(kinesis: Any) -> str:
    kinesis.create_stream(StreamName="s", ShardCount=1)
    return str(kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"])


def test_register_returns_an_active_consumer_with_aws_arn_on_real_clock(kinesis: Any, stream_arn: str) -> None:
    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["Consumer"]
    created = int(consumer["ConsumerCreationTimestamp"].timestamp())
    assert consumer["ConsumerARN"] == f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s/consumer/app:{created}"
    assert consumer["ConsumerName"] == "app"
    assert consumer["ConsumerStatus"] == "ACTIVE"


def test_creating_then_active_and_deleting_then_gone_on_virtual_clock(
        mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)  # freeze
    arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["Consumer"]["ConsumerARN"]
    assert kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"] == "CREATING"
    mock.advance(4.9)
    assert kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"] == "CREATING"
    mock.advance(0.1)
    assert kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE"
    kinesis.deregister_stream_consumer(ConsumerARN=arn)
    description = kinesis.describe_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["ConsumerDescription"]
    assert description["ConsumerStatus"] == "DELETING"
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["ConsumerCount"] == 1
    mock.advance(5)
    with pytest.raises(ClientError) as excinfo:
        kinesis.describe_stream_consumer(ConsumerARN=arn)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Consumer {arn}, account {ACCOUNT} not found.", 400)
    assert kinesis.list_stream_consumers(StreamARN=stream_arn)["Consumers"] == []


def test_describe_by_stream_and_name_matches_by_arn(kinesis: Any, stream_arn: str) -> None:
    arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["Consumer"]["ConsumerARN"]
    by_name = kinesis.describe_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["ConsumerDescription"]
    by_arn = kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
    assert by_name == by_arn
    assert by_arn["StreamARN"] == stream_arn


def test_describe_needs_arn_or_stream_and_name(raw_kinesis: Any, stream_arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.describe_stream_consumer(StreamARN=stream_arn)
    assert error_of(excinfo) == (
        "InvalidArgumentException",
        "ConsumerArn or both ConsumerName and StreamARN are required for this request.", 400)


def test_unknown_consumer_by_name(kinesis: Any, stream_arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        kinesis.describe_stream_consumer(StreamARN=stream_arn, ConsumerName="nope")
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Consumer nope, account {ACCOUNT} not found.", 400)


def test_register_on_missing_stream(kinesis: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        kinesis.register_stream_consumer(StreamARN=f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/none",
                                         ConsumerName="app")
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Stream none under account {ACCOUNT} not found.", 400)


def test_register_twice_is_in_use(kinesis: Any, stream_arn: str) -> None:
    kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")
    with pytest.raises(ClientError) as excinfo:
        kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")
    assert error_of(excinfo) == ("ResourceInUseException", "Consumer app exists", 400)


def test_twenty_consumers_per_stream(kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    for index in range(20):
        kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=f"c{index}")
    with pytest.raises(ClientError) as excinfo:  # botocore retries LimitExceeded: no retries here
        raw_kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="c20")
    assert error_of(excinfo) == (
        "LimitExceededException", "Only 20 consumers can be registered to a stream at once", 400)
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["ConsumerCount"] == 20


def test_five_creating_at_once(mock: MockPutRecord, kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    for index in range(5):
        kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=f"c{index}")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="c5")
    assert error_of(excinfo) == ("LimitExceededException", "Only 5 consumers can be created at the same time", 400)
    mock.advance(5)
    kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="c5")


def test_deregister_twice_is_refused_while_deleting(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    consumer = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")["Consumer"]
    mock.advance(5)
    kinesis.deregister_stream_consumer(StreamARN=stream_arn, ConsumerName="app")
    with pytest.raises(ClientError) as excinfo:
        kinesis.deregister_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    created = int(consumer["ConsumerCreationTimestamp"].timestamp())
    assert error_of(excinfo) == (
        "ResourceInUseException",
        f"Consumer app with creation timestamp {created} under stream s and account {ACCOUNT} is not in ACTIVE status.",
        400)


def test_list_pages_in_registration_order(kinesis: Any, stream_arn: str) -> None:
    for name in ("b", "a", "c"):
        kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=name)
    first = kinesis.list_stream_consumers(StreamARN=stream_arn, MaxResults=2)
    assert [c["ConsumerName"] for c in first["Consumers"]] == ["b", "a"]
    second = kinesis.list_stream_consumers(StreamARN=stream_arn, NextToken=first["NextToken"])
    assert [c["ConsumerName"] for c in second["Consumers"]] == ["c"]
    assert "NextToken" not in second


def test_list_token_expires_after_300_seconds(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    for name in ("a", "b"):
        kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=name)
    token = kinesis.list_stream_consumers(StreamARN=stream_arn, MaxResults=1)["NextToken"]
    mock.advance(301)
    with pytest.raises(ClientError) as excinfo:
        kinesis.list_stream_consumers(StreamARN=stream_arn, NextToken=token)
    assert error_of(excinfo)[0] == "ExpiredNextTokenException"


def test_consumer_name_pattern_is_validated_server_side(raw_kinesis: Any, stream_arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="bad name")
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value 'bad name' at 'consumerName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", 400)


def test_consumers_go_with_their_stream(kinesis: Any, stream_arn: str) -> None:
    kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")
    kinesis.delete_stream(StreamName="s", EnforceConsumerDeletion=True)
    kinesis.create_stream(StreamName="s", ShardCount=1)
    assert kinesis.list_stream_consumers(StreamARN=stream_arn)["Consumers"] == []


def test_resolve_consumer_arn_for_other_operations(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app", Tags={"k": "v"})["Consumer"]["ConsumerARN"]
    consumer = resolve_consumer_arn(mock.kinesis.backend(), arn)
    assert (consumer.name, consumer.arn, consumer.tags) == ("app", arn, {"k": "v"})
    with pytest.raises(Exception) as excinfo:
        resolve_consumer_arn(mock.kinesis.backend(), arn.rsplit(":", 1)[0] + ":1")
    assert getattr(excinfo.value, "code") == "ResourceNotFoundException"


def test_delete_stream_with_consumers_needs_enforce_consumer_deletion(kinesis: Any, stream_arn: str) -> None:
    kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app")
    with pytest.raises(ClientError) as excinfo:
        kinesis.delete_stream(StreamName="s")
    assert error_of(excinfo) == (
        "ResourceInUseException",
        f"DeleteStream can't delete {ACCOUNT}:s because there are consumers associated with this data stream. "
        "To delete s anyway, set the EnforceConsumerDeletion parameter to true to force the deletion of all the "
        "consumers that are associated with it.", 400)
    kinesis.delete_stream(StreamName="s", EnforceConsumerDeletion=True)
    assert kinesis.list_streams()["StreamNames"] == []


def test_tags_and_policies_address_a_consumer_by_arn(kinesis: Any, stream_arn: str) -> None:
    arn = kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName="app", Tags={"a": "1"})["Consumer"]["ConsumerARN"]
    kinesis.tag_resource(ResourceARN=arn, Tags={"b": "2"})
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},'
              '"Action":"kinesis:SubscribeToShard","Resource":"' + arn + '"}]}')
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == policy
