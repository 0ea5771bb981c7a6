"""Feature groups, their online and offline stores, and the per-region backend.

No HTTP here: :class:`FeatureStoreBackend` has one method per API operation, taking and
returning plain Python values shaped like the API's, and raising the exceptions of
:mod:`.exceptions`. The wire adapters and the test-facing view both call it.

Costs: a put is O(1) (a dict write and a list append under the group's lock); TTL
expiry uses a heap, so a put with a TTL adds O(log n); reads are O(features).
"""
from __future__ import annotations

import base64
import binascii
import bisect
import heapq
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

from ..core.backends import BackendDict
from ..core.clock import clock
from .definitions import (
    FRACTIONAL,
    STRING,
    FeatureDefinition,
    check_definitions,
    definition_from_api,
)
from .exceptions import (
    ConflictException,
    ControlResourceNotFound,
    FeatureStoreError,
    ResourceInUse,
    ResourceLimitExceeded,
    ResourceNotFound,
    ValidationError,
    ValidationException,
    group_exists_message,
    group_not_found_message,
)
from .record_rules import parse_features, parse_plain_record, parse_record
from .search import compile_expression, sort_resources
from .times import event_time_message, format_event_time, format_iso_ms, parse_event_time_ms, ttl_millis

ONLINE = "OnlineStore"
ON_DEMAND = "OnDemand"
PROVISIONED = "Provisioned"
OFFLINE = "OfflineStore"
MAX_FEATURE_GROUPS = 100  # default "feature groups per account" quota (per region)
MAX_FEATURE_DEFINITIONS = 2500
MAX_FEATURE_PARAMETERS = 25  # FeatureParameters max (model)
MAX_TAGS = 50  # TagList max (model)
SEARCH_FEATURE_GROUP_MEMBERS = frozenset({
    "FeatureGroupArn", "FeatureGroupName", "RecordIdentifierFeatureName", "EventTimeFeatureName",
    "FeatureDefinitions", "CreationTime", "LastModifiedTime", "OnlineStoreConfig", "OfflineStoreConfig",
    "RoleArn", "FeatureGroupStatus", "OfflineStoreStatus", "LastUpdateStatus", "FailureReason", "Description",
})  # the model's FeatureGroup (Search) shape
MAX_UPDATE_FEATURES = 100  # UpdateRecord: "You can update up to 100 features per call" (model doc)
MAX_LIST_RECORDS = 100  # ListRecords' MaxResults bound (model); the default page when unsaid
UPDATABLE_STORAGE_TYPES = frozenset({"Standard_V2", "InMemory"})  # UpdateRecord's online stores (model doc)

FEATURE_GROUP_ARN = _ARN = re.compile(r"arn:aws[a-z\-]*:sagemaker:([a-z0-9\-]*):([0-9]{12}):feature-group/(.+)")

FeatureValueData = str | list[str]
"""A feature's value as sent: ``ValueAsString`` or ``ValueAsStringList``."""


def partition_of(region: str) -> str:
    """The ARN partition of a region."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class OnlineRecord:
    """The online store's copy of one record (or a soft-delete tombstone)."""

    __slots__ = ("values", "event_time_ms", "expires_at_ms", "deleted")

    def __init__(
        self,
        values: dict[str, FeatureValueData],
        event_time_ms: int,
        expires_at_ms: int | None,
        deleted: bool,
    ) -> None:
        self.values = values
        self.event_time_ms = event_time_ms
        self.expires_at_ms = expires_at_ms
        self.deleted = deleted


@dataclass
class FeatureMetadata:
    """UpdateFeatureMetadata's state of one feature (kept only once a feature has some)."""

    creation_time: float
    last_modified_time: float
    description: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)


class OfflineRow:
    """One row of the offline store, in write order."""

    __slots__ = ("values", "api_invocation_time", "write_time", "is_deleted")

    def __init__(
        self, values: dict[str, FeatureValueData], api_invocation_time: float, write_time: float, is_deleted: bool
    ) -> None:
        self.values = values
        self.api_invocation_time = api_invocation_time
        self.write_time = write_time
        self.is_deleted = is_deleted


