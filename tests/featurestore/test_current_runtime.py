"""The runtime operations of the current API: BatchWriteRecord, UpdateRecord, ListRecords.

Messages marked "inferred" in docs/featurestore.md follow AWS's style where no source
captured the text; codes and statuses are the model's.
"""
from __future__ import annotations

from typing import Any, Callable

import pytest

from mock_putrecord import MockPutRecord

from ..helpers import requires_operation
from .conftest import error_of, record, values_of

RUNTIME = "sagemaker-featurestore-runtime"
needs_batch_write = requires_operation(RUNTIME, "BatchWriteRecord")
needs_update = requires_operation(RUNTIME, "UpdateRecord")
needs_list = requires_operation(RUNTIME, "ListRecords")

FUTURE = "2099-01-01T00:00:00Z"  # TTLs count from the EventTime: keep them in the future
GROUP_NOT_FOUND = "Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name [{}]."


def _v2(create_group: Callable[..., str], name: str = "fs-main", storage: str = "Standard_V2", **extra: Any) -> str:
    return create_group(name, OnlineStoreConfig={"EnableOnlineStore": True, "StorageType": storage}, **extra)


# ---------------------------------------------------------------- BatchWriteRecord
@needs_batch_write
def test_batch_write_across_groups(runtime: Any, mock: MockPutRecord, create_group: Callable[..., str]) -> None:
    create_group("fs-a")
    create_group("fs-b", offline=True)
    response = runtime.batch_write_record(
        Entries=[
            {"FeatureGroupName": "fs-a", "Record": record("c1", age="1")},
            {"FeatureGroupName": "fs-b", "Record": record("c2", age="2")},
        ]
    )
    assert response["Errors"] == [] and response["UnprocessedEntries"] == []
    assert mock.featurestore.online_record("fs-a", "c1") == {
        "customer_id": "c1", "event_time": "2024-01-01T00:00:00Z", "age": "1"
    }
    assert mock.featurestore.online_record("fs-b", "c2") is not None
    assert [row["customer_id"] for row in mock.featurestore.offline_rows("fs-b")] == ["c2"]
    assert mock.featurestore.offline_rows("fs-a") == []


@needs_batch_write
def test_batch_write_reports_failed_entries_and_writes_the_rest(
    runtime: Any, mock: MockPutRecord, create_group: Callable[..., str]
) -> None:
    create_group()
    bad_value = {"FeatureGroupName": "fs-main", "Record": record("c2", age="x")}
    missing = {"FeatureGroupName": "nope", "Record": record("c3")}
    response = runtime.batch_write_record(
        Entries=[bad_value, {"FeatureGroupName": "fs-main", "Record": record("c1")}, missing]
    )
    assert response["UnprocessedEntries"] == []
    assert response["Errors"] == [
        {
            "Entry": bad_value,
            "ErrorCode": "ValidationError",
            "ErrorMessage": error_of(lambda: runtime.put_record(FeatureGroupName="fs-main", Record=record("c2", age="x")))[1],
        },
        {"Entry": missing, "ErrorCode": "ValidationError", "ErrorMessage": GROUP_NOT_FOUND.format("nope")},
    ]
    assert mock.featurestore.online_record("fs-main", "c1") is not None
    assert mock.featurestore.online_record("fs-main", "c2") is None


@needs_batch_write
def test_batch_write_ttl_entry_overrides_request_overrides_group(
    runtime: Any, mock: MockPutRecord, create_group: Callable[..., str]
) -> None:
    create_group(ttl={"Unit": "Days", "Value": 1})
    runtime.batch_write_record(
        Entries=[
            {"FeatureGroupName": "fs-main", "Record": record("entry", FUTURE), "TtlDuration": {"Unit": "Seconds", "Value": 30}},
            {"FeatureGroupName": "fs-main", "Record": record("request", FUTURE)},
        ],
        TtlDuration={"Unit": "Hours", "Value": 2},
    )
    runtime.batch_write_record(Entries=[{"FeatureGroupName": "fs-main", "Record": record("group", FUTURE)}])
    expires = {
        name: runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString=name, ExpirationTimeResponse="Enabled")["ExpiresAt"]
        for name in ("entry", "request", "group")
    }
    assert expires == {
        "entry": "2099-01-01T00:00:30Z",
        "request": "2099-01-01T02:00:00Z",
        "group": "2099-01-02T00:00:00Z",
    }


