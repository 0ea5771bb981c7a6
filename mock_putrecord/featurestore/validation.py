"""Input validation with AWS's own codes and messages.

Two layers, in the order AWS applies them:

* :class:`ShapeValidator` checks a request against botocore's service model the way the
  service's Coral front end does (``N validation error(s) detected: Value ... at
  'lowerCamelPath' failed to satisfy constraint: ...``): required members, lengths,
  patterns (whole value), enums, numeric ranges and JSON types. It is compiled once per
  shape into closures so the per-request cost stays small.
* Feature-level checks (known feature names, values that fit Integral/Fractional,
  EventTime formats, collection rules) need the feature group and live in
  :func:`parse_record`.

Message texts are AWS's where a reference captured them (the Fractional parse message,
"OnlineStore and OfflineStore cannot be both disabled"); the others follow AWS's style
(``Validation Error:`` prefix, names in square brackets, final period) and are listed in
``docs/featurestore.md``.
"""
from __future__ import annotations

import functools
import math
import re
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from botocore.loaders import create_loader
from botocore.model import ListShape, OperationModel, ServiceModel, Shape, StructureShape

from ..core.validation import display_pattern
from .exceptions import FeatureStoreError, ValidationError

if TYPE_CHECKING:
    from .models import FeatureDefinition

INTEGRAL = "Integral"
FRACTIONAL = "Fractional"
STRING = "String"

RESERVED_FEATURE_NAMES = frozenset({"is_deleted", "write_time", "api_invocation_time"})
MAX_RECORD_BYTES = 358_400  # 350 KB: record and single value limit (quotas page, model)
MAX_IDENTIFIER_BYTES = 2_048  # record identifier value limit (quotas page)
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1

# ---------------------------------------------------------------- service models
@functools.lru_cache(maxsize=None)
def service_model(service: str) -> ServiceModel:
    """botocore's model of ``service``, loaded once per process."""
    data = create_loader().load_service_model(service, "service-2")
    return ServiceModel(data, service_name=service)


@functools.lru_cache(maxsize=None)
def operation_model(service: str, operation: str) -> OperationModel:
    """The model of one operation (cached)."""
    return service_model(service).operation_model(operation)


# ---------------------------------------------------------------- Coral-style shape validation
Check = Callable[[Any, str, list[str]], None]


def render_value(value: Any) -> str:
    """A value as Coral prints it in a validation message (Java ``toString`` style)."""
    if value is None:
        return "null"
    return f"'{_java_string(value)}'"


def _java_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_java_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_java_string(item)}" for key, item in value.items()) + "}"
    return str(value)


def _failure(value: Any, path: str, constraint: str) -> str:
    return f"Value {render_value(value)} at '{path}' failed to satisfy constraint: {constraint}"


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


_TYPE_NAMES = {
    "structure": "a structure",
    "list": "a list",
    "map": "a map",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "boolean": "a boolean",
    "timestamp": "a timestamp",
    "double": "a number",
    "float": "a number",
    "blob": "a string",
}


def _type_ok(type_name: str, value: Any) -> bool:
    if type_name == "structure" or type_name == "map":
        return isinstance(value, dict)
    if type_name == "list":
        return isinstance(value, list)
    if type_name == "string" or type_name == "blob":
        return isinstance(value, str)
    if type_name == "integer" or type_name == "long":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "timestamp":
        return isinstance(value, (int, float, str)) and not isinstance(value, bool)
    if type_name == "double" or type_name == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return True


def _scalar_phrases(shape: Shape) -> Callable[[Any], list[str]]:
    """Constraint phrases a scalar value violates (kinesalite's order: pattern, then
    length, then enum), as a function of the value."""
    type_name = shape.type_name
    metadata = shape.metadata
    pattern_text: str | None = metadata.get("pattern")
    pattern = _python_pattern(pattern_text) if pattern_text else None
    shown_pattern = display_pattern(pattern_text) if pattern_text else ""
    minimum = metadata.get("min")
    maximum = metadata.get("max")
    enum: list[str] = list(metadata.get("enum") or [])
    enum_set = frozenset(enum)
    enum_phrase = "Member must satisfy enum value set: [" + ", ".join(enum) + "]"
    is_string = type_name == "string"
    is_number = type_name in ("integer", "long", "double", "float")
    type_phrase = f"Member must be {_TYPE_NAMES.get(type_name, 'a ' + type_name)}"

    def phrases(value: Any) -> list[str]:
        if not _type_ok(type_name, value):
            return [type_phrase]
        found: list[str] = []
        if is_string:
            if pattern is not None and pattern.fullmatch(value) is None:
                found.append(f"Member must satisfy regular expression pattern: {shown_pattern}")
            if minimum is not None and len(value) < minimum:
                found.append(f"Member must have length greater than or equal to {minimum}")
            if maximum is not None and len(value) > maximum:
                found.append(f"Member must have length less than or equal to {maximum}")
            if enum_set and value not in enum_set:
                found.append(enum_phrase)
        elif is_number:
            if minimum is not None and value < minimum:
                found.append(f"Member must have value greater than or equal to {minimum}")
            if maximum is not None and value > maximum:
                found.append(f"Member must have value less than or equal to {maximum}")
        return found

    return phrases


