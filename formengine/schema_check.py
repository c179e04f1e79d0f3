"""Structural check of a definition against ``schemas/form.schema.json``.

jsonschema reports in JSON terms; this module turns each error into a located
:class:`Problem` with a stable code and, for misspellings, a "did you mean".

Most definitions are valid: a compiled yes/no check (:mod:`formengine.fastschema`) answers
those in well under a millisecond, and jsonschema (imported only then) explains the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .codes import Localized, did_you_mean
from .errors import Problem
from .loader import Document

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@lru_cache(maxsize=1)
def form_schema() -> dict[str, Any]:
    text = resources.files("formengine.schemas").joinpath("form.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(form_schema())


@lru_cache(maxsize=1)
def _is_valid() -> Callable[[Any], bool] | None:
    """The compiled yes/no check, or None when the schema uses a keyword it does not know."""
    from .fastschema import Unsupported, compile_schema

    try:
        return compile_schema(form_schema())
    except Unsupported:
        return None


def check_document(doc: Document) -> list[Problem]:
    fast = _is_valid()
    if fast is not None and fast(doc.data):
        return []
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in _validator().iter_errors(doc.data):
        for problem in _explain(doc, error):
            key = (problem.path, problem.code + problem.message_en)
            if key not in seen:
                seen.add(key)
                problems.append(problem)
    return problems


def _explain(doc: Document, error: ValidationError) -> list[Problem]:
    from jsonschema.exceptions import best_match

    path = tuple(error.absolute_path)
    kind = error.validator
    if kind in ("oneOf", "anyOf") and error.context:
        inner = best_match(error.context)
        return _explain(doc, inner) if inner is not None else []
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        allowed = set((error.schema.get("properties") or {}).keys())
        extra = [k for k in error.instance if k not in allowed] or list(error.instance)
        comma = Localized("——文字含逗号时请加引号：en: \"a, b\"", " — quote a text that contains a comma: en: \"a, b\"")
        in_text = bool({"zh", "en"} & set(error.instance))
        return [doc.problem("schema.unknown_key", path + (k,), at_key=True, key=k,
                            suggestion=comma if in_text and k not in ("zh", "en") else did_you_mean(k, sorted(allowed)))
                for k in extra]
    if kind == "required" and isinstance(error.instance, dict):
        missing = [k for k in error.validator_value if k not in error.instance]
        return [doc.problem("schema.required", path, at_key=True, key=k) for k in missing]
    if kind == "enum":
        values = [str(v) for v in error.validator_value]
        shown = "、".join(values[:30]) + ("…" if len(values) > 30 else "")
        return [doc.problem("schema.enum", path, value=error.instance, allowed=shown,
                            suggestion=did_you_mean(str(error.instance), values))]
    if kind == "const":
        return [doc.problem("schema.enum", path, value=error.instance, allowed=error.validator_value, suggestion="")]
    if kind == "type":
        expected = error.validator_value
        expected = " / ".join(expected) if isinstance(expected, list) else expected
        return [doc.problem("schema.type", path, expected=_TYPE_NAMES.get(str(expected), str(expected)))]
    if kind == "pattern" and len(path) >= 2 and path[-2] == "include" and isinstance(error.instance, str):
        leaves = error.instance.startswith(("/", "\\")) or error.instance[1:2] == ":"
        return [doc.problem("include.outside_root" if leaves else "include.not_found", path, target=error.instance)]
    if kind == "pattern":
        return [doc.problem("schema.pattern", path, value=error.instance, detail=error.validator_value)]
    if kind in ("not", "if", "then", "else", "allOf") and error.context:
        inner = best_match(error.context)
        if inner is not None:
            return _explain(doc, inner)
    return [doc.problem("schema.invalid", path, detail=error.message[:300])]


_TYPE_NAMES = {
    "string": "文字 text", "integer": "整数 integer", "number": "数字 number", "boolean": "true/false",
    "object": "映射 mapping (key: value)", "array": "列表 list (- item)", "null": "空 null",
}
