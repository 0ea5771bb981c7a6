"""The runtime's rules for a record against its feature group: known feature names,
values that fit their Integral/Fractional type, collection rules, the size limits, and
the record identifier and EventTime (PutRecord, BatchWriteRecord, UpdateRecord).

These run after the model check (:mod:`.validation`), on a shape-valid record, and
raise the first problem found as a ``ValidationError``. Texts are AWS's where a
reference captured them (the Fractional parse message); the others follow AWS's style
(``Validation Error:`` prefix, names in square brackets, final period) and are listed in
``docs/featurestore.md``.
"""
from __future__ import annotations

from typing import Any, Mapping

from .definitions import FRACTIONAL, FeatureDefinition, integral_ok, parse_fractional
from .exceptions import ValidationError
from .times import event_time_message, parse_event_time_ms

MAX_RECORD_BYTES = 358_400  # 350 KB: record and single value limit (quotas page, model)
MAX_IDENTIFIER_BYTES = 2_048  # record identifier value limit (quotas page)
_MAX_REMEMBERED = 100_000  # texts remembered per numeric type (bounded memory)


Values = dict[str, str | list[str]]
"""Feature values by name, as sent: a ``ValueAsString`` or a ``ValueAsStringList``."""


def fractional_message(feature: str) -> str:
    """AWS's text for a value that is not a double (captured, see the notes §5)."""
    return (
        f"Attempted to parse the feature value for the feature named [{feature}] into a "
        "FeatureValue of type Fractional. The provided value must be within the range of a "
        "double precision floating point number defined by the IEEE 754 standard. The input "
        "format can be in either decimal form or scientific notation."
    )


def integral_message(feature: str) -> str:
    """Integral counterpart of :func:`fractional_message`."""
    return (
        f"Attempted to parse the feature value for the feature named [{feature}] into a "
        "FeatureValue of type Integral. The provided value must be within the range of a "
        "64-bit signed integer. The input format must be a whole number in decimal form."
    )


def _check_scalar(definition: FeatureDefinition, text: str) -> None:
    kind = definition.feature_type
    seen = definition.known_texts
    if seen is None or text in seen:  # a String, or a text known to parse
        return
    if kind == FRACTIONAL:
        if parse_fractional(text) is None:
            raise ValidationError(fractional_message(definition.name))
    elif not integral_ok(text):
        raise ValidationError(integral_message(definition.name))
    if len(seen) < _MAX_REMEMBERED:
        seen.add(text)


def _collection_value(definition: FeatureDefinition, items: list[str]) -> list[str]:
    for item in items:
        _check_scalar(definition, item)
    if definition.collection_type == "Vector":
        if len(items) != definition.dimension:
            raise ValidationError(
                f"Validation Error: The feature named [{definition.name}] is a Vector of "
                f"dimension [{definition.dimension}], but [{len(items)}] values were provided."
            )
    elif definition.collection_type == "Set" and len(set(items)) != len(items):
        # A Set keeps unique elements (collection-types guide): drop repeats, keep order.
        items = list(dict.fromkeys(items))
    return items


def parse_features(
    features: list[dict[str, Any]], definitions: Mapping[str, FeatureDefinition], group_name: str
) -> Values:
    """Check shape-valid feature values against the group's definitions (the checks of
    :func:`parse_record` that need no identifier or EventTime; UpdateRecord's)."""
    values, size = _parse_features(features, definitions, group_name)
    _check_record_size(values, size)
    return values


def _check_record_size(values: Values, size: int) -> None:
    # Characters are at most 4 UTF-8 bytes: encode only when the cheap bound is exceeded.
    if size * 4 > MAX_RECORD_BYTES and _record_bytes(values) > MAX_RECORD_BYTES:
        raise ValidationError(
            f"Validation Error: The record size exceeds the maximum of {MAX_RECORD_BYTES} bytes."
        )


def _parse_features(
    record: list[dict[str, Any]], definitions: Mapping[str, FeatureDefinition], group_name: str
) -> tuple[Values, int]:
    plain = _plain_features(record, definitions)
    return plain if plain is not None else _parse_features_in_order(record, definitions, group_name)


def _plain_features(record: list[Any], definitions: Mapping[str, FeatureDefinition]) -> tuple[Values, int] | None:
    """The values and total length of a plain record, else ``None``. Plain: every feature
    a dict of just a defined scalar's name and a printable ``ValueAsString`` of its type,
    each feature named once, at most a record's size in characters. Such a record fits the
    model whatever checked it before (a defined name fits the name pattern), so this reads
    records whose shapes are not checked yet too. Anything else (or any fault) is ``None``:
    :func:`_parse_features_in_order` then raises the first problem as AWS reports it."""
    values: Values = {}
    size = 0
    try:
        for feature in record:
            if type(feature) is not dict or len(feature) != 2:
                return None
            name: str = feature["FeatureName"]
            definition = definitions.get(name)
            text = feature.get("ValueAsString")
            if definition is None or type(text) is not str or definition.collection_type is not None:
                return None
            if not text.isprintable():  # printable text holds no line terminator
                return None
            seen = definition.known_texts
            if seen is not None and text not in seen:  # Strings and known texts pass
                _check_scalar(definition, text)
            values[name] = text
            size += len(text)
    except (ValidationError, KeyError, TypeError):  # a bad value; no FeatureName; an unhashable name
        return None
    if len(values) != len(record) or size > MAX_RECORD_BYTES:  # a feature named twice; a value too long
        return None
    return values, size


