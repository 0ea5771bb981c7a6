"""Hostile input to every implemented Kinesis operation, through boto3 without
client-side validation and straight to the dispatcher as raw bytes.

Every answer is a success or a well-formed JSON 1.1 error with a 4xx status (413 has no
body, as AWS's), never a traceback or a 5xx. One exception is known from AWS itself:
GetShardIterator with an old "version 0" StartingSequenceNumber (any number below
2**124, such as "0") answers ``InternalFailure`` with status 500 — allowed, only then.
After each example the backend still holds exactly the records that were acknowledged,
with sequence numbers unique in the stream and increasing per shard.
"""
from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_putrecord import MockPutRecord
from mock_putrecord.kinesis.responses import OPERATIONS
from mock_putrecord.kinesis.sequence import parse_sequence
from tests.helpers import call_raw

from .conftest import PROFILE, raw_client
from .hostile import Answer, Recorder, check_answer, frames_in_package, json_error, params_for, raw_bodies
from .hostile import recorder  # noqa: F401  (fixture)

ITERATOR, SEQUENCE = "<a valid iterator>", "<a stored sequence number>"
ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/fuzz"
HINTS = {
    "StreamName": st.sampled_from(["fuzz"] * 6 + ["nope", "a" * 128]),
    "StreamARN": st.sampled_from([ARN, ARN.replace("us-east-1", "eu-west-1"), ARN.replace("fuzz", "nope"),
                                  ARN.replace("123456789012", "210987654321")]),
    "StreamId": st.sampled_from(["abc", "fuzz"]),
    "ShardId": st.sampled_from(["shardId-000000000000", "shardId-000000000001", "shardId-000000000009", "1",
                                "shardId-", "-", "shardId-99999999999999"]),
    "ShardIterator": st.sampled_from([ITERATOR, ITERATOR + "x", "AAAAAAAAAAE=", "!!"]),
    "StartingSequenceNumber": st.sampled_from([SEQUENCE, "0", "1", "5", "9" * 56, "-1", "1e5", "2" * 300]),
    "SequenceNumberForOrdering": st.sampled_from([SEQUENCE, "0", "9" * 56, "x"]),
    "ExplicitHashKey": st.sampled_from(["0", str(2**128 - 1), str(2**128), "-1", "01", "1" * 60]),
    "NewStartingHashKey": st.sampled_from(["0", "1", str(2**127), str(2**128), "-5", "x"]),
    "PartitionKey": st.sampled_from(["k", "é", "k" * 256, "k" * 257, "\udcff", "a\ud800", "\x00"]),
    "Records": st.sampled_from([[{"Data": b"x", "PartitionKey": "k"}] * 501,
                                [{"Data": b"x" * 1_000_000, "PartitionKey": "k"}] * 6, []]),
    "TagKeys": st.sampled_from([["k"] * 51, ["é" * 129]]),
    "NextToken": st.sampled_from(["", "e30=", "WyJ4Il0=", "W251bGxd", "%%%"]),
    # ARNs feed botocore's endpoint rules, which refuse what does not parse as an ARN.
    "ConsumerARN": st.sampled_from([ARN + "/consumer/app:1700000000", ARN + "/consumer/app"]),
    "ConsumerName": st.sampled_from(["app", "a" * 129, "bad name"]),
    "QueueARN": st.sampled_from(["arn:aws:kinesis:us-east-1:123456789012:queue/abc",
                                 "arn:aws:kinesis:us-east-1:123456789012:queue/"]),
    "ChannelARN": st.sampled_from(["arn:aws:kinesis:us-east-1:123456789012:channel/c/abc",
                                   "arn:aws:kinesis:us-east-1:123456789012:channel/c"]),
    "ServiceExecutionRoleARN": st.sampled_from(["arn:aws:iam::123456789012:role/r", "role"]),
    "BucketARN": st.sampled_from(["arn:aws:s3:::lake", "arn:aws:s3:::x"]),
    "ExpectedBucketOwner": st.sampled_from(["123456789012", "1"]),
    # Channel structures: botocore cannot serialise a non-dict where the model has one.
    "S3DestinationConfiguration": st.sampled_from([{"DataFreshnessInSeconds": 60}, {"StorageConfiguration": {
        "BucketARN": "arn:aws:s3:::lake", "ExpectedBucketOwner": "123456789012", "CompressionType": "GZIP"}}]),
    "S3TablesDestinationConfiguration": st.sampled_from([{"DataFreshnessInSeconds": 60}, {}]),
    "EncryptionConfiguration": st.just({"EncryptionType": "KMS", "KeyId": "key"}),
    "LoggingConfiguration": st.sampled_from([{"CloudWatchLogs": {"Enabled": False}}, {}]),
    "StreamConfigurationList": st.sampled_from([[{"StreamARN": ARN}], [], [{"StreamARN": ARN,
                                                "StartingPosition": {"Type": "TRIM_HORIZON"}}]]),
    "RecordConfiguration": st.sampled_from([{"RecordFormatType": "JSON"}, {"RecordFormatType": "AVRO"}, {}]),
}
OPERATION_NAMES = sorted(OPERATIONS)

