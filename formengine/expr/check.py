"""Static checking: every name, function, arity and (where known) type, at load time.

The checker also records how each name resolves (a row column or a form field), so both
compilers emit direct look-ups instead of searching scopes at run time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..codes import Localized, did_you_mean
from .functions import FUNCTIONS
from .parse import ExprError

MAX_POWER = 10
from .types import ANY, BOOL, DATE, NULL, NUMBER, TEXT, Scope, Type, Where, compatible, list_of

LITERAL_NAMES = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}


@dataclass
class Checked:
    """A parsed expression with its name resolutions and result type."""

    source: str
    tree: ast.Expression
    type: Type
    where: dict[int, Where] = field(default_factory=dict)  # id(Name node) → row / form
    names: set[str] = field(default_factory=set)  # form-level names it reads
    row_names: set[str] = field(default_factory=set)  # row-level names it reads
    columns: set[tuple[str, str]] = field(default_factory=set)  # (table, column) it aggregates


def check(source: str, tree: ast.Expression, scope: Scope) -> Checked:
    out = Checked(source, tree, ANY)
    out.type = _Checker(scope, out).visit(tree.body)
    return out


class _Checker:
    def __init__(self, scope: Scope, out: Checked):
        self.scope = scope
        self.out = out

    def fail(self, node: ast.AST, code: str, **params: object) -> ExprError:
        return ExprError(code, params, getattr(node, "col_offset", 0) + 1)

    def visit(self, node: ast.AST) -> Type:
        method = getattr(self, "visit_" + type(node).__name__)
        result: Type = method(node)
        return result

    def visit_Constant(self, node: ast.Constant) -> Type:
        v = node.value
        if v is None:
            return NULL
        if isinstance(v, bool):
            return BOOL
        if isinstance(v, (int, float)):
            return NUMBER
        return TEXT

    def visit_Name(self, node: ast.Name) -> Type:
        if node.id in LITERAL_NAMES:
            v = LITERAL_NAMES[node.id]
            return NULL if v is None else BOOL
        found = self.scope.resolve(node.id)
        if found is None:
            if node.id in FUNCTIONS:
                raise self.fail(node, "expr.syntax", detail=f"{node.id} is a function: write {node.id}(…)")
            raise self.fail(node, "expr.unknown_name", name=node.id,
                            suggestion=did_you_mean(node.id, self.scope.all_names()))
        where, typ = found
        self.out.where[id(node)] = where
        (self.out.row_names if where == "row" else self.out.names).add(node.id)
        return typ

    def visit_Attribute(self, node: ast.Attribute) -> Type:
        base = node.value
        assert isinstance(base, ast.Name)  # the parser refuses attribute chains
        typ = self.visit(base)
        attr = typ.attr(node.attr) if typ.kind in ("table", "record") else None
        if attr is None:
            raise self.fail(node, "expr.attribute", name=base.id, attr=node.attr)
        if typ.kind == "table":
            self.out.columns.add((base.id, node.attr))
            return list_of(attr)
        return attr

    def visit_List(self, node: ast.List | ast.Tuple) -> Type:
        types = {self.visit(e).kind for e in node.elts}
        elem = NUMBER if types == {"number"} else TEXT if types == {"text"} else ANY
        return list_of(elem)

    visit_Tuple = visit_List

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Type:
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return BOOL
        self.expect(node.operand, operand, NUMBER)
        return NUMBER

    def visit_BinOp(self, node: ast.BinOp) -> Type:
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Pow):
            exponent = node.right
            if isinstance(exponent, ast.UnaryOp) and isinstance(exponent.op, ast.USub):
                exponent = exponent.operand
            if not (isinstance(exponent, ast.Constant) and isinstance(exponent.value, (int, float))
                    and not isinstance(exponent.value, bool) and abs(exponent.value) <= MAX_POWER):
                raise self.fail(node, "expr.too_large", detail=Localized(f"指数须为不大于 {MAX_POWER} 的数字", f"the exponent of ** must be a number ≤ {MAX_POWER}"))
        if isinstance(node.op, ast.Add) and TEXT in (left, right):
            if left.kind not in ("text", "any", "null") or right.kind not in ("text", "any", "null"):
                raise self.fail(node, "expr.type", detail=Localized("文字只能与文字相加，请用 concat(…)", "text + non-text: use concat(…)"))
            return TEXT
        for side, typ in ((node.left, left), (node.right, right)):
            self.expect(side, typ, NUMBER)
        return NUMBER

    def visit_BoolOp(self, node: ast.BoolOp) -> Type:
        for value in node.values:
            self.visit(value)
        return BOOL

    def visit_Compare(self, node: ast.Compare) -> Type:
        left = self.visit(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.visit(comparator)
            if isinstance(op, (ast.In, ast.NotIn)):
                if right.kind not in ("list", "text", "any", "null"):
                    raise self.fail(comparator, "expr.type", detail=f"'in' needs a list or text, got {right}")
            elif not compatible(left, right):
                raise self.fail(node, "expr.type", detail=Localized(f"无法比较 {left} 与 {right}", f"cannot compare {left} with {right}"))
            left = right
        return BOOL

    def visit_IfExp(self, node: ast.IfExp) -> Type:
        self.visit(node.test)
        body, other = self.visit(node.body), self.visit(node.orelse)
        if body.kind == "null":
            return other
        if other.kind == "null" or body == other:
            return body
        return ANY

    def visit_Call(self, node: ast.Call) -> Type:
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        fn = FUNCTIONS.get(name)
        if fn is None:
            raise self.fail(node, "expr.unknown_function", name=name, suggestion=did_you_mean(name, list(FUNCTIONS)))
        if fn.context is not None and fn.context != self.scope.context:
            where = "表格的列" if fn.context == "table" else "树的列"
            raise self.fail(node, "expr.context", name=name, where=where, where_en=f"a {fn.context} column")
        if not fn.accepts(len(node.args)):
            low = len(fn.params) - fn.optional
            expected = f"{low}+" if fn.variadic else (f"{low}–{len(fn.params)}" if fn.optional else str(low))
            raise self.fail(node, "expr.arity", name=name, expected=expected, given=len(node.args))
        if name == "format" and len(node.args) == 2:
            pattern = node.args[1]
            if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str) and set("{}%") & set(pattern.value):
                # format() knows YYYY/YY/MM/DD and 0/0.00 only; braces or % can only be a format-string attack
                raise ExprError("expr.forbidden", {"what": "format 模式中的 { } %", "what_en": "{ } or % in a format() pattern"},
                                getattr(pattern, "col_offset", 0) + 1)
        for i, arg in enumerate(node.args):
            typ = self.visit(arg)
            want = fn.params[min(i, len(fn.params) - 1)]
            if want.kind in ("number", "text", "date", "grid") and typ.kind not in (want.kind, "any", "null"):
                if not (want.kind == "number" and typ.kind == "list" and fn.variadic):
                    raise self.fail(arg, "expr.type",
                                    detail=Localized(f"{name} 的第 {i + 1} 个参数应为 {want}，实为 {typ}",
                                                     f"argument {i + 1} of {name} must be {want}, got {typ}"))
        return fn.returns

    def expect(self, node: ast.AST, got: Type, want: Type) -> None:
        if got.kind not in (want.kind, "any", "null"):
            raise self.fail(node, "expr.type", detail=Localized(f"应为{want}，实为 {got}", f"expected {want}, got {got}"))


__all__ = ["DATE", "LITERAL_NAMES", "Checked", "check"]