@dataclass
class FeatureGroup:
    """A feature group with its online store (dict by identifier) and offline store
    (append-only list)."""

    name: str
    arn: str
    record_identifier_name: str
    event_time_feature_name: str
    definitions: list[FeatureDefinition]
    online_store_config: dict[str, Any] | None
    offline_store_config: dict[str, Any] | None
    role_arn: str | None
    description: str | None
    throughput_config: dict[str, Any]
    tags: list[dict[str, str]]
    creation_time: float
    last_modified_time: float | None = None
    by_name: dict[str, FeatureDefinition] = field(default_factory=dict)
    online: dict[str, OnlineRecord] = field(default_factory=dict)
    offline: list[OfflineRow] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    metadata: dict[str, FeatureMetadata] = field(default_factory=dict)
    offline_flushed: int = 0  # offline rows already written to S3 (flush_offline() or the clock)
    flush_lock: threading.Lock = field(default_factory=threading.Lock)  # one S3 flush at a time
    _expiries: list[tuple[int, int, str, OnlineRecord]] = field(default_factory=list)
    _expiry_seq: int = 0

    def __post_init__(self) -> None:
        self.by_name = {definition.name: definition for definition in self.definitions}

    # ------------------------------------------------------------ properties
    @property
    def online_enabled(self) -> bool:
        """True when the group has an online store."""
        return bool(self.online_store_config and self.online_store_config.get("EnableOnlineStore"))

    @property
    def offline_enabled(self) -> bool:
        """True when the group has an offline store."""
        return self.offline_store_config is not None

    @property
    def event_time_type(self) -> str:
        """``String`` or ``Fractional``."""
        return self.by_name[self.event_time_feature_name].feature_type

    @property
    def default_ttl_ms(self) -> int | None:
        """The group's default record TTL, if any."""
        ttl = (self.online_store_config or {}).get("TtlDuration")
        if ttl and ttl.get("Unit") and ttl.get("Value"):
            return ttl_millis(ttl)
        return None

    # ------------------------------------------------------------ store internals (hold self.lock)
    def expire_due(self, now_ms: int, now: float) -> None:
        """Hard-delete online records whose ExpiresAt has passed; like AWS, each leaves
        an ``is_deleted`` row in the offline store (event time = ExpiresAt)."""
        heap = self._expiries
        while heap and heap[0][0] <= now_ms:
            expires_at, _, identifier, record = heapq.heappop(heap)
            if self.online.get(identifier) is not record:
                continue  # replaced or deleted since
            del self.online[identifier]
            if self.offline_enabled:
                marker: dict[str, FeatureValueData] = {
                    self.record_identifier_name: identifier,
                    self.event_time_feature_name: format_event_time(expires_at, self.event_time_type),
                }
                self.offline.append(OfflineRow(marker, now, now, True))

    def apply_writes(self, writes: list[_Write], now: float) -> None:
        """Store checked PutRecords in order; ``now`` is the API invocation time. Online
        only when the EventTime is newer than the stored record's; records whose ExpiresAt
        has passed go first, as before any single put."""
        now_ms = round(now * 1000)
        with self.lock:
            expiries = self._expiries
            online = self.online
            offline = self.offline
            for values, identifier, event_ms, expires, to_online, to_offline in writes:
                if expiries and expiries[0][0] <= now_ms:
                    self.expire_due(now_ms, now)
                if to_online:
                    current = online.get(identifier)
                    if current is None or event_ms > current.event_time_ms:
                        self.set_online(identifier, OnlineRecord(values, event_ms, expires, False))
                if to_offline:
                    offline.append(OfflineRow(values, now, now, False))

    def set_online(self, identifier: str, record: OnlineRecord) -> None:
        """Store ``record`` online, scheduling its expiry."""
        self.online[identifier] = record
        if record.expires_at_ms is not None:
            self._expiry_seq += 1
            heapq.heappush(self._expiries, (record.expires_at_ms, self._expiry_seq, identifier, record))

    def visible_record(self, identifier: str) -> OnlineRecord | None:
        """The online record a read returns (not soft-deleted)."""
        record = self.online.get(identifier)
        if record is None or record.deleted:
            return None
        return record

    def record_to_api(self, record: OnlineRecord, feature_names: Sequence[str] | None) -> list[dict[str, Any]]:
        """Feature values in FeatureDefinition order (or ``feature_names``' order),
        omitting features the record has no value for."""
        values = record.values
        names = feature_names if feature_names is not None else self.by_name
        result: list[dict[str, Any]] = []
        for name in names:
            value = values.get(name)
            if value is None:
                continue
            if isinstance(value, str):
                result.append({"FeatureName": name, "ValueAsString": value})
            else:
                result.append({"FeatureName": name, "ValueAsStringList": list(value)})
        return result

    # ------------------------------------------------------------ description
    def describe(self) -> dict[str, Any]:
        """DescribeFeatureGroup's response."""
        data: dict[str, Any] = {
            "FeatureGroupArn": self.arn,
            "FeatureGroupName": self.name,
            "RecordIdentifierFeatureName": self.record_identifier_name,
            "EventTimeFeatureName": self.event_time_feature_name,
            "FeatureDefinitions": [definition.to_api() for definition in self.definitions],
            "CreationTime": self.creation_time,
            "FeatureGroupStatus": "Created",
            "ThroughputConfig": dict(self.throughput_config),
        }
        if self.last_modified_time is not None:
            data["LastModifiedTime"] = self.last_modified_time
            data["LastUpdateStatus"] = {"Status": "Successful"}
        if self.online_store_config is not None:
            data["OnlineStoreConfig"] = self.online_store_config
        if self.offline_store_config is not None:
            data["OfflineStoreConfig"] = self.offline_store_config
            data["OfflineStoreStatus"] = {"Status": "Active"}
        if self.role_arn is not None:
            data["RoleArn"] = self.role_arn
        if self.description is not None:
            data["Description"] = self.description
        if self.online_enabled:
            data["OnlineStoreTotalSizeBytes"] = 0
        return data

    def feature_metadata(self, name: str) -> dict[str, Any]:
        """DescribeFeatureMetadata's response for the feature ``name`` (defined)."""
        definition = self.by_name[name]
        metadata = self.metadata.get(name)
        data: dict[str, Any] = {
            "FeatureGroupArn": self.arn,
            "FeatureGroupName": self.name,
            "FeatureName": name,
            "FeatureType": definition.feature_type,
            "CreationTime": metadata.creation_time if metadata else self.creation_time,
            "LastModifiedTime": metadata.last_modified_time if metadata else self.creation_time,
        }
        if metadata is not None and metadata.description is not None:
            data["Description"] = metadata.description
        data["Parameters"] = [
            {"Key": key, "Value": value} for key, value in (metadata.parameters.items() if metadata else ())
        ]
        return data

    def search_record(self) -> dict[str, Any]:
        """The group as Search's ``FeatureGroup`` resource (with its tags)."""
        data = {key: value for key, value in self.describe().items() if key in SEARCH_FEATURE_GROUP_MEMBERS}
        data["Tags"] = [dict(tag) for tag in self.tags]
        return data

    def summary(self) -> dict[str, Any]:
        """ListFeatureGroups' entry for this group."""
        data: dict[str, Any] = {
            "FeatureGroupName": self.name,
            "FeatureGroupArn": self.arn,
            "CreationTime": self.creation_time,
            "FeatureGroupStatus": "Created",
        }
        if self.offline_enabled:
            data["OfflineStoreStatus"] = {"Status": "Active"}
        return data