_JAVA_TO_PYTHON = (
    # Java spells supplementary characters as a surrogate-pair range.
    ("\\uD800\\uDC00-\\uDBFF\\uDFFF", "\\U00010000-\\U0010FFFF"),
    # Unicode classes Python's re lacks, approximated: letters/digits by \w, separators by \s.
    ("\\p{L}", "\\w"),
    ("\\p{N}", "\\w"),
    ("\\p{Z}", "\\s"),
)


_JAVA_DOT_STAR = "[^\n\r\u0085\u2028\u2029]*"
_LINE_TERMINATOR = re.compile("[\n\r\u0085\u2028\u2029]")


def _python_pattern(java: str) -> re.Pattern[str] | None:
    """A model pattern (Java syntax) for Python's ``re``, or ``None`` when it cannot be
    expressed (the constraint is then not checked rather than checked wrongly)."""
    text = java
    for old, new in _JAVA_TO_PYTHON:
        text = text.replace(old, new)
    # Java's "." stops at every line terminator, Python's only at "\n". The models use a
    # bare "." only in ".*" (ValueAsString, NextToken): spell Java's meaning out.
    if text == ".*":
        text = _JAVA_DOT_STAR
    try:
        return re.compile(text)
    except re.error:
        return None


def _compile(shape: Shape, cache: dict[str, Check]) -> Check:
    cached = cache.get(shape.name)
    if cached is not None:
        return cached
    if isinstance(shape, StructureShape):
        check = _compile_structure(shape, cache)
    elif isinstance(shape, ListShape):
        check = _compile_list(shape, cache)
    else:
        phrases = _scalar_phrases(shape)

        def check(value: Any, path: str, errors: list[str]) -> None:
            for phrase in phrases(value):
                errors.append(_failure(value, path, phrase))

    cache[shape.name] = check
    return check


def _compile_structure(shape: StructureShape, cache: dict[str, Check]) -> Check:
    members: list[tuple[str, str, bool, Check]] = []
    required = set(shape.required_members)
    type_phrase = "Member must be a structure"
    # Recursive shapes: register a forwarder first so the recursion terminates.
    slot: list[Check] = []
    cache[shape.name] = lambda value, path, errors: slot[0](value, path, errors)
    for name, member in shape.members.items():
        members.append((name, _lower_camel(name), name in required, _compile(member, cache)))

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, dict):
            errors.append(_failure(value, path, type_phrase))
            return
        prefix = f"{path}." if path else ""
        for name, camel, is_required, member_check in members:
            item = value.get(name)
            if item is None:
                if is_required:
                    errors.append(_failure(None, prefix + camel, "Member must not be null"))
                continue
            member_check(item, prefix + camel, errors)

    slot.append(check)
    return check


def _compile_list(shape: ListShape, cache: dict[str, Check]) -> Check:
    minimum = shape.metadata.get("min")
    maximum = shape.metadata.get("max")
    member = shape.member
    scalar_member = not isinstance(member, (StructureShape, ListShape))
    member_phrases = _scalar_phrases(member) if scalar_member else None
    member_check = None if scalar_member else _compile(member, cache)

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not isinstance(value, list):
            errors.append(_failure(value, path, "Member must be a list"))
            return
        if minimum is not None and len(value) < minimum:
            errors.append(_failure(value, path, f"Member must have length greater than or equal to {minimum}"))
        if maximum is not None and len(value) > maximum:
            errors.append(_failure(value, path, f"Member must have length less than or equal to {maximum}"))
        if member_phrases is not None:
            # Coral reports violations of a list of scalars once, at the list.
            nested: list[str] = []
            for item in value:
                for phrase in ["Member must not be null"] if item is None else member_phrases(item):
                    if phrase not in nested:
                        nested.append(phrase)
            if nested:
                errors.append(
                    _failure(value, path, "Member must satisfy constraint: [" + ", ".join(nested) + "]")
                )
        elif member_check is not None:
            for index, item in enumerate(value, 1):
                item_path = f"{path}.{index}.member"
                if item is None:
                    errors.append(_failure(None, item_path, "Member must not be null"))
                else:
                    member_check(item, item_path, errors)

    return check


