"""Resource policies on streams (and the ARN dispatch that will route consumer ARNs)."""
from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.exceptions import ClientError

from mock_putrecord.kinesis import resources

from ..helpers import call_raw, error_body
from .conftest import error_of

ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/s"
CONSUMER_ARN = ARN + "/consumer/c:1700000000"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "AllowCrossAccountWrite", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
    "Action": "kinesis:PutRecord", "Resource": ARN}]})


def test_get_put_update_delete(raw_kinesis, mock) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    assert raw_kinesis.get_resource_policy(ResourceARN=ARN)["Policy"] == "{}"
    raw_kinesis.put_resource_policy(ResourceARN=ARN, Policy=POLICY)
    assert raw_kinesis.get_resource_policy(ResourceARN=ARN)["Policy"] == POLICY
    assert mock.kinesis.stream("s").policy == POLICY
    updated = POLICY.replace('"kinesis:PutRecord"', '["kinesis:PutRecord", "kinesis:GetRecords"]')
    raw_kinesis.put_resource_policy(ResourceARN=ARN, Policy=updated)
    assert raw_kinesis.get_resource_policy(ResourceARN=ARN)["Policy"] == updated
    raw_kinesis.delete_resource_policy(ResourceARN=ARN)
    assert raw_kinesis.get_resource_policy(ResourceARN=ARN)["Policy"] == "{}"
    assert mock.kinesis.stream("s").policy is None


def test_delete_without_a_policy(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.delete_resource_policy(ResourceARN=ARN)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"No resource policy found for resource ARN {ARN}.", 400)


@pytest.mark.parametrize("call", ["get_resource_policy", "delete_resource_policy", "put_resource_policy"])
def test_missing_stream(raw_kinesis, call) -> None:
    kwargs = {"Policy": POLICY} if call == "put_resource_policy" else {}
    with pytest.raises(ClientError) as excinfo:
        getattr(raw_kinesis, call)(ResourceARN=ARN, **kwargs)
    assert error_of(excinfo) == ("ResourceNotFoundException", "Stream s under account 123456789012 not found.", 400)


@pytest.mark.parametrize(("policy", "reason"), [
    ("not json", "the policy is not valid JSON."),
    ("[]", "the policy must be a JSON object."),
    ("{}", "the policy must have at least one Statement."),
    (json.dumps({"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "kinesis:*"}]}),
     "each Statement must have an Effect of Allow or Deny."),
    (json.dumps({"Statement": {"Effect": "Allow", "Action": "kinesis:*"}}), "each Statement must name a Principal."),
    (json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject"}]}),
     "each Statement must have kinesis: Actions."),
])
def test_policy_json_is_validated(raw_kinesis, mock, policy, reason) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.put_resource_policy(ResourceARN=ARN, Policy=policy)
    assert error_of(excinfo) == ("InvalidArgumentException", f"Invalid resource policy: {reason}", 400)
    assert mock.kinesis.stream("s").policy is None


def test_resource_arn_pattern_is_validated(mock) -> None:
    # botocore refuses to resolve an endpoint for such an ARN, so the body is sent raw.
    # The pattern is the installed model's: 1.44 added queues to (stream|channel).
    pattern = botocore.session.get_session().get_service_model("kinesis").shape_for("ResourceARN").metadata["pattern"]
    assert pattern.startswith("arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel")
    response = call_raw("kinesis", "GetResourcePolicy", {"ResourceARN": "arn:aws:s3:::bucket"})
    assert (response.status, error_body(response)) == (400, {
        "__type": "ValidationException",
        "message": "1 validation error detected: Value 'arn:aws:s3:::bucket' at 'resourceARN' failed to satisfy "
                   f"constraint: Member must satisfy regular expression pattern: {pattern}"})


def test_consumer_arns_dispatch_to_the_consumer_lookup(raw_kinesis) -> None:
    raw_kinesis.create_stream(StreamName="s", ShardCount=1)
    assert resources.resource_type(CONSUMER_ARN) == "consumer"
    assert resources.resource_type(ARN) == "stream"
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.get_resource_policy(ResourceARN=CONSUMER_ARN)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Consumer {CONSUMER_ARN}, account 123456789012 not "
                                 "found.", 400)
