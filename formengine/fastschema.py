"""A JSON Schema (2020-12 subset) compiled to one Python predicate: *is this instance valid?*

``jsonschema`` walks the schema anew for every document, which costs 10–20 ms per form
definition; most definitions are valid, and for those only the yes/no answer matters. This
module turns the schema into nested closures once, so answering takes well under a millisecond.
When the answer is *no*, :mod:`formengine.schema_check` still asks ``jsonschema`` for the
located, explained errors, so the messages are exactly the ones it always gave.

Only the keywords ``schemas/form.schema.json`` uses are compiled, with jsonschema's own
semantics (type checks, bool ≠ 1, keywords applying only to their instance type). Any other
keyword makes :func:`compile_schema` raise :class:`Unsupported`, and the caller falls back to
``jsonschema`` for every document: never a wrong *yes*.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Predicate = Callable[[Any], bool]

ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default",
                         "markdownDescription", "deprecated", "readOnly", "writeOnly",
                         "format"})  # format: an annotation unless a format checker is given (none is)


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not implement."""


# ---------------------------------------------------------------- jsonschema's notions


def _is_integer(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Number) and not isinstance(v, bool)


TYPES: dict[str, Predicate] = {
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "integer": _is_integer,
    "null": lambda v: v is None,
    "number": _is_number,
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}


def _unbool(v: Any, true: object = object(), false: object = object()) -> Any:
    if v is True:
        return true
    if v is False:
        return false
    return v


def equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: True is not 1, recursively."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


def _unique(items: list[Any]) -> bool:
    if all(type(e) is str for e in items):  # the usual case: equal() of text is ==
        return len(set(items)) == len(items)
    seen: list[Any] = []
    for e in items:
        e = _unbool(e)
        if any(equal(s, e) for s in seen):
            return False
        seen.append(e)
    return True


_NUMBER_BOUNDS: tuple[tuple[str, Callable[[Any, Any], bool]], ...] = (
    ("minimum", lambda v, x: v >= x), ("maximum", lambda v, x: v <= x),
    ("exclusiveMinimum", lambda v, x: v > x), ("exclusiveMaximum", lambda v, x: v < x))


def _bound(ok: Callable[[Any, Any], bool], limit: Any) -> Predicate:
    return lambda v: not _is_number(v) or ok(v, limit)


# ---------------------------------------------------------------- the compiler


