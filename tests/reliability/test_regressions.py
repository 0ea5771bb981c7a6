"""Bugs the reliability suite found, each pinned by a plain example."""
from __future__ import annotations

import json

import pytest

from mock_putrecord import MockPutRecord
from mock_putrecord.kinesis.models import partition_key_hash
from tests.helpers import call_raw

from .conftest import raw_client


@pytest.mark.parametrize("key", ["\udcff", "a\ud800b"])
def test_kinesis_unpaired_surrogate_partition_key_is_stored_not_a_traceback(mock: MockPutRecord, key: str) -> None:
    # JSON may carry "\udcff"; AWS's Java front end encodes it as "?" (hash and size).
    # PutRecords raised UnicodeEncodeError out of the mock; PutRecord answered a
    # garbled ValidationException ("Value null at 'utf-8' codec can't encode...").
    mock.kinesis.create_stream("s", shard_count=4)
    records = raw_client("kinesis").put_records(StreamName="s", Records=[{"Data": b"x", "PartitionKey": key}])
    assert records["FailedRecordCount"] == 0
    single = call_raw("kinesis", "PutRecord", {"StreamName": "s", "Data": "eA==", "PartitionKey": key})
    assert single.status == 200, single.body
    stored = mock.kinesis.records("s")
    assert [r.partition_key for r in stored] == [key, key]
    assert partition_key_hash(key) == partition_key_hash(key.replace("\udcff", "?").replace("\ud800", "?"))
    assert {r.shard_id for r in stored} == {json.loads(single.body)["ShardId"]}
