"""CSV tables declared through Athena (``CREATE EXTERNAL TABLE … ROW FORMAT SERDE
'org.apache.hadoop.hive.serde2.OpenCSVSerde' … LOCATION 's3://…'``), as the SageMaker
SDK's dataset builder declares one over a data frame it uploads, so that queries can
join them with offline-store tables.

Only OpenCSVSerde tables are taken (other DDL is left to moto); their files are read from
S3 (moto's) when a query runs, so a file uploaded after the DDL is seen, as on AWS.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"

_CREATE = re.compile(
    r"\s*CREATE\s+EXTERNAL\s+TABLE\s+(?P<exists>IF\s+NOT\s+EXISTS\s+)?(?P<name>[`\"]?[\w.]+[`\"]?)\s*"
    r"\((?P<columns>[^()]*)\)\s*"
    r"ROW\s+FORMAT\s+SERDE\s+'(?P<serde>[^']+)'\s*"
    r"(?:WITH\s+SERDEPROPERTIES\s*\((?P<properties>.*?)\)\s*)?"
    r"LOCATION\s+'(?P<location>s3://[^']+)'\s*;?\s*",
    re.IGNORECASE | re.DOTALL,
)
_DROP = re.compile(r"\s*DROP\s+TABLE\s+(?P<exists>IF\s+EXISTS\s+)?(?P<name>[`\"]?[\w.]+[`\"]?)\s*;?\s*", re.IGNORECASE)
_PROPERTY = re.compile(r'"(?P<key>[^"]+)"\s*=\s*"(?P<value>(?:\\\\|\\"|[^"])*)"')

# Hive column types (as Athena's DDL spells them) -> DuckDB types.
_TYPES = {
    "string": "VARCHAR", "varchar": "VARCHAR", "char": "VARCHAR",
    "tinyint": "TINYINT", "smallint": "SMALLINT", "int": "INTEGER", "integer": "INTEGER", "bigint": "BIGINT",
    "float": "FLOAT", "double": "DOUBLE", "boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "date": "DATE",
}


@dataclass
class CsvTable:
    """One declared OpenCSVSerde table."""

    name: str
    columns: list[tuple[str, str]]
    """(column, DuckDB type) in declaration order."""
    location: str
    separator: str = ","
    quote: str = '"'
    escape: str = "\\"

    def rows(self, s3: Any) -> list[tuple[str | None, ...]]:
        """Every row of every object under the location (in key order); an empty field of
        a non-string column is NULL."""
        bucket, _, prefix = self.location.removeprefix("s3://").partition("/")
        prefix = prefix.rstrip("/") + "/" if prefix else ""
        keys = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys += [item["Key"] for item in page.get("Contents", []) if not item["Key"].endswith("/")]
        rows = []
        for key in sorted(keys):
            text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
            reader = csv.reader(io.StringIO(text), delimiter=self.separator, quotechar=self.quote,
                                escapechar=self.escape, doublequote=False)
            for fields in reader:
                if not fields:
                    continue
                fields += [""] * (len(self.columns) - len(fields))
                rows.append(tuple(
                    None if value == "" and kind != "VARCHAR" else value
                    for value, (_, kind) in zip(fields, self.columns)
                ))
        return rows


def _unquote(name: str) -> str:
    return name.strip('`"').split(".")[-1].lower()


def parse_create(query: str) -> tuple[CsvTable, bool] | None:
    """``(table, if_not_exists)`` for an OpenCSVSerde ``CREATE EXTERNAL TABLE``; ``None``
    for any other statement."""
    match = _CREATE.fullmatch(query)
    if match is None or match["serde"] != OPEN_CSV_SERDE:
        return None
    columns = []
    for column in match["columns"].split(","):
        parts = column.split()
        if len(parts) != 2 or parts[1].lower() not in _TYPES:
            return None
        columns.append((parts[0].strip('`"'), _TYPES[parts[1].lower()]))
    table = CsvTable(_unquote(match["name"]), columns, match["location"])
    for prop in _PROPERTY.finditer(match["properties"] or ""):
        value = prop["value"].replace("\\\\", "\\").replace('\\"', '"')
        if prop["key"] == "separatorChar":
            table.separator = value
        elif prop["key"] == "quoteChar":
            table.quote = value
        elif prop["key"] == "escapeChar":
            table.escape = value
    return table, bool(match["exists"])


def parse_drop(query: str) -> tuple[str, bool] | None:
    """``(table name, if_exists)`` for ``DROP TABLE``; ``None`` otherwise."""
    match = _DROP.fullmatch(query)
    return None if match is None else (_unquote(match["name"]), bool(match["exists"]))
