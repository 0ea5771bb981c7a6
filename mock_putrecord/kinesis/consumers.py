"""Enhanced fan-out consumers: Register/Describe/List/DeregisterStreamConsumer.

A consumer belongs to one stream (``Stream.consumers``, by name) and goes with it. Its
ARN is the stream's ARN plus ``/consumer/<name>:<creation epoch seconds>``.

Status follows the mock's clock. On a virtual clock (``mock.advance``, or
``shard_throughput=True``) a new consumer is ``CREATING`` for
:data:`TRANSITION_SECONDS` and then ``ACTIVE``; a deregistered one is ``DELETING`` for
as long and then gone. On the real clock both transitions are immediate, as streams
are ACTIVE at once, so a test never sleeps.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.clock import clock
from .exceptions import InvalidArgumentException, LimitExceededException, ResourceInUseException, ResourceNotFoundException

if TYPE_CHECKING:
    from .models import KinesisBackend, Stream
    from .subscriptions import Subscription

TRANSITION_SECONDS = 5.0
"""How long a consumer stays CREATING (and DELETING) on a virtual clock. AWS documents
no figure; registrations observed take a few seconds."""
MAX_CONSUMERS = 20
"""Per stream, shared with queues (the model's RegisterStreamConsumer documentation)."""
MAX_CREATING = 5
"""At most five consumers in CREATING at once (same documentation)."""


@dataclass
class Consumer:
    """A registered enhanced fan-out consumer."""

    name: str
    stream: Stream
    created: float
    active_at: float
    tags: dict[str, str] = field(default_factory=dict)
    gone_at: float | None = None
    """Set by deregistration: the consumer is DELETING until then."""
    subscriptions: dict[str, Subscription] = field(default_factory=dict, repr=False)
    """The latest SubscribeToShard per shard id."""
    policy: str | None = None
    """Its resource policy (PutResourcePolicy by consumer ARN)."""

    @property
    def arn(self) -> str:
        return f"{self.stream.arn}/consumer/{self.name}:{int(self.created)}"

    def status(self, now: float | None = None) -> str:
        """``CREATING``, ``ACTIVE`` or ``DELETING`` at ``now`` (default: the mock's clock)."""
        now = clock.now() if now is None else now
        if self.gone_at is not None:
            return "DELETING"
        return "ACTIVE" if now >= self.active_at else "CREATING"

    def summary(self) -> dict[str, object]:
        """The ``Consumer`` structure of Register and ListStreamConsumers."""
        return {
            "ConsumerName": self.name,
            "ConsumerARN": self.arn,
            "ConsumerStatus": self.status(),
            "ConsumerCreationTimestamp": self.created,
        }

    def description(self) -> dict[str, object]:
        """The ``ConsumerDescription`` structure of DescribeStreamConsumer."""
        return {**self.summary(), "StreamARN": self.stream.arn}

    def not_active(self) -> ResourceInUseException:
        """AWS's refusal of a consumer that is not ACTIVE (text captured from a
        CloudFormation failure on a CREATING consumer)."""
        return ResourceInUseException(
            f"Consumer {self.name} with creation timestamp {int(self.created)} under stream "
            f"{self.stream.name} and account {self.stream.account_id} is not in ACTIVE status."
        )


def live_consumers(stream: Stream) -> list[Consumer]:
    """The stream's consumers that still exist, oldest first (drops the deleted ones)."""
    now = clock.now()
    gone = [name for name, c in stream.consumers.items() if c.gone_at is not None and now >= c.gone_at]
    for name in gone:
        stream.consumers.pop(name, None)
    return list(stream.consumers.values())


def consumer_count(stream: Stream) -> int:
    """``ConsumerCount`` of DescribeStreamSummary."""
    return len(live_consumers(stream))


def _not_found(ref: str, account_id: str) -> ResourceNotFoundException:
    # moto's wording of AWS's message.
    return ResourceNotFoundException(f"Consumer {ref}, account {account_id} not found.")


def register(backend: KinesisBackend, stream_arn: str, name: str, tags: dict[str, str] | None = None) -> Consumer:
    """RegisterStreamConsumer."""
    with backend.lock:
        stream = backend.get_stream(None, stream_arn)
        consumers = live_consumers(stream)
        if name in stream.consumers:
            # kinesis-mock's wording; no capture of AWS's text was found.
            raise ResourceInUseException(f"Consumer {name} exists")
        if len(consumers) + len(stream.queues) >= MAX_CONSUMERS:
            raise LimitExceededException(f"Only {MAX_CONSUMERS} consumers can be registered to a stream at once")
        now = clock.now()
        if sum(1 for c in consumers if c.status(now) == "CREATING") >= MAX_CREATING:
            raise LimitExceededException(f"Only {MAX_CREATING} consumers can be created at the same time")
        delay = TRANSITION_SECONDS if clock.is_virtual else 0.0
        consumer = Consumer(name, stream, now, now + delay, dict(tags or {}))
        stream.consumers[name] = consumer
        return consumer


def resolve_consumer_arn(backend: KinesisBackend, arn: str) -> Consumer:
    """The consumer a ConsumerARN names (any status but gone), or AWS's
    ResourceNotFoundException. Also for TagResource and the resource-policy operations."""
    stream_part, sep, consumer_part = arn.partition("/consumer/")
    name, _, created = consumer_part.rpartition(":")
    parts = stream_part.split(":")
    if not sep or len(parts) < 6 or parts[3] != backend.region or parts[4] != backend.account_id:
        raise _not_found(arn, backend.account_id)
    stream = backend.streams.get(stream_part.rsplit("/", 1)[-1])
    if stream is None or stream.arn != stream_part:
        raise _not_found(arn, backend.account_id)
    live_consumers(stream)
    consumer = stream.consumers.get(name)
    if consumer is None or str(int(consumer.created)) != created:
        raise _not_found(arn, backend.account_id)
    return consumer


def find(backend: KinesisBackend, consumer_arn: str | None, stream_arn: str | None, name: str | None) -> Consumer:
    """The consumer of Describe/DeregisterStreamConsumer: by ARN, or by stream ARN and name."""
    if consumer_arn is not None:
        consumer = resolve_consumer_arn(backend, consumer_arn)
        if (name is not None and name != consumer.name) or (stream_arn is not None and stream_arn != consumer.stream.arn):
            raise InvalidArgumentException(
                f"ConsumerARN {consumer_arn} does not match the ConsumerName or StreamARN provided."
            )
        return consumer
    if stream_arn is None or name is None:
        # kinesis-mock's wording.
        raise InvalidArgumentException("ConsumerArn or both ConsumerName and StreamARN are required for this request.")
    stream = backend.get_stream(None, stream_arn)
    live_consumers(stream)
    found = stream.consumers.get(name)
    if found is None:
        raise _not_found(name, backend.account_id)
    return found


def deregister(backend: KinesisBackend, consumer_arn: str | None, stream_arn: str | None, name: str | None) -> Consumer:
    """DeregisterStreamConsumer: DELETING, then gone (at once on the real clock)."""
    with backend.lock:
        consumer = find(backend, consumer_arn, stream_arn, name)
        if consumer.gone_at is not None:
            raise consumer.not_active()
        now = clock.now()
        consumer.gone_at = now + (TRANSITION_SECONDS if clock.is_virtual else 0.0)
        if consumer.gone_at <= now:
            consumer.stream.consumers.pop(consumer.name, None)
        consumer.stream.notify()  # its subscriptions end
        return consumer


def page(stream: Stream, after: str | None, limit: int) -> tuple[list[Consumer], bool]:
    """ListStreamConsumers: consumers after the one named ``after``, oldest first."""
    consumers = live_consumers(stream)
    if after is not None:
        names = [c.name for c in consumers]
        consumers = consumers[names.index(after) + 1:] if after in names else []
    return consumers[:limit], len(consumers) > limit


def summary_counts(stream: Stream) -> dict[str, int]:
    """``ConsumerCount`` (enhanced fan-out consumers only), ``QueueCount`` and
    ``ChannelCount`` for DescribeStreamSummary (a botocore without the last two ignores them)."""
    from .channels import channel_count
    from .queues import queue_count

    return {"ConsumerCount": consumer_count(stream), "QueueCount": queue_count(stream),
            "ChannelCount": channel_count(stream)}


def check_deletable(stream: Stream, enforce_consumer_deletion: bool) -> None:
    """DeleteStream's refusals: registered consumers without ``EnforceConsumerDeletion``
    (AWS's text, as captured in Terraform and aws-nuke reports), then queues and channels,
    which the model says must be deleted first (no capture of those texts)."""
    if live_consumers(stream) and not enforce_consumer_deletion:
        raise ResourceInUseException(
            f"DeleteStream can't delete {stream.account_id}:{stream.name} because there are consumers associated "
            f"with this data stream. To delete {stream.name} anyway, set the EnforceConsumerDeletion parameter to "
            "true to force the deletion of all the consumers that are associated with it."
        )
    from .channels import channel_count
    from .queues import queue_count

    for kind, count in (("queues", queue_count(stream)), ("channels", channel_count(stream))):
        if count:
            raise ResourceInUseException(
                f"DeleteStream can't delete {stream.account_id}:{stream.name} because there are {kind} associated "
                f"with this data stream. Delete them first.")


def check_on_demand_dependents(stream: Stream) -> None:
    """UpdateStreamMode to PROVISIONED: queues and channels need on-demand streams, so
    they must be deleted first (the model's DeleteQueue documentation; no capture of the
    text)."""
    from .channels import channel_count
    from .queues import queue_count

    for kind, count in (("queues", queue_count(stream)), ("channels", channel_count(stream))):
        if count:
            raise ResourceInUseException(
                f"Stream {stream.name} under account {stream.account_id} has {kind}, which need on-demand "
                "capacity mode. Delete them first.")