class _Compiler:
    def __init__(self, root: Any):
        self.root = root
        self.refs: dict[str, Predicate] = {}

    def ref(self, pointer: str) -> Predicate:
        if pointer in self.refs:
            return self.refs[pointer]
        if not pointer.startswith("#"):
            raise Unsupported(f"$ref {pointer}")
        box: list[Predicate] = []
        self.refs[pointer] = lambda v: box[0](v)  # for recursion: what refers to it while it compiles
        target = self.root
        for part in [p for p in pointer[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            target = target[int(part)] if isinstance(target, list) else target[part]
        box.append(self.compile(target))
        self.refs[pointer] = box[0]  # later references call it directly
        return box[0]

    def compile(self, schema: Any) -> Predicate:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        unknown = set(schema) - ANNOTATIONS - KEYWORDS
        if unknown:
            raise Unsupported(", ".join(sorted(unknown)))
        if "$id" in schema and schema is not self.root:  # a new base for $ref: not followed here
            raise Unsupported("$id below the root")
        checks: list[Predicate] = []
        s = schema
        if "$ref" in s:
            checks.append(self.ref(s["$ref"]))
        if "type" in s:
            names = s["type"] if isinstance(s["type"], list) else [s["type"]]
            preds = [TYPES[n] for n in names]
            if len(preds) == 1:
                checks.append(preds[0])
            else:
                kinds = tuple(preds)
                checks.append(lambda v: any(p(v) for p in kinds))
        if "enum" in s:
            options = list(s["enum"])
            texts = frozenset(o for o in options if isinstance(o, str))  # equal() of text is ==
            others = [o for o in options if not isinstance(o, str)]
            if not others:
                checks.append(lambda v: isinstance(v, str) and v in texts)
            else:
                checks.append(lambda v: v in texts if isinstance(v, str) else any(equal(o, v) for o in others))
        if "const" in s:
            const = s["const"]
            checks.append(lambda v: equal(v, const))
        # strings
        if "minLength" in s:
            n = s["minLength"]
            checks.append(lambda v: not isinstance(v, str) or len(v) >= n)
        if "maxLength" in s:
            m = s["maxLength"]
            checks.append(lambda v: not isinstance(v, str) or len(v) <= m)
        if "pattern" in s:
            search = re.compile(s["pattern"]).search
            checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
        # numbers
        for key, ok in _NUMBER_BOUNDS:
            if key in s:
                checks.append(_bound(ok, s[key]))
        # arrays
        if "items" in s:
            item = self.compile(s["items"])
            checks.append(lambda v: not isinstance(v, list) or all(item(i) for i in v))
        if "minItems" in s:
            n_items = s["minItems"]
            checks.append(lambda v: not isinstance(v, list) or len(v) >= n_items)
        if "maxItems" in s:
            m_items = s["maxItems"]
            checks.append(lambda v: not isinstance(v, list) or len(v) <= m_items)
        if s.get("uniqueItems"):
            checks.append(lambda v: not isinstance(v, list) or _unique(v))
        # objects
        checks.extend(self._object(s))
        # combinators
        if "allOf" in s:
            checks.append(_all([self.compile(x) for x in s["allOf"]]))
        if "anyOf" in s:
            keys = [_required_only(x) for x in s["anyOf"]]
            if all(k is not None and len(k) == 1 for k in keys):  # [{required: [a]}, {required: [b]}]: a or b is there
                present = frozenset(k[0] for k in keys if k is not None)
                checks.append(lambda v: not isinstance(v, dict) or not present.isdisjoint(v))
            else:
                any_subs = [self.compile(x) for x in s["anyOf"]]
                checks.append(lambda v: any(p(v) for p in any_subs))
        if "oneOf" in s:
            one_subs = [self.compile(x) for x in s["oneOf"]]
            checks.append(lambda v: sum(1 for p in one_subs if p(v)) == 1)
        if "not" in s:
            negated = self.compile(s["not"])
            checks.append(lambda v: not negated(v))
        if "if" in s:
            cond = self.compile(s["if"])
            then = self.compile(s["then"]) if "then" in s else None
            other = self.compile(s["else"]) if "else" in s else None
            if then is not None or other is not None:
                def if_then_else(v: Any) -> bool:
                    if cond(v):
                        return then is None or then(v)
                    return other is None or other(v)
                checks.append(if_then_else)
        return _all(checks)

    def _object(self, s: dict[str, Any]) -> list[Predicate]:
        out: list[Predicate] = []
        props: dict[str, Predicate] = {k: self.compile(x) for k, x in (s.get("properties") or {}).items()}
        extra = self.compile(s["additionalProperties"]) if "additionalProperties" in s else None
        if props or extra is not None:
            def members(v: Any) -> bool:  # properties and additionalProperties in one pass over the keys
                if not isinstance(v, dict):
                    return True
                for k, x in v.items():
                    p = props.get(k)
                    if p is None:
                        if extra is not None and not extra(x):
                            return False
                    elif not p(x):
                        return False
                return True
            out.append(members)
        if "required" in s:
            required = frozenset(s["required"])
            out.append(lambda v: not isinstance(v, dict) or v.keys() >= required)
        if "minProperties" in s:
            n = s["minProperties"]
            out.append(lambda v: not isinstance(v, dict) or len(v) >= n)
        if "maxProperties" in s:
            m = s["maxProperties"]
            out.append(lambda v: not isinstance(v, dict) or len(v) <= m)
        if "propertyNames" in s:
            names = self.compile(s["propertyNames"])
            out.append(lambda v: not isinstance(v, dict) or all(names(k) for k in v))
        if "dependentRequired" in s:
            deps = tuple((k, tuple(x)) for k, x in s["dependentRequired"].items())
            out.append(lambda v: not isinstance(v, dict) or all(d in v for k, ds in deps if k in v for d in ds))
        if "dependentSchemas" in s:
            schemas = tuple((k, self.compile(x)) for k, x in s["dependentSchemas"].items())
            out.append(lambda v: not isinstance(v, dict) or all(p(v) for k, p in schemas if k in v))
        return out


def _required_only(schema: Any) -> list[Any] | None:
    """The key list of a schema that only requires keys (``{required: [a]}``), else None."""
    if isinstance(schema, dict) and set(schema) - ANNOTATIONS == {"required"} and isinstance(schema["required"], list):
        return schema["required"]
    return None


def _all(checks: list[Predicate]) -> Predicate:
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    every = tuple(checks)

    def all_of(v: Any) -> bool:
        for c in every:
            if not c(v):
                return False
        return True
    return all_of


KEYWORDS = frozenset({
    "$ref", "type", "enum", "const", "minLength", "maxLength", "pattern", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "items", "minItems", "maxItems", "uniqueItems", "properties",
    "required", "additionalProperties", "minProperties", "maxProperties", "propertyNames",
    "dependentRequired", "dependentSchemas", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
})


def compile_schema(schema: Any) -> Predicate:
    """A predicate equal to ``jsonschema.Draft202012Validator(schema).is_valid`` (no format checker);
    :class:`Unsupported` when the schema uses anything else."""
    if isinstance(schema, dict) and schema.get("$schema", "https://json-schema.org/draft/2020-12/schema") not in (
            "https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#"):
        raise Unsupported(f"$schema {schema.get('$schema')}")
    return _Compiler(schema).compile(schema)
