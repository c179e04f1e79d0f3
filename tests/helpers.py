"""Small helpers for tests that write their own forms."""

from __future__ import annotations

import textwrap
from pathlib import Path

import formengine
from formengine.errors import FormDefinitionError


def write_form(tmp_path: Path, body: str, name: str = "form.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def load_text(tmp_path: Path, body: str) -> formengine.Form:
    return formengine.load(write_form(tmp_path, body))


def problems(tmp_path: Path, body: str, name: str = "form.yaml") -> list[formengine.Problem]:
    try:
        formengine.load(write_form(tmp_path, body, name))
    except FormDefinitionError as exc:
        return exc.problems
    raise AssertionError("the definition loaded without problems")


def codes(tmp_path: Path, body: str) -> set[str]:
    return {p.code for p in problems(tmp_path, body)}
