"""Kinesis sequence numbers: AWS's 56-digit layout (version 2), as decoded by kinesalite.

The number is the decimal form of 47 hex digits::

    2 | shardCreateSecs(9) | shardIx%16(1) | seqIx(16) | 00 | seqTimeSecs(9) | shardIx(8) | 2

so it always has 56 digits, orders records of a shard by ``seqIx`` (a counter shared by
each group of five shards), and encodes the shard, which makes it unique in the stream.
"""
from __future__ import annotations

from dataclasses import dataclass

_POW_2_124 = 1 << 124
_POW_2_125_X16 = (1 << 125) * 16
_POW_2_185 = 1 << 185
_POW_2_185_X1_5 = 3 << 184
_MAX_CREATE_SECS = 16025175000
CLOSED_SEQ_IX = 0x7FFFFFFFFFFFFFFF
"""The ``seqIx`` of a closed shard's ``EndingSequenceNumber``."""


def shard_base(create_secs: int, shard_index: int) -> int:
    """The bits of a shard's sequence numbers that do not change from record to record."""
    return (
        (2 << 184)
        | ((create_secs & 0xFFFFFFFFF) << 148)
        | ((shard_index & 0xF) << 144)
        | ((shard_index & 0xFFFFFFFF) << 4)
        | 2
    )


SEQ_IX_SHIFT = 80
"""Where a sequence number holds its per-shard counter (``seqIx``): consecutive records of
a shard differ by ``1 << SEQ_IX_SHIFT`` when they arrive in the same second."""
SEQ_SECS_SHIFT = 36
SEQ_SECS_MASK = 0xFFFFFFFFF
"""The arrival time field: 36 bits of epoch seconds from bit ``SEQ_SECS_SHIFT`` on."""


def make_sequence(base: int, seq_ix: int, seq_secs: int) -> int:
    """A full sequence number from a shard's base, the counter value and the time."""
    return base | (seq_ix << SEQ_IX_SHIFT) | ((seq_secs & SEQ_SECS_MASK) << SEQ_SECS_SHIFT)


@dataclass(frozen=True)
class ParsedSequence:
    """The fields of a sequence number a request carried."""

    version: int
    create_secs: int
    shard_index: int
    seq_ix: int
    seq_secs: int


def parse_sequence(text: str) -> ParsedSequence:
    """Decode a sequence number; ``ValueError`` when AWS would call it invalid.

    Numbers below 2**124 are read as the old "version 0" layout (2**124 is added), whose
    shard index sits in hex digits 28..32 — which is why ``"5"`` encodes shard 5.
    """
    number = int(text)
    if number < _POW_2_124:
        number += _POW_2_124
    hexed = format(number, "x")
    if number < _POW_2_125_X16:
        create_secs = int(hexed[1:10], 16)
        if create_secs >= _MAX_CREATE_SECS:
            raise ValueError("creation time too large")
        return ParsedSequence(0, create_secs, int(hexed[28:32], 16), 0, 0)
    if not (_POW_2_185 < number < _POW_2_185_X1_5):
        raise ValueError("unknown layout")
    version = int(hexed[-1], 16)
    if version == 2:
        seq_ix_hex, shard_hex = hexed[11:27], hexed[38:46]
        if int(seq_ix_hex[0], 16) > 7:
            raise ValueError("sequence index too high")
        shard_index = int(shard_hex, 16)
        if int(shard_hex[0], 16) > 7:
            shard_index -= 1 << 32
        create_secs = int(hexed[1:10], 16)
        if create_secs >= _MAX_CREATE_SECS:
            raise ValueError("creation time too large")
        return ParsedSequence(2, create_secs, shard_index, int(seq_ix_hex, 16), int(hexed[29:38], 16))
    if version == 1:
        return ParsedSequence(
            1, int(hexed[1:10], 16), int(hexed[38:46], 16), int(hexed[36:38], 16), int(hexed[13:22], 16)
        )
    raise ValueError(f"unknown version {version}")


def shard_id_name(shard_index: int) -> str:
    """``3`` -> ``shardId-000000000003``."""
    if shard_index < 0:
        return "shardId--" + str(-shard_index).zfill(11)
    return "shardId-" + str(shard_index).zfill(12)


def resolve_shard_id(raw: str) -> int:
    """The shard index AWS reads from an id: the digits after the first ``-``
    (``shardId-1``, ``shard-1`` and ``x-1`` all mean shard 1). ``ValueError`` otherwise."""
    parts = raw.split("-")
    digits = parts[1] if len(parts) > 1 and parts[1] else raw
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(raw)
    index = int(digits)
    if index > 2147483647:
        raise ValueError(raw)
    return index
