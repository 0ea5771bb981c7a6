"""Wire adapters: the Feature Store runtime (rest-json) and the feature-group operations
of the SageMaker control plane (JSON 1.1).

Each handler parses a :class:`WireRequest`, checks it against botocore's model (as AWS's
front end does), calls :class:`~.models.FeatureStoreBackend` and renders the result or
the error in the protocol's wire format with an ``x-amzn-RequestId`` header.
"""
from __future__ import annotations

import base64
import binascii
import datetime
import json
from typing import Any, Callable, Mapping
from urllib.parse import parse_qsl, unquote

from ..core.errors import ServiceError
from ..core.service_models import service_model
from ..core.validation import failure, format_validation_errors
from ..core.wire import ClientParameters, WireRequest, WireResponse, loads_json, new_request_id
from .exceptions import (
    FeatureStoreError,
    NotImplementedOperation,
    ValidationError,
    ValidationException,
)
from .models import FEATURE_GROUP_ARN, FeatureStoreBackend, UncheckedShapeInvalid, featurestore_backends
from .validation import (
    ShapeValidator,
    batch_write_members_valid,
    batch_write_record_is_valid,
    put_record_is_valid,
    record_features_valid,
)

RUNTIME = "sagemaker-featurestore-runtime"
CONTROL = "sagemaker"
_FEATURE_GROUP_PREFIX = "/FeatureGroup/"
SEARCH_RESOURCES = ("FeatureGroup", "FeatureMetadata")

Handler = Callable[[WireRequest], WireResponse]
Params = dict[str, Any]


def _backend(request: WireRequest) -> FeatureStoreBackend:
    return featurestore_backends.get(request.account_id, request.region)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


_ALL_WRITTEN = _dumps({"Errors": [], "UnprocessedEntries": []})
"""BatchWriteRecord's answer when every entry was written (encoded once, not per call)."""


# ---------------------------------------------------------------- routing (server mode)
def route_runtime(method: str, path: str) -> str | None:
    """The runtime operation a raw HTTP request addresses, or ``None``.

    Newer operations (``BatchWriteRecord``, ``ListRecords``, ``UpdateRecord``) are routed
    too so that they get a clear "not implemented" answer.
    """
    path = path.split("?", 1)[0]
    method = method.upper()
    if path.startswith(_FEATURE_GROUP_PREFIX):
        rest = path[len(_FEATURE_GROUP_PREFIX) :]
        if not rest:
            return None
        if "/" not in rest:
            return {"PUT": "PutRecord", "GET": "GetRecord", "DELETE": "DeleteRecord"}.get(method)
        if method == "POST" and rest.endswith("/ListRecords"):
            return "ListRecords"
        if method == "POST" and rest.endswith("/Record"):
            return "UpdateRecord"
        return None
    if method == "POST" and path == "/BatchGetRecord":
        return "BatchGetRecord"
    if method == "POST" and path == "/BatchWriteRecord":
        return "BatchWriteRecord"
    return None


# ---------------------------------------------------------------- shared plumbing
class _Adapter:
    """Error rendering and the handler wrapper shared by both planes."""

    service = ""
    validation_error: type[FeatureStoreError] = ValidationError

    def __init__(self) -> None:
        self.operations: dict[str, Handler] = {}
        self._validators: dict[str, ShapeValidator] = {}

    _fast_checks: dict[str, Callable[[Any], bool]] = {}

    def _validator(self, operation: str) -> ShapeValidator:
        validator = self._validators.get(operation)
        if validator is None:
            validator = self._validators[operation] = ShapeValidator(
                self.service, operation, self.validation_error, self._fast_checks.get(operation)
            )
        return validator

    def render_error(self, error: ServiceError) -> WireResponse:
        """``error`` in the plane's wire format (also used by the dispatcher for faults
        scripted with ``mock.faults.fail_next``)."""
        raise NotImplementedError

    def _register(self, operation: str, handler: Callable[[WireRequest], WireResponse]) -> None:
        def wrapped(request: WireRequest) -> WireResponse:
            try:
                return handler(request)
            except ServiceError as error:
                return self.render_error(error)

        self.operations[operation] = wrapped

    def _json_body(self, request: WireRequest) -> Params:
        if not request.body:
            return {}
        try:
            data = loads_json(request.body)
        except (ValueError, UnicodeDecodeError):
            raise self.validation_error(format_validation_errors(["The request body is not valid JSON."])) from None
        if not isinstance(data, dict):
            raise self.validation_error(format_validation_errors(["The request body must be a JSON object."]))
        return data


