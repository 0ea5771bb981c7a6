"""Shard iterators: opaque tokens that carry their own position, so the mock keeps no
per-iterator state however many are created.

A token is base64 of ``00 00 00 00 00 00 00 01`` (the prefix AWS's iterators start with)
+ a payload + an HMAC of it with a per-process key, so a forged or mangled iterator is
"Invalid ShardIterator." as in AWS, and one older than five minutes has expired.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from typing import NamedTuple

from .exceptions import ExpiredIteratorException, InvalidArgumentException

EXPIRY_MS = 300000
_PREFIX = b"\x00\x00\x00\x00\x00\x00\x00\x01"
_KEY = os.urandom(32)
_MAC_BYTES = 16


class Iterator(NamedTuple):
    created_ms: int
    stream_name: str
    stream_created_ms: int
    shard_index: int
    position: int
    """The shard position (record index) of the first record to return."""


def encode(stream_name: str, stream_created: float, shard_index: int, position: int, now: float) -> str:
    payload = f"{int(now * 1000):014d}/{stream_name}/{int(stream_created * 1000)}/{shard_index}/{position}".encode()
    mac = hmac.new(_KEY, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.b64encode(_PREFIX + payload + mac).decode("ascii")


def _invalid() -> InvalidArgumentException:
    return InvalidArgumentException("Invalid ShardIterator.")


def decode(token: str, now: float) -> Iterator:
    """The iterator's fields; InvalidArgumentException or ExpiredIteratorException as AWS.
    An iterator wrapped in double quotes (a shell or JSON quoting slip) is accepted: AWS
    strips them."""
    if len(token) >= 2 and token[0] == token[-1] == '"':
        token = token[1:-1]
    try:
        raw = base64.b64decode(token, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid() from None
    if len(raw) <= len(_PREFIX) + _MAC_BYTES or not raw.startswith(_PREFIX):
        raise _invalid()
    payload, mac = raw[len(_PREFIX):-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not hmac.compare_digest(mac, hmac.new(_KEY, payload, hashlib.sha256).digest()[:_MAC_BYTES]):
        raise _invalid()
    created, name, stream_created, shard_index, position = payload.decode().split("/")
    iterator = Iterator(int(created), name, int(stream_created), int(shard_index), int(position))
    now_ms = int(now * 1000)
    if now_ms - iterator.created_ms > EXPIRY_MS:
        raise ExpiredIteratorException(
            f"Iterator expired. The iterator was created at time {_amz_utc(iterator.created_ms)} while "
            f"right now it is {_amz_utc(now_ms)} which is further in the future than the tolerated "
            f"delay of {EXPIRY_MS} milliseconds."
        )
    return iterator


def _amz_utc(ms: int) -> str:
    """``Thu Jan 22 01:22:02 UTC 2015`` (Java's Date.toString in UTC)."""
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(ms / 1000))
