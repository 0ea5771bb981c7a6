"""v3io errors, one class per error the streaming web API (or the object layer under it)
answers with, rendered as v3io's JSON error body ``{"ErrorCode": int, "ErrorMessage": str}``.

For the streaming web API, ``ErrorMessage`` is the exception name, not prose (Iguazio
web-API docs, "Error Information"). Codes and statuses marked *documented* come from the
references; the others are stable values chosen by this mock (see docs/v3io.md), because
no public source records them.
"""
from __future__ import annotations

import json
from typing import ClassVar

from ..core.errors import ServiceError
from ..core.wire import WireResponse

JSON_HEADERS = {"Content-Type": "application/json"}


class V3ioError(ServiceError):
    """Base class: ``code`` is the wire ``ErrorMessage``, ``error_code`` the ``ErrorCode``.

    :param detail: an explanation for the Python-side message only; the wire body carries
        exactly what v3io sends.
    """

    code: ClassVar[str] = "InvalidArgumentException"
    status: ClassVar[int] = 400
    error_code: ClassVar[int] = -201326592

    def __init__(self, detail: str = "") -> None:
        super().__init__(self.code)
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code

    def to_wire(self) -> WireResponse:
        """The HTTP response v3io answers with."""
        body = json.dumps({"ErrorCode": self.error_code, "ErrorMessage": self.code})
        return WireResponse(self.status, body.encode(), dict(JSON_HEADERS))


class InvalidArgumentException(V3ioError):
    """A request parameter is not valid (documented: 400, RC_STREAM_INVALID_ARG)."""

    code = "InvalidArgumentException"
    status = 400
    error_code = -201326592


class ShardIDOutOfRangeException(V3ioError):
    """The shard does not exist in the stream (documented: 400, RC_STREAM_OUT_OF_SHARD_RANGE)."""

    code = "ShardIDOutOfRangeException"
    status = 400
    error_code = -201326594


class ResourceNotFoundException(V3ioError):
    """The stream path does not exist (404 as before platform 2.10; code chosen: -ENOENT)."""

    code = "ResourceNotFoundException"
    status = 404
    error_code = -2


class ResourceInUseException(V3ioError):
    """CreateStream on a path that already exists (409, which storey and mlrun both accept;
    code chosen: -EEXIST)."""

    code = "ResourceInUseException"
    status = 409
    error_code = -17


class ResourceIsnotStream(V3ioError):
    """The path exists but is not a stream (PutRecords docs spelling; code chosen)."""

    code = "ResourceIsnotStream"
    status = 400
    error_code = -201326593


class ResourceNotStreamException(V3ioError):
    """The path exists but is not a stream (UpdateStream docs spelling; code chosen)."""

    code = "ResourceNotStreamException"
    status = 400
    error_code = -201326593


class InvalidShardCountException(V3ioError):
    """UpdateStream with a shard count that is not larger than the current one (code chosen)."""

    code = "InvalidShardCountException"
    status = 400
    error_code = -201326595


class IllegalLocationException(V3ioError):
    """GetRecords with a Location this shard never issued (v3io-go matches this name; code
    chosen)."""

    code = "IllegalLocationException"
    status = 400
    error_code = -201326596


class PermissionDenied(V3ioError):
    """Missing or bad session key / Authorization (real body ``{"ErrorCode": -13,
    "ErrorMessage": "Permission denied"}``, quoted in v3io-go's tests; status chosen: 403)."""

    code = "Permission denied"
    status = 403
    error_code = -13


class NoSuchFileOrDirectory(V3ioError):
    """Object-layer request (list/delete) on a path that does not exist (documented: 404, -2)."""

    code = "No such file or directory"
    status = 404
    error_code = -2


class DirectoryNotEmpty(V3ioError):
    """DELETE of a directory that still holds streams (object layer; -ENOTEMPTY, 409 chosen)."""

    code = "Directory not empty"
    status = 409
    error_code = -39


class ResourceNotFoundOnSeek(ResourceNotFoundException):
    """Seek on a missing stream from platform 2.10 on: the same body, status 400 (storey
    ``integration/test_flow_integration.py`` ``GetShardData``: "Regression in 2.10")."""

    status = 400


class ContainerNotFound(V3ioError):
    """Any function on a container that does not exist (404 and the text "Container not
    found": v3io-py ``tests/test_client_errors.py`` ``test_raise_http_response_error``;
    code chosen: -ENOENT)."""

    code = "Container not found"
    status = 404
    error_code = -2


class InvalidArgument(V3ioError):
    """A malformed object/KV request or expression (errno-style, like the documented
    ``-1 "Operation not permitted"``; code -EINVAL and status 400 chosen)."""

    code = "Invalid argument"
    status = 400
    error_code = -22


class ConditionFalse(V3ioError):
    """A ConditionExpression that evaluated to false: 400 with ErrorCode 16777244, the
    code storey's ``V3ioDriver._is_false_condition_error`` looks for (sign as every other
    v3io code; the message text is chosen)."""

    code = "Condition evaluated to false"
    status = 400
    error_code = -16777244


class NotADirectory(V3ioError):
    """A path goes through an object as if it were a directory (-ENOTDIR; 400 chosen)."""

    code = "Not a directory"
    status = 400
    error_code = -20


class RangeNotSatisfiable(V3ioError):
    """A GET or PUT ``Range`` outside the object (416 as in HTTP; code -EINVAL chosen)."""

    code = "Invalid argument"
    status = 416
    error_code = -22


class IsADirectory(V3ioError):
    """PUT Object (or PutItem) on a directory, a stream or a shard (-EISDIR; 400 chosen)."""

    code = "Is a directory"
    status = 400
    error_code = -21
