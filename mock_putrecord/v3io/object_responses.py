"""The simple-object web API: requests without ``X-v3io-function``.

``GET /`` lists the containers; ``GET /<container>?prefix=<dir>`` (or a GET of a
directory) lists a directory, S3-style XML as v3io-py's ``container.list`` parses it;
``GET``/``HEAD``/``PUT``/``POST``/``DELETE`` of an object read, write and delete it. PUT
with ``Range: -1`` appends and ``Range: bytes=<n>-`` writes at offset ``n``; GET with
``Range: bytes=<a>-<b>`` reads that slice (206).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from itertools import islice
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from ..core.wire import WireRequest, WireResponse
from .container import DIRECTORY, OBJECT, SHARD, STREAM, Entry, V3ioContainer, v3io_backend
from .exceptions import InvalidArgument, NoSuchFileOrDirectory, RangeNotSatisfiable
from .models import normalize_path

MAX_KEYS = 1000
"""Entries per listing page when the request gives no ``max-keys`` (S3's default)."""
_RANGE = re.compile(r"bytes=(\d*)(?:-(\d*))?")
"""``bytes=a-b``, ``bytes=a-``, ``bytes=-n``, and ``bytes=a`` (what v3io-py sends for an
offset without a length)."""


def _time(ns: int) -> str:
    moment = datetime.fromtimestamp(ns / 1e9, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _xml(lines: list[str]) -> WireResponse:
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(lines)
    return WireResponse(200, body.encode(), {"Content-Type": "application/xml"})


def list_containers(endpoint: str) -> WireResponse:
    """GET / : every container of the endpoint."""
    lines = ["<ListAllMyBucketsResult>", "<Owner><ID>000000000000</ID><DisplayName>mock</DisplayName></Owner>",
             "<Buckets>"]
    for container in v3io_backend.containers(endpoint):
        lines.append(
            f"<Bucket><Name>{escape(container.name)}</Name><CreationDate>{_time(container.created_ns)}"
            f"</CreationDate><Id>{container.identifier}</Id></Bucket>"
        )
    lines += ["</Buckets>", "</ListAllMyBucketsResult>"]
    return _xml(lines)


def _query_int(query: dict[str, list[str]], name: str) -> int | None:
    values = query.get(name)
    if not values:
        return None
    try:
        number = int(values[0])
    except ValueError:
        raise InvalidArgument(f"{name} must be an integer") from None
    if number < 1:
        raise InvalidArgument(f"{name} must be positive")
    return number


def _content(key: str, entry: Entry, details: bool) -> str:
    obj = entry.obj
    size = len(obj.data) if obj is not None else 0
    parts = [f"<Contents><Key>{escape(key)}</Key><Size>{size}</Size>"]
    if obj is not None:
        parts.append(f"<LastModified>{_time(obj.mtime_ns)}</LastModified>")
        if details:
            parts.append(
                f"<Mode>0100644</Mode><CreatingTime>{_time(obj.ctime_ns)}</CreatingTime>"
                f"<InodeNumber>{obj.inode}</InodeNumber>"
            )
    parts.append("</Contents>")
    return "".join(parts)


def list_directory(container: V3ioContainer, path: str, raw_query: str) -> WireResponse:
    """GET /<container>?prefix=<dir>: one page of a directory (objects as ``Contents``,
    subdirectories and streams as ``CommonPrefixes``; a stream's shards are objects)."""
    query = parse_qs(raw_query, keep_blank_values=True)
    prefix = query.get("prefix")
    directory = normalize_path(f"{path}/{prefix[0]}" if prefix else path)
    limit = _query_int(query, "max-keys") or MAX_KEYS
    directories_only = query.get("prefix-only", ["0"])[0] not in ("", "0", "false")
    details = query.get("prefix-info", ["0"])[0] not in ("", "0", "false")
    base = f"{directory}/" if directory else ""
    marker = query.get("marker", [""])[0]
    after = normalize_path(marker)[len(base):] if marker and normalize_path(marker).startswith(base) else None
    with container.lock:
        kind = container.resolve(directory).kind
        if kind == OBJECT:  # a prefix naming one object lists that object
            entry = Entry(directory.rpartition("/")[2], OBJECT, container.objects[directory])
            page, truncated = [entry], False
        elif kind in (DIRECTORY, STREAM):
            entries = container.entries(directory, after)
            if directories_only:
                entries = (entry for entry in entries if entry.kind in (DIRECTORY, STREAM))
            page = list(islice(entries, limit + 1))
            truncated = len(page) > limit
            page = page[:limit]
        else:
            raise NoSuchFileOrDirectory(f"{container.name}/{directory}")
        contents = [_content(base + e.name if kind != OBJECT else directory, e, details)
                    for e in page if e.kind in (OBJECT, SHARD)]
        prefixes = [
            f"<CommonPrefixes><Prefix>{escape(base + e.name)}/</Prefix></CommonPrefixes>"
            for e in page
            if e.kind in (DIRECTORY, STREAM)
        ]
    next_marker = escape(base + page[-1].name) if truncated else ""
    lines = [
        "<ListBucketResult>",
        f"<Name>{escape(container.name)}</Name>",
        f"<NextMarker>{next_marker}</NextMarker>",
        f"<MaxKeys>{limit}</MaxKeys>",
        *contents,
        *prefixes,
        f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>",
        "</ListBucketResult>",
    ]
    return _xml(lines)


def _header(request: WireRequest, name: str) -> str | None:
    for key, value in request.headers.items():
        if key.lower() == name:
            return value
    return None


def get_object(container: V3ioContainer, path: str, request: WireRequest) -> WireResponse:
    """GET (whole or ``Range: bytes=a-b``) or HEAD of an object; a directory is an
    empty object (v3io-py's test HEADs a directory: ``Content-Length: 0``)."""
    head = request.method == "HEAD"
    with container.lock:
        kind = container.resolve(path).kind
        if kind in (DIRECTORY, STREAM):
            data = b""
        elif kind == OBJECT:
            stored = container.objects[path].data
            data = stored if isinstance(stored, bytes) else bytes(stored)
        else:
            raise NoSuchFileOrDirectory(f"{container.name}/{path}")
    headers = {"Content-Type": "application/octet-stream", "Content-Length": str(len(data))}
    ranged = _header(request, "range")
    status = 200
    if ranged is not None and not head:
        match = _RANGE.fullmatch(ranged.strip())
        if match is None or not (match.group(1) or match.group(2)):
            raise InvalidArgument(f"unsupported Range {ranged!r}")
        first, last = match.group(1), match.group(2)
        if not first:  # bytes=-n: the last n bytes
            start, stop = max(0, len(data) - int(last)), len(data)
        else:
            start = int(first)
            stop = min(len(data), int(last) + 1) if last else len(data)
        if start >= len(data) and data or (last and first and int(last) < start):
            raise RangeNotSatisfiable(f"Range {ranged!r} of {len(data)} bytes")
        headers["Content-Range"] = f"bytes {start}-{max(start, stop - 1)}/{len(data)}"
        data = data[start:stop]
        headers["Content-Length"] = str(len(data))
        status = 206
    return WireResponse(status, b"" if head else data, headers)


def put_object(container: V3ioContainer, path: str, request: WireRequest) -> WireResponse:
    """PUT/POST Object: create or replace, append (``Range: -1``), write at an offset
    (``Range: bytes=<n>-``); a path ending in ``/`` with no body makes a directory."""
    ranged = _header(request, "range")
    if unquote(request.path).endswith("/") and not request.body:
        container.make_directory(path)
        return WireResponse(200, b"", {})
    append, offset = False, None
    if ranged is not None:
        text = ranged.strip()
        if text == "-1":
            append = True
        else:
            match = _RANGE.fullmatch(text)
            if match is None or not match.group(1):
                raise InvalidArgument(f"unsupported Range {ranged!r}")
            offset = int(match.group(1))
    container.put_object(path, request.body, append=append, offset=offset)
    return WireResponse(200, b"", {})


def delete_object(container: V3ioContainer, path: str) -> WireResponse:
    """DELETE of an object, an empty directory, a shard or a stream directory: 204."""
    container.delete(path)
    return WireResponse(204, b"", {})
