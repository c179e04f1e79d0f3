"""Parsing: Python's own expression grammar, cut down to a whitelist of node types.

Reusing ``ast`` gives authors a familiar, spreadsheet-like syntax with exact error columns
for free; the whitelist is what makes it safe. Anything not listed here — attribute chains,
subscripts, lambdas, comprehensions, walrus, f-strings, starred arguments, keyword
arguments — is refused before any code exists.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import unicodedata
from dataclasses import dataclass

from ..codes import Localized

# The characters no document can print (formengine.fieldtypes.CONTROL_CHARS): '\x07' in a text constant.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

MAX_LENGTH = 1000
MAX_DEPTH = 30
MAX_NODES = 400

_ALLOWED: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div,
    ast.FloorDiv, ast.Mod, ast.Pow, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.IfExp,
    ast.Call, ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple, ast.Attribute,
)

# What each refused construct is called in the error message (zh, en).
_NAMES: dict[type[ast.AST], tuple[str, str]] = {
    ast.Subscript: ("下标 [ ]", "Subscripts [ ]"),
    ast.Lambda: ("lambda", "lambda"),
    ast.ListComp: ("推导式", "Comprehensions"),
    ast.SetComp: ("推导式", "Comprehensions"),
    ast.DictComp: ("推导式", "Comprehensions"),
    ast.GeneratorExp: ("推导式", "Comprehensions"),
    ast.NamedExpr: ("赋值 :=", "Assignment :="),
    ast.JoinedStr: ("f-字符串", "f-strings"),
    ast.FormattedValue: ("f-字符串", "f-strings"),
    ast.Dict: ("字典 { }", "Dictionaries { }"),
    ast.Set: ("集合 { }", "Sets { }"),
    ast.Starred: ("星号展开 *", "Starred arguments *"),
    ast.Await: ("await", "await"),
    ast.Yield: ("yield", "yield"),
    ast.YieldFrom: ("yield", "yield"),
    ast.Slice: ("切片", "Slices"),
    ast.BitAnd: ("位运算", "Bitwise operators"),
    ast.BitOr: ("位运算", "Bitwise operators"),
    ast.BitXor: ("位运算", "Bitwise operators"),
    ast.LShift: ("位运算", "Bitwise operators"),
    ast.RShift: ("位运算", "Bitwise operators"),
    ast.Invert: ("位运算", "Bitwise operators"),
    ast.MatMult: ("@ 运算", "The @ operator"),
    ast.Is: ("is", "is"),
    ast.IsNot: ("is not", "is not"),
}


@dataclass(eq=False)  # not frozen: raising sets __traceback__ (a frozen one fails inside `with` blocks)
class ExprError(Exception):
    """A problem in one expression; ``column`` is 1-based within the expression text."""

    code: str
    params: dict[str, object]
    column: int = 1


def parse(source: str) -> ast.Expression:
    """Parse and whitelist one expression, or raise :class:`ExprError`."""
    if not isinstance(source, str) or not source.strip():
        raise ExprError("expr.syntax", {"detail": Localized("表达式为空", "empty expression")})
    if len(source) > MAX_LENGTH:
        raise ExprError("expr.too_large", {"detail": f"{len(source)} > {MAX_LENGTH} characters"})
    if "\n" in source.strip() or "\r" in source:
        raise ExprError("expr.syntax", {"detail": Localized("表达式只能写一行", "an expression is one line")})
    if "\0" in source:  # ast.parse refuses it with a ValueError
        raise ExprError("expr.syntax", {"detail": Localized("空字符", "NUL character")}, source.index("\0") + 1)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError("expr.syntax", {"detail": exc.msg}, exc.offset or 1) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("expr.too_large", {"detail": "nesting"}) from None
    _plain_names(source.strip())
    _whitelist(tree)
    return tree


def _plain_names(source: str) -> None:
    """Names must be what they look like: Python reads the identifier ``ａmount`` (fullwidth a) or
    ``ﬁlled`` (a ligature) as ``amount`` / ``filled`` after NFKC normalisation, so a lookalike
    would silently reach another field or function. A name that normalisation changes is refused
    (text in quotes is free)."""
    if source.isascii():  # NFKC leaves ASCII as it is: nothing to look alike
        return
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - ast.parse accepted it
        return
    for tok in tokens:
        if tok.type == tokenize.NAME and unicodedata.normalize("NFKC", tok.string) != tok.string:
            raise ExprError("expr.forbidden", {"what": f"会被改写的名字 {tok.string}",
                                               "what_en": f"A lookalike name that Python rewrites ({tok.string})"},
                            tok.start[1] + 1)


def _whitelist(tree: ast.Expression) -> None:
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        col = getattr(node, "col_offset", 0) + 1
        if depth > MAX_DEPTH or count > MAX_NODES:
            raise ExprError("expr.too_large", {"detail": f"depth ≤ {MAX_DEPTH}, nodes ≤ {MAX_NODES}"}, col)
        if not isinstance(node, _ALLOWED):
            zh, en = _NAMES.get(type(node), (type(node).__name__, type(node).__name__))
            raise ExprError("expr.forbidden", {"what": zh, "what_en": en}, col)
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExprError("expr.forbidden", {"what": "以下划线开头的名字", "what_en": "Names starting with _"}, col)
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("_") or not isinstance(node.value, ast.Name):
                raise ExprError("expr.forbidden", {"what": "属性链", "what_en": "Attribute chains"}, col)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise ExprError("expr.forbidden", {"what": "调用函数以外的对象", "what_en": "Calling anything but a function"}, col)
            if node.keywords:
                raise ExprError("expr.forbidden", {"what": "关键字参数", "what_en": "Keyword arguments"}, col)
        if isinstance(node, ast.Constant) and not (node.value is None or isinstance(node.value, (bool, int, float, str))):
            raise ExprError("expr.forbidden", {"what": "该常量", "what_en": "This constant"}, col)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _CONTROL.search(node.value):
            raise ExprError("expr.forbidden", {"what": "文字中的控制字符（如 \\x07）", "what_en": "Control characters in text (such as \\x07)"}, col)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 200:
            raise ExprError("expr.too_large", {"detail": "text constant > 200 characters"}, col)
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and abs(node.value) > 10**15:
            raise ExprError("expr.too_large", {"detail": "number > 10^15"}, col)
        if isinstance(node, ast.Constant) and isinstance(node.value, float) and node.value != node.value:
            raise ExprError("expr.forbidden", {"what": "NaN", "what_en": "NaN"}, col)
        if isinstance(node, ast.Constant) and isinstance(node.value, float) and abs(node.value) > 10**15:
            raise ExprError("expr.too_large", {"detail": "number > 10^15"}, col)
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1))
