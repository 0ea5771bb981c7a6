"""``mock.featurestore``: declare feature groups and inspect the stores from a test.

Every method calls the same :class:`~.models.FeatureStoreBackend` methods as the wire
adapters, so what a test declares here is what boto3 sees, and the other way round.
"""
from __future__ import annotations

import copy
import datetime
import re
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..core.context import MockContext, require_active
from .definitions import FRACTIONAL, INTEGRAL
from .models import OFFLINE, ONLINE, FeatureGroup, FeatureStoreBackend, OnlineRecord, featurestore_backends
from .offline import typed, write_to_s3
from .times import TTL_UNIT_SECONDS

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped,unused-ignore]  # optional; stubs optional too

FeatureValue = str | list[str]
"""A value as the online store returns it (``ValueAsString`` or ``ValueAsStringList``)."""

TtlSpec = int | tuple[int, str]
"""A TTL: whole seconds, or ``(value, unit)`` with an AWS unit (``(1, "Days")``)."""

_COLLECTION = re.compile(r"(List|Set)\[(String|Integral|Fractional)\]|Vector\[(\d+)\]")

def _feature_definition(name: str, spec: str) -> dict[str, Any]:
    """``"String"``, ``"Integral"``, ``"Fractional"``, ``"List[String]"``,
    ``"Set[Integral]"`` or ``"Vector[3]"`` (a Fractional vector of dimension 3)."""
    if spec in ("String", INTEGRAL, FRACTIONAL):
        return {"FeatureName": name, "FeatureType": spec}
    match = _COLLECTION.fullmatch(spec)
    if match is None:
        raise ValueError(
            f"feature {name!r}: unknown type {spec!r}; use String, Integral, Fractional, "
            "List[T], Set[T] or Vector[dimension]"
        )
    if match.group(3) is not None:
        return {
            "FeatureName": name,
            "FeatureType": FRACTIONAL,
            "CollectionType": "Vector",
            "CollectionConfig": {"VectorConfig": {"Dimension": int(match.group(3))}},
        }
    return {"FeatureName": name, "FeatureType": match.group(2), "CollectionType": match.group(1)}


def _ttl_duration(ttl: TtlSpec) -> dict[str, Any]:
    if isinstance(ttl, tuple):
        value, unit = ttl
        if unit not in TTL_UNIT_SECONDS:
            raise ValueError(f"TTL unit must be one of {', '.join(TTL_UNIT_SECONDS)}, got {unit!r}")
        return {"Unit": unit, "Value": int(value)}
    return {"Unit": "Seconds", "Value": int(ttl)}


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        raise TypeError("feature values are str, int or float, not bool")
    return value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)


def record_values_in_order(group: FeatureGroup, record: OnlineRecord) -> list[tuple[str, FeatureValue]]:
    """A record's values in FeatureDefinition order (features without a value left out)."""
    return [(name, record.values[name]) for name in group.by_name if name in record.values]


