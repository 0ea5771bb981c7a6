"""Wire handlers of the channel operations (botocore 1.44), registered into
``responses.OPERATIONS``; the model is ``channels.py``."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..core.clock import clock
from ..core.wire import WireRequest, WireResponse
from . import channels
from .exceptions import ExpiredNextTokenException, InvalidArgumentException
from .resources import register_resource_type
from .responses import _backend, handler, ok, ok_json

TOKEN_LIFETIME_SECONDS = 300
OPERATION_NAMES: list[str] = [
    "CreateChannel", "DescribeChannel", "ListChannels", "UpdateChannel", "DeleteChannel",
]
"""Registered below; ``responses`` drops those the installed botocore does not model."""


@handler("CreateChannel")
def create_channel(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return ok_json({"ChannelDescription": channels.create(_backend(request), params).description()})


@handler("DescribeChannel")
def describe_channel(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend = _backend(request)
    channels.flush(backend, force=False)
    return ok_json({"ChannelDescription": channels.find(backend, params["ChannelARN"]).description()})


@handler("UpdateChannel")
def update_channel(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return ok_json({"ChannelDescription": channels.update(_backend(request), params).description()})


@handler("DeleteChannel")
def delete_channel(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    channels.delete(_backend(request), params["ChannelARN"])
    return ok()


@handler("ListChannels")
def list_channels(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend = _backend(request)
    channels.flush(backend, force=False)
    found = channels.all_channels(backend)
    filters = params.get("StreamFilter")
    if filters:
        wanted = [(f["StreamARN"], f.get("StreamCreationTimestamp")) for f in filters]
        found = [c for c in found if any(
            c.stream.arn == arn and (stamp is None or int(stamp) == int(c.stream.created)) for arn, stamp in wanted)]
    start = 0
    token = params.get("NextToken")
    if token is not None:
        start = _read_token(token)
    limit = min(params.get("MaxResults") or 100, 100)  # the model: "at most 100 results"
    page = found[start:start + limit]
    payload: dict[str, Any] = {"ChannelSummaries": [c.summary() for c in page]}
    if start + limit < len(found):
        payload["NextToken"] = base64.urlsafe_b64encode(json.dumps([start + limit, clock.now()]).encode()).decode()
    return ok_json(payload)


def _read_token(token: str) -> int:
    try:
        start, issued = json.loads(base64.urlsafe_b64decode(token.encode()))
        start, issued = int(start), float(issued)
    except (ValueError, TypeError, binascii.Error):
        raise InvalidArgumentException("Invalid NextToken provided to ListChannels.") from None
    if clock.now() - issued > TOKEN_LIFETIME_SECONDS:
        raise ExpiredNextTokenException(f"NextToken {token} has expired.")
    return start


# Tags and resource policies address it by ARN.
register_resource_type("channel", channels.find)