def _storage_type(online: Mapping[str, Any] | None) -> str | None:
    """The online store's StorageType (``Standard`` when unsaid), ``None`` without one."""
    if not online or not online.get("EnableOnlineStore"):
        return None
    return str(online.get("StorageType") or "Standard")


def _throughput(config: Mapping[str, Any] | None, storage: str | None) -> dict[str, Any]:
    """A checked ThroughputConfig as DescribeFeatureGroup shows it. Provisioned mode is
    "supported only for feature groups that are offline-only, or use the Standard tier
    online store" (ThroughputConfig API reference); the capacity units "are not
    applicable for on-demand feature groups"."""
    if not config:
        return {"ThroughputMode": ON_DEMAND}
    mode = config.get("ThroughputMode")
    read = config.get("ProvisionedReadCapacityUnits")
    write = config.get("ProvisionedWriteCapacityUnits")
    if mode == ON_DEMAND:
        if read is not None or write is not None:
            raise ValidationException(
                "Validation Error: ProvisionedReadCapacityUnits and ProvisionedWriteCapacityUnits "
                "are not applicable for the OnDemand ThroughputMode."
            )
        return {"ThroughputMode": ON_DEMAND}
    if storage not in (None, "Standard"):
        raise ValidationException(
            "Validation Error: The Provisioned ThroughputMode is supported only for feature groups that are "
            f"offline-only, or use the Standard tier online store, not {storage}."
        )
    if write is None or (storage is not None and read is None):
        needed = "ProvisionedWriteCapacityUnits" if storage is None else (
            "ProvisionedReadCapacityUnits and ProvisionedWriteCapacityUnits"
        )
        raise ValidationException(f"Validation Error: The Provisioned ThroughputMode needs {needed}.")
    if storage is None and read is not None:
        raise ValidationException(
            "Validation Error: ProvisionedReadCapacityUnits applies only to feature groups with an OnlineStore."
        )
    result: dict[str, Any] = {"ThroughputMode": PROVISIONED}
    if read is not None:
        result["ProvisionedReadCapacityUnits"] = read
    result["ProvisionedWriteCapacityUnits"] = write
    return result


def _decode_record_token(token: str) -> str:
    """The last identifier of the previous ListRecords page."""
    try:
        text = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeError):
        text = ""
    if not text.startswith(_RECORD_TOKEN_PREFIX):
        raise ValidationError(f"Validation Error: The NextToken [{token}] is invalid.")
    return text[len(_RECORD_TOKEN_PREFIX) :]


_RECORD_TOKEN_PREFIX = "after:"


def _record_token(identifier: str) -> str:
    return base64.urlsafe_b64encode((_RECORD_TOKEN_PREFIX + identifier).encode("utf-8")).decode("ascii")


def _check_ttl_config(ttl: Mapping[str, Any] | None, *, allow_removal: bool) -> None:
    if ttl is None:
        return
    unit, value = ttl.get("Unit"), ttl.get("Value")
    if unit is None and value is None and allow_removal:
        return
    if unit is None or value is None:
        raise ValidationException("Validation Error: TtlDuration needs both a Unit and a Value.")


def _stores(group: FeatureGroup, target_stores: Sequence[str] | None) -> tuple[bool, bool]:
    """Whether a write goes online and offline: ``TargetStores``, else the group's own."""
    if target_stores is None:
        return group.online_enabled, group.offline_enabled
    online = ONLINE in target_stores
    offline = OFFLINE in target_stores
    if online and not group.online_enabled:
        raise ValidationError(f"Validation Error: The FeatureGroup [{group.name}] does not have an OnlineStore.")
    if offline and not group.offline_enabled:
        raise ValidationError(f"Validation Error: The FeatureGroup [{group.name}] does not have an OfflineStore.")
    return online, offline


class UncheckedShapeInvalid(Exception):
    """A record whose features were left unchecked breaks the model (see
    :meth:`FeatureStoreBackend.batch_write_record`); nothing was written."""


_Write = tuple[dict[str, FeatureValueData], str, int, int | None, bool, bool]
"""A checked PutRecord: values, identifier, EventTime and ExpiresAt (ms), to online, to offline."""


class _PendingWrites:
    """One group's checked PutRecords of a request, stored together under one lock, and
    what its entries share (looked up once per request, not per entry)."""

    __slots__ = ("group", "definitions", "identifier_name", "event_time", "own_stores", "default_ttl_ms", "writes")

    def __init__(self, group: FeatureGroup) -> None:
        self.group = group
        self.definitions = group.by_name
        self.identifier_name = group.record_identifier_name
        self.event_time = group.by_name[group.event_time_feature_name]
        self.own_stores = group.online_enabled, group.offline_enabled
        self.default_ttl_ms = group.default_ttl_ms
        self.writes: list[_Write] = []

    def check(
        self,
        record: list[dict[str, Any]],
        target_stores: Sequence[str] | None,
        ttl_duration: Mapping[str, Any] | None,
        features_valid: Callable[[list[Any]], bool] | None = None,
    ) -> None:
        """PutRecord's checks of one record (no lock needed); raises the
        ``FeatureStoreError`` PutRecord would answer, else keeps the write for :meth:`store`.
        The record is shape-valid, or its features are unchecked and ``features_valid``
        checks them when they are not plain (:class:`UncheckedShapeInvalid` if they fail)."""
        parsed = parse_plain_record(record, self.definitions, self.identifier_name, self.event_time)
        if parsed is None:
            if features_valid is not None and not features_valid(record):
                raise UncheckedShapeInvalid
            parsed = parse_record(record, self.definitions, self.identifier_name, self.event_time, self.group.name)
        values, identifier, event_ms = parsed
        to_online, to_offline = self.own_stores if target_stores is None else _stores(self.group, target_stores)
        ttl_ms = self.default_ttl_ms if ttl_duration is None else ttl_millis(ttl_duration)
        expires = None if ttl_ms is None else event_ms + ttl_ms
        self.writes.append((values, identifier, event_ms, expires, to_online, to_offline))

    def store(self, now: float) -> None:
        """Apply the checked writes (see :meth:`FeatureGroup.apply_writes`)."""
        self.group.apply_writes(self.writes, now)


