"""Responses whose body is produced while the client reads it (event streams).

A :class:`StreamingWireResponse` carries a :class:`ChunkSource`: a blocking iterator
of body chunks that ends when the stream does. The botocore hook hands botocore a
:class:`RawStream` over it, which is what botocore's ``EventStream`` reads (``stream()``)
and what aiobotocore's reads (``content.iter_chunks()``).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, AsyncIterator, Iterator, Protocol

from .wire import WireResponse


class ChunkSource(Protocol):
    """A body produced chunk by chunk."""

    def __iter__(self) -> Iterator[bytes]:
        """The chunks, blocking until each is ready; ends with the stream."""
        ...

    def close(self) -> None:
        """Stop producing (the client went away); safe to call more than once."""
        ...


@dataclass
class StreamingWireResponse(WireResponse):
    """A 200 whose body is ``source`` (``body`` stays empty)."""

    source: ChunkSource | None = None

    def chunks(self) -> Iterator[bytes]:
        """The body's chunks, for transports that write as they go (the server)."""
        assert self.source is not None
        return iter(self.source)


class _AsyncContent:
    """aiohttp's ``StreamReader.iter_chunks()``, which aiobotocore's EventStream reads."""

    def __init__(self, raw: RawStream) -> None:
        self._raw = raw

    async def iter_chunks(self) -> AsyncIterator[tuple[bytes, bool]]:
        iterator = self._raw.iterator()
        try:
            while True:
                # The wait for the next chunk blocks on a condition: keep it off the loop.
                chunk = await asyncio.to_thread(next, iterator, None)
                if chunk is None:
                    return
                yield chunk, True
        finally:
            self._raw.close()


class RawStream:
    """The ``raw`` of a botocore (or aiobotocore) response over a :class:`ChunkSource`."""

    def __init__(self, source: ChunkSource) -> None:
        self._source = source
        self._iterator: Iterator[bytes] | None = None
        self.content = _AsyncContent(self)

    def iterator(self) -> Iterator[bytes]:
        if self._iterator is None:
            self._iterator = iter(self._source)
        return self._iterator

    def stream(self, **_: Any) -> Iterator[bytes]:
        """botocore's ``EventStream`` reads the body through this."""
        return self.iterator()

    def read(self, *_: Any) -> bytes:
        return b"".join(self.iterator())

    def close(self) -> None:
        self._source.close()
