"""TagResource/UntagResource/ListTagsForResource share AddTagsToStream's store, rules
and limits."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .conftest import error_of

ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/s"


def _tags(client) -> list[dict[str, str]]:
    return client.list_tags_for_resource(ResourceARN=ARN)["Tags"]


def test_tag_list_untag_by_arn(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    assert _tags(raw_kinesis) == []
    raw_kinesis.tag_resource(ResourceARN=ARN, Tags={"team": "data", "env": "dev"})
    assert _tags(raw_kinesis) == [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "data"}]
    raw_kinesis.untag_resource(ResourceARN=ARN, TagKeys=["env", "absent"])
    assert _tags(raw_kinesis) == [{"Key": "team", "Value": "data"}]
    assert mock.kinesis.stream("s").tags == {"team": "data"}


def test_one_store_for_both_apis(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1, Tags={"a": "1"})
    raw_kinesis.add_tags_to_stream(StreamName="s", Tags={"b": "2"})
    raw_kinesis.tag_resource(ResourceARN=ARN, Tags={"c": "3"})
    assert [t["Key"] for t in _tags(raw_kinesis)] == ["a", "b", "c"]
    assert [t["Key"] for t in raw_kinesis.list_tags_for_stream(StreamName="s")["Tags"]] == ["a", "b", "c"]
    raw_kinesis.remove_tags_from_stream(StreamName="s", TagKeys=["a"])
    raw_kinesis.untag_resource(ResourceARN=ARN, TagKeys=["b"])
    assert _tags(raw_kinesis) == [{"Key": "c", "Value": "3"}]


def test_fifty_tags_at_most_all_or_nothing(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1, Tags={f"k{i}": "v" for i in range(45)})
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.tag_resource(ResourceARN=ARN, Tags={f"n{i}": "v" for i in range(6)})
    assert error_of(excinfo) == ("InvalidArgumentException", "Failed to add tags to stream s under account "
                                 "123456789012 because a given stream cannot have more than 10 tags associated "
                                 "with it.", 400)
    assert len(_tags(raw_kinesis)) == 45
    raw_kinesis.tag_resource(ResourceARN=ARN, Tags={f"n{i}": "v" for i in range(5)})
    assert len(_tags(raw_kinesis)) == 50


def test_tag_characters_are_checked_as_for_streams(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.tag_resource(ResourceARN=ARN, Tags={"bad!": "v"})
    assert error_of(excinfo) == ("InvalidArgumentException", "Some tags contain invalid characters. Valid "
                                 "characters: Unicode letters, digits, white space, _ . / = + - % @.", 400)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.untag_resource(ResourceARN=ARN, TagKeys=["50%"])
    assert error_of(excinfo) == ("InvalidArgumentException", "Failed to remove tags from stream s under account "
                                 "123456789012 because some tags contained illegal characters. The allowed "
                                 "characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.", 400)


@pytest.mark.parametrize("call", [
    lambda c, arn: c.tag_resource(ResourceARN=arn, Tags={"a": "b"}),
    lambda c, arn: c.untag_resource(ResourceARN=arn, TagKeys=["a"]),
    lambda c, arn: c.list_tags_for_resource(ResourceARN=arn),
], ids=["TagResource", "UntagResource", "ListTagsForResource"])
def test_missing_resources(raw_kinesis, call) -> None:
    with pytest.raises(ClientError) as excinfo:
        call(raw_kinesis, ARN)
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream s under account 123456789012 not found.", 400)
    consumer = ARN + "/consumer/c:1"
    with pytest.raises(ClientError) as excinfo:
        call(raw_kinesis, consumer)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Consumer {consumer}, account 123456789012 not found.",
                                 400)
    other_account = "arn:aws:kinesis:us-east-1:999999999999:stream/s"
    with pytest.raises(ClientError) as excinfo:
        call(raw_kinesis, other_account)
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream s under account 999999999999 not found.", 400)
