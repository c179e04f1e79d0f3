"""Compile a checked expression to a Python callable ``f(form, row, ctx)``.

The whitelisted tree is rewritten into calls of the small runtime below and compiled once by
CPython, so evaluating a rule costs a few function calls, not a tree walk. Only names the
compiler itself binds are reachable: ``__builtins__`` is empty and every user name becomes a
dictionary look-up.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from .check import LITERAL_NAMES, MAX_POWER, Checked
from .functions import FUNCTIONS
from .limits import MAX_INT_BITS, MAX_LIST, MAX_TEXT, EvaluationError

Compiled = Callable[[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None], Any]


def _num(x: Any) -> Any:
    return Decimal(x) if isinstance(x, int) and not isinstance(x, bool) else x


def _arith(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def run(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        try:
            result = op(a, b)
        except (TypeError, InvalidOperation) as exc:
            raise EvaluationError(str(exc)) from None
        if isinstance(result, str) and len(result) > MAX_TEXT:
            raise EvaluationError("text too long")
        return result
    return run


_PLAIN_NUMBERS: frozenset[type[Any]] = frozenset({Decimal, int})


def _mul(a: Any, b: Any) -> Any:
    """``*``; text or a list times a whole number repeats it, refused *before* it is built when
    the result would pass MAX_TEXT characters / MAX_LIST items (``coalesce(name) * 10**9``)."""
    if a is None or b is None:
        return None
    if a.__class__ in _PLAIN_NUMBERS and b.__class__ in _PLAIN_NUMBERS:  # price × quantity: nothing to repeat
        try:
            return a * b
        except InvalidOperation as exc:
            raise EvaluationError(str(exc)) from None
    for seq, times in ((a, b), (b, a)):
        if isinstance(seq, (str, list)) and isinstance(times, int):
            limit, what = (MAX_TEXT, "text") if isinstance(seq, str) else (MAX_LIST, "list")
            if len(seq) * max(times, 0) > limit:
                raise EvaluationError(f"{what} too long")
    try:
        return operator.mul(a, b)
    except (TypeError, InvalidOperation) as exc:
        raise EvaluationError(str(exc)) from None


def _div(a: Any, b: Any) -> Any:
    if a is None or b is None or b == 0:
        return None  # like a spreadsheet's blank instead of #DIV/0!
    try:
        return _num(a) / _num(b)
    except (TypeError, InvalidOperation, DivisionByZero) as exc:
        raise EvaluationError(str(exc)) from None


def _floordiv(a: Any, b: Any) -> Any:
    if a is None or b is None or b == 0:
        return None
    return a // b


def _mod(a: Any, b: Any) -> Any:
    if a is None or b is None or b == 0:
        return None
    return a % b


def _pow(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if abs(b) > MAX_POWER:
        raise EvaluationError(f"exponent larger than {MAX_POWER}")
    if b < 0 and a == 0:
        return None  # 1 / 0 in disguise: null like division by zero, not Decimal('Infinity')
    if b < 0 or not isinstance(b, int):
        return _num(a) ** _num(b)
    if isinstance(a, int) and a.bit_length() * b > MAX_INT_BITS:  # ((x ** 10) ** 10) ** 10 …
        raise EvaluationError("number too large")
    return a ** b


def _neg(a: Any) -> Any:
    return None if a is None else -a


def _pos(a: Any) -> Any:
    return None if a is None else +a


def _not(a: Any) -> Any:
    return None if a is None else not a


def _truth(a: Any) -> bool:
    return bool(a) if a is not None else False


def _and(first: Any, *rest: Callable[[], Any]) -> Any:
    """Kleene three-valued AND: False wins, then unknown (None), then True."""
    unknown = first is None
    if first is not None and not first:
        return False
    for thunk in rest:
        value = thunk()
        if value is not None and not value:
            return False
        unknown = unknown or value is None
    return None if unknown else True


def _or(first: Any, *rest: Callable[[], Any]) -> Any:
    unknown = first is None
    if first:
        return True
    for thunk in rest:
        value = thunk()
        if value:
            return True
        unknown = unknown or value is None
    return None if unknown else False


_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}


def _cmp(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def run(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        try:
            return op(a, b)
        except TypeError as exc:
            raise EvaluationError(str(exc)) from None
    return run


def _in(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    return a in b


def _not_in(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    return a not in b


def _column(rows: Any, name: str) -> list[Any]:
    return [row.get(name) for row in rows or ()]


def _attr(value: Any, name: str) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


_RUNTIME: dict[str, Any] = {
    "_add": _arith(operator.add), "_sub": _arith(operator.sub), "_mul": _mul,
    "_div": _div, "_floordiv": _floordiv, "_mod": _mod, "_pow": _pow,
    "_neg": _neg, "_pos": _pos, "_not": _not, "_truth": _truth, "_and": _and, "_or": _or,
    "_in": _in, "_not_in": _not_in, "_column": _column, "_attr": _attr,
    **{f"_cmp_{op.__name__}": _cmp(fn) for op, fn in _COMPARE.items()},
    **{f"_f_{name}": fn.impl for name, fn in FUNCTIONS.items()},
}

_BINOPS = {
    ast.Add: "_add", ast.Sub: "_sub", ast.Mult: "_mul", ast.Div: "_div",
    ast.FloorDiv: "_floordiv", ast.Mod: "_mod", ast.Pow: "_pow",
}


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


def _thunk(body: ast.expr) -> ast.Lambda:
    return ast.Lambda(args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
                      body=body)


class _Emitter:
    def __init__(self, checked: Checked):
        self.checked = checked
        self.constants: dict[str, Any] = {}

    def const(self, value: Any) -> ast.expr:
        name = f"_k{len(self.constants)}"
        self.constants[name] = value
        return ast.Name(id=name, ctx=ast.Load())

    def emit(self, node: ast.AST) -> ast.expr:
        if isinstance(node, ast.Constant):
            value: Any = node.value
            if isinstance(value, float):
                text = ast.get_source_segment(self.checked.source.strip(), node) or repr(value)
                value = Decimal(text.replace("_", ""))
            return self.const(value)
        if isinstance(node, ast.Name):
            if node.id in LITERAL_NAMES:
                return self.const(LITERAL_NAMES[node.id])
            where = self.checked.where[id(node)]
            scope = ast.Name(id="row" if where == "row" else "form", ctx=ast.Load())
            get = ast.Attribute(value=scope, attr="get", ctx=ast.Load())
            return ast.Call(func=get, args=[ast.Constant(node.id)], keywords=[])
        if isinstance(node, ast.Attribute):
            base = self.emit(node.value)
            helper = "_column" if (node.value.id, node.attr) in self.checked.columns else "_attr"  # type: ignore[attr-defined]
            return _call(helper, base, ast.Constant(node.attr))
        if isinstance(node, (ast.List, ast.Tuple)):
            return ast.List(elts=[self.emit(e) for e in node.elts], ctx=ast.Load())
        if isinstance(node, ast.BinOp):
            return _call(_BINOPS[type(node.op)], self.emit(node.left), self.emit(node.right))
        if isinstance(node, ast.UnaryOp):
            name = {ast.Not: "_not", ast.USub: "_neg", ast.UAdd: "_pos"}[type(node.op)]
            return _call(name, self.emit(node.operand))
        if isinstance(node, ast.BoolOp):
            name = "_and" if isinstance(node.op, ast.And) else "_or"
            first, *rest = node.values
            return _call(name, self.emit(first), *[_thunk(self.emit(v)) for v in rest])
        if isinstance(node, ast.Compare):
            parts: list[ast.expr] = []
            left = node.left
            for op, right in zip(node.ops, node.comparators):
                if isinstance(op, (ast.In, ast.NotIn)):
                    fn = "_in" if isinstance(op, ast.In) else "_not_in"
                else:
                    fn = f"_cmp_{type(op).__name__}"
                parts.append(_call(fn, self.emit(left), self.emit(right)))
                left = right
            if len(parts) == 1:
                return parts[0]
            return _call("_and", parts[0], *[_thunk(p) for p in parts[1:]])
        if isinstance(node, ast.IfExp):
            return ast.IfExp(test=_call("_truth", self.emit(node.test)), body=self.emit(node.body),
                             orelse=self.emit(node.orelse))
        if isinstance(node, ast.Call):
            name = node.func.id  # type: ignore[attr-defined]
            args = [self.emit(a) for a in node.args]
            if FUNCTIONS[name].context is not None:
                args.insert(0, ast.Name(id="ctx", ctx=ast.Load()))
            return _call(f"_f_{name}", *args)
        raise AssertionError(f"unexpected node {type(node).__name__}")  # the parser forbids it


def to_python(checked: Checked) -> Compiled:
    emitter = _Emitter(checked)
    body = emitter.emit(checked.tree.body)
    params = [ast.arg(arg=a) for a in ("form", "row", "ctx")]
    lam = ast.Lambda(args=ast.arguments(posonlyargs=[], args=params, kwonlyargs=[], kw_defaults=[],
                                        defaults=[ast.Constant(None), ast.Constant(None)]), body=body)
    tree = _located(ast.Expression(body=lam))
    namespace: dict[str, Any] = {"__builtins__": {}, **_RUNTIME, **emitter.constants}
    fn: Compiled = eval(compile(tree, f"<expr {checked.source[:40]}>", "eval"), namespace)
    return fn


def _located(tree: ast.Expression) -> ast.Expression:
    """Give every node without a position the one-line position compile() needs: what
    ast.fix_missing_locations does for a one-line expression, without its recursion."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if "lineno" in node._attributes and getattr(node, "lineno", None) is None:
            node.lineno = node.end_lineno = 1  # type: ignore[attr-defined]
            node.col_offset = node.end_col_offset = 0  # type: ignore[attr-defined]
        for name in node._fields:
            child = getattr(node, name, None)
            if isinstance(child, ast.AST):
                stack.append(child)
            elif isinstance(child, list):
                stack.extend(c for c in child if isinstance(c, ast.AST))
    return tree
