"""EventTime parsing: the remembered-minute shortcut reads exactly what the full check reads.

``parse_iso_ms`` answers a text whose ``yyyy-MM-dd'T'HH:mm:`` prefix it has already
validated from the prefix's cached milliseconds plus the seconds (and millis) it reads
itself. Texts that share a cached prefix but differ after it (bad seconds, other digits,
extra characters, a wrong suffix) must get the same answer as the regular expression and
the calendar check give a text seen for the first time.
"""
from __future__ import annotations

import random

import pytest

from mock_putrecord.featurestore import times


def _first_sight(text: str) -> int | None:
    """The full check, as for a minute never seen before."""
    if times._ISO_TIME.fullmatch(text) is None:  # noqa: SLF001 - the reference pattern
        return None
    days = times._day_number(int(text[0:4]), int(text[5:7]), int(text[8:10]))  # noqa: SLF001
    hour, minute, second = int(text[11:13]), int(text[14:16]), int(text[17:19])
    if days is None or hour > 23 or minute > 59 or second > 59:
        return None
    return (days * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + (int(text[20:23]) if len(text) == 24 else 0)


@pytest.mark.parametrize("seed", range(4))
def test_a_remembered_minute_reads_like_the_full_check(seed: int) -> None:
    rng = random.Random(seed)
    tails = ["Z", ".123Z", ".000Z", "Z ", ".12Z", "z", ".1234Z", "", ".12aZ", "+00:00"]
    for _ in range(20_000):
        prefix = f"20{rng.randint(20, 29)}-0{rng.randint(1, 2)}-{rng.choice(['01', '28', '29', '30'])}T1{rng.randint(0, 9)}:0{rng.randint(0, 3)}:"
        if rng.random() < 0.6:
            text = prefix + f"{rng.randint(0, 70):02d}" + rng.choice(tails)
        else:  # odd characters after a known prefix: other digits, signs, too short or long
            text = prefix + "".join(rng.choice("0123456789٥²:.Z- ") for _ in range(rng.randint(0, 7)))
        assert times.parse_iso_ms(text) == _first_sight(text), text


def test_known_instants() -> None:
    assert times.parse_iso_ms("1970-01-01T00:00:00Z") == 0
    assert times.parse_iso_ms("1970-01-01T00:00:01.500Z") == 1500  # the shortcut: same minute as above
    assert times.parse_iso_ms("1970-01-01T00:00:60Z") is None  # no leap seconds
    assert times.parse_iso_ms("2024-02-29T23:59:59.999Z") == 1709251199999
    assert times.parse_iso_ms("2023-02-29T00:00:00Z") is None  # not a real date
    assert times.parse_iso_ms("0000-01-01T00:00:00Z") == times.MIN_EVENT_MS