# Near-valid requests for the producer path: one stream, valid blobs, hostile keys.
_KEY = st.one_of(HINTS["PartitionKey"], st.text(st.characters(blacklist_categories=()), min_size=1, max_size=4))
_ENTRY = st.fixed_dictionaries({"Data": st.binary(max_size=16), "PartitionKey": _KEY},
                               optional={"ExplicitHashKey": HINTS["ExplicitHashKey"]})
NEAR_VALID = {
    "PutRecords": st.fixed_dictionaries({"StreamName": st.just("fuzz"), "Records": st.lists(_ENTRY, min_size=1, max_size=4)}),
    "PutRecord": st.fixed_dictionaries({"StreamName": st.just("fuzz"), "Data": st.binary(max_size=16), "PartitionKey": _KEY},
                                       optional={"ExplicitHashKey": HINTS["ExplicitHashKey"],
                                                 "SequenceNumberForOrdering": HINTS["SequenceNumberForOrdering"]}),
    "GetShardIterator": st.fixed_dictionaries(
        {"StreamName": st.just("fuzz"), "ShardId": HINTS["ShardId"],
         "ShardIteratorType": st.sampled_from(["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"])},
        optional={"StartingSequenceNumber": HINTS["StartingSequenceNumber"],
                  "Timestamp": st.floats(min_value=-1e10, max_value=1e13)}),
    "GetRecords": st.fixed_dictionaries({"ShardIterator": HINTS["ShardIterator"]},
                                        optional={"Limit": st.integers(-1, 10_001)}),
}


def _params(operation: str, for_botocore: bool) -> st.SearchStrategy[dict[str, Any]]:
    generic = params_for("kinesis", operation, HINTS, for_botocore=for_botocore)
    near = NEAR_VALID.get(operation)
    return generic if near is None else st.one_of(near, generic)
EXAMPLES: dict[str, int] = {}


def _fresh_backend(mock: MockPutRecord) -> dict[str, str]:
    """A 2-shard stream "fuzz" with 3 records; the sentinels' values for this example."""
    mock.reset()
    mock.kinesis.create_stream("fuzz", shard_count=2)
    acknowledged = mock.kinesis.put("fuzz", [(b"a", "k1"), (b"b", "k2"), (b"c", "k3")])
    iterator = mock.kinesis.backend().get_shard_iterator("fuzz", None, acknowledged[0][0], "TRIM_HORIZON")
    return {ITERATOR: iterator, SEQUENCE: acknowledged[0][1]}


def _substitute(value: Any, sentinels: dict[str, str]) -> Any:
    if isinstance(value, str):
        for sentinel, real in sentinels.items():
            value = value.replace(sentinel, real)
        return value
    if isinstance(value, list):
        return [_substitute(v, sentinels) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, sentinels) for k, v in value.items()}
    return value


def _allowed_5xx(answer: Answer) -> bool:
    """AWS's own 500: GetShardIterator with a "version 0" StartingSequenceNumber."""
    if answer.request.operation != "GetShardIterator" or answer.response is None:
        return False
    body = json.loads(answer.response.body)
    try:
        starting = json.loads(answer.request.body)["StartingSequenceNumber"]
        old_layout = parse_sequence(starting).version == 0
    except (ValueError, KeyError, TypeError):
        return False
    return answer.response.status == 500 and body.get("__type") == "InternalFailure" and old_layout