# ---------------------------------------------------------------- runtime (rest-json)
class RuntimeAdapter(_Adapter):
    """``sagemaker-featurestore-runtime``: PutRecord, GetRecord, BatchGetRecord, DeleteRecord,
    and BatchWriteRecord, UpdateRecord, ListRecords where botocore models them."""

    service = RUNTIME
    validation_error = ValidationError
    _fast_checks = {"PutRecord": put_record_is_valid, "BatchWriteRecord": batch_write_record_is_valid}

    def __init__(self) -> None:
        super().__init__()
        self._register("PutRecord", self.put_record)
        self._register("GetRecord", self.get_record)
        self._register("DeleteRecord", self.delete_record)
        self._register("BatchGetRecord", self.batch_get_record)
        # Newer operations exist only for a botocore whose model has them.
        for operation, handler in (
            ("BatchWriteRecord", self.batch_write_record),
            ("UpdateRecord", self.update_record),
            ("ListRecords", self.list_records),
        ):
            if operation in service_model(RUNTIME).operation_names:
                self._register(operation, handler)
        self._query_members: dict[str, dict[str, tuple[str, bool]]] = {}

    def unknown_operation(self, request: WireRequest) -> WireResponse | None:
        """Every runtime request is ours: name what is not implemented."""
        return self.render_error(
            NotImplementedOperation(
                f"mock_putrecord does not implement the SageMaker Feature Store runtime operation "
                f"{request.operation or request.method + ' ' + request.path}."
            )
        )

    def render_error(self, error: ServiceError) -> WireResponse:
        """rest-json error: ``x-amzn-ErrorType`` header and a ``message`` body."""
        return WireResponse(
            error.status,
            _dumps({"message": error.message}),
            {
                "x-amzn-RequestId": new_request_id(),
                "x-amzn-ErrorType": error.code,
                "Content-Type": "application/json",
            },
        )

    @staticmethod
    def _ok(data: Mapping[str, Any] | None = None) -> WireResponse:
        headers = {"x-amzn-RequestId": new_request_id()}
        if data is None:
            return WireResponse(200, b"", headers)
        headers["Content-Type"] = "application/json"
        return WireResponse(200, _dumps(data), headers)

    @staticmethod
    def _group_name(request: WireRequest) -> str:
        path = request.path
        if not path.startswith(_FEATURE_GROUP_PREFIX):
            return ""
        name = path[len(_FEATURE_GROUP_PREFIX) :].split("/", 1)[0]  # …/Record, …/ListRecords
        return unquote(name) if "%" in name else name

    def _query_params(self, request: WireRequest) -> Params:
        """Query-string members by the model's ``locationName`` (lists repeat the key)."""
        operation = request.operation
        members = self._query_members.get(operation)
        if members is None:
            shape = service_model(RUNTIME).operation_model(operation).input_shape
            members = {}
            if shape is not None:
                for name, member in shape.members.items():
                    if member.serialization.get("location") == "querystring":
                        members[member.serialization.get("name", name)] = (name, member.type_name == "list")
            self._query_members[operation] = members
        params: Params = {}
        for key, value in parse_qsl(request.query, keep_blank_values=True):
            target = members.get(key)
            if target is None:
                continue
            name, is_list = target
            if is_list:
                params.setdefault(name, []).append(value)
            else:
                params[name] = value
        return params

    def put_record(self, request: WireRequest) -> WireResponse:
        """PUT /FeatureGroup/{name}"""
        params = self._json_body(request)
        params["FeatureGroupName"] = self._group_name(request)
        self._validator("PutRecord").validate(params)
        _backend(request).put_record(
            params["FeatureGroupName"], params["Record"], params.get("TargetStores"), params.get("TtlDuration")
        )
        return self._ok()

    def get_record(self, request: WireRequest) -> WireResponse:
        """GET /FeatureGroup/{name}?RecordIdentifierValueAsString=..."""
        params = self._query_params(request)
        params["FeatureGroupName"] = self._group_name(request)
        self._validator("GetRecord").validate(params)
        result = _backend(request).get_record(
            params["FeatureGroupName"],
            params["RecordIdentifierValueAsString"],
            params.get("FeatureNames"),
            params.get("ExpirationTimeResponse"),
        )
        return self._ok(result)

    def delete_record(self, request: WireRequest) -> WireResponse:
        """DELETE /FeatureGroup/{name}?RecordIdentifierValueAsString=...&EventTime=..."""
        params = self._query_params(request)
        params["FeatureGroupName"] = self._group_name(request)
        self._validator("DeleteRecord").validate(params)
        _backend(request).delete_record(
            params["FeatureGroupName"],
            params["RecordIdentifierValueAsString"],
            params["EventTime"],
            params.get("TargetStores"),
            params.get("DeletionMode"),
        )
        return self._ok()

    def batch_get_record(self, request: WireRequest) -> WireResponse:
        """POST /BatchGetRecord"""
        params = self._json_body(request)
        self._validator("BatchGetRecord").validate(params)
        result = _backend(request).batch_get_record(params["Identifiers"], params.get("ExpirationTimeResponse"))
        return self._ok(result)

    def batch_write_record(self, request: WireRequest) -> WireResponse:
        """POST /BatchWriteRecord"""
        backend = _backend(request)
        source = request.source_as(ClientParameters)  # botocore's own parameters, when the body is theirs
        params = source.values if source is not None else None
        result = None
        if isinstance(params, dict) and batch_write_members_valid(params):
            try:  # the records' features are checked while they are read
                result = backend.batch_write_record(params["Entries"], params.get("TtlDuration"), record_features_valid)
            except UncheckedShapeInvalid:
                pass
        if result is None:  # anything unusual: the body, fully checked
            params = self._json_body(request)
            self._validator("BatchWriteRecord").validate(params)
            result = backend.batch_write_record(params["Entries"], params.get("TtlDuration"))
        if not result["Errors"] and not result["UnprocessedEntries"]:  # every entry written: the common answer
            return WireResponse(200, _ALL_WRITTEN, {"x-amzn-RequestId": new_request_id(), "Content-Type": "application/json"})
        return self._ok(result)

    def update_record(self, request: WireRequest) -> WireResponse:
        """POST /FeatureGroup/{name}/Record"""
        params = self._json_body(request)
        params["FeatureGroupName"] = self._group_name(request)
        self._validator("UpdateRecord").validate(params)
        _backend(request).update_record(
            params["FeatureGroupName"],
            params["RecordIdentifierValueAsString"],
            params["Features"],
            params.get("TargetStores"),
            params.get("TtlDuration"),
        )
        return self._ok()

    def list_records(self, request: WireRequest) -> WireResponse:
        """POST /FeatureGroup/{name}/ListRecords"""
        params = self._json_body(request)
        params["FeatureGroupName"] = self._group_name(request)
        self._validator("ListRecords").validate(params)
        result = _backend(request).list_records(
            params["FeatureGroupName"],
            params.get("MaxResults"),
            params.get("NextToken"),
            bool(params.get("IncludeSoftDeletedRecords")),
        )
        return self._ok(result)


