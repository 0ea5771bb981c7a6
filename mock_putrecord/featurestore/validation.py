"""The Feature Store's model check: core's validator (:mod:`mock_putrecord.core.validation`)
in the Feature Store's wording, plus the pinned fast checks of its hot operations.

The wording: a value of the wrong JSON type is one more constraint failure (``Member
must be a string``), a failing list of strings names the constraints its members break,
and the header counts every failure. The checks that need the feature group (known
features, Integral/Fractional values, EventTime) follow in :mod:`.record_rules`.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from ..core.shapes import JAVA_LINE_TERMINATOR
from ..core.validation import Validator, Wording
from .exceptions import FeatureStoreError
from .record_rules import MAX_RECORD_BYTES
from .times import TTL_UNIT_SECONDS


def wording(error: type[FeatureStoreError]) -> Wording:
    """The Feature Store's wording, failing with ``error`` (the runtime's
    ``ValidationError`` or the control plane's ``ValidationException``)."""
    return Wording(error=error, typed_pass=False, scalar_lists="broken", count_all=True)


class ShapeValidator:
    """Checks one operation's request against the model, as AWS's front end does.

    :param fast: an optional cheap predicate that is true only for valid requests; when it
        holds, the full walk (which also builds the messages) is skipped.
    """

    def __init__(
        self,
        service: str,
        operation: str,
        error: type[FeatureStoreError],
        fast: Callable[[Any], bool] | None = None,
    ) -> None:
        self._operation = operation
        self._fast = fast
        self._validator = Validator(service, wording(error))

    def validate(self, params: Any) -> None:
        """Raise the service's validation error when ``params`` breaks the model."""
        if self._fast is None or not self._fast(params):
            self._validator.validate(self._operation, params)


# ---------------------------------------------------------------- pinned fast checks
_GROUP_NAME = re.compile(
    r"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:feature-group/)?([a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63})"
)
_FEATURE_NAME = re.compile(r"^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}")
_TARGET_STORES = frozenset({"OnlineStore", "OfflineStore"})
_line_break = JAVA_LINE_TERMINATOR.search  # bound once: a method of an imported name is looked up per call
_valid_group_names: set[str] = set()  # names already seen to fit their pattern
_valid_feature_names: set[str] = set()


def _name_ok(name: Any, pattern: re.Pattern[str], limit: int, seen: set[str]) -> bool:
    if type(name) is not str:
        return False
    if name in seen:
        return True
    if not 1 <= len(name) <= limit or pattern.fullmatch(name) is None:
        return False
    if len(seen) < 100_000:
        seen.add(name)
    return True


def put_record_is_valid(params: Any) -> bool:
    """True only when a PutRecord request certainly fits the model (the hot path skips
    the generic walk); anything unusual returns False and gets the full check."""
    return _put_members_valid(params) and record_features_valid(params["Record"])


def _put_members_valid(params: Any) -> bool:
    """:func:`put_record_is_valid` but for the features of the ``Record`` (a non-empty list)."""
    # Each name is tried against its set of known names first: no call on the common path.
    group = params.get("FeatureGroupName")
    if not (type(group) is str and group in _valid_group_names) and not _name_ok(
        group, _GROUP_NAME, 150, _valid_group_names
    ):
        return False
    record = params.get("Record")
    if type(record) is not list or not record:
        return False
    if len(params) == 2:  # FeatureGroupName and Record only: the common request
        return True
    stores = params.get("TargetStores")
    if stores is not None and (
        type(stores) is not list
        or not 1 <= len(stores) <= 2
        or not all(type(store) is str and store in _TARGET_STORES for store in stores)
    ):
        return False
    ttl = params.get("TtlDuration")
    if ttl is not None:
        if type(ttl) is not dict:
            return False
        unit = ttl.get("Unit")
        if type(unit) is not str or unit not in TTL_UNIT_SECONDS:
            return False
        value = ttl.get("Value")
        if type(value) is not int or value < 1:
            return False
    return True


def record_features_valid(record: list[Any]) -> bool:
    """True only when every feature of a ``Record`` certainly fits the model."""
    for feature in record:
        if type(feature) is not dict:
            return False
        name = feature.get("FeatureName")
        if not (type(name) is str and name in _valid_feature_names) and not _name_ok(
            name, _FEATURE_NAME, 64, _valid_feature_names
        ):
            return False
        text = feature.get("ValueAsString")
        if text is not None and (  # printable text holds no line terminator: the regex only for the rest
            type(text) is not str or len(text) > MAX_RECORD_BYTES or not text.isprintable() and _line_break(text)
        ):
            return False
        items = feature.get("ValueAsStringList")
        if items is not None and (
            type(items) is not list
            or len(items) > MAX_RECORD_BYTES
            or any(type(item) is not str or not item.isprintable() and _line_break(item) for item in items)
        ):
            return False
    return True


def batch_write_record_is_valid(params: Any) -> bool:
    """:func:`put_record_is_valid` for BatchWriteRecord: 1 to 25 entries, each shaped like
    a PutRecord request (the entry's members are PutRecord's), and a valid request TTL."""
    if not batch_write_members_valid(params):
        return False
    for entry in params["Entries"]:  # a plain loop: a generator under all() costs a frame switch per entry
        if not record_features_valid(entry["Record"]):
            return False
    return True


def batch_write_members_valid(params: Any) -> bool:
    """:func:`batch_write_record_is_valid` but for the features of each entry's ``Record``
    (left to :func:`record_features_valid`, or to a reading that proves them plain)."""
    entries = params.get("Entries")
    if type(entries) is not list or not 1 <= len(entries) <= 25:
        return False
    ttl = params.get("TtlDuration")
    if ttl is not None and not _put_members_valid({"FeatureGroupName": "g", "Record": [{}], "TtlDuration": ttl}):
        return False
    for entry in entries:
        if type(entry) is not dict or not _put_members_valid(entry):
            return False
    return True
