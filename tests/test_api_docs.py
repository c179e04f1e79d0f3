"""The Python examples of docs/api.md run: every ```python block, in order, in one namespace."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT

API = ROOT / "docs" / "api.md"
_BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of every fenced python block of a Markdown text."""
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


def test_api_page_has_examples() -> None:
    blocks = python_blocks(API.read_text("utf-8"))
    assert len(blocks) >= 8
    code = "\n".join(c for _, c in blocks)
    for name in ("formengine.load(", "load_dir(", ".validate(", ".json_schema()", ".model",
                 'render("docx"', "register_renderer(", "valid_submissions(", "broken_submissions(", ".extract("):
        assert name in code, f"docs/api.md has no example of {name}"


def test_api_examples_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("docx", reason="the examples render DOCX (pip install -e .[docx])")
    pytest.importorskip("hypothesis")
    from formengine import rendering

    monkeypatch.chdir(ROOT)
    # the page registers a renderer in this process: keep it out of the other tests
    monkeypatch.setattr(rendering, "_registered", dict(rendering._registered))
    monkeypatch.setattr(rendering, "_cache", dict(rendering._cache))
    namespace: dict[str, object] = {"__name__": "docs_api"}
    for line, code in python_blocks(API.read_text("utf-8")):
        try:
            exec(compile(code, f"{API}:{line}", "exec"), namespace)  # noqa: S102 - our own documentation
        except Exception as exc:
            raise AssertionError(f"docs/api.md, the python block at line {line} fails: {exc!r}") from exc
    capsys.readouterr()
