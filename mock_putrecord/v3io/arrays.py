"""Array attributes: blob (``"B"``) attributes that hold a numeric array in the platform's
layout, which v3io-py's ``kv_array.py`` writes and reads (and its ``test_kv_array`` runs
against a real platform): the magic number 11223344 and version 1 (two uint32), the size of
the values in bytes and the operand type (two uint32: 259 for 64-bit integers, 261 for
doubles), then the values (8 bytes each), all little-endian as on the platform's x86
servers. The expression reference (array operator, array functions, data types) defines
what expressions do with them; :mod:`.expressions` evaluates that on these blobs."""
from __future__ import annotations

import struct

from .exceptions import InvalidArgument

_HEADER = struct.Struct("<IIII")
MAGIC, VERSION = 11223344, 1
LONG, DOUBLE = 259, 261
TYPES = {"int": LONG, "double": DOUBLE}
"""``init_array``'s type names (the array-functions page)."""

Number = int | float


def pack(values: list[Number], operand: int) -> bytes:
    """An array blob of ``values`` (integers for :data:`LONG`, doubles for :data:`DOUBLE`)."""
    code = "q" if operand == LONG else "d"
    return _HEADER.pack(MAGIC, VERSION, 8 * len(values), operand) + struct.pack(f"<{len(values)}{code}", *values)


def unpack(blob: object) -> tuple[list[Number], int]:
    """An array blob's values and operand type; ``Invalid argument`` if ``blob`` is not one."""
    if not isinstance(blob, bytes) or len(blob) < _HEADER.size:
        raise InvalidArgument("the attribute is not an array")
    magic, version, size, operand = _HEADER.unpack_from(blob)
    if (magic, version) != (MAGIC, VERSION) or operand not in (LONG, DOUBLE) or size != len(blob) - _HEADER.size \
            or size % 8:
        raise InvalidArgument("the attribute is not an array")
    code = "q" if operand == LONG else "d"
    return list(struct.unpack_from(f"<{size // 8}{code}", blob, _HEADER.size)), operand


def element(value: object, operand: int) -> Number:
    """``value`` as an element of an array of ``operand`` type: integer arrays take
    integers, double arrays any number; booleans are not converted (the data-types page)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgument(f"an array element must be a number, got {value!r}")
    if operand == DOUBLE:
        return float(value)
    if not isinstance(value, int):
        raise InvalidArgument(f"an integer array element must be an integer, got {value!r}")
    if not -(2 ** 63) <= value < 2 ** 63:
        raise InvalidArgument("an integer array element is 64 bits")
    return value


def index(value: object, length: int) -> int:
    """An array index: an integer from 0 to ``length`` - 1."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < length:
        raise InvalidArgument(f"array index {value!r} is outside 0..{length - 1}")
    return value
