"""Timed list paging for ListQueues and ListChannels: a NextToken holds the next offset
and when it was issued, and expires as the model says ("Tokens expire after 300 seconds")."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Sequence, TypeVar

from ..core.clock import clock
from .exceptions import ExpiredNextTokenException, InvalidArgumentException

TOKEN_LIFETIME_SECONDS = 300
T = TypeVar("T")


def page(found: Sequence[T], token: str | None, limit: int, operation: str) -> tuple[Sequence[T], str | None]:
    """The ``limit`` items of ``found`` that ``token`` points at, and the next token
    (``None`` on the last page)."""
    start = 0 if token is None else _read_token(token, operation)
    end = start + limit
    following = base64.urlsafe_b64encode(json.dumps([end, clock.now()]).encode()).decode() if end < len(found) else None
    return found[start:end], following


def _read_token(token: str, operation: str) -> int:
    try:
        start, issued = json.loads(base64.urlsafe_b64decode(token.encode()))
        start, issued = int(start), float(issued)
    except (ValueError, TypeError, binascii.Error):
        raise InvalidArgumentException(f"Invalid NextToken provided to {operation}.") from None
    if clock.now() - issued > TOKEN_LIFETIME_SECONDS:
        raise ExpiredNextTokenException(f"NextToken {token} has expired.")
    return start
