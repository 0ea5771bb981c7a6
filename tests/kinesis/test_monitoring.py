"""Enhanced monitoring: shard-level metrics enabled and disabled, ALL expanded, the
result persisted in DescribeStream and DescribeStreamSummary."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from mock_putrecord.kinesis.monitoring import METRICS

from .conftest import error_of


def _metrics(client, name: str = "s") -> list[str]:
    return client.describe_stream(StreamName=name)["StreamDescription"]["EnhancedMonitoring"][0]["ShardLevelMetrics"]


def test_enable_then_disable(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    assert _metrics(raw_kinesis) == []
    response = raw_kinesis.enable_enhanced_monitoring(StreamName="s", ShardLevelMetrics=["OutgoingBytes",
                                                                                         "IncomingBytes"])
    assert (response["StreamName"], response["StreamARN"]) == ("s", "arn:aws:kinesis:us-east-1:123456789012:stream/s")
    assert (response["CurrentShardLevelMetrics"], response["DesiredShardLevelMetrics"]) == (
        [], ["IncomingBytes", "OutgoingBytes"])
    response = raw_kinesis.enable_enhanced_monitoring(StreamName="s", ShardLevelMetrics=["IteratorAgeMilliseconds"])
    assert (response["CurrentShardLevelMetrics"], response["DesiredShardLevelMetrics"]) == (
        ["IncomingBytes", "OutgoingBytes"], ["IncomingBytes", "OutgoingBytes", "IteratorAgeMilliseconds"])
    assert _metrics(raw_kinesis) == ["IncomingBytes", "OutgoingBytes", "IteratorAgeMilliseconds"]
    summary = raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert summary["EnhancedMonitoring"] == [{"ShardLevelMetrics": ["IncomingBytes", "OutgoingBytes",
                                                                    "IteratorAgeMilliseconds"]}]
    response = raw_kinesis.disable_enhanced_monitoring(StreamName="s", ShardLevelMetrics=["OutgoingBytes",
                                                                                          "IncomingRecords"])
    assert (response["CurrentShardLevelMetrics"], response["DesiredShardLevelMetrics"]) == (
        ["IncomingBytes", "OutgoingBytes", "IteratorAgeMilliseconds"], ["IncomingBytes", "IteratorAgeMilliseconds"])
    assert _metrics(raw_kinesis) == ["IncomingBytes", "IteratorAgeMilliseconds"]


def test_all_stands_for_the_seven_metrics(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    arn = "arn:aws:kinesis:us-east-1:123456789012:stream/s"
    response = raw_kinesis.enable_enhanced_monitoring(StreamARN=arn, ShardLevelMetrics=["ALL"])
    assert response["DesiredShardLevelMetrics"] == list(METRICS) and len(METRICS) == 7
    assert _metrics(raw_kinesis) == list(METRICS)
    response = raw_kinesis.disable_enhanced_monitoring(StreamARN=arn, ShardLevelMetrics=["ALL"])
    assert (response["CurrentShardLevelMetrics"], response["DesiredShardLevelMetrics"]) == (list(METRICS), [])


@pytest.mark.parametrize(("metrics", "message"), [
    (["Bogus"], "1 validation error detected: Value '[Bogus]' at 'shardLevelMetrics' failed to satisfy constraint: "
     "Member must satisfy constraint: [Member must satisfy enum value set: [IncomingBytes, IncomingRecords, "
     "OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, "
     "IteratorAgeMilliseconds, ALL]]"),
    ([], "1 validation error detected: Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member must "
     "have length greater than or equal to 1"),
])
def test_metric_names_are_validated(raw_kinesis, metrics, message) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.enable_enhanced_monitoring(StreamName="s", ShardLevelMetrics=metrics)
    assert error_of(excinfo) == ("ValidationException", message, 400)


def test_monitoring_a_missing_stream(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.disable_enhanced_monitoring(StreamName="nope", ShardLevelMetrics=["ALL"])
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream nope under account 123456789012 not found.", 400)
