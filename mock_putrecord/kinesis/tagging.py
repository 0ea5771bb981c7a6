"""Tags of Kinesis resources: one store (the resource's ``tags``) and one set of rules
for AddTagsToStream/RemoveTagsFromStream/ListTagsForStream and for TagResource/
UntagResource/ListTagsForResource."""
from __future__ import annotations

import re
from typing import Sequence

from .exceptions import InvalidArgumentException
from .resources import Resource

MAX_TAGS = 50
"""Tags per resource (TagResource's documentation; AWS's message still says 10)."""

# Characters AWS refuses in tag keys and values (kinesalite's capture of its check).
_TAG_INVALID = re.compile(r"[^\u00C0-\u1FFF\u2C00-\uD7FF\w./\-=+_ @%]", re.ASCII)


def _check_characters(resource: Resource, kind: str, account_id: str, texts: Sequence[str], action: str) -> None:
    """AWS's two tag-character checks, in its order (texts captured by kinesalite)."""
    if any(_TAG_INVALID.search(text) for text in texts):
        raise InvalidArgumentException(
            "Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
            "white space, _ . / = + - % @."
        )
    if any("%" in text for text in texts):
        raise InvalidArgumentException(
            f"Failed to {action} {kind} {resource.name} under account {account_id} because some "
            "tags contained illegal characters. The allowed characters are Unicode letters, "
            "white-spaces, '_',',','/','=','+','-','@'."
        )


def add(resource: Resource, kind: str, account_id: str, tags: dict[str, str]) -> None:
    """Add or overwrite ``tags``; all or nothing, at most :data:`MAX_TAGS` in all."""
    _check_characters(resource, kind, account_id, [*tags, *tags.values()], "add tags to")
    merged = {**resource.tags, **tags}
    if len(merged) > MAX_TAGS:
        raise InvalidArgumentException(
            f"Failed to add tags to {kind} {resource.name} under account {account_id} "
            f"because a given {kind} cannot have more than 10 tags associated with it."
        )
    resource.tags = merged


def remove(resource: Resource, kind: str, account_id: str, keys: Sequence[str]) -> None:
    """Remove the tags with these keys (absent keys are ignored)."""
    _check_characters(resource, kind, account_id, keys, "remove tags from")
    for key in keys:
        resource.tags.pop(key, None)


def listing(resource: Resource, exclusive_start: str | None = None,
            limit: int | None = None) -> tuple[list[tuple[str, str]], bool]:
    """``(key, value)`` pairs sorted by key after ``exclusive_start``, and whether more follow."""
    keys = sorted(resource.tags)
    if exclusive_start is not None:
        keys = [k for k in keys if k > exclusive_start]
    limit = limit or MAX_TAGS
    return [(k, resource.tags[k]) for k in keys[:limit]], len(keys) > limit
