"""Translate a checked expression into an Excel formula: the spreadsheet twin of :mod:`.to_js`.

A fillable workbook (``renderers/xlsx.py``) shows a computed field as a formula, so whoever
fills it in sees totals as they type. Only what Excel (and LibreOffice) compute exactly as the
engine does is translated; anything else raises :class:`Untranslatable` and the workbook says
the server computes that value instead. A cell showing no value is better than one showing a
wrong one.

How the engine's meaning is kept:

* **Empty values.** The engine's ``null`` is ``""`` in a cell. Arithmetic, comparisons and
  most functions give ``null`` when an argument is ``null``, whereas Excel reads an empty cell
  as 0. So every translated value carries the conditions under which it is ``null`` — in
  *stages*: the conditions of one stage may be evaluated together once every earlier stage is
  false (``b=0`` for a division is only safe once ``b`` is known to be filled). The closed
  formula is ``IF(stage1,"",IF(stage2,"",value))``. ``a if c else b`` tests ``c`` by its
  truth (``null`` counts as false, as in the engine), ``and``/``or`` follow the engine's
  three-valued logic, ``sum`` skips empty values and ``concat`` reads them as ``""``.
* **Cells show what a person typed**, not the submitted value: a choice cell holds the
  option's label (mapped back to its value through the hidden list sheet), a boolean cell
  ``是``/``否``, a date cell a date serial. :class:`Operand` tells the translator what a cell
  holds; only field types whose cell content *is* the engine's value are read (text with a
  normalising parser — phone, mobile, ID numbers — time and year-month are not).
* **Numbers.** Excel computes in binary floating point (15 significant digits), the engine in
  exact decimals; the renderer rounds a result to its field's places, as the engine does, so
  ordinary business figures agree. ``//`` and ``%`` (whose decimal and integer meanings
  differ), numbers turned into text with decimals (``TEXT`` format codes depend on the
  locale's decimal point) and 28-digit precision are not translated.
* **Locale.** Formulas are stored in the file in Excel's invariant (English) syntax; dates are
  turned into text with ``YEAR``/``MONTH``/``DAY``, never with locale-dependent ``TEXT``
  codes.

Nothing written by the form author reaches the formula unquoted: text constants are Excel
string literals with ``"`` doubled, and cell references come from the renderer.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from .check import LITERAL_NAMES, Checked

# A placeholder for "this row" in references of a table row, replaced by the renderer per row.
# Control characters cannot occur in an expression (the parser refuses them) nor in a sheet name.
ROW = "\x00ROW\x00"

MAX_FORMULA = 8000  # Excel allows 8,192 characters
MAX_NESTING = 60  # Excel allows 64 nested functions

# What parse_bool (formengine.fieldtypes) reads as true; Excel's "=" ignores case as it does.
TRUE_WORDS = ("是", "true", "yes", "y", "1", "有", "√")

NUMBER_TYPES = {"integer": 0, "rating": 0, "money": 2}  # field type → places (decimal/percent: own)
TEXT_TYPES = frozenset({"text", "textarea"})  # stored exactly as typed (trimmed by extraction)


class Untranslatable(Exception):
    """The expression has no faithful Excel formula; ``reason`` says why (English, for logs)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Operand:
    """A cell (or range) a formula reads, and what it holds.

    ``ref`` is an A1 reference (``'立约人'!$C$5``; in a table row ``D`` + :data:`ROW`);
    ``type`` the field type of its content. ``labels`` = (labels range, values range) when the
    cell shows an option's label that differs from the value the engine sees.
    """

    ref: str
    type: str
    places: int = 2
    labels: tuple[str, str] | None = None


class Cells(Protocol):
    """Where the workbook keeps each value the expression names (None: nowhere readable)."""

    def field(self, name: str, where: str) -> Operand | None: ...

    def part(self, name: str, where: str, attr: str) -> Operand | None: ...

    def column(self, table: str, column: str) -> Operand | None: ...

    def grid(self, grid: str, row: str | None, column: str | None) -> Operand | None: ...

    def row_number(self) -> str | None: ...

    def level(self) -> str | None: ...