class ShapeValidator:
    """Validates a request dict against an operation's input shape, as AWS's front end does.

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
        shape = operation_model(service, operation).input_shape
        self._check = _compile(shape, {}) if shape is not None else None
        self._error = error
        self._fast = fast

    def validate(self, params: Any) -> None:
        """Raise the service's validation error when ``params`` breaks the model."""
        if self._check is None or (self._fast is not None and self._fast(params)):
            return
        errors: list[str] = []
        self._check(params, "", errors)
        if errors:
            raise self._error(validation_message(errors))


def validation_message(errors: Sequence[str]) -> str:
    """``N validation error(s) detected: a; b`` (at most ten parts are listed)."""
    count = len(errors)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(errors[:10])


_GROUP_NAME = re.compile(
    r"(arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]*:[0-9]{12}:feature-group/)?([a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63})"
)
_FEATURE_NAME = re.compile(r"^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}")
_TARGET_STORES = frozenset({"OnlineStore", "OfflineStore"})
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
    if not _name_ok(params.get("FeatureGroupName"), _GROUP_NAME, 150, _valid_group_names):
        return False
    record = params.get("Record")
    if type(record) is not list or not record:
        return False
    for feature in record:
        if type(feature) is not dict or not _name_ok(feature.get("FeatureName"), _FEATURE_NAME, 64, _valid_feature_names):
            return False
        text = feature.get("ValueAsString")
        if text is not None and (
            type(text) is not str or len(text) > MAX_RECORD_BYTES or _LINE_TERMINATOR.search(text) is not None
        ):
            return False
        items = feature.get("ValueAsStringList")
        if items is not None and (
            type(items) is not list
            or len(items) > MAX_RECORD_BYTES
            or any(type(item) is not str or _LINE_TERMINATOR.search(item) is not None for item in items)
        ):
            return False
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


def batch_write_record_is_valid(params: Any) -> bool:
    """:func:`put_record_is_valid` for BatchWriteRecord: 1 to 25 entries, each shaped like
    a PutRecord request (the entry's members are PutRecord's), and a valid request TTL."""
    entries = params.get("Entries")
    if type(entries) is not list or not 1 <= len(entries) <= 25:
        return False
    ttl = params.get("TtlDuration")
    if ttl is not None and not put_record_is_valid({"FeatureGroupName": "g", "Record": [{"FeatureName": "f"}], "TtlDuration": ttl}):
        return False
    return all(type(entry) is dict and put_record_is_valid(entry) for entry in entries)


# ---------------------------------------------------------------- time
_ISO_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (year 0 included,
    which ``datetime`` cannot represent)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (month <= 2), month, day


MIN_EVENT_MS = _days_from_civil(0, 1, 1) * 86_400_000
MAX_EVENT_MS = _days_from_civil(9999, 12, 31) * 86_400_000 + 86_399_999


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@functools.lru_cache(maxsize=4096)
def _day_number(year: int, month: int, day: int) -> int | None:
    """Days since the epoch of a real calendar date, else ``None`` (cached: event times
    of one test mostly share a few dates)."""
    if not 1 <= month <= 12:
        return None
    limit = 29 if month == 2 and _leap(year) else _DAYS_IN_MONTH[month - 1]
    if not 1 <= day <= limit:
        return None
    return _days_from_civil(year, month, day)


