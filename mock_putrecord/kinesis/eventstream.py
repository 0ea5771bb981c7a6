"""The ``application/vnd.amazon.eventstream`` message format, as SubscribeToShard sends it.

A message is a 12-byte prelude (total length, headers length, CRC32 of those eight
bytes), the headers, the payload, and a CRC32 of everything before it. Headers here are
all strings (type 7: a one-byte name length, the name, the type byte, a two-byte value
length, the value). botocore's ``botocore.eventstream`` is the parser they are tested with.
"""
from __future__ import annotations

import json
import struct
from typing import Any, Mapping
from zlib import crc32

CONTENT_TYPE = "application/vnd.amazon.eventstream"
_STRING = 7


def encode_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One event-stream message."""
    encoded = b"".join(
        struct.pack("!B", len(name)) + name + struct.pack("!BH", _STRING, len(value)) + value
        for name, value in ((n.encode(), v.encode()) for n, v in headers.items())
    )
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded))
    message = prelude + struct.pack("!I", crc32(prelude)) + encoded + payload
    return message + struct.pack("!I", crc32(message))


def event(event_type: str, payload: Mapping[str, Any]) -> bytes:
    """An event (``initial-response`` or a modelled event such as ``SubscribeToShardEvent``)
    with a JSON payload."""
    return encode_message(
        {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"},
        json.dumps(payload, separators=(",", ":")).encode(),
    )


def exception(code: str, message: str) -> bytes:
    """A modelled exception event (botocore raises it as ``EventStreamError``)."""
    return encode_message(
        {":exception-type": code, ":content-type": "application/json", ":message-type": "exception"},
        json.dumps({"message": message}, separators=(",", ":")).encode(),
    )
