"""Request ids: AWS's form (a version-4 UUID), never repeated in a process or across a fork."""
from __future__ import annotations

import os
import re

import pytest

from mock_putrecord.core.wire import new_request_id

UUID4 = r"[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}"


def test_ids_have_the_uuid4_form_and_never_repeat() -> None:
    ids = [new_request_id() for _ in range(10_000)]
    assert all(re.fullmatch(UUID4, request_id) for request_id in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_repeat_the_parents_ids() -> None:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, to the parent
        try:
            os.write(write, new_request_id().encode())
        finally:
            os._exit(0)
    os.close(write)
    child = os.read(read, 100).decode()
    os.waitpid(pid, 0)
    parent = new_request_id()
    assert re.fullmatch(UUID4, child)
    assert child.rsplit("-", 1)[0] != parent.rsplit("-", 1)[0]  # another prefix, not the next number
