"""Every python block of docs/featurestore.md runs as written."""
from __future__ import annotations

import pathlib
import re

import pytest

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "featurestore.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


def test_page_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("source", BLOCKS, ids=[f"block{number}" for number in range(len(BLOCKS))])
def test_docs_example_runs(source: str) -> None:
    exec(compile(source, str(PAGE), "exec"), {"__name__": "__docs__"})
