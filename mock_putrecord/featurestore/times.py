"""Feature Store time values: EventTime's two formats and its range, and TtlDuration.

EventTime is ISO-8601 (``yyyy-MM-dd'T'HH:mm:ssZ`` or with ``.SSS``) for a String feature,
or seconds since the epoch for a Fractional one, between 0000-01-01 and
9999-12-31T23:59:59.999Z. Dates use the proleptic Gregorian calendar with a year 0,
which ``datetime`` cannot represent, hence the civil-day arithmetic here.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from .definitions import FRACTIONAL, parse_fractional

_ISO_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z")
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


def _day_number(year: int, month: int, day: int) -> int | None:
    """Days since the epoch of a real calendar date, else ``None``."""
    if not 1 <= month <= 12:
        return None
    limit = 29 if month == 2 and _leap(year) else _DAYS_IN_MONTH[month - 1]
    if not 1 <= day <= limit:
        return None
    return _days_from_civil(year, month, day)


_iso_match = _ISO_TIME.fullmatch  # bound once: a method of a module global is looked up per call
_minute_ms: dict[str, int] = {}
"""``yyyy-MM-dd'T'HH:mm:`` prefixes already found valid, to their epoch milliseconds:
event times cluster (a batch, a DataFrame's rows), so most share a minute with an earlier
one and only their seconds need reading."""
_MAX_MINUTES = 4096  # bounded memory


def parse_iso_ms(text: str) -> int | None:
    """``yyyy-MM-dd'T'HH:mm:ssZ`` or ``yyyy-MM-dd'T'HH:mm:ss.SSSZ`` as epoch
    milliseconds, or ``None`` when ``text`` is neither or not a real date."""
    base = _minute_ms.get(text[:17])
    if base is not None:  # a known minute: the rest must be ``ss`` then ``Z`` or ``.SSSZ``
        seconds = text[17:19]
        if seconds.isdecimal():  # isdecimal: exactly the digits ``\d`` and int() take
            second = int(seconds)
            if second < 60 and len(text) == 20 and text[19] == "Z":
                return base + second * 1000
            if second < 60 and len(text) == 24 and text[19] == "." and text[23] == "Z" and text[20:23].isdecimal():
                return base + second * 1000 + int(text[20:23])
        # anything else gets the full check below
    if _iso_match(text) is None:
        return None
    days = _day_number(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    hour, minute, second = int(text[11:13]), int(text[14:16]), int(text[17:19])
    if days is None or hour > 23 or minute > 59 or second > 59:
        return None
    base = (days * 86_400 + hour * 3600 + minute * 60) * 1000
    if len(_minute_ms) < _MAX_MINUTES:
        _minute_ms[text[:17]] = base
    millis = int(text[20:23]) if len(text) == 24 else 0
    return base + second * 1000 + millis


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


def parse_event_time_ms(text: str, feature_type: str) -> int | None:
    """The instant an EventTime value denotes (epoch ms), or ``None`` when it is not in
    the feature type's format or outside ``[0000-01-01, 9999-12-31T23:59:59.999Z]``."""
    if feature_type != FRACTIONAL:
        return parse_iso_ms(text)  # four-digit years of real dates: always in the range
    seconds = parse_fractional(text)
    if seconds is None:
        return None
    millis = round(seconds * 1000)
    return millis if MIN_EVENT_MS <= millis <= MAX_EVENT_MS else None


def format_event_time(millis: int, feature_type: str) -> str:
    """An instant in the EventTime feature's own format (for rows the mock writes)."""
    if feature_type == FRACTIONAL:
        return repr(millis / 1000)
    return format_iso_ms(millis)


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


TTL_UNIT_SECONDS = {"Seconds": 1, "Minutes": 60, "Hours": 3600, "Days": 86_400, "Weeks": 604_800}


def ttl_millis(ttl: Mapping[str, Any]) -> int:
    """A shape-valid ``TtlDuration`` in milliseconds."""
    return int(ttl["Value"]) * TTL_UNIT_SECONDS[ttl["Unit"]] * 1000