@needs_batch_write
def test_batch_write_target_stores_per_entry(runtime: Any, mock: MockPutRecord, create_group: Callable[..., str]) -> None:
    create_group(offline=True)
    runtime.batch_write_record(
        Entries=[{"FeatureGroupName": "fs-main", "Record": record("c1"), "TargetStores": ["OfflineStore"]}]
    )
    assert mock.featurestore.online_record("fs-main", "c1") is None
    assert len(mock.featurestore.offline_rows("fs-main")) == 1


@needs_batch_write
def test_batch_write_limits_come_from_the_model(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    entries = [{"FeatureGroupName": "fs-main", "Record": record(f"c{i}")} for i in range(26)]
    code, message, status = error_of(lambda: runtime.batch_write_record(Entries=entries))
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith("1 validation error detected: Value '[")
    assert message.endswith("' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 25")
    assert error_of(lambda: runtime.batch_write_record(Entries=[])) == (
        "ValidationError",
        "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1",
        400,
    )


# ---------------------------------------------------------------- UpdateRecord
@needs_update
def test_update_merges_features_left_out_stay(runtime: Any, mock: MockPutRecord, create_group: Callable[..., str]) -> None:
    _v2(create_group, offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1", age="30", score="0.5"))
    runtime.update_record(
        FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", Features=[{"FeatureName": "age", "ValueAsString": "31"}]
    )
    assert values_of(runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1")) == {
        "customer_id": "c1", "event_time": "2024-01-01T00:00:00Z", "age": "31", "score": "0.5"
    }
    rows = mock.featurestore.offline_rows("fs-main")
    assert [(row["age"], row["score"], row["is_deleted"]) for row in rows] == [(30, 0.5, False), (31, 0.5, False)]


@needs_update
def test_update_in_memory_group(runtime: Any, mock: MockPutRecord, create_group: Callable[..., str]) -> None:
    _v2(create_group, storage="InMemory")
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1", age="30"))
    runtime.update_record(
        FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", Features=[{"FeatureName": "score", "ValueAsString": "2.5"}]
    )
    assert mock.featurestore.online_record("fs-main", "c1") == {
        "customer_id": "c1", "event_time": "2024-01-01T00:00:00Z", "age": "30", "score": "2.5"
    }


@needs_update
@pytest.mark.parametrize("storage", [None, "Standard"])
def test_update_refused_on_standard_store(runtime: Any, create_group: Callable[..., str], storage: str | None) -> None:
    if storage is None:
        create_group()
    else:
        _v2(create_group, storage=storage)
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1"))
    assert error_of(
        lambda: runtime.update_record(
            FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", Features=[{"FeatureName": "age", "ValueAsString": "1"}]
        )
    ) == (
        "ValidationError",
        "Validation Error: UpdateRecord is only supported for feature groups whose OnlineStore StorageType is "
        "Standard_V2 or InMemory. The FeatureGroup [fs-main] has StorageType [Standard].",
        400,
    )


@needs_update
def test_update_offline_only_group(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group(online=False, offline=True)
    assert error_of(
        lambda: runtime.update_record(
            FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", Features=[{"FeatureName": "age", "ValueAsString": "1"}]
        )
    ) == ("ValidationError", "Validation Error: The FeatureGroup [fs-main] does not have an OnlineStore.", 400)


@needs_update
def test_update_missing_group(runtime: Any, mock: MockPutRecord) -> None:
    assert error_of(
        lambda: runtime.update_record(
            FeatureGroupName="nope", RecordIdentifierValueAsString="c1", Features=[{"FeatureName": "age", "ValueAsString": "1"}]
        )
    ) == ("ResourceNotFound", GROUP_NOT_FOUND.format("nope"), 404)


@needs_update
@pytest.mark.parametrize("soft_deleted", [False, True])
def test_update_missing_or_soft_deleted_record(
    runtime: Any, mock: MockPutRecord, create_group: Callable[..., str], soft_deleted: bool
) -> None:
    _v2(create_group)
    if soft_deleted:
        runtime.put_record(FeatureGroupName="fs-main", Record=record("c1"))
        runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-02-01T00:00:00Z")
    assert error_of(
        lambda: runtime.update_record(
            FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", Features=[{"FeatureName": "age", "ValueAsString": "1"}]
        )
    ) == (
        "ResourceNotFound",
        "Resource Not Found: Amazon SageMaker can't find a Record with RecordIdentifierValueAsString [c1] "
        "in the FeatureGroup [fs-main].",
        404,
    )


@needs_update
def test_update_at_most_100_features(runtime: Any, create_group: Callable[..., str]) -> None:
    features = {"customer_id": "String", "event_time": "String", **{f"f{i}": "String" for i in range(101)}}
    _v2(create_group, features=features)
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1"))
    update = [{"FeatureName": f"f{i}", "ValueAsString": "v"} for i in range(101)]
    assert error_of(
        lambda: runtime.update_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", Features=update)
    ) == (
        "ValidationError",
        "Validation Error: UpdateRecord can update at most 100 features, but the request has 101.",
        400,
    )
    runtime.update_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", Features=update[:100])


@needs_update
def test_update_older_event_time_conflicts(runtime: Any, mock: MockPutRecord, create_group: Callable[..., str]) -> None:
    _v2(create_group)
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1", age="1"))
    features = [{"FeatureName": "event_time", "ValueAsString": "2023-01-01T00:00:00Z"}, {"FeatureName": "age", "ValueAsString": "2"}]
    assert error_of(
        lambda: runtime.update_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", Features=features)
    ) == (
        "ConflictException",
        "The EventTime [2023-01-01T00:00:00Z] is older than the EventTime [2024-01-01T00:00:00Z] of the record [c1]. "
        "Retrieve the record's latest EventTime and retry with an EventTime that is equal to or newer than it.",
        409,
    )
    assert mock.featurestore.online_record("fs-main", "c1")["age"] == "1"  # type: ignore[index]


@needs_update
def test_update_newer_event_time_and_ttl(runtime: Any, create_group: Callable[..., str]) -> None:
    _v2(create_group)
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1", FUTURE), TtlDuration={"Unit": "Hours", "Value": 1})
    runtime.update_record(
        FeatureGroupName="fs-main",
        RecordIdentifierValueAsString="c1",
        Features=[{"FeatureName": "event_time", "ValueAsString": "2099-01-01T05:00:00Z"}],
    )  # the record keeps its one-hour TTL, from the new EventTime
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", ExpirationTimeResponse="Enabled")
    assert got["ExpiresAt"] == "2099-01-01T06:00:00Z"
    runtime.update_record(
        FeatureGroupName="fs-main",
        RecordIdentifierValueAsString="c1",
        Features=[{"FeatureName": "event_time", "ValueAsString": "2099-01-01T05:00:00Z"}],
        TtlDuration={"Unit": "Days", "Value": 2},
    )
    got = runtime.get_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", ExpirationTimeResponse="Enabled")
    assert got["ExpiresAt"] == "2099-01-03T05:00:00Z"


@needs_update
def test_update_ttl_needs_event_time(runtime: Any, create_group: Callable[..., str]) -> None:
    _v2(create_group)
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1"))
    assert error_of(
        lambda: runtime.update_record(
            FeatureGroupName="fs-main",
            RecordIdentifierValueAsString="c1",
            Features=[{"FeatureName": "age", "ValueAsString": "1"}],
            TtlDuration={"Unit": "Days", "Value": 2},
        )
    ) == (
        "ValidationError",
        "Validation Error: A TtlDuration needs an EventTime: add the EventTimeFeatureName [event_time] to Features.",
        400,
    )


@needs_update
def test_update_target_stores(runtime: Any, mock: MockPutRecord, create_group: Callable[..., str]) -> None:
    _v2(create_group, offline=True)
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1", age="1"))
    runtime.update_record(
        FeatureGroupName="fs-main",
        RecordIdentifierValueAsString="c1",
        Features=[{"FeatureName": "age", "ValueAsString": "2"}],
        TargetStores=["OfflineStore"],
    )
    assert mock.featurestore.online_record("fs-main", "c1")["age"] == "1"  # type: ignore[index]
    assert [row["age"] for row in mock.featurestore.offline_rows("fs-main")] == [1, 2]
    runtime.update_record(
        FeatureGroupName="fs-main",
        RecordIdentifierValueAsString="c1",
        Features=[{"FeatureName": "age", "ValueAsString": "3"}],
        TargetStores=["OnlineStore"],
    )
    assert mock.featurestore.online_record("fs-main", "c1")["age"] == "3"  # type: ignore[index]
    assert len(mock.featurestore.offline_rows("fs-main")) == 2


@needs_update
def test_update_values_are_validated(runtime: Any, create_group: Callable[..., str]) -> None:
    _v2(create_group)
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1"))
    code, message, status = error_of(
        lambda: runtime.update_record(
            FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", Features=[{"FeatureName": "nope", "ValueAsString": "1"}]
        )
    )
    assert (code, message, status) == (
        "ValidationError",
        "Validation Error: The feature named [nope] is not defined in the FeatureGroup [fs-main].",
        400,
    )
    assert error_of(
        lambda: runtime.update_record(
            FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1",
            Features=[{"FeatureName": "customer_id", "ValueAsString": "c2"}],
        )
    ) == (
        "ValidationError",
        "Validation Error: The value of the RecordIdentifierFeatureName [customer_id] in Features must match "
        "RecordIdentifierValueAsString [c1].",
        400,
    )


# ---------------------------------------------------------------- ListRecords
@needs_list
def test_list_records_pages(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    for index in range(5):
        runtime.put_record(FeatureGroupName="fs-main", Record=record(f"c{index}"))
    first = runtime.list_records(FeatureGroupName="fs-main", MaxResults=2)
    assert first["RecordIdentifiers"] == ["c0", "c1"]
    second = runtime.list_records(FeatureGroupName="fs-main", MaxResults=2, NextToken=first["NextToken"])
    third = runtime.list_records(FeatureGroupName="fs-main", MaxResults=2, NextToken=second["NextToken"])
    assert second["RecordIdentifiers"] == ["c2", "c3"]
    assert third["RecordIdentifiers"] == ["c4"] and "NextToken" not in third
    paginator = runtime.get_paginator("list_records")
    pages = list(paginator.paginate(FeatureGroupName="fs-main", PaginationConfig={"PageSize": 3}))
    assert [identifier for page in pages for identifier in page["RecordIdentifiers"]] == [f"c{i}" for i in range(5)]


@needs_list
def test_list_records_soft_deleted_only_when_asked(runtime: Any, create_group: Callable[..., str]) -> None:
    create_group()
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c1"))
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c2"))
    runtime.put_record(FeatureGroupName="fs-main", Record=record("c3"))
    runtime.delete_record(FeatureGroupName="fs-main", RecordIdentifierValueAsString="c1", EventTime="2024-02-01T00:00:00Z")
    runtime.delete_record(
        FeatureGroupName="fs-main", RecordIdentifierValueAsString="c3", EventTime="2024-02-01T00:00:00Z", DeletionMode="HardDelete"
    )
    assert runtime.list_records(FeatureGroupName="fs-main")["RecordIdentifiers"] == ["c2"]
    assert runtime.list_records(FeatureGroupName="fs-main", IncludeSoftDeletedRecords=True)["RecordIdentifiers"] == ["c1", "c2"]


@needs_list
def test_list_records_errors(runtime: Any, mock: MockPutRecord, create_group: Callable[..., str]) -> None:
    create_group("fs-off", online=False, offline=True)
    assert error_of(lambda: runtime.list_records(FeatureGroupName="nope")) == (
        "ResourceNotFound", GROUP_NOT_FOUND.format("nope"), 404
    )
    assert error_of(lambda: runtime.list_records(FeatureGroupName="fs-off")) == (
        "ValidationError", "Validation Error: The FeatureGroup [fs-off] does not have an OnlineStore.", 400
    )
    assert error_of(lambda: runtime.list_records(FeatureGroupName="fs-off", MaxResults=101)) == (
        "ValidationError",
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100",
        400,
    )
    create_group()
    assert error_of(lambda: runtime.list_records(FeatureGroupName="fs-main", NextToken="***")) == (
        "ValidationError", "Validation Error: The NextToken [***] is invalid.", 400
    )