def _snapshot(mock: MockPutRecord) -> dict[str, int]:
    return {name: len(mock.kinesis.records(name)) for name in mock.kinesis.stream_names()}


def _check_invariants(mock: MockPutRecord, before: dict[str, int], answers: list[Answer]) -> None:
    """Stored records = earlier ones + acknowledged ones; sequence numbers sound."""
    added = 0
    deleted = False
    for answer in answers:
        response = answer.response
        assert response is not None
        if response.status != 200:
            continue
        if answer.request.operation == "PutRecord":
            added += 1
        elif answer.request.operation == "PutRecords":
            body = json.loads(response.body)
            added += sum(1 for r in body["Records"] if "SequenceNumber" in r)
        elif answer.request.operation == "DeleteStream":
            deleted = True
    after = _snapshot(mock)
    if not deleted:
        assert sum(after.values()) == sum(before.values()) + added
        assert all(after.get(name, 0) >= count for name, count in before.items())
    for name in after:
        numbers = [int(r.sequence_number) for r in mock.kinesis.records(name)]
        assert len(numbers) == len(set(numbers))
        for records in mock.kinesis.records_by_shard(name).values():
            shard_numbers = [int(r.sequence_number) for r in records]
            assert shard_numbers == sorted(set(shard_numbers))


CHECK = json_error()


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_boto3_without_validation(operation: str, mock: MockPutRecord, recorder: Recorder) -> None:
    client = raw_client("kinesis")
    method = getattr(client, client.meta.method_to_api_mapping and
                     {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation])
    examples = 0

    @settings(PROFILE)
    @given(params=_params(operation, for_botocore=True))
    def run(params: dict[str, Any]) -> None:
        nonlocal examples
        examples += 1
        sentinels = _fresh_backend(mock)
        recorder.answers.clear()
        before = _snapshot(mock)
        try:
            method(**_substitute(params, sentinels))
        except ClientError:
            pass
        except Exception as error:  # botocore refusing to serialise is fine; the mock raising is not
            assert not recorder.answers and not frames_in_package(error.__traceback__), repr(error)
        answers = recorder.take()
        for answer in answers:
            check_answer(answer, CHECK, _allowed_5xx)
        _check_invariants(mock, before, answers)

    run()
    EXAMPLES[f"kinesis boto3 {operation}"] = examples
    print(f"\n{operation}: {examples} examples, {recorder.reached} reached the mock")
    share = STRUCTURE_HEAVY.get(operation, 4)
    assert recorder.reached >= examples // share, "examples must reach the mock, not stop in botocore"


# Inputs made mostly of optional structures: botocore's serializer stops the examples
# that put a scalar where a structure belongs (AttributeError), before any request.
STRUCTURE_HEAVY = {
    "CreateChannel": 10, "UpdateChannel": 10, "CreateQueue": 10,
    # Queue record operations take a list of entry structures (receipt handles).
    "AcknowledgeQueueRecords": 10, "AcknowledgeDeadLetterQueueRecords": 10,
    "RestoreDeadLetterQueueRecords": 10, "UpdateQueueRecordsVisibility": 10,
    "UpdateDeadLetterQueueRecordsVisibility": 10,
}


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_raw_bodies(operation: str, mock: MockPutRecord) -> None:
    examples = 0

    @settings(PROFILE)
    @given(body=raw_bodies(_params(operation, for_botocore=False)))
    def run(body: bytes) -> None:
        nonlocal examples
        examples += 1
        sentinels = _fresh_backend(mock)
        before = _snapshot(mock)
        for sentinel, real in sentinels.items():
            body = body.replace(sentinel.encode(), real.encode())
        request_error = None
        try:
            response = call_raw("kinesis", operation, body)
        except Exception as error:
            request_error = error
            response = None
        from mock_putrecord.core.wire import WireRequest

        answer = Answer(WireRequest("POST", "", "/", "", {}, body, "kinesis", operation, "us-east-1", ""),
                        response, request_error, 0.0)
        check_answer(answer, CHECK, _allowed_5xx)
        _check_invariants(mock, before, [answer])

    run()
    EXAMPLES[f"kinesis raw {operation}"] = examples
    print(f"\n{operation}: {examples} raw examples")
