"""The consumer-side operations of the installed botocore's Kinesis model all answer
(none falls through to 501 NotImplemented)."""
from __future__ import annotations

import botocore.session
import pytest

from mock_putrecord.kinesis.responses import OPERATIONS

CONSUMER_SIDE = [
    "RegisterStreamConsumer", "DescribeStreamConsumer", "ListStreamConsumers", "DeregisterStreamConsumer",
    "SubscribeToShard",
    "CreateQueue", "DescribeQueue", "ListQueues", "UpdateQueue", "DeleteQueue",
    "ReceiveQueueRecords", "AcknowledgeQueueRecords", "UpdateQueueRecordsVisibility",
    "ReceiveDeadLetterQueueRecords", "AcknowledgeDeadLetterQueueRecords", "RestoreDeadLetterQueueRecords",
    "UpdateDeadLetterQueueRecordsVisibility",
    "CreateChannel", "DescribeChannel", "ListChannels", "UpdateChannel", "DeleteChannel",
]
MODEL = botocore.session.get_session().get_service_model("kinesis").operation_names


@pytest.mark.parametrize("operation", CONSUMER_SIDE)
def test_consumer_side_operation_is_modelled(operation: str) -> None:
    if operation not in MODEL:
        pytest.skip(f"botocore {botocore.__version__} has no Kinesis {operation}")
    assert operation in OPERATIONS
