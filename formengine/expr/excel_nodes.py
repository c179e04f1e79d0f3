"""Translation of an expression's syntax nodes into Excel: names, operators, if-else, and/or, truth.

``a if c else b`` tests ``c`` by its truth (``null`` counts as false, as in the engine),
``and``/``or`` follow the engine's three-valued logic. Text comparisons use ``EXACT`` (Excel's
``=`` ignores case); ``//`` and ``%``, whose decimal and integer meanings differ, are not
translated.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from typing import Any

from .check import LITERAL_NAMES, Checked
from .excel_cells import NUMBER_TYPES, TEXT_TYPES, TRUE_WORDS, Cells, Operand
from .excel_value import (
    NULL,
    Finish,
    Translated,
    Untranslatable,
    any_of,
    close,
    guard,
    is_null,
    merge,
    number_literal,
    same,
    strict,
    string_literal,
)


class NodeTranslator:
    """Translates the syntax nodes; a subclass supplies the functions (``fn_<name>``, see
    :mod:`.excel_functions`), which :meth:`emit_Call` looks up by name."""

    def __init__(self, checked: Checked, cells: Cells):
        self.checked = checked
        self.cells = cells

    # ------------------------------------------------------------------ values

    def emit(self, node: ast.AST) -> Translated:
        method = getattr(self, "emit_" + type(node).__name__, None)
        if method is None:
            raise Untranslatable(f"{type(node).__name__} has no Excel form")
        result: Translated = method(node)
        return result

    def emit_Constant(self, node: ast.Constant) -> Translated:
        v: Any = node.value
        if v is None:
            return NULL
        if isinstance(v, bool):
            return Translated("TRUE" if v else "FALSE", "bool")
        if isinstance(v, str):
            return Translated(string_literal(v), "text")
        if isinstance(v, float):  # a decimal literal: exact, from its source text
            source = ast.get_source_segment(self.checked.source.strip(), node) or repr(v)
            v = Decimal(source.replace("_", ""))
        text, places = number_literal(v)
        return Translated(text, "number", places=places)

    def emit_Name(self, node: ast.Name) -> Translated:
        if node.id in LITERAL_NAMES:
            return self.emit_Constant(ast.Constant(LITERAL_NAMES[node.id]))
        where = self.checked.where.get(id(node), "form")
        operand = self.cells.field(node.id, where)
        if operand is None:
            raise Untranslatable(f"{node.id} is not a cell of the workbook")
        return self.operand(operand, node.id)

    def operand(self, op: Operand, name: str) -> Translated:
        ref, t = op.ref, op.type
        empty = ((f'{ref}=""',),)
        if t in NUMBER_TYPES or t in ("decimal", "percent"):
            return Translated(ref, "number", empty, NUMBER_TYPES.get(t, op.places), operand=op)
        if t in TEXT_TYPES:
            return Translated(ref, "text", empty, operand=op)
        if t == "choice":
            if op.labels is None:
                return Translated(ref, "text", empty, operand=op)
            labels, values = op.labels
            return Translated(f"IFERROR(INDEX({values},MATCH({ref},{labels},0)),{ref})", "text", empty, operand=op)
        if t == "boolean":
            words = ",".join(f"{ref}={string_literal(w)}" for w in TRUE_WORDS)
            return Translated(f"OR({ref}=TRUE,{words})", "bool", empty, operand=op)
        if t in ("date", "datetime"):
            return Translated(ref, "date", empty, operand=op, timed=t == "datetime")
        if t == "grid":
            return Translated(ref, "grid", operand=op, name=name)
        raise Untranslatable(f"{name}: a {t} cell does not hold the value the engine sees")

    def emit_Attribute(self, node: ast.Attribute) -> Translated:
        base = node.value
        assert isinstance(base, ast.Name)  # the parser refuses attribute chains
        if (base.id, node.attr) in self.checked.columns:
            op = self.cells.column(base.id, node.attr)
            if op is None:
                raise Untranslatable(f"{base.id}.{node.attr} is not a column of the workbook")
            kind = "number" if op.type in NUMBER_TYPES or op.type in ("decimal", "percent") else op.type
            return Translated(op.ref, "range", operand=Operand(op.ref, kind, op.places, op.labels))
        where = self.checked.where.get(id(base), "form")
        op = self.cells.part(base.id, where, node.attr)
        if op is None:
            raise Untranslatable(f"{base.id}.{node.attr} is not a cell of the workbook")
        return self.operand(op, f"{base.id}.{node.attr}")

    def emit_List(self, node: ast.List) -> Translated:
        raise Untranslatable("a list outside 'in'")

    emit_Tuple = emit_List

    def emit_UnaryOp(self, node: ast.UnaryOp) -> Translated:
        x = strict(self.emit(node.operand))
        if x.kind == "null":
            return NULL
        if isinstance(node.op, ast.Not):
            self.need(x, "bool", "number")
            return Translated(f"NOT({x.text})", "bool", x.stages)
        self.need(x, "number")
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return Translated(f"({sign}{x.text})", "number", x.stages, x.places)

    def emit_BinOp(self, node: ast.BinOp) -> Translated:
        a, b = strict(self.emit(node.left)), strict(self.emit(node.right))
        if a.kind == "null" or b.kind == "null":
            return NULL
        stages = merge(a.stages, b.stages)
        op = node.op
        if isinstance(op, ast.Add) and "text" in (a.kind, b.kind):
            self.need(a, "text")
            self.need(b, "text")
            return Translated(f"({a.text}&{b.text})", "text", stages)
        self.need(a, "number")
        self.need(b, "number")
        known = a.places is not None and b.places is not None
        if isinstance(op, (ast.Add, ast.Sub)):
            sign = "+" if isinstance(op, ast.Add) else "-"
            places = max(a.places, b.places) if known else None  # type: ignore[type-var]
            return Translated(f"({a.text}{sign}{b.text})", "number", stages, places)
        if isinstance(op, ast.Mult):
            places = a.places + b.places if known else None  # type: ignore[operator]
            return Translated(f"({a.text}*{b.text})", "number", stages, places)
        if isinstance(op, ast.Div):  # x / 0 is null in the engine, #DIV/0! in Excel
            constant = isinstance(node.right, ast.Constant)
            if constant and Decimal(b.text) == 0:
                return NULL
            zero = () if constant else ((f"{b.text}=0",),)
            return Translated(f"({a.text}/{b.text})", "number", stages + zero)
        if isinstance(op, ast.Pow):
            negative = isinstance(node.right, ast.UnaryOp) and isinstance(node.right.op, ast.USub)
            extra = ((f"{a.text}=0",),) if negative else ()  # 0 ** -1 is null, not an error
            return Translated(f"({a.text}^{b.text})", "number", stages + extra)
        raise Untranslatable("// and % round differently for decimals and integers")

    def emit_Compare(self, node: ast.Compare) -> Translated:
        if len(node.ops) > 1:
            raise Untranslatable("chained comparison")
        op, right = node.ops[0], node.comparators[0]
        a = strict(self.emit(node.left))
        if isinstance(op, (ast.In, ast.NotIn)):
            test = self.contains(a, right)
            if test.kind == "null":
                return NULL
            if isinstance(op, ast.NotIn):
                return Translated(f"NOT({test.text})", "bool", test.stages)
            return test
        b = strict(self.emit(right))
        if a.kind == "null" or b.kind == "null":
            return NULL
        stages = merge(a.stages, b.stages)
        if a.kind != b.kind or a.kind not in ("number", "date", "text", "bool"):
            raise Untranslatable(f"comparing {a.kind} with {b.kind}")
        if a.kind == "text":  # Excel's = ignores case and orders text by its own collation
            if isinstance(op, ast.Eq):
                return Translated(f"EXACT({a.text},{b.text})", "bool", stages)
            if isinstance(op, ast.NotEq):
                return Translated(f"NOT(EXACT({a.text},{b.text}))", "bool", stages)
            raise Untranslatable("ordering text")
        if a.kind == "bool" and not isinstance(op, (ast.Eq, ast.NotEq)):
            raise Untranslatable("ordering booleans")
        sign = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}[type(op)]
        return Translated(f"({a.text}{sign}{b.text})", "bool", stages)

    def contains(self, a: Translated, right: ast.AST) -> Translated:
        if a.kind == "null":
            return NULL
        if isinstance(right, (ast.List, ast.Tuple)):
            items = [strict(self.emit(e)) for e in right.elts]
            if not items:
                return Translated("FALSE", "bool", a.stages)
            for item in items:
                if item.kind != a.kind or item.stages:  # constants and filled values only
                    raise Untranslatable("'in' a list of other kinds or of empty values")
            if a.kind == "text":
                tests = [f"EXACT({a.text},{i.text})" for i in items]
            elif a.kind in ("number", "date", "bool"):
                tests = [f"{a.text}={i.text}" for i in items]
            else:
                raise Untranslatable(f"'in' with {a.kind}")
            return Translated(any_of(tests) if len(tests) > 1 else f"({tests[0]})", "bool", a.stages)
        b = strict(self.emit(right))
        if b.kind == "null":
            return NULL
        if a.kind == "text" and b.kind == "text":  # a substring; FIND is case-sensitive like Python
            return Translated(f"ISNUMBER(FIND({a.text},{b.text}))", "bool", merge(a.stages, b.stages))
        raise Untranslatable(f"'in' {b.kind}")

    def emit_IfExp(self, node: ast.IfExp) -> Translated:
        test = self.truth(node.test)
        body, other = self.emit(node.body), self.emit(node.orelse)
        kinds = {body.kind, other.kind} - {"null"}
        if len(kinds) > 1 or kinds & {"range", "grid"}:
            raise Untranslatable(f"branches of different kinds: {sorted(kinds)}")
        kind = kinds.pop() if kinds else "null"
        if kind == "null":
            return NULL
        places = body.places if body.places == other.places or other.kind == "null" else (
            other.places if body.kind == "null" else None)

        def closer(finish: Finish) -> str:
            return f"IF({test},{close(body, finish)},{close(other, finish)})"
        return Translated(closer(same), kind, places=places, closer=closer, timed=body.timed or other.timed)

    def emit_BoolOp(self, node: ast.BoolOp) -> Translated:
        """Three-valued and/or: and is false when any value is false, else null when any is null."""
        values = [strict(self.emit(v)) for v in node.values]
        for v in values:
            if v.kind != "null":
                self.need(v, "bool", "number")
        is_and = isinstance(node.op, ast.And)
        if not any(v.stages for v in values):
            return Translated(("AND(" if is_and else "OR(") + ",".join(v.text for v in values) + ")", "bool")
        # decided: some value is definitely false (and) / true (or)
        decided = [guard(v, f"NOT({v.text})" if is_and else v.text, "FALSE") if v.kind != "null" else "FALSE"
                   for v in values]
        unknown = [is_null(v) for v in values]
        hit, miss = ("FALSE", "TRUE") if is_and else ("TRUE", "FALSE")

        def closer(finish: Finish) -> str:
            return (f"IF({any_of(decided)},{finish(hit, 'bool', None)},"
                    f"IF({any_of(unknown)},\"\",{finish(miss, 'bool', None)}))")
        return Translated(closer(same), "bool", closer=closer)

    def emit_Call(self, node: ast.Call) -> Translated:
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        method = getattr(self, "fn_" + name, None)
        if method is None:
            raise Untranslatable(f"{name}() has no Excel twin")
        result: Translated = method(*node.args)
        return result

    # ------------------------------------------------------------------ truth (if tests, visibility)

    def truth(self, node: ast.AST) -> str:
        """An Excel boolean that is TRUE exactly when the engine's value is true (null is false)."""
        if isinstance(node, ast.BoolOp):
            parts = [self.truth(v) for v in node.values]
            return ("AND(" if isinstance(node.op, ast.And) else "OR(") + ",".join(parts) + ")"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            x = strict(self.emit(node.operand))
            if x.kind == "null":
                return "FALSE"
            self.need(x, "bool", "number")
            return guard(x, f"NOT({x.text})", "FALSE")
        x = strict(self.emit(node))
        if x.kind == "null":
            return "FALSE"
        if x.kind == "bool":
            return guard(x, x.text, "FALSE")
        if x.kind == "number":
            return guard(x, f"({x.text}<>0)", "FALSE")
        if x.kind in ("text", "date"):  # a filled text or date is true
            return guard(x, "TRUE", "FALSE")
        raise Untranslatable(f"truth of {x.kind}")

    # ------------------------------------------------------------------ kinds

    def need(self, x: Translated, *kinds: str) -> None:
        if x.kind not in kinds:
            raise Untranslatable(f"expected {' or '.join(kinds)}, got {x.kind}")
