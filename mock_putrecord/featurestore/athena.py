"""Athena queries over offline-store tables, run for real with DuckDB (``offline`` extra).

``StartQueryExecution`` is answered here when its query names the Glue table of one of
this mock's feature groups (``DataCatalogConfig.TableName``, quoted or not, with or
without its database); the query runs at once over the in-memory offline rows, and the
result is written as Athena writes it (a CSV with every value quoted) to
``<OutputLocation>/<QueryExecutionId>.csv`` in S3 when moto mocks S3 in this process
(in a server process with no S3 mock, the result is only kept for ``GetQueryResults``).
``GetQueryExecution`` and ``GetQueryResults`` are answered for those executions. Every
other Athena request is left to whatever else answers Athena (moto; over the server,
HTTP 501).
"""
from __future__ import annotations

import datetime
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..core.backends import BackendDict
from ..core.clock import clock
from ..core.errors import ServiceError
from ..core.moto_state import moto_mocks_s3
from ..core.wire import WireRequest, WireResponse, new_request_id
from .models import FeatureGroup, featurestore_backends
from .offline import arrow_table, require


class InvalidRequestException(ServiceError):
    """Athena's client error."""

    code = "InvalidRequestException"
    status = 400


NO_OUTPUT_LOCATION = (
    "No output location provided. An output location is required either through the Workgroup "
    "result configuration setting or as an API input."
)


@dataclass
class QueryExecution:
    """One query this mock ran."""

    id: str
    query: str
    database: str
    catalog: str
    output_location: str
    workgroup: str
    submitted: float
    state: str = "SUCCEEDED"
    reason: str | None = None
    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[list[str | None]] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """GetQueryExecution's ``QueryExecution``."""
        status: dict[str, Any] = {
            "State": self.state, "SubmissionDateTime": self.submitted, "CompletionDateTime": self.submitted
        }
        if self.reason is not None:
            status["StateChangeReason"] = self.reason
        return {
            "QueryExecutionId": self.id,
            "Query": self.query,
            "StatementType": "DML",
            "ResultConfiguration": {"OutputLocation": self.output_location},
            "QueryExecutionContext": {"Database": self.database, "Catalog": self.catalog},
            "Status": status,
            "Statistics": {"EngineExecutionTimeInMillis": 0, "DataScannedInBytes": 0, "TotalExecutionTimeInMillis": 0},
            "WorkGroup": self.workgroup,
        }


class AthenaQueries:
    """The query executions of one account and region."""

    def __init__(self, account_id: str, region: str) -> None:
        self.lock = threading.Lock()
        self.executions: dict[str, QueryExecution] = {}


athena_backends: BackendDict[AthenaQueries] = BackendDict(AthenaQueries)


def _tables(request: WireRequest) -> dict[str, FeatureGroup]:
    """Our groups' Glue tables by lower-cased name."""
    tables = {}
    for group in featurestore_backends.get(request.account_id, request.region).groups():
        catalog = (group.offline_store_config or {}).get("DataCatalogConfig") or {}
        if catalog.get("TableName"):
            tables[str(catalog["TableName"]).lower()] = group
    return tables


def _referenced(query: str, tables: Mapping[str, FeatureGroup]) -> dict[str, FeatureGroup]:
    lowered = query.lower()
    return {
        name: group for name, group in tables.items() if re.search(r'(?<![\w$])"?' + re.escape(name) + r'"?(?![\w$])', lowered)
    }


def _csv_value(value: Any) -> str | None:
    """A value as Athena's CSV shows it (``None`` for SQL NULL)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, list):
        return "[" + ", ".join("" if item is None else str(item) for item in value) + "]"
    return str(value)


def _csv(columns: list[tuple[str, str]], rows: list[list[str | None]]) -> bytes:
    def line(values: list[str | None]) -> str:
        return ",".join("" if value is None else '"' + value.replace('"', '""') + '"' for value in values)

    return ("\n".join([line([name for name, _ in columns])] + [line(row) for row in rows]) + "\n").encode("utf-8")


def _run(execution: QueryExecution, groups: Mapping[str, FeatureGroup]) -> None:
    """Run the query with DuckDB over the groups' offline rows; the table names resolve
    in the query's database (and bare, through the search path)."""
    duckdb = require("duckdb", "Athena queries over the offline store")
    connection = duckdb.connect()
    try:
        schema = execution.database.replace('"', '""')
        connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for index, (name, group) in enumerate(groups.items()):
            with group.lock:
                rows = list(group.offline)
            connection.register(f"_offline_{index}", arrow_table(group, rows))
            table = name.replace('"', '""')
            connection.execute(f'CREATE VIEW "{schema}"."{table}" AS SELECT * FROM _offline_{index}')
        connection.execute(f"SET search_path = '{execution.database}'")
        cursor = connection.execute(execution.query.rstrip().rstrip(";"))
        description = cursor.description or []
        execution.columns = [(str(column[0]), str(column[1])) for column in description]
        execution.rows = [[_csv_value(value) for value in row] for row in cursor.fetchall()]
    finally:
        connection.close()