Finish = Callable[[str, str, "int | None"], str]  # (value text, kind, places) → cell value text


def _same(text: str, kind: str, places: int | None) -> str:
    return text


@dataclass(frozen=True)
class _X:
    """A translated sub-expression.

    ``text`` is valid (raises no Excel error) whenever none of ``stages`` holds; it is then the
    engine's value. A *closed* value (``closer`` set) builds its own formula that already gives
    ``""`` when null (if-else, coalesce, and/or); used inside arithmetic it is tested as a whole.
    """

    text: str
    kind: str  # number text date bool null range grid
    stages: tuple[tuple[str, ...], ...] = ()
    places: int | None = None  # a number's decimal places in the engine (None: unknown)
    closer: Callable[[Finish], str] | None = field(default=None, compare=False)
    operand: Operand | None = None  # a plain cell or range, as the Cells gave it
    timed: bool = False  # a date-time (its serial has a time of day)
    name: str | None = None  # a grid's id


NULL = _X('""', "null", (("TRUE",),), closer=lambda finish: '""')


def _or(conds: Sequence[str]) -> str:
    return conds[0] if len(conds) == 1 else "OR(" + ",".join(conds) + ")"


def _merge(*parts: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """Stages of a value needing all the given ones: stage by stage, in order, without repeats."""
    out: list[list[str]] = []
    for stages in parts:
        for i, stage in enumerate(stages):
            while len(out) <= i:
                out.append([])
            out[i].extend(c for c in stage if c not in out[i])
    return tuple(tuple(s) for s in out)


def _guard(x: _X, value: str, null: str = '""') -> str:
    """``value`` (valid only when x is filled), or ``null`` when x is null."""
    out = value
    for stage in reversed(x.stages):
        out = f"IF({_or(stage)},{null},{out})"
    return out


def _isnull(x: _X) -> str:
    if not x.stages:
        return "FALSE"
    return _guard(_X(x.text, x.kind, x.stages[:-1]), _or(x.stages[-1]), "TRUE")


def _close(x: _X, finish: Finish = _same) -> str:
    if x.closer is not None:
        return x.closer(finish)
    return _guard(x, finish(x.text, x.kind, x.places))


def _strict(x: _X) -> _X:
    """A closed value as a plain one: its whole formula, null when it gives ""."""
    if x.closer is None or x.kind == "null":
        return x
    text = _close(x)
    return _X(text, x.kind, ((f'{text}=""',),), x.places, timed=x.timed)


def _string(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _number(value: int | Decimal) -> tuple[str, int]:
    if isinstance(value, Decimal):
        text = format(value, "f")
        places = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
        return text, places
    return str(value), 0


class _Translator:
    def __init__(self, checked: Checked, cells: Cells):
        self.checked = checked
        self.cells = cells

    # ------------------------------------------------------------------ values

    def emit(self, node: ast.AST) -> _X:
        method = getattr(self, "emit_" + type(node).__name__, None)
        if method is None:
            raise Untranslatable(f"{type(node).__name__} has no Excel form")
        result: _X = method(node)
        return result

    def emit_Constant(self, node: ast.Constant) -> _X:
        v: Any = node.value
        if v is None:
            return NULL
        if isinstance(v, bool):
            return _X("TRUE" if v else "FALSE", "bool")
        if isinstance(v, str):
            return _X(_string(v), "text")
        if isinstance(v, float):  # a decimal literal: exact, from its source text
            source = ast.get_source_segment(self.checked.source.strip(), node) or repr(v)
            v = Decimal(source.replace("_", ""))
        text, places = _number(v)
        return _X(text, "number", places=places)

    def emit_Name(self, node: ast.Name) -> _X:
        if node.id in LITERAL_NAMES:
            return self.emit_Constant(ast.Constant(LITERAL_NAMES[node.id]))
        where = self.checked.where.get(id(node), "form")
        operand = self.cells.field(node.id, where)
        if operand is None:
            raise Untranslatable(f"{node.id} is not a cell of the workbook")
        return self.operand(operand, node.id)

    def operand(self, op: Operand, name: str) -> _X:
        ref, t = op.ref, op.type
        empty = ((f'{ref}=""',),)
        if t in NUMBER_TYPES or t in ("decimal", "percent"):
            return _X(ref, "number", empty, NUMBER_TYPES.get(t, op.places), operand=op)
        if t in TEXT_TYPES:
            return _X(ref, "text", empty, operand=op)
        if t == "choice":
            if op.labels is None:
                return _X(ref, "text", empty, operand=op)
            labels, values = op.labels
            return _X(f"IFERROR(INDEX({values},MATCH({ref},{labels},0)),{ref})", "text", empty, operand=op)
        if t == "boolean":
            words = ",".join(f"{ref}={_string(w)}" for w in TRUE_WORDS)
            return _X(f"OR({ref}=TRUE,{words})", "bool", empty, operand=op)
        if t in ("date", "datetime"):
            return _X(ref, "date", empty, operand=op, timed=t == "datetime")
        if t == "grid":
            return _X(ref, "grid", operand=op, name=name)
        raise Untranslatable(f"{name}: a {t} cell does not hold the value the engine sees")

    def emit_Attribute(self, node: ast.Attribute) -> _X:
        base = node.value
        assert isinstance(base, ast.Name)  # the parser refuses attribute chains
        if (base.id, node.attr) in self.checked.columns:
            op = self.cells.column(base.id, node.attr)
            if op is None:
                raise Untranslatable(f"{base.id}.{node.attr} is not a column of the workbook")
            kind = "number" if op.type in NUMBER_TYPES or op.type in ("decimal", "percent") else op.type
            return _X(op.ref, "range", operand=Operand(op.ref, kind, op.places, op.labels))
        where = self.checked.where.get(id(base), "form")
        op = self.cells.part(base.id, where, node.attr)
        if op is None:
            raise Untranslatable(f"{base.id}.{node.attr} is not a cell of the workbook")
        return self.operand(op, f"{base.id}.{node.attr}")

    def emit_List(self, node: ast.List) -> _X:
        raise Untranslatable("a list outside 'in'")

    emit_Tuple = emit_List

    def emit_UnaryOp(self, node: ast.UnaryOp) -> _X:
        x = _strict(self.emit(node.operand))
        if x.kind == "null":
            return NULL
        if isinstance(node.op, ast.Not):
            self.need(x, "bool", "number")
            return _X(f"NOT({x.text})", "bool", x.stages)
        self.need(x, "number")
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return _X(f"({sign}{x.text})", "number", x.stages, x.places)

    def emit_BinOp(self, node: ast.BinOp) -> _X:
        a, b = _strict(self.emit(node.left)), _strict(self.emit(node.right))
        if a.kind == "null" or b.kind == "null":
            return NULL
        stages = _merge(a.stages, b.stages)
        op = node.op
        if isinstance(op, ast.Add) and "text" in (a.kind, b.kind):
            self.need(a, "text")
            self.need(b, "text")
            return _X(f"({a.text}&{b.text})", "text", stages)
        self.need(a, "number")
        self.need(b, "number")
        known = a.places is not None and b.places is not None
        if isinstance(op, (ast.Add, ast.Sub)):
            sign = "+" if isinstance(op, ast.Add) else "-"
            places = max(a.places, b.places) if known else None  # type: ignore[type-var]
            return _X(f"({a.text}{sign}{b.text})", "number", stages, places)
        if isinstance(op, ast.Mult):
            places = a.places + b.places if known else None  # type: ignore[operator]
            return _X(f"({a.text}*{b.text})", "number", stages, places)
        if isinstance(op, ast.Div):  # x / 0 is null in the engine, #DIV/0! in Excel
            constant = isinstance(node.right, ast.Constant)
            if constant and Decimal(b.text) == 0:
                return NULL
            zero = () if constant else ((f"{b.text}=0",),)
            return _X(f"({a.text}/{b.text})", "number", stages + zero)
        if isinstance(op, ast.Pow):
            negative = isinstance(node.right, ast.UnaryOp) and isinstance(node.right.op, ast.USub)
            extra = ((f"{a.text}=0",),) if negative else ()  # 0 ** -1 is null, not an error
            return _X(f"({a.text}^{b.text})", "number", stages + extra)
        raise Untranslatable("// and % round differently for decimals and integers")

    def emit_Compare(self, node: ast.Compare) -> _X:
        if len(node.ops) > 1:
            raise Untranslatable("chained comparison")
        op, right = node.ops[0], node.comparators[0]
        a = _strict(self.emit(node.left))
        if isinstance(op, (ast.In, ast.NotIn)):
            test = self.contains(a, right)
            if test.kind == "null":
                return NULL
            if isinstance(op, ast.NotIn):
                return _X(f"NOT({test.text})", "bool", test.stages)
            return test
        b = _strict(self.emit(right))
        if a.kind == "null" or b.kind == "null":
            return NULL
        stages = _merge(a.stages, b.stages)
        if a.kind != b.kind or a.kind not in ("number", "date", "text", "bool"):
            raise Untranslatable(f"comparing {a.kind} with {b.kind}")
        if a.kind == "text":  # Excel's = ignores case and orders text by its own collation
            if isinstance(op, ast.Eq):
                return _X(f"EXACT({a.text},{b.text})", "bool", stages)
            if isinstance(op, ast.NotEq):
                return _X(f"NOT(EXACT({a.text},{b.text}))", "bool", stages)
            raise Untranslatable("ordering text")
        if a.kind == "bool" and not isinstance(op, (ast.Eq, ast.NotEq)):
            raise Untranslatable("ordering booleans")
        sign = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}[type(op)]
        return _X(f"({a.text}{sign}{b.text})", "bool", stages)

    def contains(self, a: _X, right: ast.AST) -> _X:
        if a.kind == "null":
            return NULL
        if isinstance(right, (ast.List, ast.Tuple)):
            items = [_strict(self.emit(e)) for e in right.elts]
            if not items:
                return _X("FALSE", "bool", a.stages)
            for item in items:
                if item.kind != a.kind or item.stages:  # constants and filled values only
                    raise Untranslatable("'in' a list of other kinds or of empty values")
            if a.kind == "text":
                tests = [f"EXACT({a.text},{i.text})" for i in items]
            elif a.kind in ("number", "date", "bool"):
                tests = [f"{a.text}={i.text}" for i in items]
            else:
                raise Untranslatable(f"'in' with {a.kind}")
            return _X(_or(tests) if len(tests) > 1 else f"({tests[0]})", "bool", a.stages)
        b = _strict(self.emit(right))
        if b.kind == "null":
            return NULL
        if a.kind == "text" and b.kind == "text":  # a substring; FIND is case-sensitive like Python
            return _X(f"ISNUMBER(FIND({a.text},{b.text}))", "bool", _merge(a.stages, b.stages))
        raise Untranslatable(f"'in' {b.kind}")

    def emit_IfExp(self, node: ast.IfExp) -> _X:
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
            return f"IF({test},{_close(body, finish)},{_close(other, finish)})"
        return _X(closer(_same), kind, places=places, closer=closer, timed=body.timed or other.timed)

    def emit_BoolOp(self, node: ast.BoolOp) -> _X:
        """Three-valued and/or: and is false when any value is false, else null when any is null."""
        values = [_strict(self.emit(v)) for v in node.values]
        for v in values:
            if v.kind != "null":
                self.need(v, "bool", "number")
        is_and = isinstance(node.op, ast.And)
        if not any(v.stages for v in values):
            return _X(("AND(" if is_and else "OR(") + ",".join(v.text for v in values) + ")", "bool")
        # decided: some value is definitely false (and) / true (or)
        decided = [_guard(v, f"NOT({v.text})" if is_and else v.text, "FALSE") if v.kind != "null" else "FALSE"
                   for v in values]
        unknown = [_isnull(v) for v in values]
        hit, miss = ("FALSE", "TRUE") if is_and else ("TRUE", "FALSE")

        def closer(finish: Finish) -> str:
            return (f"IF({_or(decided)},{finish(hit, 'bool', None)},"
                    f"IF({_or(unknown)},\"\",{finish(miss, 'bool', None)}))")
        return _X(closer(_same), "bool", closer=closer)

    def emit_Call(self, node: ast.Call) -> _X:
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        method = getattr(self, "fn_" + name, None)
        if method is None:
            raise Untranslatable(f"{name}() has no Excel twin")
        result: _X = method(*node.args)
        return result

    # ------------------------------------------------------------------ truth (if tests, visibility)

    def truth(self, node: ast.AST) -> str:
        """An Excel boolean that is TRUE exactly when the engine's value is true (null is false)."""
        if isinstance(node, ast.BoolOp):
            parts = [self.truth(v) for v in node.values]
            return ("AND(" if isinstance(node.op, ast.And) else "OR(") + ",".join(parts) + ")"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            x = _strict(self.emit(node.operand))
            if x.kind == "null":
                return "FALSE"
            self.need(x, "bool", "number")
            return _guard(x, f"NOT({x.text})", "FALSE")
        x = _strict(self.emit(node))
        if x.kind == "null":
            return "FALSE"
        if x.kind == "bool":
            return _guard(x, x.text, "FALSE")
        if x.kind == "number":
            return _guard(x, f"({x.text}<>0)", "FALSE")
        if x.kind in ("text", "date"):  # a filled text or date is true
            return _guard(x, "TRUE", "FALSE")
        raise Untranslatable(f"truth of {x.kind}")

    # ------------------------------------------------------------------ functions

    def need(self, x: _X, *kinds: str) -> None:
        if x.kind not in kinds:
            raise Untranslatable(f"expected {' or '.join(kinds)}, got {x.kind}")

    def scalar(self, node: ast.AST, *kinds: str) -> _X:
        x = _strict(self.emit(node))
        if x.kind != "null":
            self.need(x, *kinds)
        return x

    def whole(self, node: ast.AST) -> int:
        """A whole-number constant argument (places, counts)."""
        sign = 1
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            sign, node = -1, node.operand
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
            return sign * node.value
        raise Untranslatable("a computed number of places")

    def fn_sum(self, *args: ast.AST) -> _X:
        parts = []
        for arg in args:
            x = self.emit(arg)
            if x.kind == "range":
                self.need_numbers(x)
                parts.append(x.text)
            elif x.kind == "null":
                continue
            elif x.operand is not None and x.kind == "number":
                parts.append(x.text)  # SUM skips an empty or text cell, as the engine skips null
            else:
                x = _strict(x)
                self.need(x, "number")
                parts.append(_guard(x, x.text, "0"))
        return _X(f"SUM({','.join(parts) or '0'})", "number")

    def need_numbers(self, x: _X) -> None:
        if x.operand is None or x.operand.type != "number":
            raise Untranslatable("a sum over a column that is not numeric")

    def fn_count(self, arg: ast.AST) -> _X:
        x = self.emit(arg)
        if x.kind == "range":
            # COUNTIF(r,"?*") counts numbers too in LibreOffice: LEN works alike in both
            return _X(f"SUMPRODUCT(--(LEN({x.text})>0))", "number", places=0)
        x = _strict(x)
        if x.kind == "null":
            return _X("0", "number", places=0)
        return _X(_guard(x, "1", "0"), "number", places=0)

    def _extreme(self, fn: str, args: Sequence[ast.AST]) -> _X:
        refs, kinds = [], set()
        for arg in args:
            x = self.emit(arg)
            op = x.operand
            if x.kind == "range" and op is not None and op.type in ("number", "date"):
                kinds.add(op.type)
            elif op is not None and x.kind in ("number", "date") and not x.timed:
                kinds.add(x.kind)
            else:
                raise Untranslatable(f"{fn.lower()}() of a computed value")
            refs.append(x.text)
        if len(kinds) != 1:
            raise Untranslatable(f"{fn.lower()}() of mixed kinds")
        joined = ",".join(refs)
        return _X(f"{fn}({joined})", kinds.pop(), ((f"COUNT({joined})=0",),))

    def fn_min(self, *args: ast.AST) -> _X:
        return self._extreme("MIN", args)

    def fn_max(self, *args: ast.AST) -> _X:
        return self._extreme("MAX", args)

    def fn_round(self, value: ast.AST, places: ast.AST | None = None) -> _X:
        n = 0 if places is None else self.whole(places)
        x = self.scalar(value, "number")
        if x.kind == "null":
            return NULL
        return _X(f"ROUND({x.text},{n})", "number", x.stages, max(n, 0))

    def fn_abs(self, value: ast.AST) -> _X:
        x = self.scalar(value, "number")
        return NULL if x.kind == "null" else _X(f"ABS({x.text})", "number", x.stages, x.places)

    def fn_len(self, value: ast.AST) -> _X:
        x = self.scalar(value, "text")
        return NULL if x.kind == "null" else _X(f"LEN({x.text})", "number", x.stages, 0)

    def fn_today(self) -> _X:
        return _X("TODAY()", "date")

    def _date(self, node: ast.AST) -> _X:
        x = self.scalar(node, "date")
        if x.kind == "null":
            return x
        return _X(f"INT({x.text})", "date", x.stages) if x.timed else x

    def fn_weekday(self, d: ast.AST) -> _X:
        x = self._date(d)
        return NULL if x.kind == "null" else _X(f"WEEKDAY({x.text},2)", "number", x.stages, 0)

    def fn_weekday_zh(self, d: ast.AST) -> _X:
        x = self._date(d)
        if x.kind == "null":
            return NULL
        return _X(f'("星期"&MID("一二三四五六日",WEEKDAY({x.text},2),1))', "text", x.stages)

    def fn_days_between(self, a: ast.AST, b: ast.AST) -> _X:
        x, y = self._date(a), self._date(b)
        if "null" in (x.kind, y.kind):
            return NULL
        return _X(f"({y.text}-{x.text})", "number", _merge(x.stages, y.stages), 0)

    def fn_add_days(self, d: ast.AST, n: ast.AST) -> _X:
        x, k = self._date(d), self.scalar(n, "number")
        if "null" in (x.kind, k.kind):
            return NULL
        return _X(f"({x.text}+TRUNC({k.text}))", "date", _merge(x.stages, k.stages))

    def fn_add_months(self, d: ast.AST, n: ast.AST) -> _X:
        x, k = self._date(d), self.scalar(n, "number")
        if "null" in (x.kind, k.kind):
            return NULL
        return _X(f"EDATE({x.text},TRUNC({k.text}))", "date", _merge(x.stages, k.stages))

    def _part(self, fn: str, d: ast.AST) -> _X:
        x = self._date(d)  # a year-month is text in its cell: not translated
        return NULL if x.kind == "null" else _X(f"{fn}({x.text})", "number", x.stages, 0)

    def fn_year(self, d: ast.AST) -> _X:
        return self._part("YEAR", d)

    def fn_month(self, d: ast.AST) -> _X:
        return self._part("MONTH", d)

    def fn_day(self, d: ast.AST) -> _X:
        return self._part("DAY", d)

    def fn_days_in_month(self, d: ast.AST) -> _X:
        x = self._date(d)
        return NULL if x.kind == "null" else _X(f"DAY(EOMONTH({x.text},0))", "number", x.stages, 0)

    def text_of(self, x: _X) -> str:
        """The engine's text of a filled value (functions._text), valid when x is filled."""
        if x.kind == "text":
            return x.text
        if x.kind == "number":
            if x.places != 0:  # TEXT(x,"0.00") depends on the locale's decimal point
                raise Untranslatable("a number with decimals turned into text")
            return f"({x.text}&\"\")"
        if x.kind == "date":
            if x.timed:
                raise Untranslatable("a date-time turned into text")
            return _iso_date(x.text)
        if x.kind == "bool":
            return f'IF({x.text},"是","否")'
        raise Untranslatable(f"{x.kind} turned into text")

    def fn_concat(self, *args: ast.AST) -> _X:
        pieces = []
        for arg in args:
            x = _strict(self.emit(arg))
            if x.kind == "null":
                continue
            pieces.append(_guard(x, self.text_of(x)))
        return _X("(" + "&".join(pieces) + ")" if pieces else '""', "text")

    def fn_format(self, value: ast.AST, pattern: ast.AST) -> _X:
        if not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str)):
            raise Untranslatable("a computed format pattern")
        x = _strict(self.emit(value))
        if x.kind == "null":
            return NULL
        text = pattern.value
        if x.kind == "date":
            pieces = []
            for token in re.split(r"(YYYY|YY|MM|DD)", text):
                if token == "YYYY":
                    pieces.append(f'RIGHT("000"&YEAR({x.text}),4)')
                elif token == "YY":
                    pieces.append(f'RIGHT("0"&MOD(YEAR({x.text}),100),2)')
                elif token in ("MM", "DD"):
                    pieces.append(f'RIGHT("0"&{"MONTH" if token == "MM" else "DAY"}({x.text}),2)')
                elif token:
                    pieces.append(_string(token))
            return _X("(" + "&".join(pieces or ['""']) + ")", "text", x.stages)
        if x.kind == "number" and re.fullmatch(r"0+(\.0+)?", text):
            if "." in text:
                raise Untranslatable("format() with decimals depends on the locale")
            return _X(f"TEXT(ROUND({x.text},0),{_string(text)})", "text", x.stages)
        return _X(self.text_of(x), "text", x.stages)

    def fn_upper(self, s: ast.AST) -> _X:
        x = self.scalar(s, "text")
        return NULL if x.kind == "null" else _X(f"UPPER({x.text})", "text", x.stages)

    def fn_left(self, s: ast.AST, n: ast.AST) -> _X:
        count = self.whole(n)
        if count < 0:
            raise Untranslatable("left() with a negative count")
        x = self.scalar(s, "text")
        return NULL if x.kind == "null" else _X(f"LEFT({x.text},{count})", "text", x.stages)

    def _emptiness(self, arg: ast.AST) -> str:
        x = self.emit(arg)
        if x.kind in ("range", "grid"):
            raise Untranslatable("empty() of a list")
        return _isnull(_strict(x))

    def fn_empty(self, arg: ast.AST) -> _X:
        return _X(self._emptiness(arg), "bool")

    def fn_filled(self, arg: ast.AST) -> _X:
        return _X(f"NOT({self._emptiness(arg)})", "bool")

    def fn_coalesce(self, *args: ast.AST) -> _X:
        values = [_strict(self.emit(a)) for a in args]
        values = [v for v in values if v.kind != "null"]
        kinds = {v.kind for v in values}
        if not values:
            return NULL
        if len(kinds) > 1 or kinds & {"range", "grid"}:
            raise Untranslatable("coalesce() of different kinds")
        places = {v.places for v in values}

        def closer(finish: Finish) -> str:
            out = '""'
            for v in reversed(values):
                out = f"IF({_isnull(v)},{out},{finish(v.text, v.kind, v.places)})"
            return out
        return _X(closer(_same), kinds.pop(), places=places.pop() if len(places) == 1 else None, closer=closer,
                  timed=any(v.timed for v in values))

    def fn_sumproduct(self, a: ast.AST, b: ast.AST) -> _X:
        x, y = self.emit(a), self.emit(b)
        for r in (x, y):
            if r.kind != "range":
                raise Untranslatable("sumproduct() of values that are not columns")
            self.need_numbers(r)
        return _X(f"SUMPRODUCT({x.text},{y.text})", "number")

    def fn_sum_if(self, values: ast.AST, keys: ast.AST, key: ast.AST) -> _X:
        v, k = self.emit(values), self.emit(keys)
        if v.kind != "range" or k.kind != "range":
            raise Untranslatable("sum_if() of values that are not columns")
        self.need_numbers(v)
        if k.operand is None or k.operand.type not in TEXT_TYPES | {"choice"} or k.operand.labels is not None:
            raise Untranslatable("sum_if() keyed by a column whose cells are not its values")
        wanted = self.scalar(key, "text")
        if wanted.kind == "null":
            return _X("0", "number")
        body = f"SUMPRODUCT(--EXACT({k.text},{wanted.text}),{v.text})"
        return _X(_guard(wanted, body, "0"), "number")

    def grid_arg(self, node: ast.AST) -> str:
        x = self.emit(node)
        if x.kind != "grid" or x.name is None:
            raise Untranslatable("a grid function of something else than a grid")
        return x.name

    def key_arg(self, node: ast.AST) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) and not isinstance(node.value, bool):
            return str(node.value)
        raise Untranslatable("a computed grid row or column")

    def _grid_sum(self, grid: str, row: str | None, column: str | None) -> _X:
        op = self.cells.grid(grid, row, column)
        if op is None or not (op.type in NUMBER_TYPES or op.type in ("decimal", "percent")):
            raise Untranslatable(f"totals of grid {grid}")
        return _X(f"SUM({op.ref})", "number")

    def fn_row_total(self, grid: ast.AST, row: ast.AST) -> _X:
        return self._grid_sum(self.grid_arg(grid), self.key_arg(row), None)

    def fn_column_total(self, grid: ast.AST, column: ast.AST) -> _X:
        return self._grid_sum(self.grid_arg(grid), None, self.key_arg(column))

    def fn_grid_total(self, grid: ast.AST) -> _X:
        return self._grid_sum(self.grid_arg(grid), None, None)

    def fn_cell(self, grid: ast.AST, row: ast.AST, column: ast.AST) -> _X:
        g = self.grid_arg(grid)
        op = self.cells.grid(g, self.key_arg(row), self.key_arg(column))
        if op is None:
            raise Untranslatable(f"a cell of grid {g}")
        return self.operand(op, g)

    def fn_row_number(self) -> _X:
        text = self.cells.row_number()
        if text is None:
            raise Untranslatable("row_number() outside a table sheet")
        return _X(text, "number", places=0)

    def fn_level(self) -> _X:
        ref = self.cells.level()
        if ref is None:
            raise Untranslatable("level() outside a tree sheet")
        return _X(ref, "number", ((f'{ref}=""',),), 0)


