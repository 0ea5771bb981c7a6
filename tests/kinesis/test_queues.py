"""Kinesis queues and their dead-letter records (botocore 1.44): lifecycle, delivery,
visibility on the virtual clock, dead-lettering, long polling, concurrency, the view."""
from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mock_putrecord import MockPutRecord

from ..helpers import requires_operation
from .conftest import error_of

pytestmark = requires_operation("kinesis", "CreateQueue")
ACCOUNT = "123456789012"


@pytest.fixture
def stream_arn(kinesis: Any) -> str:
    kinesis.create_stream(StreamName="s", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    return str(kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"])


def _queue(kinesis: Any, stream_arn: str, name: str = "q", position: str = "TRIM_HORIZON", **attributes: Any) -> str:
    description = kinesis.create_queue(
        QueueName=name, QueueAttributes=attributes,
        StreamConfigurationList=[{"StreamARN": stream_arn, "StartingPosition": {"Type": position}}],
    )["QueueDescription"]
    return str(description["QueueARN"])


def _put(kinesis: Any, count: int, start: int = 0) -> None:
    kinesis.put_records(StreamName="s", Records=[
        {"Data": str(n).encode(), "PartitionKey": f"k{n}"} for n in range(start, start + count)])


def _receive(kinesis: Any, arn: str, **options: Any) -> list[dict[str, Any]]:
    options.setdefault("WaitTimeSeconds", 1)
    return list(kinesis.receive_queue_records(QueueARN=arn, **options)["QueueRecords"])


def test_create_describe_list_and_counts(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    created = kinesis.create_queue(
        QueueName="orders", StreamConfigurationList=[{"StreamARN": stream_arn}],
        QueueAttributes={"VisibilityTimeoutSeconds": 45}, Tags={"team": "a"})["QueueDescription"]
    assert created["QueueARN"].startswith(f"arn:aws:kinesis:us-east-1:{ACCOUNT}:queue/")
    assert "orders" not in created["QueueARN"]
    assert created["QueueStatus"] == "CREATING"
    assert created["StreamConfigurationList"] == [{"StreamARN": stream_arn, "StartingPosition": {"Type": "LATEST"}}]
    assert created["QueueAttributes"] == {
        "VisibilityTimeoutSeconds": 45, "DeadLetterConfiguration": {"TargetType": "BUILT_IN", "MaxReceiveCount": 6}}
    mock.advance(5)
    described = kinesis.describe_queue(QueueARN=created["QueueARN"])["QueueDescription"]
    assert described["QueueStatus"] == "ACTIVE"
    assert described["StreamConfigurationList"][0]["StartingPosition"]["Timestamp"] == created["QueueCreationTimestamp"]
    [summary] = kinesis.list_queues()["QueueSummaries"]
    assert (summary["QueueName"], summary["QueueARN"], summary["Streams"][0]["StreamARN"]) == (
        "orders", created["QueueARN"], stream_arn)
    stream = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]
    assert (stream["QueueCount"], stream["ConsumerCount"]) == (1, 0)


def test_list_filters_by_stream_and_pages(kinesis: Any, stream_arn: str) -> None:
    kinesis.create_stream(StreamName="other", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    other = kinesis.describe_stream_summary(StreamName="other")["StreamDescriptionSummary"]["StreamARN"]
    for name in ("a", "b"):
        _queue(kinesis, stream_arn, name)
    _queue(kinesis, other, "c")
    filtered = kinesis.list_queues(StreamFilter=[{"StreamARN": other}])["QueueSummaries"]
    assert [q["QueueName"] for q in filtered] == ["c"]
    first = kinesis.list_queues(MaxResults=2)
    second = kinesis.list_queues(MaxResults=2, NextToken=first["NextToken"])
    assert [q["QueueName"] for q in first["QueueSummaries"] + second["QueueSummaries"]] == ["a", "b", "c"]
    assert "NextToken" not in second


def test_queues_need_an_on_demand_stream(kinesis: Any, raw_kinesis: Any) -> None:
    kinesis.create_stream(StreamName="p", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="p")["StreamDescriptionSummary"]["StreamARN"]
    with pytest.raises(ClientError) as excinfo:
        _queue(raw_kinesis, arn)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidArgumentException", 400)
    assert message.startswith("Queues are supported only on data streams in on-demand capacity mode.")


def test_create_errors(kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    _queue(kinesis, stream_arn)
    with pytest.raises(ClientError) as excinfo:
        _queue(raw_kinesis, stream_arn)
    assert error_of(excinfo) == ("ResourceInUseException", f"Queue q under account {ACCOUNT} already exists.", 400)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_queue(QueueName="two", StreamConfigurationList=[{"StreamARN": stream_arn}] * 2)
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_queue(QueueName="t", StreamConfigurationList=[
            {"StreamARN": stream_arn, "StartingPosition": {"Type": "AT_TIMESTAMP"}}])
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_queue(QueueName="d", StreamConfigurationList=[{"StreamARN": stream_arn}],
                                 QueueAttributes={"DeadLetterConfiguration": {"TargetType": "BUILT_IN"}})
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.create_queue(QueueName="bad name", StreamConfigurationList=[{"StreamARN": stream_arn}])
    assert error_of(excinfo) == ("ValidationException", "1 validation error detected: Value 'bad name' at "
                                 "'queueName' failed to satisfy constraint: Member must satisfy regular "
                                 "expression pattern: [a-zA-Z0-9_.-]+", 400)


def test_queues_share_the_consumer_limit(kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    for index in range(20):
        kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=f"c{index}")
    with pytest.raises(ClientError) as excinfo:
        _queue(raw_kinesis, stream_arn)
    assert error_of(excinfo) == (
        "LimitExceededException", "Only 20 consumers can be registered to a stream at once", 400)


def test_receive_at_most_ten_each_with_a_receipt_handle(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    arn = _queue(kinesis, stream_arn)
    _put(kinesis, 12)
    first = _receive(kinesis, arn)
    second = _receive(kinesis, arn)
    assert (len(first), len(second)) == (10, 2)
    records = first + second
    assert sorted(int(r["Data"]) for r in records) == list(range(12))
    assert len({r["ReceiptHandle"] for r in records}) == 12
    assert all(r["ReceiveCount"] == 1 and r["PartitionKey"] == f"k{int(r['Data'])}" for r in records)
    stored = {r.sequence_number for r in mock.kinesis.records("s")}
    assert {r["RecordId"] for r in records} == stored
    assert _receive(kinesis, arn) == []  # all in flight


def test_latest_starts_after_creation(kinesis: Any, stream_arn: str) -> None:
    _put(kinesis, 3)
    arn = _queue(kinesis, stream_arn, position="LATEST")
    _put(kinesis, 1, start=3)
    assert [r["Data"] for r in _receive(kinesis, arn)] == [b"3"]


def test_visible_again_after_the_visibility_timeout(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    arn = _queue(kinesis, stream_arn, VisibilityTimeoutSeconds=10)
    mock.advance(5)
    _put(kinesis, 1)
    [first] = _receive(kinesis, arn)
    mock.advance(9.9)
    assert _receive(kinesis, arn) == []
    mock.advance(0.1)
    [again] = _receive(kinesis, arn, VisibilityTimeoutSeconds=100)
    assert (again["RecordId"], again["ReceiveCount"]) == (first["RecordId"], 2)
    assert again["ReceiptHandle"] != first["ReceiptHandle"]
    assert again["FirstReceiveTimestamp"] == first["FirstReceiveTimestamp"]


def test_acknowledge_removes_and_a_stale_handle_fails(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    arn = _queue(kinesis, stream_arn, VisibilityTimeoutSeconds=1)
    mock.advance(5)
    _put(kinesis, 1)
    [stale] = _receive(kinesis, arn)
    mock.advance(1)
    [fresh] = _receive(kinesis, arn)
    result = kinesis.acknowledge_queue_records(QueueARN=arn, Entries=[
        {"ReceiptHandle": stale["ReceiptHandle"]}, {"ReceiptHandle": fresh["ReceiptHandle"]}])
    assert result["Successful"] == [{"ReceiptHandle": fresh["ReceiptHandle"]}]
    assert result["Failed"] == [{
        "ReceiptHandle": stale["ReceiptHandle"], "ErrorCode": "InvalidArgumentException",
        "ErrorMessage": f"The receipt handle {stale['ReceiptHandle']} is not valid for this queue."}]
    mock.advance(60)
    assert _receive(kinesis, arn) == []
    view = mock.kinesis.queue("q")
    assert (view.visible, view.in_flight, view.dead_letter) == ([], [], [])


def test_visibility_zero_makes_a_record_visible_at_once(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    arn = _queue(kinesis, stream_arn)
    _put(kinesis, 1)
    [record] = _receive(kinesis, arn)
    result = kinesis.update_queue_records_visibility(QueueARN=arn, Entries=[
        {"ReceiptHandle": record["ReceiptHandle"], "VisibilityTimeoutSeconds": 0}])
    assert result["Successful"] == [{"ReceiptHandle": record["ReceiptHandle"]}]
    assert _receive(kinesis, arn)[0]["ReceiveCount"] == 2


def test_sixth_failed_delivery_dead_letters_and_restore_brings_it_back(
        mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    arn = _queue(kinesis, stream_arn, VisibilityTimeoutSeconds=10)
    mock.advance(5)
    _put(kinesis, 1)
    for attempt in range(1, 7):
        [record] = _receive(kinesis, arn)
        assert record["ReceiveCount"] == attempt
        assert mock.kinesis.queue("q").in_flight[0].receive_count == attempt
        mock.advance(10)
    assert _receive(kinesis, arn) == []
    view = mock.kinesis.queue("q")
    assert (len(view.visible), len(view.in_flight), len(view.dead_letter)) == (0, 0, 1)
    [dead] = kinesis.receive_dead_letter_queue_records(QueueARN=arn, WaitTimeSeconds=1)["QueueRecords"]
    assert dead["Data"] == b"0"
    changed = kinesis.update_dead_letter_queue_records_visibility(QueueARN=arn, Entries=[
        {"ReceiptHandle": dead["ReceiptHandle"], "VisibilityTimeoutSeconds": 0}])
    assert changed["Failed"] == []
    [dead] = kinesis.receive_dead_letter_queue_records(QueueARN=arn, WaitTimeSeconds=1)["QueueRecords"]
    restored = kinesis.restore_dead_letter_queue_records(QueueARN=arn, Entries=[{"ReceiptHandle": dead["ReceiptHandle"]}])
    assert restored["Successful"] == [{"ReceiptHandle": dead["ReceiptHandle"]}]
    [back] = _receive(kinesis, arn)
    assert (back["Data"], back["ReceiveCount"]) == (b"0", 1)
    # A queue handle is not a dead-letter handle.
    wrong = kinesis.acknowledge_dead_letter_queue_records(QueueARN=arn, Entries=[{"ReceiptHandle": back["ReceiptHandle"]}])
    assert wrong["Failed"][0]["ErrorCode"] == "InvalidArgumentException"


def test_acknowledging_a_dead_letter_record_discards_it(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    arn = _queue(kinesis, stream_arn, VisibilityTimeoutSeconds=1,
                 DeadLetterConfiguration={"TargetType": "BUILT_IN", "MaxReceiveCount": 1})
    mock.advance(5)
    _put(kinesis, 1)
    _receive(kinesis, arn)
    mock.advance(1)
    [dead] = kinesis.receive_dead_letter_queue_records(QueueARN=arn, WaitTimeSeconds=1)["QueueRecords"]
    kinesis.acknowledge_dead_letter_queue_records(QueueARN=arn, Entries=[{"ReceiptHandle": dead["ReceiptHandle"]}])
    mock.advance(100)
    view = mock.kinesis.queue("q")
    assert (view.visible, view.in_flight, view.dead_letter) == ([], [], [])


def test_without_dead_letter_handling_a_record_is_redelivered(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    arn = _queue(kinesis, stream_arn, VisibilityTimeoutSeconds=1, DeadLetterConfiguration={"TargetType": "NONE"})
    mock.advance(5)
    _put(kinesis, 1)
    for attempt in range(1, 9):
        assert _receive(kinesis, arn)[0]["ReceiveCount"] == attempt
        mock.advance(1)
    assert kinesis.describe_queue(QueueARN=arn)["QueueDescription"]["QueueAttributes"]["DeadLetterConfiguration"] == {
        "TargetType": "NONE"}


def test_records_past_retention_are_not_delivered(mock: MockPutRecord, kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    arn = _queue(kinesis, stream_arn)
    mock.advance(5)
    _put(kinesis, 2)
    _receive(kinesis, arn, Limit=1)
    mock.advance(24 * 3600 + 1)
    assert _receive(kinesis, arn) == []
    view = mock.kinesis.queue("q")
    assert (view.visible, view.in_flight) == ([], [])


def test_long_poll_returns_when_a_record_arrives(kinesis: Any, stream_arn: str) -> None:
    arn = _queue(kinesis, stream_arn)
    threading.Timer(0.1, _put, args=(kinesis, 1)).start()
    records = kinesis.receive_queue_records(QueueARN=arn, WaitTimeSeconds=20)["QueueRecords"]
    assert [r["Data"] for r in records] == [b"0"]


def test_long_poll_ends_with_the_wait_on_the_virtual_clock(mock: MockPutRecord, kinesis: Any,
                                                           stream_arn: str) -> None:
    mock.advance(0)
    arn = _queue(kinesis, stream_arn)
    mock.advance(5)
    threading.Timer(0.1, mock.advance, args=(20,)).start()
    assert kinesis.receive_queue_records(QueueARN=arn, WaitTimeSeconds=20)["QueueRecords"] == []


def test_update_changes_attributes_and_is_updating_for_a_while(mock: MockPutRecord, kinesis: Any,
                                                               stream_arn: str) -> None:
    mock.advance(0)
    arn = _queue(kinesis, stream_arn)
    mock.advance(5)
    updated = kinesis.update_queue(QueueARN=arn, QueueAttributes={"VisibilityTimeoutSeconds": 5})["QueueDescription"]
    assert updated["QueueStatus"] == "UPDATING"
    assert updated["QueueAttributes"]["VisibilityTimeoutSeconds"] == 5
    _put(kinesis, 1)
    _receive(kinesis, arn)  # receiving goes on while UPDATING
    mock.advance(5)
    assert kinesis.describe_queue(QueueARN=arn)["QueueDescription"]["QueueStatus"] == "ACTIVE"
    assert len(_receive(kinesis, arn)) == 1  # the 5-second timeout applied


def test_delete_is_deleting_then_gone(mock: MockPutRecord, kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    mock.advance(0)
    arn = _queue(kinesis, stream_arn)
    mock.advance(5)
    kinesis.delete_queue(QueueARN=arn)
    assert kinesis.describe_queue(QueueARN=arn)["QueueDescription"]["QueueStatus"] == "DELETING"
    mock.advance(5)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.describe_queue(QueueARN=arn)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Queue {arn} under account {ACCOUNT} not found.", 400)
    assert kinesis.list_queues()["QueueSummaries"] == []
    assert kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["QueueCount"] == 0


def test_concurrent_producers_and_consumers_get_each_record_once(kinesis: Any, stream_arn: str) -> None:
    arn = _queue(kinesis, stream_arn)
    total = 400
    received: list[bytes] = []
    lock = threading.Lock()

    def produce(offset: int) -> None:
        for start in range(offset, total, 100):
            _put(kinesis, 50, start)

    def consume() -> None:
        while True:
            with lock:
                if len(received) >= total:
                    return
            records = _receive(kinesis, arn)
            if records:
                kinesis.acknowledge_queue_records(QueueARN=arn, Entries=[
                    {"ReceiptHandle": r["ReceiptHandle"]} for r in records])
                with lock:
                    received.extend(r["Data"] for r in records)

    threads = [threading.Thread(target=produce, args=(offset,)) for offset in (0, 50)]
    threads += [threading.Thread(target=consume) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(int(d) for d in received) == list(range(total))


def test_a_stream_with_a_queue_cannot_be_deleted(kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    arn = _queue(kinesis, stream_arn)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.delete_stream(StreamName="s")
    assert error_of(excinfo) == (
        "ResourceInUseException", f"DeleteStream can't delete {ACCOUNT}:s because there are queues associated with "
        "this data stream. Delete them first.", 400)
    kinesis.delete_queue(QueueARN=arn)
    kinesis.delete_stream(StreamName="s")


def test_a_stream_with_a_queue_stays_on_demand(kinesis: Any, raw_kinesis: Any, stream_arn: str) -> None:
    _queue(kinesis, stream_arn)
    with pytest.raises(ClientError) as excinfo:
        raw_kinesis.update_stream_mode(StreamARN=stream_arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
    assert error_of(excinfo) == (
        "ResourceInUseException", f"Stream s under account {ACCOUNT} has queues, which need on-demand capacity "
        "mode. Delete them first.", 400)