def _write_result(execution: QueryExecution, region: str) -> None:
    """The result CSV, where Athena puts it, when S3 is mocked in this process. Without
    an S3 mock (``python -m mock_putrecord serve``) there is nowhere to write it that
    stays on the machine: the rows are then only served by ``GetQueryResults``."""
    if not moto_mocks_s3():
        return
    import boto3

    bucket, _, key = execution.output_location.removeprefix("s3://").partition("/")
    boto3.client("s3", region_name=region).put_object(
        Bucket=bucket, Key=key, Body=_csv(execution.columns, execution.rows)
    )


class AthenaAdapter:
    """``athena`` (JSON 1.1): the executions of queries over offline-store tables."""

    def __init__(self) -> None:
        self.operations: dict[str, Any] = {}  # everything is claimed per request

    def render_error(self, error: ServiceError) -> WireResponse:
        """JSON 1.1 error: ``__type`` and ``Message``."""
        return _reply(error.status, {"__type": error.code, "Message": error.message})

    def unknown_operation(self, request: WireRequest) -> WireResponse | None:
        """Answer the request if it is about an offline-store table or one of our runs."""
        try:
            params = json.loads(request.body) if request.body else {}
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(params, dict):
            return None
        try:
            if request.operation == "StartQueryExecution":
                return self._start(request, params)
            if request.operation in ("GetQueryExecution", "GetQueryResults"):
                execution = athena_backends.get(request.account_id, request.region).executions.get(
                    str(params.get("QueryExecutionId"))
                )
                if execution is None:
                    return None
                if request.operation == "GetQueryExecution":
                    return _reply(200, {"QueryExecution": execution.describe()})
                return _reply(200, _results(execution))
        except ServiceError as error:
            return self.render_error(error)
        return None

    def _start(self, request: WireRequest, params: Mapping[str, Any]) -> WireResponse | None:
        query = params.get("QueryString")
        if not isinstance(query, str):
            return None
        groups = _referenced(query, _tables(request))
        if not groups:
            return None
        try:
            require("duckdb", "Athena queries over the offline store")
            require("pyarrow", "Athena queries over the offline store")
        except ImportError as error:
            raise InvalidRequestException(f"mock_putrecord: {error}") from None
        context = params.get("QueryExecutionContext") or {}
        location = (params.get("ResultConfiguration") or {}).get("OutputLocation")
        if not location:
            raise InvalidRequestException(NO_OUTPUT_LOCATION)
        execution_id = str(uuid.uuid4())
        execution = QueryExecution(
            id=execution_id,
            query=query,
            database=str(context.get("Database") or "default"),
            catalog=str(context.get("Catalog") or "AwsDataCatalog"),
            output_location=f"{str(location).rstrip('/')}/{execution_id}.csv",
            workgroup=str(params.get("WorkGroup") or "primary"),
            submitted=clock.now(),
        )
        try:
            _run(execution, groups)
            _write_result(execution, request.region)
        except Exception as error:  # the query fails as Athena's would, with the reason
            execution.state, execution.reason = "FAILED", f"{type(error).__name__}: {error}"
        queries = athena_backends.get(request.account_id, request.region)
        with queries.lock:
            queries.executions[execution_id] = execution
        return _reply(200, {"QueryExecutionId": execution_id})


def _results(execution: QueryExecution) -> dict[str, Any]:
    """GetQueryResults in one page: the header row first, as Athena returns it."""
    if execution.state != "SUCCEEDED":
        raise InvalidRequestException(f"Query has not yet finished. Current state: {execution.state}")
    header = [{"VarCharValue": name} for name, _ in execution.columns]
    rows = [{"Data": header}] + [
        {"Data": [{} if value is None else {"VarCharValue": value} for value in row]} for row in execution.rows
    ]
    return {
        "UpdateCount": 0,
        "ResultSet": {
            "Rows": rows,
            "ResultSetMetadata": {
                "ColumnInfo": [
                    {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
                     "Type": kind.lower(), "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": True}
                    for name, kind in execution.columns
                ]
            },
        },
    }


def _reply(status: int, data: Mapping[str, Any]) -> WireResponse:
    return WireResponse(
        status,
        json.dumps(data, separators=(",", ":"), default=str).encode("utf-8"),
        {"x-amzn-RequestId": new_request_id(), "Content-Type": "application/x-amz-json-1.1"},
    )


athena_adapter = AthenaAdapter()
"""Adapter registered for ``athena`` (offline-store tables only)."""
