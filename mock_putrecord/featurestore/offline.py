"""The offline store as AWS lays it out: Arrow tables, Parquet files in S3, and Athena's
view of them (the ``offline`` extra: pyarrow and duckdb).

Rows live in memory (:class:`~.models.FeatureGroup.offline`); this module turns them
into the columns AWS's Glue table has (features typed, ``write_time``,
``api_invocation_time`` and ``is_deleted``), writes them to S3 in the offline store's
partition layout (on request, or on the virtual clock after AWS's delivery delay), and
runs SQL over them with DuckDB for the Athena adapter.
"""
from __future__ import annotations

import datetime
import random
import string
import threading
from typing import TYPE_CHECKING, Any, Sequence

from ..core.clock import clock
from ..core.moto_state import moto_mocks_s3
from ..core.settings import settings
from .definitions import FRACTIONAL, INTEGRAL
from .models import FeatureGroup, OfflineRow, featurestore_backends
from .times import parse_event_time_ms

if TYPE_CHECKING:
    import pyarrow  # type: ignore[import-untyped,unused-ignore]  # optional: the offline extra

EXTRA = "offline"
DELIVERY_SECONDS = 15 * 60
"""How long after its write a row reaches S3 on the virtual clock. AWS's Feature Store
concepts page: ingested records are added to the offline store "typically within 15
minutes" (feature-store-concepts.html, "Ingestion"); a test that advances that far sees
every earlier row, never a half-delivered state."""
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


def write_to_s3(group: FeatureGroup, s3: Any, written_before: float | None = None) -> list[str]:
    """Write ``group``'s offline rows not written yet (only those written at or before
    ``written_before``, when given) as Parquet objects with the ``s3`` client.

    Rows are written once: the group's flush lock makes concurrent flushes (the clock's
    and a test's ``flush_offline()``) take turns, and ``offline_flushed`` only moves
    once every object of the batch is stored.

    :returns: the S3 URIs written, in order.
    """
    with group.flush_lock:
        with group.lock:
            start = group.offline_flushed
            rows = group.offline[start:]
        if written_before is not None:
            # Rows are in write order; the first one too young ends the batch (flushed
            # stays a prefix of the list).
            due = next((index for index, row in enumerate(rows) if row.write_time > written_before), len(rows))
            rows = rows[:due]
        if not rows:
            return []
        base = str((group.offline_store_config or {})["S3StorageConfig"]["ResolvedOutputS3Uri"])
        bucket, _, prefix = base.removeprefix("s3://").partition("/")
        written = []
        for key, body in parquet_objects(group, rows):
            s3.put_object(Bucket=bucket, Key=f"{prefix}/{key}", Body=body)
            written.append(f"s3://{bucket}/{prefix}/{key}")
        with group.lock:
            group.offline_flushed = start + len(rows)
        return written


def deliver_due() -> None:
    """Write every row older than :data:`DELIVERY_SECONDS` to S3, for every group, when
    the clock is virtual, the mock active, moto mocks S3 and pyarrow is installed; else
    do nothing (a test that wants the files without these calls ``flush_offline()``,
    which says what is missing). A group whose bucket does not exist is left as is."""
    if not (settings.active and clock.is_virtual and moto_mocks_s3()):
        return
    try:
        import pyarrow.parquet  # type: ignore[import-untyped,unused-ignore]  # noqa: F401  # the offline extra
    except ImportError:
        return
    import boto3
    from botocore.exceptions import ClientError

    cutoff = clock.now() - DELIVERY_SECONDS
    for (_, region), backend in featurestore_backends.items():
        s3 = None
        for group in backend.groups():
            if not group.offline_enabled or len(group.offline) <= group.offline_flushed:
                continue
            s3 = s3 or boto3.client("s3", region_name=region)
            try:
                write_to_s3(group, s3, written_before=cutoff)
            except ClientError:  # no such bucket (or moto refused): the rows wait for flush_offline()
                continue


_watch_lock = threading.Lock()
_watching_clock = False


def watch_clock() -> None:
    """Deliver due rows whenever the mock's clock moves (from the first offline store on)."""
    global _watching_clock
    with _watch_lock:
        if not _watching_clock:
            _watching_clock = True
            clock.listeners.append(deliver_due)