# ---------------------------------------------------------------- control plane (JSON 1.1)
class ControlAdapter(_Adapter):
    """The feature-group operations of ``sagemaker`` (and Search and tags where they are
    about feature groups); every other SageMaker operation is left to whatever else
    answers (moto, say)."""

    service = CONTROL
    validation_error = ValidationException

    def __init__(self) -> None:
        super().__init__()
        self._register("CreateFeatureGroup", self.create_feature_group)
        self._register("DescribeFeatureGroup", self.describe_feature_group)
        self._register("ListFeatureGroups", self.list_feature_groups)
        self._register("DeleteFeatureGroup", self.delete_feature_group)
        self._register("UpdateFeatureGroup", self.update_feature_group)
        self._register("UpdateFeatureMetadata", self.update_feature_metadata)
        self._register("DescribeFeatureMetadata", self.describe_feature_metadata)

        # Operations on every kind of SageMaker resource: this mock answers those about
        # feature groups, and leaves the rest to whatever else answers (moto, say).
        self._shared: dict[str, tuple[Callable[[Params], bool], Handler]] = {}
        for operation, claim, handler in (
            ("Search", _is_feature_search, self.search),
            ("AddTags", _names_feature_group, self.add_tags),
            ("ListTags", _names_feature_group, self.list_tags),
            ("DeleteTags", _names_feature_group, self.delete_tags),
        ):
            self._register(operation, handler)
            self._shared[operation] = (claim, self.operations.pop(operation))

    def unknown_operation(self, request: WireRequest) -> WireResponse | None:
        """Search, AddTags, ListTags and DeleteTags about feature groups; nothing else."""
        shared = self._shared.get(request.operation)
        if shared is None:
            return None
        claim, handler = shared
        try:
            params = json.loads(request.body) if request.body else {}
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(params, dict) or not claim(params):
            return None
        return handler(request)

    def render_error(self, error: ServiceError) -> WireResponse:
        """JSON 1.1 error: ``__type`` and ``message``."""
        return WireResponse(
            error.status,
            _dumps({"__type": error.code, "message": error.message}),
            {"x-amzn-RequestId": new_request_id(), "Content-Type": "application/x-amz-json-1.1"},
        )

    @staticmethod
    def _ok(data: Mapping[str, Any]) -> WireResponse:
        return WireResponse(
            200,
            _dumps(data),
            {"x-amzn-RequestId": new_request_id(), "Content-Type": "application/x-amz-json-1.1"},
        )

    def _params(self, request: WireRequest, operation: str) -> Params:
        params = self._json_body(request)
        self._validator(operation).validate(params)
        return params

    def create_feature_group(self, request: WireRequest) -> WireResponse:
        """SageMaker.CreateFeatureGroup"""
        params = self._params(request, "CreateFeatureGroup")
        arn = _backend(request).create_feature_group(
            name=params["FeatureGroupName"],
            record_identifier_name=params["RecordIdentifierFeatureName"],
            event_time_feature_name=params["EventTimeFeatureName"],
            feature_definitions=params["FeatureDefinitions"],
            online_store_config=params.get("OnlineStoreConfig"),
            offline_store_config=params.get("OfflineStoreConfig"),
            throughput_config=params.get("ThroughputConfig"),
            role_arn=params.get("RoleArn"),
            description=params.get("Description"),
            tags=params.get("Tags"),
        )
        return self._ok({"FeatureGroupArn": arn})

    def describe_feature_group(self, request: WireRequest) -> WireResponse:
        """SageMaker.DescribeFeatureGroup"""
        params = self._params(request, "DescribeFeatureGroup")
        return self._ok(_backend(request).describe_feature_group(params["FeatureGroupName"]))

    def delete_feature_group(self, request: WireRequest) -> WireResponse:
        """SageMaker.DeleteFeatureGroup"""
        params = self._params(request, "DeleteFeatureGroup")
        _backend(request).delete_feature_group(params["FeatureGroupName"])
        return self._ok({})

    def update_feature_group(self, request: WireRequest) -> WireResponse:
        """SageMaker.UpdateFeatureGroup"""
        params = self._params(request, "UpdateFeatureGroup")
        arn = _backend(request).update_feature_group(
            params["FeatureGroupName"],
            params.get("FeatureAdditions"),
            params.get("OnlineStoreConfig"),
            params.get("ThroughputConfig"),
        )
        return self._ok({"FeatureGroupArn": arn})

    def list_feature_groups(self, request: WireRequest) -> WireResponse:
        """SageMaker.ListFeatureGroups (default 10 per page, newest first)."""
        params = self._params(request, "ListFeatureGroups")
        summaries = _backend(request).list_feature_groups(
            name_contains=params.get("NameContains"),
            status_equals=params.get("FeatureGroupStatusEquals"),
            offline_status_equals=params.get("OfflineStoreStatusEquals"),
            created_after=_timestamp(params.get("CreationTimeAfter"), "creationTimeAfter"),
            created_before=_timestamp(params.get("CreationTimeBefore"), "creationTimeBefore"),
            sort_by=params.get("SortBy"),
            sort_order=params.get("SortOrder"),
        )
        page, token = _page(summaries, params, 10)
        result: dict[str, Any] = {"FeatureGroupSummaries": page}
        if token is not None:
            result["NextToken"] = token
        return self._ok(result)

    def update_feature_metadata(self, request: WireRequest) -> WireResponse:
        """SageMaker.UpdateFeatureMetadata"""
        params = self._params(request, "UpdateFeatureMetadata")
        _backend(request).update_feature_metadata(
            params["FeatureGroupName"],
            params["FeatureName"],
            params.get("Description"),
            params.get("ParameterAdditions"),
            params.get("ParameterRemovals"),
        )
        return self._ok({})

    def describe_feature_metadata(self, request: WireRequest) -> WireResponse:
        """SageMaker.DescribeFeatureMetadata"""
        params = self._params(request, "DescribeFeatureMetadata")
        return self._ok(_backend(request).describe_feature_metadata(params["FeatureGroupName"], params["FeatureName"]))

    def search(self, request: WireRequest) -> WireResponse:
        """SageMaker.Search over FeatureGroup or FeatureMetadata (default 10 per page)."""
        params = self._params(request, "Search")
        found = _backend(request).search(
            params["Resource"], params.get("SearchExpression"), params.get("SortBy"), params.get("SortOrder")
        )
        page, token = _page(found, params, 10)
        result: dict[str, Any] = {"Results": page, "TotalHits": {"Value": len(found), "Relation": "EqualTo"}}
        if token is not None:
            result["NextToken"] = token
        return self._ok(result)

    def add_tags(self, request: WireRequest) -> WireResponse:
        """SageMaker.AddTags on a feature group."""
        params = self._params(request, "AddTags")
        return self._ok({"Tags": _backend(request).add_tags(params["ResourceArn"], params["Tags"])})

    def list_tags(self, request: WireRequest) -> WireResponse:
        """SageMaker.ListTags on a feature group."""
        params = self._params(request, "ListTags")
        page, token = _page(_backend(request).list_tags(params["ResourceArn"]), params, 50)
        result: dict[str, Any] = {"Tags": page}
        if token is not None:
            result["NextToken"] = token
        return self._ok(result)

    def delete_tags(self, request: WireRequest) -> WireResponse:
        """SageMaker.DeleteTags on a feature group."""
        params = self._params(request, "DeleteTags")
        _backend(request).delete_tags(params["ResourceArn"], params["TagKeys"])
        return self._ok({})


