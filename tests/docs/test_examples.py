"""Every ```python block of every docs/*.md page runs, so the docs cannot rot.

* A block titled like a test module (```python title="test_something.py"```) is run by
  pytest (through ``pytester``), and every test function in it must pass.
* Any other block is executed in a fresh namespace, and must leave no mock active.
* ```python title="not run"``` opts a block out; keep those rare (a test below counts them).
"""
from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from mock_putrecord.core.activation import active_activations, running_activations

pytest_plugins = ["pytester"]

DOCS = Path(__file__).resolve().parents[2] / "docs"
_FENCE = re.compile(r"^```python(?P<info>[^\n]*)\n(?P<source>.*?)^```[ \t]*$", re.S | re.M)
_TITLE = re.compile(r'title="(?P<title>[^"]*)"')


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    title: str
    source: str

    @property
    def id(self) -> str:
        return f"{self.page.name}:{self.line}"


def _blocks() -> list[Block]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            title = _TITLE.search(match["info"])
            line = text.count("\n", 0, match.start()) + 2  # first line of code
            found.append(Block(page, line, title["title"] if title else "", match["source"]))
    return found


def _skip_without_imports(block: Block) -> None:
    """Skip a block whose imports name an optional package this environment lacks (the
    newest-botocore CI set has no aiobotocore, sagemaker or v3io)."""
    for node in ast.walk(ast.parse(block.source)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        for name in names:
            top = name.split(".")[0]
            if importlib.util.find_spec(top) is None:
                pytest.skip(f"{block.id} needs {top}, which is not installed")


BLOCKS = _blocks()
RUN = [b for b in BLOCKS if b.title != "not run"]


def test_the_docs_have_examples_and_few_are_skipped() -> None:
    assert len(RUN) >= 20
    assert len(BLOCKS) - len(RUN) <= 2


@pytest.mark.parametrize("block", [b for b in RUN if not b.title.startswith("test_")], ids=lambda b: b.id)
def test_example_runs(block: Block) -> None:
    _skip_without_imports(block)
    # Pad with blank lines so tracebacks point at the page's own line numbers.
    code = compile("\n" * (block.line - 1) + block.source, str(block.page), "exec")
    try:
        exec(code, {"__name__": "__docs__"})
    finally:
        leaked = active_activations()
        for live in reversed(running_activations()):
            live.stop()
    assert not leaked, f"{block.id} left a mock active"


@pytest.mark.parametrize("block", [b for b in RUN if b.title.startswith("test_")], ids=lambda b: b.id)
def test_example_test_module_passes_under_pytest(pytester: pytest.Pytester, block: Block) -> None:
    assert block.title.endswith(".py"), f"{block.id}: a test module's title ends in .py"
    _skip_without_imports(block)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(**{block.title[:-3]: block.source})
    result = pytester.runpytest("-p", "no:randomly")
    expected = len(re.findall(r"^\s*(?:async )?def test_", block.source, re.M))
    assert result.ret == 0, f"{block.id}:\n" + "\n".join(result.outlines)
    result.assert_outcomes(passed=expected)
    assert active_activations() == []