def _iso_date(d: str) -> str:
    return f'(YEAR({d})&"-"&RIGHT("0"&MONTH({d}),2)&"-"&RIGHT("0"&DAY({d}),2))'


def to_excel(checked: Checked, cells: Cells, finish: Finish = _same, when: Sequence[Checked] = ()) -> str:
    """The formula (with its leading ``=``) computing *checked*, ``""`` where the engine gives null.

    ``finish(text, kind, places)`` turns the engine's value into what the cell shows (rounding
    to a field's places, a choice value into its label); it may raise :class:`Untranslatable`.
    ``when``: conditions (``visible_if``) that must all hold, else the cell is empty.
    Raises :class:`Untranslatable` when no faithful formula exists.
    """
    translator = _Translator(checked, cells)
    body = _close(translator.emit(checked.tree.body), finish)
    if when:
        tests = [_Translator(c, cells).truth(c.tree.body) for c in when]
        body = f"IF({tests[0] if len(tests) == 1 else 'AND(' + ','.join(tests) + ')'},{body},\"\")"
    formula = "=" + body
    if len(formula) > MAX_FORMULA:
        raise Untranslatable(f"formula of {len(formula)} characters")
    if _nesting(formula) > MAX_NESTING:
        raise Untranslatable("formula nested too deeply")
    return formula


def _nesting(formula: str) -> int:
    depth = deepest = 0
    quoted = False
    for ch in formula:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and ch == ")":
            depth -= 1
    return deepest


__all__ = ["ROW", "Cells", "Finish", "Operand", "Untranslatable", "to_excel"]
