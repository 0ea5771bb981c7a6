"""Feature definitions: the feature types, the text formats of their values, and the
control plane's rules for defining features (CreateFeatureGroup, UpdateFeatureGroup)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from .exceptions import ValidationException

INTEGRAL = "Integral"
FRACTIONAL = "Fractional"
STRING = "String"

RESERVED_FEATURE_NAMES = frozenset({"is_deleted", "write_time", "api_invocation_time"})
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")

VALID_TEXTS: dict[str, set[str]] = {INTEGRAL: set(), FRACTIONAL: set()}
"""Texts already found to parse, per numeric type: values repeat across records (flags,
small counts, prices), and a set lookup is cheaper than the regex and the conversion."""


@dataclass(frozen=True)
class FeatureDefinition:
    """One entry of a group's ``FeatureDefinitions``."""

    name: str
    feature_type: str
    collection_type: str | None = None
    dimension: int | None = None
    known_texts: set[str] | None = field(init=False, repr=False, compare=False)
    """The texts known to fit the type (``VALID_TEXTS``'), ``None`` for String: every text fits."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "known_texts", VALID_TEXTS.get(self.feature_type))

    def to_api(self) -> dict[str, Any]:
        """The definition as DescribeFeatureGroup returns it."""
        data: dict[str, Any] = {"FeatureName": self.name, "FeatureType": self.feature_type}
        if self.collection_type is not None:
            data["CollectionType"] = self.collection_type
        if self.dimension is not None:
            data["CollectionConfig"] = {"VectorConfig": {"Dimension": self.dimension}}
        return data


def parse_fractional(text: str) -> float | None:
    """A Fractional value (decimal or scientific notation, finite double) or ``None``."""
    if _DECIMAL.fullmatch(text) is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def integral_ok(text: str) -> bool:
    """True when ``text`` is a signed 64-bit integer."""
    return _INTEGER.fullmatch(text) is not None and _INT64_MIN <= int(text) <= _INT64_MAX


def definition_from_api(data: Mapping[str, Any]) -> FeatureDefinition:
    """A shape-valid ``FeatureDefinition`` of the API as a :class:`FeatureDefinition`."""
    config = data.get("CollectionConfig") or {}
    vector = config.get("VectorConfig") or {}
    return FeatureDefinition(
        name=data["FeatureName"],
        feature_type=data["FeatureType"],
        collection_type=data.get("CollectionType"),
        dimension=vector.get("Dimension"),
    )


def check_definitions(
    definitions: Sequence[FeatureDefinition], existing: Mapping[str, FeatureDefinition], in_memory: bool
) -> None:
    """Control-plane rules for feature definitions (new ones, against ``existing``)."""
    seen = dict(existing)
    vectors = sum(1 for definition in existing.values() if definition.collection_type == "Vector")
    for definition in definitions:
        name = definition.name
        if name in seen:
            raise ValidationException(f"Validation Error: The feature name [{name}] is used by more than one feature definition.")
        if name.lower() in RESERVED_FEATURE_NAMES:
            raise ValidationException(
                f"Validation Error: The feature name [{name}] is reserved. The names is_deleted, "
                "write_time and api_invocation_time cannot be used as feature names."
            )
        seen[name] = definition
        collection = definition.collection_type
        if collection is None:
            if definition.dimension is not None:
                raise ValidationException(
                    f"Validation Error: The feature [{name}] has a CollectionConfig but no CollectionType Vector."
                )
            continue
        if not in_memory:
            raise ValidationException(
                f"Validation Error: The feature [{name}] has collection type [{collection}]. "
                "Collection types are only supported by feature groups with an InMemory OnlineStore."
            )
        if collection == "Vector":
            vectors += 1
            if definition.feature_type != FRACTIONAL:
                raise ValidationException(f"Validation Error: The Vector feature [{name}] must be of type Fractional.")
            if definition.dimension is None:
                raise ValidationException(
                    f"Validation Error: The Vector feature [{name}] needs a CollectionConfig with a VectorConfig Dimension."
                )
            if vectors > 1:
                raise ValidationException("Validation Error: A feature group can have only one Vector feature.")
        elif definition.dimension is not None:
            raise ValidationException(
                f"Validation Error: The feature [{name}] has a VectorConfig but collection type [{collection}]."
            )