def parse_iso_ms(text: str) -> int | None:
    """``yyyy-MM-dd'T'HH:mm:ssZ`` or ``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` as epoch
    milliseconds, or ``None`` when ``text`` is neither or not a real date."""
    match = _ISO_TIME.fullmatch(text)
    if match is None:
        return None
    days = _day_number(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    hour, minute, second = int(text[11:13]), int(text[14:16]), int(text[17:19])
    if days is None or hour > 23 or minute > 59 or second > 59:
        return None
    millis = int(text[20:23]) if len(text) == 24 else 0
    return (days * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + millis


def format_iso_ms(millis: int) -> str:
    """Epoch milliseconds as an ISO-8601 instant, Java ``Instant.toString`` style:
    no fraction when it is zero, else three digits."""
    days, rest = divmod(millis, 86_400_000)
    year, month, day = _civil_from_days(days)
    seconds, ms = divmod(rest, 1000)
    hour, seconds = divmod(seconds, 3600)
    minute, second = divmod(seconds, 60)
    fraction = f".{ms:03d}" if ms else ""
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}Z"


def parse_fractional(text: str) -> float | None:
    """A Fractional value (decimal or scientific notation, finite double) or ``None``."""
    if _DECIMAL.fullmatch(text) is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def integral_ok(text: str) -> bool:
    """True when ``text`` is a signed 64-bit integer."""
    return _INTEGER.fullmatch(text) is not None and _INT64_MIN <= int(text) <= _INT64_MAX


def parse_event_time_ms(text: str, feature_type: str) -> int | None:
    """The instant an EventTime value denotes (epoch ms), or ``None`` when it is not in
    the feature type's format or outside ``[0000-01-01, 9999-12-31T23:59:59.999Z]``."""
    if feature_type == FRACTIONAL:
        seconds = parse_fractional(text)
        if seconds is None:
            return None
        millis = round(seconds * 1000)
    else:
        parsed = parse_iso_ms(text)
        if parsed is None:
            return None
        millis = parsed
    return millis if MIN_EVENT_MS <= millis <= MAX_EVENT_MS else None


def format_event_time(millis: int, feature_type: str) -> str:
    """An instant in the EventTime feature's own format (for rows the mock writes)."""
    if feature_type == FRACTIONAL:
        return repr(millis / 1000)
    return format_iso_ms(millis)


# ---------------------------------------------------------------- feature values
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


def event_time_message(feature: str, feature_type: str) -> str:
    """Text for an EventTime value in neither of its formats."""
    if feature_type == FRACTIONAL:
        expected = "seconds since the Unix epoch in decimal form, with millisecond precision"
    else:
        expected = "yyyy-MM-dd'T'HH:mm:ssZ or yyyy-MM-dd'T'HH:mm:ss.SSSZ"
    return (
        f"Validation Error: The EventTime feature value for the feature named [{feature}] "
        f"must be {expected}, between 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z."
    )


def _check_scalar(definition: FeatureDefinition, text: str) -> None:
    kind = definition.feature_type
    if kind == FRACTIONAL:
        if parse_fractional(text) is None:
            raise ValidationError(fractional_message(definition.name))
    elif kind == INTEGRAL:
        if not integral_ok(text):
            raise ValidationError(integral_message(definition.name))


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
) -> dict[str, str | list[str]]:
    """Check shape-valid feature values against the group's definitions (the checks of
    :func:`parse_record` that need no identifier or EventTime; UpdateRecord's)."""
    values, size = _parse_features(features, definitions, group_name)
    if size * 4 > MAX_RECORD_BYTES and _record_bytes(values) > MAX_RECORD_BYTES:
        raise ValidationError(
            f"Validation Error: The record size exceeds the maximum of {MAX_RECORD_BYTES} bytes."
        )
    return values


def _parse_features(
    record: list[dict[str, Any]], definitions: Mapping[str, FeatureDefinition], group_name: str
) -> tuple[dict[str, str | list[str]], int]:
    values: dict[str, str | list[str]] = {}
    size = 0
    for feature in record:
        name: str = feature["FeatureName"]
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
) -> tuple[dict[str, str | list[str]], str, int]:
    """Check a shape-valid ``Record`` against the group's features.

    :returns: the values by feature name (as sent; Set repeats removed), the record
        identifier value and the EventTime in epoch milliseconds.
    :raises ValidationError: with the first problem found.
    """
    values, size = _parse_features(record, definitions, group_name)
    identifier = values.get(identifier_name)
    if identifier is None:
        raise ValidationError(
            f"Validation Error: The record must contain a value for the RecordIdentifierFeatureName [{identifier_name}]."
        )
    event_text = values.get(event_time.name)
    if event_text is None:
        raise ValidationError(
            f"Validation Error: The record must contain a value for the EventTimeFeatureName [{event_time.name}]."
        )
    assert isinstance(identifier, str) and isinstance(event_text, str)  # scalars by CreateFeatureGroup rules
    # Characters are at most 4 UTF-8 bytes: encode only when the cheap bound is exceeded.
    if size * 4 > MAX_RECORD_BYTES and _record_bytes(values) > MAX_RECORD_BYTES:
        raise ValidationError(
            f"Validation Error: The record size exceeds the maximum of {MAX_RECORD_BYTES} bytes."
        )
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


TTL_UNIT_SECONDS = {"Seconds": 1, "Minutes": 60, "Hours": 3600, "Days": 86_400, "Weeks": 604_800}


def ttl_millis(ttl: Mapping[str, Any]) -> int:
    """A shape-valid ``TtlDuration`` in milliseconds."""
    return int(ttl["Value"]) * TTL_UNIT_SECONDS[ttl["Unit"]] * 1000
