"""Wire handlers of the enhanced fan-out operations (registered into
``responses.OPERATIONS``): consumers (``consumers.py``) and SubscribeToShard
(``subscriptions.py``), whose body is an event stream."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..core.clock import clock
from ..core.streaming import StreamingWireResponse
from ..core.wire import WireRequest, WireResponse, new_request_id
from . import consumers, eventstream, subscriptions
from .exceptions import ExpiredNextTokenException, InvalidArgumentException
from .resources import register_resource_type
from .responses import _backend, handler, ok, ok_json

from .paging import TOKEN_LIFETIME_SECONDS


@handler("RegisterStreamConsumer")
def register_stream_consumer(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    consumer = consumers.register(_backend(request), params["StreamARN"], params["ConsumerName"], params.get("Tags"))
    return ok_json({"Consumer": consumer.summary()})


@handler("DescribeStreamConsumer")
def describe_stream_consumer(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    consumer = consumers.find(_backend(request), params.get("ConsumerARN"), params.get("StreamARN"),
                              params.get("ConsumerName"))
    return ok_json({"ConsumerDescription": consumer.description()})


@handler("DeregisterStreamConsumer")
def deregister_stream_consumer(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    consumers.deregister(_backend(request), params.get("ConsumerARN"), params.get("StreamARN"),
                         params.get("ConsumerName"))
    return ok()


@handler("ListStreamConsumers")
def list_stream_consumers(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    stream = _backend(request).get_stream(None, params["StreamARN"])
    after = None
    token = params.get("NextToken")
    if token is not None:
        after = _read_token(token, stream.name)
    page, more = consumers.page(stream, after, params.get("MaxResults") or 100)
    payload: dict[str, Any] = {"Consumers": [c.summary() for c in page]}
    if more:
        payload["NextToken"] = base64.urlsafe_b64encode(
            json.dumps([stream.name, page[-1].name, clock.now()]).encode()).decode()
    return ok_json(payload)


def _read_token(token: str, stream_name: str) -> str:
    try:
        name, after, issued = json.loads(base64.urlsafe_b64decode(token.encode()))
        assert name == stream_name
    except (ValueError, TypeError, AssertionError, binascii.Error):
        raise InvalidArgumentException("Invalid NextToken provided to ListStreamConsumers.") from None
    if clock.now() - float(issued) > TOKEN_LIFETIME_SECONDS:
        raise ExpiredNextTokenException(f"NextToken {token} has expired.")
    return str(after)


@handler("SubscribeToShard")
def subscribe_to_shard(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    subscription = subscriptions.subscribe(
        _backend(request), params["ConsumerARN"], params["ShardId"], params["StartingPosition"],
        dry_run=bool(params.get("DryRun")))
    headers = {"x-amzn-RequestId": new_request_id(), "Content-Type": eventstream.CONTENT_TYPE}
    return StreamingWireResponse(200, b"", headers, subscription)


# Tags and resource policies address it by ARN.
register_resource_type("consumer", consumers.resolve_consumer_arn)