def _is_feature_search(params: Params) -> bool:
    return params.get("Resource") in SEARCH_RESOURCES


def _names_feature_group(params: Params) -> bool:
    arn = params.get("ResourceArn")
    return isinstance(arn, str) and FEATURE_GROUP_ARN.fullmatch(arn) is not None


def _page(items: list[Any], params: Params, default: int) -> tuple[list[Any], str | None]:
    """One page of ``items`` and the token of the next (offset tokens)."""
    start = _decode_token(params.get("NextToken"))
    limit = params.get("MaxResults") or default
    token = base64.b64encode(str(start + limit).encode()).decode() if start + limit < len(items) else None
    return items[start : start + limit], token


def _timestamp(value: Any, path: str) -> float | None:
    """A JSON 1.1 timestamp: epoch seconds (what botocore sends) or ISO-8601."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValidationException(
            format_validation_errors([failure(f"'{value}'", path, "Member must be a timestamp")])
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


def _decode_token(token: Any) -> int:
    if not token:
        return 0
    try:
        start = int(base64.b64decode(str(token), validate=True).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        start = -1
    if start < 0:
        raise ValidationException(f"Validation Error: The NextToken [{token}] is invalid.")
    return start


runtime_adapter = RuntimeAdapter()
"""Adapter registered for ``sagemaker-featurestore-runtime``."""

control_adapter = ControlAdapter()
"""Adapter registered for ``sagemaker`` (feature-group operations only)."""
