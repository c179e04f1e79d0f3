"""Validating a submission: Pydantic for each value, then the form's own rules.

Fast path: one call of the form's fast validator (:func:`formengine.compiler.fast_validator`,
which falls back to ``model_validate`` for what it refuses), then the semantic pass fills
computed values into the instance in place. Slow path (only for invalid data): Pydantic's errors become issues,
the offending values are blanked in a copy, and the semantic pass runs on that copy so that
*every* problem is reported at once, without repeating the ones already found — up to
:data:`MAX_ISSUES`: past it the work stops and one ``too_many_issues`` issue says the rest were left out.
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

MAX_ISSUES = 1_000
"""The most issues one submission reports. A person corrects a form from a few dozen messages; a
submission with more is broken or hostile (a million bad rows), and listing every problem, each
with two messages, would let memory, time and the CLI's JSON grow with the submission."""


class _Enough(Exception):
    """Raised by :meth:`_Issues.add` for the first issue past the cap: ends the work early."""


class _Issues:
    """The issues of one submission, at most ``cap`` of them. The first one past the cap raises
    :class:`_Enough`, so the passes that report stop instead of finding problems nobody will read."""

    __slots__ = ("cap", "full", "items")

    def __init__(self, cap: int = MAX_ISSUES) -> None:
        self.items: list[ValidationIssue] = []
        self.cap = cap
        self.full = False

    def add(self, issue: ValidationIssue) -> None:
        if len(self.items) < self.cap:
            self.items.append(issue)
            return
        self.full = True
        raise _Enough

    def collected(self) -> list[ValidationIssue]:
        """The issues, and when some were left out, one last issue that says so."""
        return [*self.items, _left_out(self.cap)] if self.full else self.items


def _left_out(cap: int) -> ValidationIssue:
    return ValidationIssue.make("", "too_many_issues", limit=cap)


def capped(issues: list[ValidationIssue]) -> list[ValidationIssue]:
    """Issues gathered from several places (a file's and its submission's) capped together like one
    validation's: at most MAX_ISSUES, then one ``too_many_issues`` (never two)."""
    kept = [i for i in issues if i.code != "too_many_issues"]
    if len(kept) == len(issues) and len(kept) <= MAX_ISSUES:
        return issues
    return [*kept[:MAX_ISSUES], _left_out(MAX_ISSUES)]


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
    issues = _Issues()
    try:
        Evaluator(spec, instance.__dict__, issues.add, set(), native).evaluate()
    except _Enough:
        pass  # the instance is not returned: a half-done semantic pass does no harm
    found = issues.collected()
    return ValidationResult(None if found else instance, found)


def _invalid(spec: FormSpec, model: type[BaseModel], data: Mapping[str, Any], exc: ValidationError) -> ValidationResult:
    issues = _Issues()
    try:
        _report_invalid(spec, model, data, exc, issues)
    except _Enough:
        pass
    return ValidationResult(None, issues.collected())


def _report_invalid(spec: FormSpec, model: type[BaseModel], data: Mapping[str, Any], exc: ValidationError,
                    issues: _Issues) -> None:
    """Pydantic's errors as issues, then the semantic pass over a copy with the bad values blanked.
    Pydantic-core has no cap of its own (it always builds every error), but past the cap the
    errors are no longer read, and the copy, the re-validation and the semantic pass are skipped."""
    bad: set[str] = set()
    blanks: list[tuple[tuple[str | int, ...], bool]] = []
    for err in exc.errors(include_url=False, include_input=False):  # _issue() never reads the input
        parts = _data_path(data, err["loc"])
        blanks.append((parts, err["type"] == "extra_forbidden"))
        path = data_path(parts)
        if path in bad:
            continue  # one issue per value (a union reports each alternative)
        bad.add(path)
        issues.add(_issue(spec, path, parts, err))
    cleaned = _copy(dict(data))
    for parts, remove in blanks:
        _blank(cleaned, parts, remove)
    partial: dict[str, Any] | None = None
    for _ in range(3):  # blanking a value can only fix errors; a couple of rounds reach a valid copy
        try:
            partial = model.model_validate(cleaned).__dict__
            break
        except ValidationError as again:
            for err in again.errors(include_url=False, include_input=False):
                _blank(cleaned, _data_path(cleaned, err["loc"]), remove=err["type"] == "extra_forbidden")
    if partial is not None:
        Evaluator(spec, partial, issues.add, bad).evaluate()


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
