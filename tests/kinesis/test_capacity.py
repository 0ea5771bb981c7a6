"""Account settings (the minimum throughput billing commitment) and what it unlocks:
warm throughput on on-demand streams; UpdateStreamMode."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .conftest import error_of

ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/{}"
NO_COMMITMENT = ("InvalidArgumentException", "Warm throughput requires MinimumThroughputBillingCommitment to be "
                 "enabled for account 123456789012.", 400)


def _commit(client) -> dict:
    return client.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})


def test_account_settings_start_disabled(raw_kinesis) -> None:
    settings = raw_kinesis.describe_account_settings()
    assert settings["MinimumThroughputBillingCommitment"] == {"Status": "DISABLED"}


def test_commitment_lasts_at_least_a_day(raw_kinesis, mock) -> None:
    enabled = _commit(raw_kinesis)["MinimumThroughputBillingCommitment"]
    assert enabled["Status"] == "ENABLED"
    started, earliest = enabled["StartedAt"], enabled["EarliestAllowedEndAt"]
    assert (earliest - started).total_seconds() == 24 * 3600
    ending = raw_kinesis.update_account_settings(
        MinimumThroughputBillingCommitment={"Status": "DISABLED"})["MinimumThroughputBillingCommitment"]
    assert ending == {"Status": "ENABLED_UNTIL_EARLIEST_ALLOWED_END", "StartedAt": started,
                      "EarliestAllowedEndAt": earliest}
    assert _commit(raw_kinesis)["MinimumThroughputBillingCommitment"]["Status"] == "ENABLED"  # cancels the disable
    raw_kinesis.update_account_settings(MinimumThroughputBillingCommitment={"Status": "DISABLED"})
    mock.advance(24 * 3600)
    assert raw_kinesis.describe_account_settings()["MinimumThroughputBillingCommitment"] == {
        "Status": "DISABLED", "StartedAt": started, "EndedAt": earliest}


def test_update_account_settings_validates_the_status(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_account_settings(MinimumThroughputBillingCommitment={"Status": "MAYBE"})
    assert error_of(excinfo) == ("ValidationException", "1 validation error detected: Value 'MAYBE' at "
                                 "'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member "
                                 "must satisfy enum value set: [ENABLED, DISABLED]", 400)


def test_warm_throughput_needs_the_commitment(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"}, WarmThroughputMiBps=50)
    assert error_of(excinfo) == NO_COMMITMENT
    raw_kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_stream_warm_throughput(StreamName="s", WarmThroughputMiBps=50)
    assert error_of(excinfo) == NO_COMMITMENT


def test_warm_throughput_at_creation_and_update(raw_kinesis) -> None:
    _commit(raw_kinesis)
    raw_kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"}, WarmThroughputMiBps=50)
    summary = raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert summary["WarmThroughput"] == {"TargetMiBps": 50, "CurrentMiBps": 50}
    response = raw_kinesis.update_stream_warm_throughput(StreamARN=ARN.format("s"), WarmThroughputMiBps=200)
    assert (response["StreamName"], response["StreamARN"], response["WarmThroughput"]) == (
        "s", ARN.format("s"), {"TargetMiBps": 200, "CurrentMiBps": 50})
    summary = raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert summary["WarmThroughput"] == {"TargetMiBps": 200, "CurrentMiBps": 200}


def test_streams_without_warm_throughput_show_none(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert "WarmThroughput" not in raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]


def test_warm_throughput_is_for_on_demand_streams_only(raw_kinesis) -> None:
    _commit(raw_kinesis)
    provisioned = ("ValidationException", "Request is invalid. Stream p under account 123456789012 is in Provisioned "
                   "mode.", 400)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_stream(StreamName="p", ShardCount=1, WarmThroughputMiBps=10)
    assert error_of(excinfo) == provisioned
    raw_kinesis.create_stream(StreamName="p", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_stream_warm_throughput(StreamName="p", WarmThroughputMiBps=10)
    assert error_of(excinfo) == provisioned
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_stream_warm_throughput(StreamName="nope", WarmThroughputMiBps=10)
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream nope under account 123456789012 not found.", 400)


def test_negative_warm_throughput_is_a_validation_error(raw_kinesis) -> None:
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_stream_warm_throughput(StreamName="s", WarmThroughputMiBps=-1)
    assert error_of(excinfo) == ("ValidationException", "1 validation error detected: Value '-1' at "
                                 "'warmThroughputMiBps' failed to satisfy constraint: Member must have value greater "
                                 "than or equal to 0", 400)


def test_update_stream_mode_both_ways(raw_kinesis) -> None:
    _commit(raw_kinesis)
    raw_kinesis.create_stream(StreamName="s", ShardCount=2)
    raw_kinesis.update_stream_mode(StreamARN=ARN.format("s"), StreamModeDetails={"StreamMode": "ON_DEMAND"},
                                   WarmThroughputMiBps=30)
    summary = raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert (summary["StreamModeDetails"], summary["WarmThroughput"]) == (
        {"StreamMode": "ON_DEMAND"}, {"TargetMiBps": 30, "CurrentMiBps": 30})
    raw_kinesis.update_stream_mode(StreamARN=ARN.format("s"), StreamModeDetails={"StreamMode": "PROVISIONED"})
    summary = raw_kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "PROVISIONED"} and "WarmThroughput" not in summary
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_stream_mode(StreamARN=ARN.format("s"), StreamModeDetails={"StreamMode": "PROVISIONED"},
                                       WarmThroughputMiBps=30)
    assert error_of(excinfo)[0] == "ValidationException"


def test_stream_id_is_accepted_and_checked_against_its_pattern(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    raw_kinesis.describe_stream_summary(StreamName="s", StreamId="abcdefghij0123456789-abc")
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.describe_stream_summary(StreamName="s", StreamId="Bad")
    assert error_of(excinfo) == ("ValidationException", "1 validation error detected: Value 'Bad' at 'streamId' "
                                 "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                                 "[a-z0-9]{20}-[a-z0-9]{3}", 400)
