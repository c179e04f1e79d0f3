"""Validating a submission: Pydantic for each value, then the form's own rules.

Fast path: one call of the form's fast validator (:func:`formengine.compiler.fast_validator`,
which falls back to ``model_validate`` for what it refuses), then the semantic pass fills
computed values into the instance in place. Slow path (only for invalid data): Pydantic's errors become issues,
the offending values are blanked in a copy, and the semantic pass runs on that copy so that
*every* problem is reported at once, without repeating the ones already found.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from .compiler import fast_validator
from .errors import Lang, ValidationIssue, data_path
from .fieldtypes import TYPES
from .semantics import Evaluator
from .spec import Field, FormSpec, Grid, Table, Tree


@dataclass
class ValidationResult:
    """What ``Form.validate`` returns: never an exception for bad data."""

    value: BaseModel | None
    errors: list[ValidationIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def __bool__(self) -> bool:
        return self.ok

    def data(self) -> dict[str, Any] | None:
        """The validated value as JSON-ready data (computed fields included)."""
        return None if self.value is None else self.value.model_dump(mode="json", exclude_none=True)

    def format(self, lang: Lang = "zh") -> str:
        return "\n".join(e.format(lang) for e in self.errors)

    def by_path(self) -> dict[str, list[ValidationIssue]]:
        out: dict[str, list[ValidationIssue]] = {}
        for e in self.errors:
            out.setdefault(e.path, []).append(e)
        return out


def validate(spec: FormSpec, model: type[BaseModel], data: Any) -> ValidationResult:
    if type(data) is not dict and not isinstance(data, Mapping):  # a dict: no ABC check
        return ValidationResult(None, [ValidationIssue.make("", "not_object")])
    issues: list[ValidationIssue] = []
    instance: BaseModel | None = None
    fast = fast_validator(model)
    if fast is not None:
        try:  # native schemas: the instance the model would give, or refused
            instance = fast.validate_python(data)
        except ValidationError:
            pass
    native = instance is not None  # what the fast validator enforced, the semantic pass need not check
    if instance is None:
        try:
            instance = model.model_validate(data)
        except ValidationError as exc:
            return _invalid(spec, model, data, exc)
    Evaluator(spec, instance.__dict__, issues.append, set(), native).evaluate()
    return ValidationResult(None if issues else instance, issues)


def _invalid(spec: FormSpec, model: type[BaseModel], data: Mapping[str, Any], exc: ValidationError) -> ValidationResult:
    issues: list[ValidationIssue] = []
    bad: set[str] = set()
    cleaned = _copy(dict(data))
    for err in exc.errors(include_url=False):
        parts = _data_path(data, err["loc"])
        path = data_path(parts)
        if path in bad:
            continue  # one issue per value (a union reports each alternative)
        bad.add(path)
        issues.append(_issue(spec, path, parts, err))
        _blank(cleaned, parts, remove=err["type"] == "extra_forbidden")
    partial: dict[str, Any] | None = None
    for _ in range(3):  # blanking a value can only fix errors; a couple of rounds reach a valid copy
        try:
            partial = model.model_validate(cleaned).__dict__
            break
        except ValidationError as again:
            for err in again.errors(include_url=False):
                _blank(cleaned, _data_path(cleaned, err["loc"]), remove=err["type"] == "extra_forbidden")
    if partial is not None:
        Evaluator(spec, partial, issues.append, bad).evaluate()
    return ValidationResult(None, issues)


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of the mappings and lists of a submission, without recursion: garbage nested
    thousands of levels deep must be reported, not crash ``copy.deepcopy`` with a RecursionError."""
    out: dict[str, Any] = {}
    stack: list[tuple[Any, Any]] = [(data, out)]
    while stack:
        source, target = stack.pop()
        pairs = source.items() if isinstance(source, Mapping) else enumerate(source)
        for key, value in pairs:
            if isinstance(value, (Mapping, list)):
                child: Any = {} if isinstance(value, Mapping) else [None] * len(value)
                stack.append((value, child))
                value = child
            else:
                value = copy.copy(value)
            target[key] = value
    return out


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The part of Pydantic's location that exists in the data (drops union tags)."""
    out: list[str | int] = []
    node: Any = data
    for part in loc:
        if isinstance(node, Mapping) and isinstance(part, str) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, Mapping) and isinstance(part, str) and not out:
            out.append(part)  # a missing top-level key
            break
        else:
            break
    return tuple(out)


def _blank(data: Any, parts: tuple[str | int, ...], remove: bool) -> None:
    if not parts:
        return
    node = data
    for p in parts[:-1]:
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            return
    last = parts[-1]
    try:
        if remove and isinstance(node, dict):
            node.pop(last, None)
        else:
            node[last] = None
    except (KeyError, IndexError, TypeError):
        pass


def _field_at(spec: FormSpec, parts: tuple[str | int, ...]) -> Field | None:
    names = [p for p in parts if isinstance(p, str) and p != "children"]
    if not names:
        return None
    member = next((m for m in spec.members if m.id == names[0]), None)
    if isinstance(member, Field):
        return member
    if isinstance(member, (Table, Tree)) and len(names) > 1:
        return next((c for c in member.columns if c.id == names[1]), None)
    if isinstance(member, Grid):
        return member.cell
    return None


_DATE_ERRORS = ("date_", "datetime_")


def _issue(spec: FormSpec, path: str, parts: tuple[str | int, ...], err: Any) -> ValidationIssue:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "fe":
        params = {k: v for k, v in ctx.items() if k != "code"}
        code = ctx["code"]
        if code == "check":  # a pattern with the author's own message
            return ValidationIssue(path, "pattern", str(params["message_zh"]), str(params["message_en"]), params)
        if code == "type":
            return ValidationIssue.make(path, "type", **params)
        return ValidationIssue.make(path, code, **params)
    if kind == "extra_forbidden":
        return ValidationIssue.make(path, "unknown_field", name=parts[-1] if parts else path)
    f = _field_at(spec, parts)
    if f is not None and f.type == "date" and kind.startswith(_DATE_ERRORS):
        return ValidationIssue.make(path, "date", detail=err.get("msg", ""))
    if f is not None and f.type == "datetime":
        return ValidationIssue.make(path, "datetime")
    if f is not None and len(parts) == (1 if f in spec.fields else 3):
        ftype = TYPES[f.type]
        return ValidationIssue.make(path, "type", expected_zh=ftype.zh, expected_en=ftype.en)
    if kind in ("list_type", "tuple_type"):
        return ValidationIssue.make(path, "type", expected_zh="列表", expected_en="a list")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return ValidationIssue.make(path, "type", expected_zh="对象（键: 值）", expected_en="an object")
    if kind == "missing":
        return ValidationIssue.make(path, "required")
    return ValidationIssue.make(path, "type", expected_zh="有效的值", expected_en=f"a valid value ({err.get('msg', kind)})")
