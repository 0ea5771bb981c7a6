"""Wire handlers of the channel operations (botocore 1.44), registered into
``responses.OPERATIONS``; the model is ``channels.py``."""
from __future__ import annotations

from typing import Any

from ..core.wire import WireRequest, WireResponse
from . import channels, paging
from .resources import register_resource_type
from .responses import _backend, handler, ok, ok_json

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
    limit = min(params.get("MaxResults") or 100, 100)  # the model: "at most 100 results"
    shown, token = paging.page(found, params.get("NextToken"), limit, "ListChannels")
    payload: dict[str, Any] = {"ChannelSummaries": [c.summary() for c in shown]}
    if token is not None:
        payload["NextToken"] = token
    return ok_json(payload)


# Tags and resource policies address it by ARN.
register_resource_type("channel", channels.find)