class FeatureStoreBackend:
    """The feature groups of one account and region."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self._lock = threading.Lock()
        self._groups: dict[str, FeatureGroup] = {}  # by lower-cased name: ARNs are lower case

    # ------------------------------------------------------------ lookup
    def _name_key(self, name_or_arn: str) -> str | None:
        if not name_or_arn.startswith("arn:"):  # the common case skips the ARN regex
            return name_or_arn.lower()
        match = _ARN.fullmatch(name_or_arn)
        if match is None:
            return name_or_arn.lower()
        region, account, name = match.groups()
        if region != self.region or account != self.account_id:
            return None
        return name.lower()

    def find_group(self, name_or_arn: str) -> FeatureGroup | None:
        """The group named by a name or an ARN, or ``None``."""
        key = self._name_key(name_or_arn)
        return None if key is None else self._groups.get(key)

    def _group(self, name_or_arn: str, error: type[FeatureStoreError]) -> FeatureGroup:
        group = self.find_group(name_or_arn)
        if group is None:
            raise error(group_not_found_message(name_or_arn))
        return group

    def groups(self) -> list[FeatureGroup]:
        """The groups, in creation order."""
        return list(self._groups.values())

    # ------------------------------------------------------------ control plane
    def create_feature_group(
        self,
        name: str,
        record_identifier_name: str,
        event_time_feature_name: str,
        feature_definitions: Sequence[Mapping[str, Any]],
        online_store_config: Mapping[str, Any] | None = None,
        offline_store_config: Mapping[str, Any] | None = None,
        throughput_config: Mapping[str, Any] | None = None,
        role_arn: str | None = None,
        description: str | None = None,
        tags: Sequence[Mapping[str, str]] | None = None,
    ) -> str:
        """CreateFeatureGroup; returns the new group's ARN. The group is ``Created`` at
        once (AWS takes seconds to minutes; nothing here waits)."""
        definitions = [definition_from_api(item) for item in feature_definitions]
        online = dict(online_store_config) if online_store_config is not None else None
        enable_online = bool(online and online.get("EnableOnlineStore"))
        if not enable_online and offline_store_config is None:
            raise ValidationException(
                "Validation Error: OnlineStore and OfflineStore cannot be both disabled. "
                "Please enable at least one of them and retry the request."
            )
        in_memory = enable_online and (online or {}).get("StorageType") == "InMemory"
        check_definitions(definitions, {}, in_memory)
        by_name = {definition.name: definition for definition in definitions}
        identifier = by_name.get(record_identifier_name)
        if identifier is None:
            raise ValidationException(
                f"Validation Error: The RecordIdentifierFeatureName [{record_identifier_name}] "
                "is not one of the feature definitions."
            )
        event_time = by_name.get(event_time_feature_name)
        if event_time is None:
            raise ValidationException(
                f"Validation Error: The EventTimeFeatureName [{event_time_feature_name}] "
                "is not one of the feature definitions."
            )
        if event_time.feature_type not in (STRING, FRACTIONAL):
            raise ValidationException(
                f"Validation Error: The EventTimeFeatureName [{event_time_feature_name}] must be "
                "a feature of type String or Fractional."
            )
        for special in (identifier, event_time):
            if special.collection_type is not None:
                raise ValidationException(
                    f"Validation Error: The feature [{special.name}] is the record identifier or event "
                    "time feature and cannot have a collection type."
                )
        if offline_store_config is not None and not role_arn:
            raise ValidationException("Validation Error: RoleArn is required when OfflineStoreConfig is specified.")
        if online is not None:
            _check_ttl_config(online.get("TtlDuration"), allow_removal=False)
        throughput = _throughput(throughput_config, _storage_type(online))
        now = clock.now()
        offline = self._offline_config(name, offline_store_config, now)
        arn = f"arn:{partition_of(self.region)}:sagemaker:{self.region}:{self.account_id}:feature-group/{name.lower()}"
        group = FeatureGroup(
            name=name,
            arn=arn,
            record_identifier_name=record_identifier_name,
            event_time_feature_name=event_time_feature_name,
            definitions=definitions,
            online_store_config=online,
            offline_store_config=offline,
            role_arn=role_arn,
            description=description,
            throughput_config=throughput,
            tags=[dict(tag) for tag in tags or []],
            creation_time=now,
        )
        with self._lock:
            key = name.lower()
            if key in self._groups:
                raise ResourceInUse(group_exists_message(name))
            if len(self._groups) >= MAX_FEATURE_GROUPS:
                raise ResourceLimitExceeded(
                    f"The account-level service limit 'Number of feature groups' is {MAX_FEATURE_GROUPS} "
                    f"FeatureGroups, with current utilization of {len(self._groups)} FeatureGroups and a "
                    "request delta of 1 FeatureGroups. Please use AWS Service Quotas to request an "
                    "increase for this quota."
                )
            self._groups[key] = group
        if offline is not None:
            from .offline import watch_clock  # offline imports this module

            watch_clock()
        return arn

    def _offline_config(self, name: str, config: Mapping[str, Any] | None, now: float) -> dict[str, Any] | None:
        """The offline config as DescribeFeatureGroup shows it: ResolvedOutputS3Uri and
        a generated DataCatalogConfig (layout of the offline-store guide)."""
        if config is None:
            return None
        result = {key: value for key, value in config.items()}
        storage = dict(result.get("S3StorageConfig") or {})
        base = str(storage.get("S3Uri", "")).rstrip("/")
        epoch = int(now)
        storage["ResolvedOutputS3Uri"] = (
            f"{base}/{self.account_id}/sagemaker/{self.region}/offline-store/{name}-{epoch}/data"
        )
        result["S3StorageConfig"] = storage
        result.setdefault("DisableGlueTableCreation", False)
        if "DataCatalogConfig" not in result:
            result["DataCatalogConfig"] = {
                "TableName": f"{name.replace('-', '_').lower()}_{epoch}",
                "Catalog": "AwsDataCatalog",
                "Database": "sagemaker_featurestore",
            }
        return result

    def describe_feature_group(self, name_or_arn: str) -> dict[str, Any]:
        """DescribeFeatureGroup (all feature definitions in one page)."""
        return self._group(name_or_arn, ControlResourceNotFound).describe()

    def delete_feature_group(self, name: str) -> None:
        """DeleteFeatureGroup: the group and its online records go at once. (AWS keeps
        the offline store's S3 data; the mock forgets its rows with the group.)"""
        with self._lock:
            key = self._name_key(name)
            if key is None or key not in self._groups:
                raise ControlResourceNotFound(group_not_found_message(name))
            del self._groups[key]

    def update_feature_group(
        self,
        name_or_arn: str,
        feature_additions: Sequence[Mapping[str, Any]] | None = None,
        online_store_config: Mapping[str, Any] | None = None,
        throughput_config: Mapping[str, Any] | None = None,
    ) -> str:
        """UpdateFeatureGroup: add features, change the default TTL (applies to records
        put afterwards; ``Unit``/``Value`` null removes it), migrate a Standard online store
        to Standard_V2 (one way), or change the throughput mode and capacity."""
        group = self._group(name_or_arn, ControlResourceNotFound)
        with group.lock:
            if feature_additions is not None:
                additions = [definition_from_api(item) for item in feature_additions]
                if len(group.definitions) + len(additions) > MAX_FEATURE_DEFINITIONS:
                    raise ResourceLimitExceeded(
                        f"Validation Error: A feature group can have at most {MAX_FEATURE_DEFINITIONS} feature definitions."
                    )
                in_memory = bool(group.online_enabled and (group.online_store_config or {}).get("StorageType") == "InMemory")
                check_definitions(additions, group.by_name, in_memory)
            if online_store_config is not None and "TtlDuration" in online_store_config:
                if not group.online_enabled:
                    raise ValidationException(
                        f"Validation Error: The FeatureGroup [{group.name}] does not have an OnlineStore."
                    )
                ttl = online_store_config.get("TtlDuration")
                _check_ttl_config(ttl, allow_removal=True)
            storage = (online_store_config or {}).get("StorageType")
            if storage is not None:
                current_storage = _storage_type(group.online_store_config)
                if current_storage is None:
                    raise ValidationException(
                        f"Validation Error: The FeatureGroup [{group.name}] does not have an OnlineStore."
                    )
                if storage != current_storage and (current_storage, storage) != ("Standard", "Standard_V2"):
                    raise ValidationException(
                        f"Validation Error: The OnlineStore StorageType of the FeatureGroup [{group.name}] can only "
                        f"be migrated from Standard to Standard_V2, not from {current_storage} to {storage}."
                    )
            throughput = None
            if throughput_config is not None:
                mode = throughput_config.get("ThroughputMode") or group.throughput_config["ThroughputMode"]
                merged = {**group.throughput_config, **throughput_config, "ThroughputMode": mode}
                if mode == ON_DEMAND:  # capacity units only describe provisioned groups
                    merged = {"ThroughputMode": ON_DEMAND}
                throughput = _throughput(merged, storage or _storage_type(group.online_store_config))
            now = clock.now()
            if feature_additions is not None:
                for definition in additions:  # their metadata starts at the update, not at the group's creation
                    group.metadata[definition.name] = FeatureMetadata(now, now)
                group.definitions = group.definitions + additions
                group.by_name = {definition.name: definition for definition in group.definitions}
            if online_store_config is not None and "TtlDuration" in online_store_config:
                config = dict(group.online_store_config or {})
                if ttl and ttl.get("Unit") is not None:
                    config["TtlDuration"] = {"Unit": ttl["Unit"], "Value": ttl["Value"]}
                else:
                    config.pop("TtlDuration", None)
                group.online_store_config = config
            if storage is not None:
                group.online_store_config = {**(group.online_store_config or {}), "StorageType": storage}
            if throughput is not None:
                group.throughput_config = throughput
            group.last_modified_time = now
        return group.arn

    # ------------------------------------------------------------ tags, feature metadata, search
    def _tagged_group(self, arn: str) -> FeatureGroup:
        group = self.find_group(arn)
        if group is None:
            raise ValidationException(group_not_found_message(arn.rsplit("/", 1)[-1]))
        return group

    def add_tags(self, arn: str, tags: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
        """AddTags on a feature-group ARN: add or overwrite by key."""
        group = self._tagged_group(arn)
        with group.lock:
            current = {tag["Key"]: tag["Value"] for tag in group.tags}
            for tag in tags:
                current[tag["Key"]] = tag["Value"]
            if len(current) > MAX_TAGS:
                raise ResourceLimitExceeded(
                    f"Validation Error: A resource can have at most {MAX_TAGS} tags; this request would make it {len(current)}."
                )
            group.tags = [{"Key": key, "Value": value} for key, value in current.items()]
        return [dict(tag) for tag in tags]

    def list_tags(self, arn: str) -> list[dict[str, str]]:
        """ListTags on a feature-group ARN."""
        group = self._tagged_group(arn)
        with group.lock:
            return [dict(tag) for tag in group.tags]

    def delete_tags(self, arn: str, keys: Sequence[str]) -> None:
        """DeleteTags on a feature-group ARN (unknown keys are ignored)."""
        group = self._tagged_group(arn)
        removed = set(keys)
        with group.lock:
            group.tags = [tag for tag in group.tags if tag["Key"] not in removed]

    def _feature(self, group_name: str, feature_name: str) -> FeatureGroup:
        group = self._group(group_name, ControlResourceNotFound)
        if feature_name not in group.by_name:
            raise ControlResourceNotFound(
                f"Resource Not Found: Amazon SageMaker can't find a Feature with name [{feature_name}] "
                f"in the FeatureGroup [{group.name}]."
            )
        return group

    def update_feature_metadata(
        self,
        group_name: str,
        feature_name: str,
        description: str | None = None,
        parameter_additions: Sequence[Mapping[str, str]] | None = None,
        parameter_removals: Sequence[str] | None = None,
    ) -> None:
        """UpdateFeatureMetadata: set the description, add or overwrite parameters by
        key, then remove keys (unknown ones are ignored)."""
        group = self._feature(group_name, feature_name)
        now = clock.now()
        with group.lock:
            metadata = group.metadata.get(feature_name)
            if metadata is None:
                metadata = group.metadata[feature_name] = FeatureMetadata(group.creation_time, now)
            parameters = dict(metadata.parameters)
            for parameter in parameter_additions or ():
                parameters[parameter["Key"]] = parameter["Value"]
            for key in parameter_removals or ():
                parameters.pop(key, None)
            if len(parameters) > MAX_FEATURE_PARAMETERS:
                raise ValidationException(
                    f"Validation Error: A feature can have at most {MAX_FEATURE_PARAMETERS} parameters."
                )
            metadata.parameters = parameters
            if description is not None:
                metadata.description = description
            metadata.last_modified_time = now

    def describe_feature_metadata(self, group_name: str, feature_name: str) -> dict[str, Any]:
        """DescribeFeatureMetadata."""
        group = self._feature(group_name, feature_name)
        with group.lock:
            return group.feature_metadata(feature_name)

    def search(
        self,
        resource: str,
        expression: Mapping[str, Any] | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> list[dict[str, Any]]:
        """Search over ``FeatureGroup`` or ``FeatureMetadata`` resources: the matching
        ``SearchRecord`` items, sorted (paging is the adapter's)."""
        matches = compile_expression(expression)
        items: list[dict[str, Any]] = []
        for group in self.groups():
            with group.lock:
                if resource == "FeatureGroup":
                    items.append(group.search_record())
                else:
                    items.extend(group.feature_metadata(name) for name in group.by_name)
        found = [item for item in items if matches(item)]
        return [{resource: item} for item in sort_resources(found, sort_by, sort_order)]

    def list_feature_groups(
        self,
        name_contains: str | None = None,
        status_equals: str | None = None,
        offline_status_equals: str | None = None,
        created_after: float | None = None,
        created_before: float | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> list[dict[str, Any]]:
        """ListFeatureGroups' matching summaries, sorted (paging is the adapter's)."""
        summaries = []
        for group in self.groups():
            if name_contains is not None and name_contains.lower() not in group.name.lower():
                continue
            if status_equals is not None and status_equals != "Created":
                continue
            if offline_status_equals is not None and (
                offline_status_equals != "Active" or not group.offline_enabled
            ):
                continue
            if created_after is not None and not group.creation_time > created_after:
                continue
            if created_before is not None and not group.creation_time < created_before:
                continue
            summaries.append(group.summary())
        key = {
            "Name": lambda item: item["FeatureGroupName"].lower(),
            "FeatureGroupStatus": lambda item: item["FeatureGroupStatus"],
            "OfflineStoreStatus": lambda item: item.get("OfflineStoreStatus", {}).get("Status", ""),
        }.get(sort_by or "CreationTime", lambda item: item["CreationTime"])
        summaries.sort(key=key, reverse=(sort_order or "Descending") == "Descending")
        return summaries

    # ------------------------------------------------------------ runtime
    def _runtime_group(self, name_or_arn: str, error: type[FeatureStoreError] = ValidationError) -> FeatureGroup:
        return self._group(name_or_arn, error)

    def put_record(
        self,
        feature_group_name: str,
        record: list[dict[str, Any]],
        target_stores: Sequence[str] | None = None,
        ttl_duration: Mapping[str, Any] | None = None,
    ) -> None:
        """PutRecord: online only when the EventTime is newer than the stored record's;
        offline always (when targeted). ``record`` must be shape-valid."""
        now = clock.now()
        pending = _PendingWrites(self._runtime_group(feature_group_name))
        pending.check(record, target_stores, ttl_duration)
        pending.store(now)

    def batch_write_record(
        self,
        entries: Sequence[Mapping[str, Any]],
        ttl_duration: Mapping[str, Any] | None = None,
        features_valid: Callable[[list[Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """BatchWriteRecord across groups: each entry is a PutRecord (its own
        ``TtlDuration``, else the request's, else the group's default). A failing entry
        becomes an ``Errors`` item with the code and message PutRecord would answer;
        the others are written. Nothing is left unprocessed.

        With ``features_valid``, the entries' records are shape-valid but for their
        features, which this checks where they are not plain (a plain record fits the
        model): on one that fails, nothing is written and :class:`UncheckedShapeInvalid`
        is raised, for the caller's full model check to answer."""
        errors: list[dict[str, Any]] = []
        # One API invocation: one time for every entry's rows. Every entry is checked
        # first, then each group's writes are stored in entry order under one lock.
        now = clock.now()
        by_name: dict[str, _PendingWrites] = {}
        by_group: dict[int, _PendingWrites] = {}  # a group's name and its ARN share one
        for entry in entries:
            try:
                name = entry["FeatureGroupName"]
                pending = by_name.get(name)
                if pending is None:
                    group = self._runtime_group(name)
                    pending = by_name[name] = by_group.setdefault(id(group), _PendingWrites(group))
                pending.check(
                    entry["Record"], entry.get("TargetStores"), entry.get("TtlDuration") or ttl_duration, features_valid
                )
            except FeatureStoreError as error:
                # A request the model refuses fails as a whole, before any entry's own error.
                if features_valid is not None and not features_valid(entry["Record"]):
                    raise UncheckedShapeInvalid from None
                errors.append({"Entry": dict(entry), "ErrorCode": error.code, "ErrorMessage": error.message})
        for pending in by_group.values():
            pending.store(now)
        return {"Errors": errors, "UnprocessedEntries": []}

    def update_record(
        self,
        feature_group_name: str,
        record_identifier: str,
        features: list[dict[str, Any]],
        target_stores: Sequence[str] | None = None,
        ttl_duration: Mapping[str, Any] | None = None,
    ) -> None:
        """UpdateRecord: merge ``features`` into the visible online record (features left
        out keep their values). Only ``Standard_V2`` and ``InMemory`` online stores;
        the record must exist and not be soft-deleted; an EventTime older than the
        stored one is a conflict, none keeps the stored one (and its TTL). The offline
        store gets the merged record as a put would write it."""
        group = self._group(feature_group_name, ResourceNotFound)
        if not group.online_enabled:
            raise ValidationError(f"Validation Error: The FeatureGroup [{group.name}] does not have an OnlineStore.")
        storage = (group.online_store_config or {}).get("StorageType") or "Standard"
        if storage not in UPDATABLE_STORAGE_TYPES:
            raise ValidationError(
                f"Validation Error: UpdateRecord is only supported for feature groups whose OnlineStore "
                f"StorageType is Standard_V2 or InMemory. The FeatureGroup [{group.name}] has StorageType [{storage}]."
            )
        if len(features) > MAX_UPDATE_FEATURES:
            raise ValidationError(
                f"Validation Error: UpdateRecord can update at most {MAX_UPDATE_FEATURES} features, "
                f"but the request has {len(features)}."
            )
        event_feature = group.event_time_feature_name
        identifier_feature = group.record_identifier_name
        values = parse_features(features, group.by_name, group.name)
        sent_identifier = values.get(identifier_feature)
        if sent_identifier is not None and sent_identifier != record_identifier:
            raise ValidationError(
                f"Validation Error: The value of the RecordIdentifierFeatureName [{identifier_feature}] in Features "
                f"must match RecordIdentifierValueAsString [{record_identifier}]."
            )
        event_text = values.get(event_feature)
        event_ms: int | None = None
        if event_text is not None:
            assert isinstance(event_text, str)  # scalar by CreateFeatureGroup rules
            event_ms = parse_event_time_ms(event_text, group.event_time_type)
            if event_ms is None:
                raise ValidationError(event_time_message(event_feature, group.event_time_type))
        elif ttl_duration is not None:
            raise ValidationError(
                f"Validation Error: A TtlDuration needs an EventTime: add the EventTimeFeatureName "
                f"[{event_feature}] to Features."
            )
        to_online, to_offline = _stores(group, target_stores)
        now = clock.now()
        with group.lock:
            group.expire_due(round(now * 1000), now)
            current = group.visible_record(record_identifier)
            if current is None:
                raise ResourceNotFound(
                    f"Resource Not Found: Amazon SageMaker can't find a Record with RecordIdentifierValueAsString "
                    f"[{record_identifier}] in the FeatureGroup [{group.name}]."
                )
            if event_ms is not None and event_ms < current.event_time_ms:
                raise ConflictException(
                    f"The EventTime [{event_text}] is older than the EventTime "
                    f"[{current.values.get(event_feature)}] of the record [{record_identifier}]. Retrieve the "
                    "record's latest EventTime and retry with an EventTime that is equal to or newer than it."
                )
            merged = {**current.values, **values}
            new_event_ms = current.event_time_ms if event_ms is None else event_ms
            if ttl_duration is not None:
                expires: int | None = new_event_ms + ttl_millis(ttl_duration)
            elif current.expires_at_ms is not None:  # keep the record's TTL, from its new EventTime
                expires = current.expires_at_ms - current.event_time_ms + new_event_ms
            else:
                expires = None
            if to_online:
                group.set_online(record_identifier, OnlineRecord(merged, new_event_ms, expires, False))
            if to_offline:
                group.offline.append(OfflineRow(merged, now, now, False))

    def list_records(
        self,
        feature_group_name: str,
        max_results: int | None = None,
        next_token: str | None = None,
        include_soft_deleted: bool = False,
    ) -> dict[str, Any]:
        """ListRecords: the online store's record identifiers in identifier order (so a
        page boundary survives writes between pages), soft-deleted ones only when asked."""
        group = self._readable_group(feature_group_name, ResourceNotFound)
        start = _decode_record_token(next_token) if next_token else None
        limit = max_results or MAX_LIST_RECORDS
        now = clock.now()
        with group.lock:
            group.expire_due(round(now * 1000), now)
            identifiers = sorted(
                identifier
                for identifier, record in group.online.items()
                if include_soft_deleted or not record.deleted
            )
        first = 0 if start is None else bisect.bisect_right(identifiers, start)
        page = identifiers[first : first + limit]
        result: dict[str, Any] = {"RecordIdentifiers": page}
        if first + limit < len(identifiers):
            result["NextToken"] = _record_token(page[-1])
        return result

    def _readable_group(self, name_or_arn: str, error: type[FeatureStoreError]) -> FeatureGroup:
        group = self._group(name_or_arn, error)
        if not group.online_enabled:
            raise ValidationError(f"Validation Error: The FeatureGroup [{group.name}] does not have an OnlineStore.")
        return group

    @staticmethod
    def _check_feature_names(group: FeatureGroup, feature_names: Sequence[str] | None) -> None:
        for name in feature_names or ():
            if name not in group.by_name:
                raise ValidationError(
                    f"Validation Error: The feature named [{name}] is not defined in the FeatureGroup [{group.name}]."
                )

    def _read(
        self, group: FeatureGroup, identifier: str, feature_names: Sequence[str] | None, with_expiry: bool
    ) -> dict[str, Any] | None:
        now = clock.now()
        with group.lock:
            group.expire_due(round(now * 1000), now)
            record = group.visible_record(identifier)
            if record is None:
                return None
            values = group.record_to_api(record, feature_names)
            expires = record.expires_at_ms
        if not values:
            return None
        result: dict[str, Any] = {"Record": values}
        if with_expiry and expires is not None:
            result["ExpiresAt"] = format_iso_ms(expires)
        return result

    def get_record(
        self,
        feature_group_name: str,
        record_identifier: str,
        feature_names: Sequence[str] | None = None,
        expiration_time_response: str | None = None,
    ) -> dict[str, Any]:
        """GetRecord: ``{}`` when there is no visible record (absent, soft-deleted,
        expired), else ``Record`` and, when asked for and set, ``ExpiresAt``."""
        group = self._readable_group(feature_group_name, ResourceNotFound)
        self._check_feature_names(group, feature_names)
        return self._read(group, record_identifier, feature_names, expiration_time_response == "Enabled") or {}

    def batch_get_record(
        self, identifiers: Sequence[Mapping[str, Any]], expiration_time_response: str | None = None
    ) -> dict[str, Any]:
        """BatchGetRecord across groups. Missing records are left out; a problem with a
        group (unknown, no online store, unknown feature name) becomes one ``Errors``
        entry per requested identifier; nothing is left unprocessed."""
        records: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        with_expiry = expiration_time_response == "Enabled"
        for entry in identifiers:
            name = entry["FeatureGroupName"]
            ids: list[str] = list(dict.fromkeys(entry["RecordIdentifiersValueAsString"]))
            feature_names = entry.get("FeatureNames")
            try:
                group = self._readable_group(name, ResourceNotFound)
                self._check_feature_names(group, feature_names)
            except FeatureStoreError as error:
                errors.extend(
                    {
                        "FeatureGroupName": name,
                        "RecordIdentifierValueAsString": identifier,
                        "ErrorCode": error.code,
                        "ErrorMessage": error.message,
                    }
                    for identifier in ids
                )
                continue
            for identifier in ids:
                found = self._read(group, identifier, feature_names, with_expiry)
                if found is not None:
                    records.append({"FeatureGroupName": name, "RecordIdentifierValueAsString": identifier, **found})
        return {"Records": records, "Errors": errors, "UnprocessedIdentifiers": []}

    def delete_record(
        self,
        feature_group_name: str,
        record_identifier: str,
        event_time: str,
        target_stores: Sequence[str] | None = None,
        deletion_mode: str | None = None,
    ) -> None:
        """DeleteRecord. SoftDelete (default) with a newer EventTime leaves a tombstone
        online (hidden from reads; older puts stay historic); HardDelete with a newer
        EventTime removes the record, and with an older or equal one fails. Every
        successful delete appends an ``is_deleted`` row offline (when targeted)."""
        group = self._runtime_group(feature_group_name)
        event_type = group.event_time_type
        event_ms = parse_event_time_ms(event_time, event_type)
        if event_ms is None:
            raise ValidationError(
                f"Validation Error: The EventTime [{event_time}] must be in the format of the "
                f"EventTimeFeatureName [{group.event_time_feature_name}] of type [{event_type}]: "
                + (
                    "seconds since the Unix epoch in decimal form."
                    if event_type == FRACTIONAL
                    else "yyyy-MM-dd'T'HH:mm:ssZ or yyyy-MM-dd'T'HH:mm:ss.SSSZ."
                )
            )
        to_online, to_offline = _stores(group, target_stores)
        now = clock.now()
        marker: dict[str, FeatureValueData] = {
            group.record_identifier_name: record_identifier,
            group.event_time_feature_name: event_time,
        }
        with group.lock:
            group.expire_due(round(now * 1000), now)
            if to_online:
                current = group.online.get(record_identifier)
                if deletion_mode == "HardDelete":
                    if current is not None:
                        if event_ms <= current.event_time_ms:
                            raise ValidationError(
                                f"Validation Error: EventTime [{event_time}] of a HardDelete must be later "
                                "than the EventTime of the existing record."
                            )
                        del group.online[record_identifier]
                elif current is None or event_ms > current.event_time_ms:
                    group.set_online(record_identifier, OnlineRecord(dict(marker), event_ms, None, True))
            if to_offline:
                group.offline.append(OfflineRow(marker, now, now, True))

    # ------------------------------------------------------------ inspection (for the view)
    def online_record(self, feature_group_name: str, record_identifier: str) -> OnlineRecord | None:
        """The visible online record (after applying due TTL expiries), or ``None``."""
        group = self._group(feature_group_name, ResourceNotFound)
        now = clock.now()
        with group.lock:
            group.expire_due(round(now * 1000), now)
            return group.visible_record(record_identifier)

    def offline_rows(self, feature_group_name: str) -> list[OfflineRow]:
        """A snapshot of the offline store, in write order."""
        group = self._group(feature_group_name, ResourceNotFound)
        now = clock.now()
        with group.lock:
            group.expire_due(round(now * 1000), now)
            return list(group.offline)

    def __iter__(self) -> Iterator[FeatureGroup]:
        return iter(self.groups())


featurestore_backends: BackendDict[FeatureStoreBackend] = BackendDict(FeatureStoreBackend)
"""Feature Store state per (account id, region); reset by the outermost activation."""
