"""Wire handlers of the queue operations (botocore 1.44), registered into
``responses.OPERATIONS``; the model is ``queues.py``."""
from __future__ import annotations

import binascii
from typing import Any

from ..core.wire import WireRequest, WireResponse
from . import queues, paging
from .resources import register_resource_type
from .responses import _backend, handler, ok, ok_json

OPERATION_NAMES: list[str] = [
    "CreateQueue", "DescribeQueue", "ListQueues", "UpdateQueue", "DeleteQueue",
    "ReceiveQueueRecords", "AcknowledgeQueueRecords", "UpdateQueueRecordsVisibility",
    "ReceiveDeadLetterQueueRecords", "AcknowledgeDeadLetterQueueRecords",
    "RestoreDeadLetterQueueRecords", "UpdateDeadLetterQueueRecordsVisibility",
]
"""Registered below; ``responses`` drops those the installed botocore does not model."""


@handler("CreateQueue")
def create_queue(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    queue = queues.create(_backend(request), params["QueueName"], params["StreamConfigurationList"],
                          params.get("QueueAttributes"), params.get("Tags"))
    return ok_json({"QueueDescription": queue.description()})


@handler("DescribeQueue")
def describe_queue(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return ok_json({"QueueDescription": queues.find(_backend(request), params["QueueARN"]).description()})


@handler("UpdateQueue")
def update_queue(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    queue = queues.update(_backend(request), params["QueueARN"], params["QueueAttributes"])
    return ok_json({"QueueDescription": queue.description()})


@handler("DeleteQueue")
def delete_queue(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    queues.delete(_backend(request), params["QueueARN"])
    return ok()


@handler("ListQueues")
def list_queues(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    found = queues.all_queues(_backend(request))
    filters = params.get("StreamFilter")
    if filters:
        wanted = [(f["StreamARN"], f.get("StreamCreationTimestamp")) for f in filters]
        found = [q for q in found if any(
            q.stream.arn == arn and (stamp is None or int(stamp) == int(q.stream.created)) for arn, stamp in wanted)]
    limit = params.get("MaxResults") or 100
    shown, token = paging.page(found, params.get("NextToken"), limit, "ListQueues")
    payload: dict[str, Any] = {"QueueSummaries": [q.summary() for q in shown]}
    if token is not None:
        payload["NextToken"] = token
    return ok_json(payload)


def _records(request: WireRequest, params: dict[str, Any], dead: bool) -> WireResponse:
    queue, taken = queues.receive(_backend(request), params["QueueARN"], params.get("Limit"),
                                  params.get("WaitTimeSeconds"), params.get("VisibilityTimeoutSeconds"), dead)
    shards = queue.stream.shards
    records = []
    for (index, position), handle, entry in taken:
        shard = shards[index]
        record: dict[str, Any] = {
            "ReceiptHandle": handle,
            "RecordId": shard.sequence_at(position),  # the same in every queue, lowercase alphanumeric
            "Data": binascii.b2a_base64(shard.data[position], newline=False).decode("ascii"),
            "ApproximateArrivalTimestamp": shard.arrivals[position],
            "FirstReceiveTimestamp": entry.first_receive,
            "ReceiveCount": entry.receive_count,
        }
        key = shard.keys[position]
        if key is not None:  # AUTO distribution stores records without one
            record["PartitionKey"] = key
        records.append(record)
    return ok_json({"QueueRecords": records})


@handler("ReceiveQueueRecords")
def receive_queue_records(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return _records(request, params, dead=False)


@handler("ReceiveDeadLetterQueueRecords")
def receive_dead_letter_queue_records(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return _records(request, params, dead=True)


def _settle(request: WireRequest, params: dict[str, Any], dead: bool, action: str) -> WireResponse:
    entries = params["Entries"]
    visibility = [e["VisibilityTimeoutSeconds"] for e in entries] if action == "visibility" else None
    _, done, failed = queues.settle(_backend(request), params["QueueARN"], [e["ReceiptHandle"] for e in entries],
                                    dead, action, visibility)
    return ok_json({
        "Successful": [{"ReceiptHandle": handle} for handle in done],
        "Failed": [{"ReceiptHandle": handle, "ErrorCode": code, "ErrorMessage": message}
                   for handle, code, message in failed],
    })


@handler("AcknowledgeQueueRecords")
def acknowledge_queue_records(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return _settle(request, params, False, "acknowledge")


@handler("UpdateQueueRecordsVisibility")
def update_queue_records_visibility(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return _settle(request, params, False, "visibility")


@handler("AcknowledgeDeadLetterQueueRecords")
def acknowledge_dead_letter_queue_records(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return _settle(request, params, True, "acknowledge")


@handler("RestoreDeadLetterQueueRecords")
def restore_dead_letter_queue_records(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return _settle(request, params, True, "restore")


@handler("UpdateDeadLetterQueueRecordsVisibility")
def update_dead_letter_queue_records_visibility(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return _settle(request, params, True, "visibility")


# Tags and resource policies address it by ARN.
register_resource_type("queue", queues.find)
