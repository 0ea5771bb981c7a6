"""Wire handlers of the management operations added to Kinesis since 2024: capacity
settings, account settings, enhanced monitoring, resource policies and ARN-addressed
tags. Registered into ``responses.OPERATIONS`` when ``responses`` is imported."""
from __future__ import annotations

from typing import Any

from ..core.wire import WireRequest, WireResponse
from . import capacity, monitoring, policies, resources, tagging
from .responses import _backend, _stream_ref, handler, ok, ok_json


# ---------------------------------------------------------------- capacity
@handler("UpdateStreamMode")
def update_stream_mode(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    capacity.update_stream_mode(_backend(request), params["StreamARN"], params["StreamModeDetails"]["StreamMode"],
                                params.get("WarmThroughputMiBps"))
    return ok()


@handler("UpdateMaxRecordSize")
def update_max_record_size(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    capacity.update_max_record_size(_backend(request), params.get("StreamARN"), params["MaxRecordSizeInKiB"])
    return ok()


@handler("UpdateStreamRecordDistributionStrategy")
def update_distribution(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    capacity.update_distribution(_backend(request), params["StreamARN"], params["RecordDistributionStrategy"])
    return ok()


@handler("UpdateStreamWarmThroughput")
def update_warm_throughput(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return ok_json(capacity.update_warm_throughput(_backend(request), *_stream_ref(params),
                                                   params["WarmThroughputMiBps"]))


# ---------------------------------------------------------------- account
@handler("DescribeAccountSettings")
def describe_account_settings(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return ok_json({"MinimumThroughputBillingCommitment": _backend(request).account.describe()})


@handler("UpdateAccountSettings")
def update_account_settings(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    status = params["MinimumThroughputBillingCommitment"]["Status"]
    return ok_json({"MinimumThroughputBillingCommitment": _backend(request).account.update(status)})


# ---------------------------------------------------------------- enhanced monitoring
def _monitoring(request: WireRequest, params: dict[str, Any], enable: bool) -> WireResponse:
    backend = _backend(request)
    with backend.lock:
        stream = backend.get_stream(*_stream_ref(params))
        backend.check_active(stream)
        current = list(stream.shard_level_metrics)
        change = monitoring.enable if enable else monitoring.disable
        stream.shard_level_metrics = change(current, params["ShardLevelMetrics"])
        return ok_json({"StreamName": stream.name, "StreamARN": stream.arn, "CurrentShardLevelMetrics": current,
                        "DesiredShardLevelMetrics": list(stream.shard_level_metrics)})


@handler("EnableEnhancedMonitoring")
def enable_enhanced_monitoring(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return _monitoring(request, params, enable=True)


@handler("DisableEnhancedMonitoring")
def disable_enhanced_monitoring(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    return _monitoring(request, params, enable=False)


# ---------------------------------------------------------------- resource policies
@handler("PutResourcePolicy")
def put_resource_policy(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend = _backend(request)
    with backend.lock:
        policies.put(resources.resolve(backend, params["ResourceARN"]), params["Policy"])
    return ok()


@handler("GetResourcePolicy")
def get_resource_policy(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend = _backend(request)
    with backend.lock:
        return ok_json({"Policy": policies.get(resources.resolve(backend, params["ResourceARN"]))})


@handler("DeleteResourcePolicy")
def delete_resource_policy(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend = _backend(request)
    with backend.lock:
        policies.delete(resources.resolve(backend, params["ResourceARN"]), params["ResourceARN"])
    return ok()


# ---------------------------------------------------------------- tags by ARN
@handler("TagResource")
def tag_resource(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend, arn = _backend(request), params["ResourceARN"]
    with backend.lock:
        tagging.add(resources.resolve(backend, arn), resources.resource_type(arn), backend.account_id, params["Tags"])
    return ok()


@handler("UntagResource")
def untag_resource(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend, arn = _backend(request), params["ResourceARN"]
    with backend.lock:
        tagging.remove(resources.resolve(backend, arn), resources.resource_type(arn), backend.account_id,
                       params["TagKeys"])
    return ok()


@handler("ListTagsForResource")
def list_tags_for_resource(request: WireRequest, params: dict[str, Any]) -> WireResponse:
    backend = _backend(request)
    with backend.lock:
        tags, _ = tagging.listing(resources.resolve(backend, params["ResourceARN"]), limit=tagging.MAX_TAGS)
    return ok_json({"Tags": [{"Key": key, "Value": value} for key, value in tags]})
