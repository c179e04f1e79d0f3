"""Example submissions kept beside each form (``NAME.examples.yaml``).

They document a form by showing it filled, and they are its tests: every valid example
must validate and every invalid one must fail with the errors it declares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .loader import read_yaml


@dataclass(frozen=True)
class Example:
    name: str
    data: Any
    valid: bool
    errors: tuple[tuple[str, str], ...] = field(default=())  # (path, code) an invalid one must produce


def examples_path(form_path: str | Path) -> Path:
    p = Path(form_path)
    return p.with_name(p.stem + ".examples.yaml")


def load_examples(form_path: str | Path) -> list[Example]:
    """The examples of a form; an empty list when it has none."""
    path = examples_path(form_path)
    if not path.is_file():
        return []
    raw = read_yaml(path).data or {}
    out = [Example(str(e.get("name", f"valid-{i}")), e.get("data"), True) for i, e in enumerate(raw.get("valid") or ())]
    for i, e in enumerate(raw.get("invalid") or ()):
        errors = tuple((str(x["path"]), str(x["code"])) for x in e.get("errors") or ())
        out.append(Example(str(e.get("name", f"invalid-{i}")), e.get("data"), False, errors))
    return out