def _parse_features_in_order(
    record: list[dict[str, Any]], definitions: Mapping[str, FeatureDefinition], group_name: str
) -> tuple[Values, int]:
    values: Values = {}
    size = 0
    for feature in record:
        name = feature["FeatureName"]
        definition = definitions.get(name)
        if definition is None:
            raise ValidationError(
                f"Validation Error: The feature named [{name}] is not defined in the "
                f"FeatureGroup [{group_name}]."
            )
        if name in values:
            raise ValidationError(f"Validation Error: The feature named [{name}] appears more than once in the record.")
        text = feature.get("ValueAsString")
        items = feature.get("ValueAsStringList")
        if text is not None and items is not None:
            raise ValidationError(
                f"Validation Error: The feature value for the feature named [{name}] must set "
                "only one of ValueAsString and ValueAsStringList."
            )
        if definition.collection_type is None:
            if text is None:
                raise ValidationError(
                    f"Validation Error: The feature named [{name}] is of type "
                    f"[{definition.feature_type}] and needs a ValueAsString."
                )
            seen = definition.known_texts
            if seen is not None and text not in seen:  # inline fast path: Strings and known texts pass
                _check_scalar(definition, text)
            values[name] = text
            size += len(text)
        else:
            if items is None:
                raise ValidationError(
                    f"Validation Error: The feature named [{name}] has collection type "
                    f"[{definition.collection_type}] and needs a ValueAsStringList."
                )
            values[name] = _collection_value(definition, items)
            size += sum(len(item) for item in items)
    return values, size


def parse_record(
    record: list[dict[str, Any]],
    definitions: Mapping[str, FeatureDefinition],
    identifier_name: str,
    event_time: FeatureDefinition,
    group_name: str,
) -> tuple[Values, str, int]:
    """Check a shape-valid ``Record`` against the group's features.

    :returns: the values by feature name (as sent; Set repeats removed), the record
        identifier value and the EventTime in epoch milliseconds.
    :raises ValidationError: with the first problem found.
    """
    return _identified(*_parse_features(record, definitions, group_name), identifier_name, event_time)


def parse_plain_record(
    record: list[Any], definitions: Mapping[str, FeatureDefinition], identifier_name: str, event_time: FeatureDefinition
) -> tuple[Values, str, int] | None:
    """:func:`parse_record` of a plain record (see :func:`_plain_features`) that has no
    fault, whether or not its shape was checked; ``None`` for any other record."""
    plain = _plain_features(record, definitions)
    if plain is None:
        return None
    try:
        return _identified(*plain, identifier_name, event_time)
    except ValidationError:
        return None


def _identified(values: Values, size: int, identifier_name: str, event_time: FeatureDefinition) -> tuple[Values, str, int]:
    """A record's checks after its features': identifier, EventTime and sizes."""
    # Both are scalar features (CreateFeatureGroup's rules): not a str means absent.
    identifier = values.get(identifier_name)
    if type(identifier) is not str:
        raise ValidationError(
            f"Validation Error: The record must contain a value for the RecordIdentifierFeatureName [{identifier_name}]."
        )
    event_text = values.get(event_time.name)
    if type(event_text) is not str:
        raise ValidationError(
            f"Validation Error: The record must contain a value for the EventTimeFeatureName [{event_time.name}]."
        )
    if size * 4 > MAX_RECORD_BYTES:  # the cheap bound of _check_record_size, inline for the hot path
        _check_record_size(values, size)
    if len(identifier) * 4 > MAX_IDENTIFIER_BYTES and len(identifier.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
        raise ValidationError(
            f"Validation Error: The record identifier value exceeds the maximum of {MAX_IDENTIFIER_BYTES} bytes."
        )
    event_ms = parse_event_time_ms(event_text, event_time.feature_type)
    if event_ms is None:
        raise ValidationError(event_time_message(event_time.name, event_time.feature_type))
    return values, identifier, event_ms


def _record_bytes(values: Mapping[str, str | list[str]]) -> int:
    total = 0
    for value in values.values():
        if isinstance(value, str):
            total += len(value.encode("utf-8"))
        else:
            total += sum(len(item.encode("utf-8")) for item in value)
    return total
