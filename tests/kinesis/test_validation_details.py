"""Validation details found by replaying kinesalite's AWS-captured assertions: bare
patterns in messages, list/map member constraints, tag characters, shard ids resolved
before the stream, and bounds the model does not state."""
from __future__ import annotations

import pytest

from mock_putrecord import mock_putrecord

from ..helpers import call_raw, error_body

TAG_CHARS = ("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, "
             "_ . / = + - % @.")


def _error(operation: str, body: dict) -> tuple[str, str]:
    with mock_putrecord() as mock:
        mock.kinesis.create_stream("s", shard_count=3)
        payload = error_body(call_raw("kinesis", operation, body))
    return payload["__type"], payload.get("message", payload.get("Message", ""))


def test_patterns_are_printed_bare_even_when_the_model_anchors_them() -> None:
    code, message = _error("PutRecord", {"StreamName": "s", "PartitionKey": "a", "Data": "", "ExplicitHashKey": ""})
    assert (code, message) == ("ValidationException", "1 validation error detected: Value '' at 'explicitHashKey' "
                               "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                               "0|([1-9]\\d{0,38})")


def test_list_members_are_judged_together_at_the_list() -> None:
    long_key = "a" * 129
    code, message = _error("RemoveTagsFromStream", {"StreamName": "s", "TagKeys": ["a", long_key, "b"]})
    assert message == (f"1 validation error detected: Value '[a, {long_key}, b]' at 'tagKeys' failed to satisfy "
                       "constraint: Member must satisfy constraint: [Member must have length less than or equal to "
                       "128, Member must have length greater than or equal to 1]")


def test_map_keys_are_judged_together_at_the_map() -> None:
    long_key = "a" * 129
    code, message = _error("AddTagsToStream", {"StreamName": "s", "Tags": {"a": "1", long_key: "3"}})
    assert message == (f"1 validation error detected: Value '{{a=1, {long_key}=3}}' at 'tags' failed to satisfy "
                       "constraint: Map keys must satisfy constraint: [Member must have length less than or equal "
                       "to 128, Member must have length greater than or equal to 1]")


@pytest.mark.parametrize("text", ["abc;def", "abc\tdef", "abc,def"])
def test_tags_with_invalid_characters(text: str) -> None:
    assert _error("AddTagsToStream", {"StreamName": "s", "Tags": {text: "1"}}) == ("InvalidArgumentException", TAG_CHARS)
    assert _error("AddTagsToStream", {"StreamName": "s", "Tags": {"a": text}}) == ("InvalidArgumentException", TAG_CHARS)
    assert _error("RemoveTagsFromStream", {"StreamName": "s", "TagKeys": [text]}) == (
        "InvalidArgumentException", TAG_CHARS)


def test_percent_in_a_tag_has_its_own_message() -> None:
    assert _error("AddTagsToStream", {"StreamName": "s", "Tags": {"a": "50%"}}) == (
        "InvalidArgumentException",
        "Failed to add tags to stream s under account 123456789012 because some tags contained illegal characters. "
        "The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")


def test_unparsable_shard_id_is_reported_before_the_stream_is_looked_up() -> None:
    assert _error("SplitShard", {"StreamName": "missing", "ShardToSplit": "ABKLFD8", "NewStartingHashKey": "0"}) == (
        "ResourceNotFoundException", "Could not find shard ABKLFD8 in stream missing under account 123456789012.")


def test_missing_shard_is_named_in_full() -> None:
    assert _error("MergeShards", {"StreamName": "s", "ShardToMerge": "shardId-5",
                                  "AdjacentShardToMerge": "shardId-1"}) == (
        "ResourceNotFoundException",
        "Could not find shard shardId-000000000005 in stream s under account 123456789012.")


def test_retention_below_one_hour_is_a_validation_error() -> None:
    assert _error("IncreaseStreamRetentionPeriod", {"StreamName": "s", "RetentionPeriodHours": -1}) == (
        "ValidationException", "1 validation error detected: Value '-1' at 'retentionPeriodHours' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1")
