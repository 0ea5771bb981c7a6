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
from typing import Any, Callable, Mapping

from ..core.backends import BackendDict
from ..core.clock import clock
from ..core.errors import ServiceError
from ..core.moto_state import moto_mocks_s3
from ..core.wire import WireRequest, WireResponse, new_request_id
from .external_tables import CsvTable, parse_create, parse_drop
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
    statement_type: str = "DML"
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
            "StatementType": self.statement_type,
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
        self.csv_tables: dict[tuple[str, str], CsvTable] = {}
        """OpenCSVSerde tables declared through Athena, by (database, name), lower-cased."""


athena_backends: BackendDict[AthenaQueries] = BackendDict(AthenaQueries)


def _tables(request: WireRequest) -> dict[str, FeatureGroup]:
    """Our groups' Glue tables by lower-cased name."""
    tables = {}
    for group in featurestore_backends.get(request.account_id, request.region).groups():
        catalog = (group.offline_store_config or {}).get("DataCatalogConfig") or {}
        if catalog.get("TableName"):
            tables[str(catalog["TableName"]).lower()] = group
    return tables


Source = FeatureGroup | CsvTable
"""What a table in a query reads: a group's offline rows, or a declared CSV table."""


def _referenced(query: str, tables: Mapping[str, Source]) -> dict[str, Source]:
    lowered = query.lower()
    return {
        name: source for name, source in tables.items()
        if re.search(r'(?<![\w$])"?' + re.escape(name) + r'"?(?![\w$])', lowered)
    }


def _csv_tables(queries: AthenaQueries, database: str) -> dict[str, CsvTable]:
    with queries.lock:
        return {name: table for (schema, name), table in queries.csv_tables.items() if schema == database.lower()}


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


_PRESTO_MACROS = (
    # Presto/Trino functions the SDK's dataset builder uses, in DuckDB terms.
    "CREATE MACRO main.from_iso8601_timestamp(text) AS CAST(text AS TIMESTAMPTZ)",
    "CREATE MACRO main.from_unixtime(seconds) AS to_timestamp(seconds)",
)


def _source_table(source: Source, region: str) -> Any:
    """The Arrow table a source reads as."""
    if isinstance(source, FeatureGroup):
        with source.lock:
            rows = list(source.offline)
        return arrow_table(source, rows)
    import boto3

    pa = require("pyarrow", "Athena queries over the offline store")
    rows_ = source.rows(boto3.client("s3", region_name=region))
    return pa.table({name: [row[index] for row in rows_] for index, (name, _) in enumerate(source.columns)},
                    schema=pa.schema([(name, pa.string()) for name, _ in source.columns]))


def _select(source: Source, index: int) -> str:
    if isinstance(source, FeatureGroup):
        return f"SELECT * FROM _source_{index}"
    columns = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"' for name, kind in source.columns)
    return f"SELECT {columns} FROM _source_{index}"


def _run(execution: QueryExecution, sources: Mapping[str, Source], region: str) -> None:
    """Run the query with DuckDB over the sources (groups' offline rows, CSV tables); the
    table names resolve in the query's database (and bare, through the search path)."""
    duckdb = require("duckdb", "Athena queries over the offline store")
    connection = duckdb.connect()
    try:
        schema = execution.database.replace('"', '""')
        connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for macro in _PRESTO_MACROS:
            connection.execute(macro)
        for index, (name, source) in enumerate(sources.items()):
            connection.register(f"_source_{index}", _source_table(source, region))
            table = name.replace('"', '""')
            connection.execute(f'CREATE VIEW "{schema}"."{table}" AS {_select(source, index)}')
        connection.execute(f"SET search_path = '{execution.database},main'")
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
        context = params.get("QueryExecutionContext") or {}
        database = str(context.get("Database") or "default")
        queries = athena_backends.get(request.account_id, request.region)
        ddl = _ddl(queries, query, database)
        sources = _referenced(query, {**_tables(request), **_csv_tables(queries, database)})
        if ddl is None and not sources:
            return None
        try:
            require("duckdb", "Athena queries over the offline store")
            require("pyarrow", "Athena queries over the offline store")
        except ImportError as error:
            raise InvalidRequestException(f"mock_putrecord: {error}") from None
        location = (params.get("ResultConfiguration") or {}).get("OutputLocation")
        if not location:
            raise InvalidRequestException(NO_OUTPUT_LOCATION)
        execution_id = str(uuid.uuid4())
        execution = QueryExecution(
            id=execution_id,
            query=query,
            database=database,
            catalog=str(context.get("Catalog") or "AwsDataCatalog"),
            output_location=f"{str(location).rstrip('/')}/{execution_id}.csv",
            workgroup=str(params.get("WorkGroup") or "primary"),
            submitted=clock.now(),
        )
        try:
            if ddl is not None:
                execution.statement_type = "DDL"
                ddl()
            else:
                _run(execution, sources, request.region)
                _write_result(execution, request.region)
        except Exception as error:  # the query fails as Athena's would, with the reason
            execution.state, execution.reason = "FAILED", f"{type(error).__name__}: {error}"
        with queries.lock:
            queries.executions[execution_id] = execution
        return _reply(200, {"QueryExecutionId": execution_id})


class TableExistsError(Exception):
    """A declared table's name is taken (the mock's own wording: no AWS text is known)."""


class NoSuchTableError(Exception):
    """DROP TABLE of a declared table that is gone (the mock's own wording)."""


def _ddl(queries: AthenaQueries, query: str, database: str) -> Callable[[], None] | None:
    """The action of a statement about this mock's CSV tables: ``CREATE EXTERNAL TABLE``
    with OpenCSVSerde, or ``DROP TABLE`` of one declared here; ``None`` for anything else."""
    created = parse_create(query)
    if created is not None:
        table, if_not_exists = created

        def create() -> None:
            with queries.lock:
                key = (database.lower(), table.name)
                if key in queries.csv_tables and not if_not_exists:
                    raise TableExistsError(f"Table {table.name} already exists")
                queries.csv_tables.setdefault(key, table)

        return create
    dropped = parse_drop(query)
    if dropped is None or (database.lower(), dropped[0]) not in queries.csv_tables:
        return None
    name, if_exists = dropped

    def drop() -> None:
        with queries.lock:
            if queries.csv_tables.pop((database.lower(), name), None) is None and not if_exists:
                raise NoSuchTableError(f"Table not found {name}")

    return drop


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
