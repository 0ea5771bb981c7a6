"""A case-insensitive, read-only header mapping for requests that arrive over a socket."""
from __future__ import annotations

from typing import Iterable, Iterator, Mapping


class Headers(Mapping[str, str]):
    """HTTP request headers: look-ups ignore case, iteration gives the names as sent.

    A header sent more than once keeps its values joined with ``", "`` (RFC 9110 §5.3).
    """

    __slots__ = ("_items",)

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        items: dict[str, tuple[str, str]] = {}
        for name, value in pairs:
            key = name.lower()
            previous = items.get(key)
            items[key] = (name, value if previous is None else f"{previous[1]}, {value}")
        self._items = items

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        item = self._items.get(name.lower())
        return default if item is None else item[1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({[item for item in self._items.values()]!r})"
