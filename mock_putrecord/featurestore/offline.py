"""The offline store as AWS lays it out: Arrow tables, Parquet files in S3, and Athena's
view of them (the ``offline`` extra: pyarrow and duckdb).

Rows live in memory (:class:`~.models.FeatureGroup.offline`); this module turns them
into the columns AWS's Glue table has (features typed, ``write_time``,
``api_invocation_time`` and ``is_deleted``), writes them to S3 in the offline store's
partition layout, and runs SQL over them with DuckDB for the Athena adapter.
"""
from __future__ import annotations

import datetime
import random
import string
from typing import TYPE_CHECKING, Any, Sequence

from .models import FeatureGroup, OfflineRow
from .validation import FRACTIONAL, INTEGRAL, parse_event_time_ms

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped,unused-ignore]  # optional: the offline extra

EXTRA = "offline"
_ALPHANUMERIC = string.ascii_letters + string.digits


def require(module: str, purpose: str) -> Any:
    """Import ``module`` or raise an ImportError that says what to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{purpose} needs {module}: pip install 'mock_putrecord[{EXTRA}]' (pyarrow and duckdb)"
        ) from error


def typed(value: Any, feature_type: str) -> Any:
    """A column value: Integral → int, Fractional → float, else str (lists item-wise)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [typed(item, feature_type) for item in value]
    if feature_type == INTEGRAL:
        return int(value)
    if feature_type == FRACTIONAL:
        return float(value)
    return value


def _utc(seconds: float) -> datetime.datetime:
    """A naive UTC timestamp (Glue's TIMESTAMP has no zone), millisecond precision."""
    return datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=round(seconds * 1000))


def arrow_table(group: FeatureGroup, rows: Sequence[OfflineRow]) -> pyarrow.Table:
    """``rows`` as the group's offline table (feature columns in definition order)."""
    pa = require("pyarrow", "the offline store's tables")
    scalar = {INTEGRAL: pa.int64(), FRACTIONAL: pa.float64()}
    fields = []
    columns: dict[str, list[Any]] = {}
    for definition in group.definitions:
        kind = scalar.get(definition.feature_type, pa.string())
        fields.append(pa.field(definition.name, pa.list_(kind) if definition.collection_type else kind))
        columns[definition.name] = [typed(row.values.get(definition.name), definition.feature_type) for row in rows]
    fields += [
        pa.field("write_time", pa.timestamp("ms")),
        pa.field("api_invocation_time", pa.timestamp("ms")),
        pa.field("is_deleted", pa.bool_()),
    ]
    columns["write_time"] = [_utc(row.write_time) for row in rows]
    columns["api_invocation_time"] = [_utc(row.api_invocation_time) for row in rows]
    columns["is_deleted"] = [row.is_deleted for row in rows]
    return pa.table(columns, schema=pa.schema(fields))


def _partition(group: FeatureGroup, row: OfflineRow) -> datetime.datetime:
    """The event-time hour a row's file is partitioned under."""
    text = row.values.get(group.event_time_feature_name)
    millis = parse_event_time_ms(text, group.event_time_type) if isinstance(text, str) else None
    instant = _utc((millis or 0) / 1000)
    return instant.replace(minute=0, second=0, microsecond=0)


def parquet_objects(group: FeatureGroup, rows: Sequence[OfflineRow]) -> list[tuple[str, bytes]]:
    """``(key under ResolvedOutputS3Uri, Parquet bytes)``: one file per event-time hour,
    named ``<latest event time in the file>_<16 alphanumerics>.parquet`` as AWS does."""
    pq = require("pyarrow.parquet", "writing the offline store to S3")
    pa = require("pyarrow", "writing the offline store to S3")
    by_hour: dict[datetime.datetime, list[OfflineRow]] = {}
    for row in rows:
        by_hour.setdefault(_partition(group, row), []).append(row)
    objects = []
    for hour, members in sorted(by_hour.items()):
        latest = max(
            parse_event_time_ms(str(row.values.get(group.event_time_feature_name)), group.event_time_type) or 0
            for row in members
        )
        stamp = _utc(latest / 1000).strftime("%Y%m%dT%H%M%SZ")
        suffix = "".join(random.choices(_ALPHANUMERIC, k=16))
        key = f"year={hour:%Y}/month={hour:%m}/day={hour:%d}/hour={hour:%H}/{stamp}_{suffix}.parquet"
        sink = pa.BufferOutputStream()
        pq.write_table(arrow_table(group, members), sink)
        objects.append((key, sink.getvalue().to_pybytes()))
    return objects
