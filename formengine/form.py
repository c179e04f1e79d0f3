"""The runtime object users hold: a checked form with its model, rules and renderers."""

from __future__ import annotations

import gc
import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .builder import build_form
from .compiler import build_model
from .errors import FormDefinitionError, Problem
from .library import find_root
from .spec import FormSpec, Text
from .validation import ValidationResult, validate

if TYPE_CHECKING:
    from .extraction import ExtractionResult


class _WithoutGcPauses:
    """Building a form, its model or a validated submission allocates thousands of small objects
    in a burst, none of them garbage; the cycle collector would run over them, and over the whole
    heap, several times meanwhile (~15% of a load, ~15% of validating a 2,000-row table).
    Collection is paused for the burst and resumed as it was: what it defers, one pass does after.
    A class, not @contextmanager: this wraps every validation, so it should cost nothing."""

    __slots__ = ("was_enabled",)

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_enabled:
            gc.enable()


class Form:
    """A loaded form. Build it with :func:`formengine.load`."""

    def __init__(self, spec: FormSpec):
        self.spec = spec

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> Text:
        return self.spec.title

    @cached_property
    def model(self) -> type[BaseModel]:
        """The Pydantic v2 model of a submission (built on first use, then cached)."""
        with _WithoutGcPauses():
            return build_model(self.spec)

    def validate(self, data: Any) -> ValidationResult:
        """Check a submission; never raises on bad data. ``.errors`` lists every problem."""
        model = self.model
        with _WithoutGcPauses():
            return validate(self.spec, model, data)

    def json_schema(self) -> dict[str, Any]:
        """JSON Schema of a submission."""
        schema: dict[str, Any] = self.model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        required = [f.id for f in self.spec.fields if f.required and not f.visible_if and f.compute is None]
        required += [t.id for t in self.spec.tables if t.min_rows and not t.visible_if]
        if required:
            schema["required"] = required
        return schema

    def render(self, format: str, data: Any = None, **options: Any) -> str | bytes:
        """Render blank (``data=None``) or filled; invalid data is refused with its errors."""
        from .rendering import render

        return render(self, format, data, **options)

    def extract(self, source: str | Path | bytes, format: str | None = None) -> ExtractionResult:
        """Read a filled fillable Word/Excel file back and validate it; never raises on a bad file.

        Errors carry where the value sits in the document (``issue.where("zh")``).
        """
        from .extraction import extract

        return extract(self, source, format)

    def __repr__(self) -> str:
        return f"<Form {self.id} {self.title.zh}>"


def load(path: str | Path, *, root: str | Path | None = None) -> Form:
    """Load one form file; raise :class:`FormDefinitionError` listing every problem."""
    with _WithoutGcPauses():
        return Form(build_form(Path(path), root))


FORM_SUFFIXES = (".yaml", ".yml")


def form_files(folder: str | Path) -> list[Path]:
    """The form files below a folder (not ``_*`` folders, examples or the root marker)."""
    base = Path(folder)
    out = []
    for p in sorted(base.rglob("*")):
        if p.suffix not in FORM_SUFFIXES or not p.is_file():
            continue
        rel = p.relative_to(base).parts
        if any(part.startswith(("_", ".")) for part in rel[:-1]):
            continue
        if p.name == "formengine.yaml" or p.name.endswith((".examples.yaml", ".examples.yml")):
            continue
        out.append(p)
    return out


def load_dir(path: str | Path) -> dict[str, Form]:
    """Load every form below a folder, keyed by form id; problems of all files are raised together."""
    base = Path(path)
    root = find_root(base / "x") if (base / "formengine.yaml").is_file() else None
    forms: dict[str, Form] = {}
    problems: list[Problem] = []
    where: dict[str, str] = {}
    for file in form_files(base):
        try:
            form = load(file, root=root or find_root(file))
        except FormDefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if form.id in forms:
            problems.append(Problem.make("id.duplicate", file=str(file), line=1, column=1, path="id",
                                         id=form.id, first=where[form.id]))
            continue
        forms[form.id] = form
        where[form.id] = str(file)
    if problems:
        raise FormDefinitionError(problems)
    return forms


def load_data(path: str | Path) -> Any:
    """Read submission data from JSON or YAML (safe loader)."""
    from .loader import YamlError, read_yaml

    p = Path(path)
    if p.suffix == ".json":
        return json.loads(p.read_text("utf-8"))
    try:
        return read_yaml(p).data
    except YamlError as exc:
        raise FormDefinitionError(exc.problems) from None
