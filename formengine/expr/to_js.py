"""Compile a checked expression to JavaScript: the browser twin of :mod:`.to_python`.

``to_js(checked)`` returns one JavaScript *expression* (no statements) over four names:

* ``form`` – the form's values as a plain object ``{field_id: value}``;
* ``row`` – the current table row or tree node as a plain object (``null`` outside tables);
* ``ctx`` – ``{index: i}`` in a table row (0-based), ``{outline: [i, j, …]}`` in a tree node
  (0-based indexes from the root), ``null`` otherwise;
* ``R`` – the runtime in ``runtime.js`` (``globalThis.FormEngineRuntime``).

Values in ``form`` and ``row`` are runtime values, not raw JSON: ints as BigInt, money and
decimals as ``R.Dec`` (``R.num(text, 'decimal')``), dates as ``R.DateValue`` (``R.date``),
text as strings, tables as arrays of row objects, grids as ``{row: {column: value}}``,
records (date ranges, signatures …) as plain objects.  Names are read with
``R.get(obj, "name")``, which gives ``null`` for a missing or ``undefined`` entry, so a
half-filled page never throws on a missing key.

A page evaluates it as ``new Function("form", "row", "ctx", "R", "return " + code)``; the
result is the same value Python's compiled function returns (``R.toJSON`` turns it into
what the server accepts).  Every name resolves statically through ``checked.where``
exactly as in :mod:`.to_python`, and nothing written by the form author reaches the output
unquoted: names, attributes and text go through :func:`js_string`, which also escapes
``<``, ``>``, ``&``, U+2028 and U+2029 so the code is safe inside an inline ``<script>``.
"""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from .check import LITERAL_NAMES, Checked
from .functions import FUNCTIONS

RUNTIME_PATH = Path(__file__).with_name("runtime.js")

_BINOPS = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
    ast.FloorDiv: "floordiv", ast.Mod: "mod", ast.Pow: "pow",
}
_UNARY = {ast.Not: "not", ast.USub: "neg", ast.UAdd: "pos"}
_COMPARE = {
    ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge",
    ast.In: "in", ast.NotIn: "notIn",
}
_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def js_string(value: str) -> str:
    """A JavaScript string literal for *value*, safe anywhere in an HTML ``<script>``.

    ``json.dumps`` with ``ensure_ascii`` escapes quotes, backslashes, control characters and
    every non-ASCII character (U+2028 / U+2029 included); ``<``, ``>`` and ``&`` are escaped
    too, so ``</script>`` or ``<!--`` can never appear in the output.
    """
    text = json.dumps(value, ensure_ascii=True)
    for char, escape in _UNSAFE.items():
        text = text.replace(char, escape)
    return text


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}n"
    if isinstance(value, Decimal):
        return f"R.dec({js_string(str(value))})"
    if isinstance(value, str):
        return js_string(value)
    raise AssertionError(f"unexpected constant {value!r}")  # the parser forbids it


class _Emitter:
    def __init__(self, checked: Checked):
        self.checked = checked

    def emit(self, node: ast.AST) -> str:
        if isinstance(node, ast.Constant):
            value: Any = node.value
            if isinstance(value, float):  # a decimal literal: exact, from its source text
                text = ast.get_source_segment(self.checked.source.strip(), node) or repr(value)
                value = Decimal(text.replace("_", ""))
            return _literal(value)
        if isinstance(node, ast.Name):
            if node.id in LITERAL_NAMES:
                return _literal(LITERAL_NAMES[node.id])
            where = self.checked.where[id(node)]
            return f"R.get({'row' if where == 'row' else 'form'}, {js_string(node.id)})"
        if isinstance(node, ast.Attribute):
            base = self.emit(node.value)
            helper = "column" if (node.value.id, node.attr) in self.checked.columns else "attr"  # type: ignore[attr-defined]
            return f"R.{helper}({base}, {js_string(node.attr)})"
        if isinstance(node, (ast.List, ast.Tuple)):
            return "[" + ", ".join(self.emit(e) for e in node.elts) + "]"
        if isinstance(node, ast.BinOp):
            return f"R.{_BINOPS[type(node.op)]}({self.emit(node.left)}, {self.emit(node.right)})"
        if isinstance(node, ast.UnaryOp):
            return f"R.{_UNARY[type(node.op)]}({self.emit(node.operand)})"
        if isinstance(node, ast.BoolOp):
            name = "and" if isinstance(node.op, ast.And) else "or"
            first, *rest = node.values
            return f"R.{name}(" + ", ".join([self.emit(first), *(self.thunk(v) for v in rest)]) + ")"
        if isinstance(node, ast.Compare):
            parts: list[str] = []
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                parts.append(f"R.{_COMPARE[type(op)]}({self.emit(left)}, {self.emit(right)})")
                left = right
            if len(parts) == 1:
                return parts[0]
            return "R.and(" + ", ".join([parts[0], *(f"() => {p}" for p in parts[1:])]) + ")"
        if isinstance(node, ast.IfExp):
            return f"(R.truth({self.emit(node.test)}) ? {self.emit(node.body)} : {self.emit(node.orelse)})"
        if isinstance(node, ast.Call):
            name = node.func.id  # type: ignore[attr-defined]
            args = [self.emit(a) for a in node.args]
            if FUNCTIONS[name].context is not None:
                args.insert(0, "ctx")
            assert name.isascii() and name.isidentifier()  # a key of FUNCTIONS
            return f"R.fn.{name}(" + ", ".join(args) + ")"
        raise AssertionError(f"unexpected node {type(node).__name__}")  # the parser forbids it

    def thunk(self, node: ast.AST) -> str:
        return f"() => {self.emit(node)}"


def to_js(checked: Checked) -> str:
    """The JavaScript expression computing *checked* (see the module docstring)."""
    return _Emitter(checked).emit(checked.tree.body)


def runtime_js() -> str:
    """The source of ``runtime.js``, for inlining into a page."""
    return RUNTIME_PATH.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def pinyin_table_js() -> str:
    """The pinyin table for ``R.setPinyinTable(…)``, as compact JSON.

    Inverts :func:`formengine.cn.pinyin_initial_table` (character → initial) into
    ``{"A": "阿啊…", "B": …}``: every character with that initial, in code-point order.
    Characters without a reading are left out (both sides give "" for them).  The text is
    only CJK ideographs and ASCII, and ``<``, ``>``, ``&`` would be escaped, so it is safe
    inside an inline ``<script>``.
    """
    from ..cn import pinyin_initial_table

    by_letter: dict[str, list[str]] = {}
    for char, initial in sorted(pinyin_initial_table().items()):
        if initial:
            by_letter.setdefault(initial, []).append(char)
    table = {letter: "".join(chars) for letter, chars in sorted(by_letter.items())}
    text = json.dumps(table, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _UNSAFE.items():
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


__all__ = ["RUNTIME_PATH", "js_string", "pinyin_table_js", "runtime_js", "to_js"]