def _utc(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


class FeatureStoreView:
    """The Feature Store side of the mock handle (``mock.featurestore``).

    :param context: supplies the default account id and region.
    """

    def __init__(self, context: MockContext) -> None:
        self._context = context

    def backend(self, region: str | None = None) -> FeatureStoreBackend:
        """The backend of the handle's account in ``region`` (default: the handle's)."""
        require_active("featurestore")
        return featurestore_backends.get(self._context.account_id, region or self._context.default_region)

    def _group(self, name: str, region: str | None) -> FeatureGroup:
        group = self.backend(region).find_group(name)
        if group is None:
            raise KeyError(f"no feature group {name!r} in {region or self._context.default_region}")
        return group

    # ------------------------------------------------------------ declare
    def create_feature_group(
        self,
        name: str,
        *,
        record_identifier: str,
        event_time: str,
        features: Mapping[str, str],
        online: bool = True,
        offline: bool = False,
        ttl: TtlSpec | None = None,
        in_memory: bool = False,
        s3_uri: str | None = None,
        region: str | None = None,
    ) -> str:
        """Create a feature group as CreateFeatureGroup would, in one line.

        :param record_identifier: the record identifier feature's name.
        :param event_time: the event-time feature's name (String or Fractional).
        :param features: feature name → type: ``String``, ``Integral``, ``Fractional``,
            or (InMemory online store only) ``List[T]``, ``Set[T]``, ``Vector[dimension]``.
        :param online: enable the online store.
        :param offline: enable the offline store (under ``s3_uri``, default
            ``s3://mock-putrecord-offline-store/<name>``).
        :param ttl: the online store's default record TTL, as seconds or ``(value, unit)``.
        :param in_memory: use the InMemory online storage type (needed for collections).
        :param region: default: the handle's region.
        :returns: the feature group's ARN.
        :raises ServiceError: the control plane's own error (e.g. ``ResourceInUse``).
        """
        online_config: dict[str, Any] | None = None
        if online:
            online_config = {"EnableOnlineStore": True}
            if ttl is not None:
                online_config["TtlDuration"] = _ttl_duration(ttl)
            if in_memory:
                online_config["StorageType"] = "InMemory"
        offline_config = None
        if offline:
            offline_config = {"S3StorageConfig": {"S3Uri": s3_uri or f"s3://mock-putrecord-offline-store/{name}"}}
        return self.backend(region).create_feature_group(
            name=name,
            record_identifier_name=record_identifier,
            event_time_feature_name=event_time,
            feature_definitions=[_feature_definition(feature, spec) for feature, spec in features.items()],
            online_store_config=online_config,
            offline_store_config=offline_config,
            role_arn=f"arn:aws:iam::{self._context.account_id}:role/mock-putrecord-featurestore",
        )

    def feature_groups(self, region: str | None = None) -> list[str]:
        """The names of the feature groups, in creation order."""
        return [group.name for group in self.backend(region).groups()]

    def describe(self, name: str, region: str | None = None) -> dict[str, Any]:
        """DescribeFeatureGroup's answer (``CreationTime`` as epoch seconds), a copy that
        shares nothing with the mock's state."""
        return copy.deepcopy(self.backend(region).describe_feature_group(name))

    # ------------------------------------------------------------ write
    def put_record(
        self,
        name: str,
        record: Mapping[str, Any],
        *,
        target_stores: Sequence[str] | None = None,
        ttl: TtlSpec | None = None,
        region: str | None = None,
    ) -> None:
        """PutRecord from a dict (values ``str``/``int``/``float``, lists for collections),
        with the service's validation and event-time rules."""
        features = []
        for feature, value in record.items():
            if isinstance(value, (list, tuple)):
                features.append({"FeatureName": feature, "ValueAsStringList": [_as_text(item) for item in value]})
            else:
                features.append({"FeatureName": feature, "ValueAsString": _as_text(value)})
        self.backend(region).put_record(
            name, features, list(target_stores) if target_stores is not None else None,
            _ttl_duration(ttl) if ttl is not None else None,
        )

    # ------------------------------------------------------------ inspect
    def online_record(self, name: str, record_identifier: str, *, region: str | None = None) -> dict[str, FeatureValue] | None:
        """The record GetRecord would return, as feature name → value (strings as sent),
        or ``None`` when there is none (never put, deleted or expired)."""
        group = self._group(name, region)
        record = self.backend(region).online_record(name, record_identifier)
        if record is None:
            return None
        return {name: list(value) if isinstance(value, list) else value
                for name, value in record_values_in_order(group, record)}

    def expires_at(self, name: str, record_identifier: str, *, region: str | None = None) -> datetime.datetime | None:
        """The visible record's ExpiresAt, or ``None`` (no record, or no TTL)."""
        record: OnlineRecord | None = self.backend(region).online_record(name, record_identifier)
        if record is None or record.expires_at_ms is None:
            return None
        return _utc(record.expires_at_ms / 1000)

    def online_count(self, name: str, *, region: str | None = None) -> int:
        """How many records the online store holds (soft-delete tombstones excluded)."""
        group = self._group(name, region)
        with group.lock:
            return sum(1 for record in group.online.values() if not record.deleted)

    def offline_rows(self, name: str, *, region: str | None = None) -> list[dict[str, Any]]:
        """The offline store's rows in write order, one dict per row: every feature
        (typed: Integral → int, Fractional → float; ``None`` when absent) plus
        ``write_time`` and ``api_invocation_time`` (UTC datetimes) and ``is_deleted``."""
        group = self._group(name, region)
        rows = self.backend(region).offline_rows(name)
        definitions = list(group.definitions)
        result = []
        for row in rows:
            data: dict[str, Any] = {}
            for definition in definitions:
                data[definition.name] = typed(row.values.get(definition.name), definition.feature_type)
            data["write_time"] = _utc(row.write_time)
            data["api_invocation_time"] = _utc(row.api_invocation_time)
            data["is_deleted"] = row.is_deleted
            result.append(data)
        return result

    def offline_dataframe(self, name: str, *, region: str | None = None) -> pandas.DataFrame:
        """:meth:`offline_rows` as a pandas DataFrame (pandas is an optional dependency).

        :raises ImportError: when pandas is not installed.
        """
        try:
            import pandas
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError("offline_dataframe() needs pandas: pip install pandas") from error
        group = self._group(name, region)
        columns = [definition.name for definition in group.definitions] + ["write_time", "api_invocation_time", "is_deleted"]
        return pandas.DataFrame(self.offline_rows(name, region=region), columns=columns)


    def flush_offline(self, *, region: str | None = None) -> list[str]:
        """Write the offline rows not written yet to S3 as Parquet, in AWS's layout
        (``<ResolvedOutputS3Uri>/year=…/month=…/day=…/hour=…/<time>_<id>.parquet``, by
        event time), for every group with an offline store. S3 is whatever answers it
        in this process (moto's ``mock_aws``, say). Needs the ``offline`` extra. On a
        virtual clock, rows are also written when the clock passes their write time by
        :data:`~.offline.DELIVERY_SECONDS` (15 minutes); each row is written once.

        :returns: the S3 URIs written, in order.
        :raises ImportError: without pyarrow.
        :raises UnmockedRequestError: when nothing in the process answers S3.
        """
        import boto3

        region = region or self._context.default_region
        s3 = boto3.client("s3", region_name=region)
        written: list[str] = []
        for group in self.backend(region).groups():
            if group.offline_enabled:
                written += write_to_s3(group, s3)
        return written


__all__ = ["FeatureStoreView", "FeatureValue", "TtlSpec", "ONLINE", "OFFLINE"]
